"""Bulk test data: small OpenAlex snapshot directories (real layout and manifest shape), and an
Atom entry in the arXiv API's shape for a bulk arXiv record."""

from __future__ import annotations

import gzip
from collections import defaultdict
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import orjson


def recorded_openalex_works(recorded: Path) -> list[dict[str, Any]]:
    """Every recorded API work, one per id (the latest ``updated_date`` wins), in id order."""
    latest: dict[str, dict[str, Any]] = {}
    for path in sorted((recorded / "openalex" / "works").glob("*.json")):
        for record in orjson.loads(path.read_bytes())["results"]:
            known = latest.get(record["id"])
            if known is None or record["updated_date"] > known["updated_date"]:
                latest[record["id"]] = record
    return [latest[key] for key in sorted(latest)]


def partition(records: list[dict[str, Any]], per_part: int) -> dict[str, list[list[dict[str, Any]]]]:
    """Records by ``updated_date`` day, each day cut into parts of at most ``per_part`` records."""
    by_day: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in records:
        by_day[record["updated_date"][:10]].append(record)
    return {
        day: [day_records[i : i + per_part] for i in range(0, len(day_records), per_part)]
        for day, day_records in sorted(by_day.items())
    }


def write_part(root: Path, day: str, name: str, lines: list[bytes]) -> Path:
    """Write one gzip JSON Lines part file and return its path."""
    path = root / "works" / f"updated_date={day}" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(b"".join(line + b"\n" for line in lines), compresslevel=1))
    return path


def write_manifest(root: Path, counts: dict[str, int]) -> None:
    """Write ``works/manifest`` listing ``{relative path: record count}`` as OpenAlex does."""
    entries = [
        {
            "url": f"s3://openalex/data/{relative_path}",
            "meta": {"content_length": (root / relative_path).stat().st_size, "record_count": count},
        }
        for relative_path, count in sorted(counts.items())
    ]
    meta = {"content_length": sum(e["meta"]["content_length"] for e in entries)}
    body = {"entries": entries, "meta": {**meta, "record_count": sum(counts.values())}}
    (root / "works" / "manifest").write_bytes(orjson.dumps(body))


def write_snapshot(
    root: Path, parts: dict[str, list[list[dict[str, Any]]]]
) -> list[tuple[str, list[dict[str, Any]]]]:
    """Write a snapshot with a correct manifest; return ``(relative path, records)`` in read order."""
    written = []
    for day, day_parts in parts.items():
        for number, records in enumerate(day_parts):
            path = write_part(root, day, f"part_{number:03d}.gz", [orjson.dumps(r) for r in records])
            written.append((path.relative_to(root).as_posix(), records))
    write_manifest(root, {relative_path: len(records) for relative_path, records in written})
    return written


def atom_feed(record: dict[str, Any]) -> bytes:
    """One Atom feed entry in the API's shape (see recorded/arxiv/api/*.json) for a Kaggle record."""
    arxiv_id, first, last = record["id"], record["versions"][0], record["versions"][-1]
    codes = record["categories"].split()
    extras = [("doi", record["doi"]), ("journal_ref", record["journal-ref"])]
    parts = [
        f"<id>http://arxiv.org/abs/{arxiv_id}{last['version']}</id>",
        f"<title>{escape(record['title'])}</title>",
        f"<updated>{_iso(last['created'])}</updated>",
        f'<link href="https://arxiv.org/abs/{arxiv_id}{last["version"]}" rel="alternate"/>',
        f"<summary>{escape(record['abstract'])}</summary>",
        *(f'<category term="{code}"/>' for code in codes),
        f"<published>{_iso(first['created'])}</published>",
        *(f"<arxiv:{tag}>{escape(value)}</arxiv:{tag}>" for tag, value in extras if value),
        f'<arxiv:primary_category term="{codes[0]}"/>',
        *(
            f"<author><name>{escape(f'{a[1]} {a[0]} {a[2]}')}</name></author>"
            for a in record["authors_parsed"]
        ),
    ]
    feed = '<feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom">'
    return f"{feed}<entry>{''.join(parts)}</entry></feed>".encode()


def _iso(rfc2822: str) -> str:
    return parsedate_to_datetime(rfc2822).strftime("%Y-%m-%dT%H:%M:%SZ")
