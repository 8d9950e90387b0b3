# Every target installs what it needs first: on a fresh machine `make demo` and `make test` are all it takes.
SHELL := /bin/bash
PY := .venv/bin/python
UV := .tools/bin/uv
UV_VERSION := 0.13.9
# dlt and splink, which the benchmarks compare against, live in a venv of their own (locked in
# benchmarks/competitors.txt), never in .venv.
COMPETITORS ?= /tmp/bzpeer-competitors
# Prefect: no telemetry, no stray server state in ~/.prefect.
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1
# Prefect's temporary local API may take longer than its default 20 s to start on a busy 2-core machine.
export PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS ?= 120
export PREFECT_HOME ?= $(CURDIR)/.prefect

.PHONY: install browser competitors demo test check format bench clean

$(UV):
	python3 -m venv .tools
	.tools/bin/pip install --quiet "uv==$(UV_VERSION)"

.venv/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen
	touch $@

install: .venv/.synced

demo: install
	$(PY) -m flows.demo

# The profile-page test renders HTML in Debian's headless Chromium: installed here when missing
# (as root, or with sudo that asks no password); elsewhere this says what to run.
browser:
	@command -v chromium >/dev/null || command -v chromium-browser >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; elif sudo -n true 2>/dev/null; then SUDO=sudo; \
	  else echo "the profile-page test needs Chromium: run 'sudo apt-get install chromium'"; exit 0; fi; \
	  echo "installing Debian's chromium for the profile-page test (apt-get)"; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

test: install browser
	$(PY) -m pytest

check: install
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/mypy

format: install
	.venv/bin/ruff check --fix .
	.venv/bin/ruff format .

$(COMPETITORS)/.synced: benchmarks/competitors.txt | $(UV)
	$(UV) venv --quiet --allow-existing --python python3 $(COMPETITORS)
	$(UV) pip install --quiet --python $(COMPETITORS)/bin/python -r benchmarks/competitors.txt
	touch $@

competitors: $(COMPETITORS)/.synced

bench: install competitors
	BZPEER_BENCH_COMPETITORS=$(COMPETITORS)/bin/python $(PY) -m benchmarks.run

clean:
	rm -rf data .prefect .pytest_cache .mypy_cache .ruff_cache
