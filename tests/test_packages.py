"""Our top-level packages resolve to this repo (PyPI has packages named dedupe, config, enrich,
sources and flows), export exactly their public names, and only flows/ imports prefect."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGES = ["flows", "sources", "dedupe", "enrich", "warehouse", "config"]


@pytest.mark.parametrize("name", PACKAGES)
def test_package_resolves_to_this_repo(name: str) -> None:
    module = importlib.import_module(name)
    assert module.__file__ is not None
    assert Path(module.__file__).resolve() == REPO / name / "__init__.py"


def test_exported_members() -> None:
    exported = {
        name: sorted(importlib.import_module(name).__all__) for name in ["config", "sources", "warehouse"]
    }
    assert exported["config"] == ["ArxivScope", "HttpPolicy", "OpenAlexScope", "Settings", "load_settings"]
    assert "land_window" in exported["sources"] and "normalize_fetch" in exported["sources"]
    assert "build_and_publish" in exported["warehouse"] and "read_profile" in exported["warehouse"]
    for name, names in exported.items():
        module = importlib.import_module(name)
        assert all(hasattr(module, member) for member in names)


def test_library_packages_do_not_import_prefect() -> None:
    code = (
        "import sys, config, sources, dedupe, enrich, warehouse, sources.replay; "
        "print('prefect' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    assert out.stdout.strip() == "False"
