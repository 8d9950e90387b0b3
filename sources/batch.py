"""Rows of one normalized batch, collected per table and turned into canonical Arrow tables."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import pyarrow as pa
from unidecode import unidecode

from warehouse.schemas import SOURCE_TABLES

__all__ = ["BatchBuilder", "RecordRows", "name_key"]

Row = dict[str, Any]
# Tables that describe things works refer to (the warehouse keeps one row per id, chosen by the
# row's values): a row equal to one already in the batch adds nothing.
REFERENCE_TABLES = ("institutions", "topics")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


@lru_cache(maxsize=1 << 16)  # names recur across works; unidecode costs microseconds a name
def name_key(raw_name: str) -> str:
    """Lower-case ASCII form of a name: 'Balázs  Pál' -> 'balazs pal' (grouping only)."""
    return _NON_ALNUM.sub(" ", unidecode(raw_name).lower()).strip()


@dataclass
class RecordRows:
    """Everything one source record yields; added to a batch all at once or not at all."""

    works: list[Row] = field(default_factory=list)
    authorships: list[Row] = field(default_factory=list)
    institutions: list[Row] = field(default_factory=list)
    topics: list[Row] = field(default_factory=list)
    work_topics: list[Row] = field(default_factory=list)
    quarantine: list[Row] = field(default_factory=list)


class BatchBuilder:
    """Accumulates the rows of one fetch and counts what happened to the records."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.rows: dict[str, list[Row]] = {name: [] for name in SOURCE_TABLES}
        self.records_seen = 0
        self._seen: dict[str, set[tuple[Any, ...]]] = {name: set() for name in REFERENCE_TABLES}

    def add(self, record: RecordRows) -> None:
        """Add the rows of one record that normalized (its bad mentions may be quarantined).

        A row of a reference table (``REFERENCE_TABLES``) that the batch already holds is not added
        again: every work of an institution names it, every work on a topic lists it.
        """
        self.records_seen += 1
        for table, rows in self.rows.items():
            added: list[Row] = getattr(record, table)
            seen = self._seen.get(table)
            if seen is None:
                rows.extend(added)
                continue
            for row in added:
                values = tuple(row.values())
                if values not in seen:
                    seen.add(values)
                    rows.append(row)

    def quarantine(self, record_type: str, record_id: str | None, reason: str, raw_ref: str) -> None:
        """Quarantine a whole record that could not be normalized."""
        self.records_seen += 1
        row = {"record_type": record_type, "record_id": record_id, "reason": reason}
        self.rows["quarantine"].append({**row, "source": self.source, "raw_ref": raw_ref})

    def quarantined_by_reason(self) -> dict[str, int]:
        """Quarantined rows per reason."""
        return dict(Counter(row["reason"] for row in self.rows["quarantine"]))

    def to_tables(self) -> dict[str, pa.Table]:
        """The batch as canonical Arrow tables (schemas from warehouse.schemas)."""
        return {name: _table(rows, SOURCE_TABLES[name]) for name, rows in self.rows.items()}


def _table(rows: list[Row], schema: pa.Schema) -> pa.Table:
    """The table ``pa.Table.from_pylist(rows, schema=schema)`` gives, a third faster.

    ``from_pylist`` reads the rows once per column; converting them as one struct array reads each
    row dict once (for all its columns), which matters when the rows lie scattered in memory. A
    missing key is a null and an extra key is ignored either way.
    """
    return pa.Table.from_arrays(pa.array(rows, type=pa.struct(list(schema))).flatten(), schema=schema)
