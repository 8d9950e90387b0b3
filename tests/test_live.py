"""The live APIs with the default configuration: run with `pytest --live` on a machine with network.

They are skipped here (no network). OpenAlex needs an API key since February 2026:
set BZPEER_OPENALEX_API_KEY.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from config import load_settings
from sources import Window, WindowPlan, land_window, normalize_fetch

pytestmark = pytest.mark.live
YESTERDAY = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=1)


def test_live_arxiv_window(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path, arxiv_scopes=[{"name": "ml", "query": "cat:cs.LG"}])
    plan = WindowPlan("arxiv", "ml", Window(YESTERDAY, YESTERDAY + timedelta(hours=2)))
    landed = land_window(settings, plan, "live")
    batch = normalize_fetch(tmp_path, "arxiv", Path(landed.path))
    assert batch.works == landed.records


def test_live_openalex_window(tmp_path: Path) -> None:
    settings = load_settings(
        data_dir=tmp_path,
        openalex_scopes=[
            {"name": "one-institution", "filters": {"authorships.institutions.id": "I27837315"}}
        ],
    )
    if settings.openalex_api_key is None:
        pytest.skip("set BZPEER_OPENALEX_API_KEY")
    landed = land_window(
        settings,
        WindowPlan("openalex", "one-institution", Window(YESTERDAY, YESTERDAY + timedelta(days=1))),
        "live",
    )
    batch = normalize_fetch(tmp_path, "openalex", Path(landed.path))
    assert batch.records_seen == landed.records
    key = settings.openalex_api_key.get_secret_value()
    landed_text = b"".join(p.read_bytes() for p in Path(landed.path).iterdir())
    assert key.encode() not in landed_text
