"""Benchmark 3, splink's side: the same mentions as ours, resolved by splink and scored by us.

``python -m benchmarks.splink_compare export {qian|synthetic} OUT.parquet [DATA MENTIONS]`` writes
splink's input features and the truth; the competitors' interpreter runs
``benchmarks/splink_resolve.py``; the clusters are scored here with the same B-cubed as ours
(Qian: micro over the names, as ``evaluate_aminer``; synthetic: over all mentions).
"""

from __future__ import annotations

import re
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

from benchmarks.authors import QIAN, bcubed, synthetic_mentions
from benchmarks.common import (
    COMPETITOR_PYTHON,
    REPO,
    competitor_has,
    load_average,
    median,
    run_measured,
    worker,
)

_WORD = re.compile(r"[a-z0-9]+")


def _ascii_words(text: str) -> list[str]:
    from unidecode import unidecode

    return _WORD.findall(unidecode(text or "").lower())


def _features(mention: Any, group: str, label: str) -> dict[str, Any]:
    words = _ascii_words(mention.raw_name)
    surname = words[-1] if words else ""
    return {
        "unique_id": mention.mention_id,
        "group": group,
        "label": label,
        "block_key": f"{surname} {words[0][:1] if words else ''}",
        "full_name": " ".join(words),
        "coauthors": sorted({w[-1] for w in map(_ascii_words, mention.coauthors) if w}),
        "venue": (mention.venue or "").lower() or None,
        "year": mention.year,
        "title_tokens": sorted({w for w in _ascii_words(mention.title) if len(w) > 3}),
    }


def export(kind: str, out: Path, data: Path | None, limit: int) -> dict[str, Any]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    if kind == "qian":
        from dedupe.labeled import read_aminer_xml

        rows = [_features(r.mention, r.name, f"{r.name}/{r.label}") for r in read_aminer_xml(QIAN)]
    else:
        assert data is not None
        truth = pq.read_table(data / "truth" / "authors.parquet", columns=["mention_id", "person_id"])
        person = dict(zip(*(truth.column(c).to_pylist() for c in truth.column_names), strict=True))
        rows = [_features(m, "all", str(person[m.mention_id])) for m in synthetic_mentions(data, limit)]
    pq.write_table(pa.Table.from_pylist(rows), out)
    return {"mentions": len(rows)}


def score(features: Path, clusters: Path) -> tuple[float, float, float]:
    """B-cubed micro over the groups (names), like ``evaluate_aminer``."""
    import pyarrow.parquet as pq

    feats = pq.read_table(features, columns=["unique_id", "group", "label"]).to_pylist()
    table = pq.read_table(clusters)
    cluster = dict(zip(*(table.column(c).to_pylist() for c in ("unique_id", "cluster_id")), strict=True))
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in feats:
        groups[row["group"]].append(row)
    totals = [0.0, 0.0]
    for rows in groups.values():
        truth = {r["unique_id"]: r["label"] for r in rows}
        predicted = {r["unique_id"]: str(cluster.get(r["unique_id"], r["unique_id"])) for r in rows}
        precision, recall, _ = bcubed(truth, predicted)
        totals[0] += precision * len(rows)
        totals[1] += recall * len(rows)
    precision, recall = totals[0] / len(feats), totals[1] / len(feats)
    return precision, recall, 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def _cluster_count(clusters: Path) -> int:
    import pyarrow.parquet as pq

    return len(set(pq.read_table(clusters, columns=["cluster_id"]).column(0).to_pylist()))


def measure(data: Path, mentions: int, repeats: int, work: Path) -> dict[str, Any]:
    """splink on Qian and on the synthetic mentions, ``repeats`` runs each (export not timed)."""
    if not competitor_has("splink"):
        return {"not_installed": True}
    work.mkdir(parents=True, exist_ok=True)
    out: dict[str, Any] = {"repeats": repeats}
    for kind in ("qian", "synthetic"):
        features, clusters = work / f"{kind}-features.parquet", work / f"{kind}-clusters.parquet"
        exported = run_measured(worker("splink_compare", "export", kind, features, data, mentions))
        rows = []
        for _ in range(repeats):
            load = load_average()[0]
            script = str(REPO / "benchmarks" / "splink_resolve.py")
            result = run_measured([str(COMPETITOR_PYTHON), script, str(features), str(clusters)])
            rows.append({"seconds": result.output["seconds"], "peak_mib": result.peak_mib, "load1": load})
            f1 = score(features, clusters)[2]
            print(f"  splink {kind}: F1 {f1:.4f} in {rows[-1]['seconds']:.1f} s", flush=True)
        out[kind] = {
            "mentions": exported.output["mentions"],
            "clusters": _cluster_count(clusters),
            "bcubed": score(features, clusters),
            "seconds": median([r["seconds"] for r in rows]),
            "peak_mib": median([r["peak_mib"] for r in rows]),
            "runs_seconds": [round(r["seconds"], 1) for r in rows],
            "load1": [round(r["load1"], 2) for r in rows],
        }
    return out


if __name__ == "__main__":
    from benchmarks.common import emit

    data_dir = Path(sys.argv[4]) if len(sys.argv) > 4 else None
    emit(export(sys.argv[2], Path(sys.argv[3]), data_dir, int(sys.argv[5]) if len(sys.argv) > 5 else 0))
