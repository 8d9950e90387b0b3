"""The issue's normalize data: N OpenAlex works copied from the real recorded ones (about 17 KB each).

The anchors of the performance issue were measured "on 100k OpenAlex-shaped works copied from the
real recorded ones (about 17 KB of JSON per work)". This writes such a set from the 481 unique real
works in ``recorded/openalex/works/`` (read as the replay server reads them: a work recorded
twice in its latest version, in id order): copy ``k`` of a work is the real record unchanged
except its ``id`` (a new ``W`` id, unique in the set) and its DOI (``<doi>/copy-<k>``, so copies
stay distinct works), in the snapshot layout (``updated_date=YYYY-MM-DD/part_NNN.gz`` and a
``manifest`` whose meta says ``copied_from_recorded``). Nothing in a copy is invented: it is a
real work under another id.

The synthetic set (``bzpeer synth``) is leaner per work (about 9 KB: short abstracts, few
references, no concepts or counts_by_year), so its parse-only ceiling is higher relative to the
fields a normalizer reads; the normalize benchmark reports both.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import orjson

from benchmarks.common import CACHE, REPO
from sources.replay.index import load_works
from sources.synthetic.writers import SnapshotWriter

RECORDED_WORKS = REPO / "recorded" / "openalex" / "works"
_FIRST_DAY = date(2026, 10, 1)
_DAYS = 30
_COPY_ID_BASE = 9_000_000_000  # above the real W ids of the recorded works


def recorded_works() -> tuple[dict[str, Any], ...]:
    """The unique real works of the recorded pages."""
    return load_works(RECORDED_WORKS)


def real_copies(works: int) -> Path:
    """The set of ``works`` copied works, written once into the cache and reused; its root."""
    final = CACHE / f"realcopy-w{works}"
    if (final / "openalex" / "works" / "manifest").is_file():
        return final
    partial = final.with_name(final.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    print(f"copying {works} real recorded works into {final} (once; cached)", flush=True)
    per_day = -(-works // _DAYS)
    writer = SnapshotWriter(partial / "openalex" / "works", per_day, label="copied_from_recorded")
    for index, line in enumerate(_copies(recorded_works(), works)):
        writer.write((_FIRST_DAY + timedelta(days=index // per_day)).isoformat(), line + b"\n")
    writer.close()
    os.replace(partial, final)
    return final


def _copies(originals: Sequence[dict[str, Any]], works: int) -> Iterator[bytes]:
    for index in range(works):
        work = dict(originals[index % len(originals)])
        copy = index // len(originals)
        work["id"] = f"https://openalex.org/W{_COPY_ID_BASE + index}"
        if work.get("doi"):
            work["doi"] = f"{work['doi']}/copy-{copy}"
        if isinstance(work.get("ids"), dict):
            work["ids"] = {**work["ids"], "openalex": work["id"]}
            if work["ids"].get("doi"):
                work["ids"]["doi"] = work["doi"]
        yield orjson.dumps(work)
