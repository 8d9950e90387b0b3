"""Shared pieces: timed subprocesses with peak memory, medians, machine facts, the data cache."""

from __future__ import annotations

import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("BZPEER_BENCH_CACHE", "/tmp/bzpeer-bench"))
# Competitors (dlt, splink) live in their own venv, never in the project's .venv or pyproject.
COMPETITOR_PYTHON = Path(os.environ.get("BZPEER_BENCH_COMPETITORS", "/tmp/bzpeer-competitors/bin/python"))
SEED = 1


@dataclass(frozen=True, slots=True)
class Measured:
    """One subprocess run: wall seconds, peak RSS of the process tree (MiB), its JSON output."""

    seconds: float
    cpu_seconds: float  # user + system of the process and the children it waited for
    peak_mib: float
    output: dict[str, Any]
    timed_out: bool = False


def run_measured(argv: Sequence[str], timeout: float | None = None, cwd: Path = REPO) -> Measured:
    """Run a command, wait for it with ``wait4`` (its own rusage), parse its last stdout line as JSON.

    Peak RSS is ``ru_maxrss`` of the child and the descendants it waited for: the largest single
    process, not a sum (for a pool of workers, see the benchmark's own note).
    """
    started = time.perf_counter()
    with subprocess.Popen(list(argv), cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc:
        deadline = None if timeout is None else started + timeout
        status, usage, timed_out = _wait(proc, deadline)
        seconds = time.perf_counter() - started
        out = proc.stdout.read().decode() if proc.stdout else ""
        err = proc.stderr.read().decode() if proc.stderr else ""
    cpu = usage.ru_utime + usage.ru_stime
    if timed_out:
        return Measured(seconds, cpu, usage.ru_maxrss / 1024, {}, timed_out=True)
    if status != 0:
        raise RuntimeError(f"{' '.join(argv)} failed ({status}):\n{err[-3000:]}")
    lines = [line for line in out.splitlines() if line.startswith("{")]
    return Measured(seconds, cpu, usage.ru_maxrss / 1024, json.loads(lines[-1]) if lines else {})


def _wait(proc: subprocess.Popen[bytes], deadline: float | None) -> tuple[int, Any, bool]:
    # stdout/stderr are small (a JSON line, warnings); a pipe buffer of 64 KiB is enough to not block.
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG if deadline else 0)
        if pid:
            proc.returncode = os.waitstatus_to_exitcode(status)
            return proc.returncode, usage, False
        if deadline and time.perf_counter() > deadline:
            proc.kill()
            _, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = -9
            return -9, usage, True
        time.sleep(0.05)


def worker(module: str, *args: object) -> list[str]:
    """argv that runs ``python -m benchmarks.<module> <args>`` with the project's interpreter."""
    return [sys.executable, "-m", f"benchmarks.{module}", *map(str, args)]


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def load_average() -> tuple[float, float, float]:
    return os.getloadavg()


def machine() -> dict[str, Any]:
    """nproc, CPU model, memory, Python and package versions: the header of BENCHMARKS.md."""
    cpu = next(
        (line.split(":", 1)[1].strip() for line in _read("/proc/cpuinfo") if line.startswith("model name")),
        platform.processor() or "unknown",
    )
    meminfo = _read("/proc/meminfo")
    mem_kib = next((int(line.split()[1]) for line in meminfo if line.startswith("MemTotal")), 0)
    packages = ["duckdb", "pyarrow", "orjson", "msgspec", "isal", "rapidfuzz", "numpy", "prefect"]
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": round(mem_kib / 1024 / 1024, 1),
        "python": platform.python_version(),
        "packages": {name: _version(name) for name in packages},
        "competitors": competitor_versions(),
        "load_at_start": load_average(),
        "git": _git(),
    }


def _git() -> str:
    """HEAD and the pipeline files that differ from it: the code that was measured."""

    # --no-optional-locks: a read-only look, never a refresh of the index.
    def git(*args: str) -> str:
        out = subprocess.run(["git", "--no-optional-locks", *args], cwd=REPO, capture_output=True, text=True)
        return out.stdout.rstrip()

    dirty = [
        line[3:]
        for line in git("status", "--porcelain").splitlines()
        if not line[3:].startswith(("benchmarks", "BENCHMARKS.md"))
    ]
    head = git("rev-parse", "--short", "HEAD") or "unknown"
    return f"{head}" + (f" plus uncommitted changes to {', '.join(dirty)}" if dirty else "")


def competitor_versions() -> dict[str, str]:
    """Versions of dlt, splink and duckdb in the competitors' venv, or "not installed"."""
    if not COMPETITOR_PYTHON.exists():
        return {"dlt": "not installed", "splink": "not installed"}
    code = (
        "import json, importlib.metadata as m\n"
        "def v(n):\n"
        "    try: return m.version(n)\n"
        "    except m.PackageNotFoundError: return 'not installed'\n"
        "print(json.dumps({n: v(n) for n in ('dlt', 'splink', 'duckdb')}))"
    )
    out = subprocess.run([str(COMPETITOR_PYTHON), "-c", code], capture_output=True, text=True, check=False)
    return dict(json.loads(out.stdout)) if out.returncode == 0 else {"dlt": "not installed", "splink": "?"}


def competitor_has(package: str) -> bool:
    return competitor_versions().get(package, "not installed") != "not installed"


def synthetic(works: int, seed: int = SEED) -> Path:
    """The synthetic data set of ``works`` works, generated once into the cache and reused."""
    final = CACHE / f"synth-w{works}-s{seed}"
    if (final / "manifest.json").is_file():
        return final
    from sources.synthetic import generate

    partial = final.with_name(final.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    print(f"generating {works} synthetic works into {final} (once; cached)", flush=True)
    generate(works, seed, partial)
    os.replace(partial, final)
    return final


def snapshot_files(data: Path) -> list[Path]:
    """The OpenAlex snapshot part files of a synthetic data set, in order."""
    return sorted((data / "openalex" / "works").glob("updated_date=*/part_*.gz"))


def _read(path: str) -> list[str]:
    try:
        return Path(path).read_text().splitlines()
    except OSError:
        return []


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def emit(result: dict[str, Any]) -> None:
    """A worker's result: one JSON line on stdout, with its own peak RSS (MiB)."""
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({**result, "self_peak_mib": peak}), flush=True)
