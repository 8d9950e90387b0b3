"""arXiv category codes and their names, from arXiv's own taxonomy.

The data file ``arxiv_taxonomy.json`` is generated from ``arxiv/taxonomy/definitions.py`` in the
public repository arXiv/arxiv-base; ``arxiv_taxonomy.PROVENANCE.txt`` beside it names the commit,
the license and how to regenerate it. Codes are case-sensitive, as arXiv writes them (``cs.LG``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

_DATA_PATH = Path(__file__).with_name("arxiv_taxonomy.json")


@dataclass(frozen=True, slots=True)
class ArxivCategory:
    """One arXiv category, with the archive and group it belongs to.

    Attributes:
        code: The category code, e.g. ``astro-ph.EP``; legacy bare archives are codes too
            (``astro-ph``, ``solv-int``).
        name: The category's name, e.g. ``Earth and Planetary Astrophysics``.
        archive: The archive code, e.g. ``astro-ph``.
        archive_name: The archive's name, e.g. ``Astrophysics``.
        group: The group id as arXiv spells it, e.g. ``grp_physics``.
        group_name: The group's name, e.g. ``Physics``.
        active: Whether new papers can still be filed under this code.
        alias_of: The canonical code when this code is an alias (``math.IT`` -> ``cs.IT``).
        subsumed_by: The category that took over a defunct archive (``solv-int`` -> ``nlin.SI``).
    """

    code: str
    name: str
    archive: str
    archive_name: str
    group: str
    group_name: str
    active: bool
    alias_of: str | None
    subsumed_by: str | None

    @property
    def canonical(self) -> str:
        """The code that arXiv lists this category under today (itself unless aliased or subsumed)."""
        return self.alias_of or self.subsumed_by or self.code


@cache
def _categories() -> dict[str, ArxivCategory]:
    data: dict[str, Any] = json.loads(_DATA_PATH.read_text(encoding="utf-8"))
    groups, archives = data["groups"], data["archives"]
    return {
        code: ArxivCategory(
            code=code,
            name=entry["name"],
            archive=entry["archive"],
            archive_name=archives[entry["archive"]]["name"],
            group=entry["group"],
            group_name=groups[entry["group"]]["name"],
            active=entry["active"],
            alias_of=entry["alias_of"],
            subsumed_by=entry["subsumed_by"],
        )
        for code, entry in data["categories"].items()
    }


def category_info(code: str | None) -> ArxivCategory | None:
    """Look up an arXiv category code.

    Args:
        code: A code as arXiv writes it (``cs.LG``, ``hep-th``, ``astro-ph``); surrounding
            whitespace is ignored.

    Returns:
        The category, or None for an empty or unknown code (including ACM or MSC classes
        such as ``I.2.7`` or ``68T05``, which are not arXiv categories).
    """
    if not code:
        return None
    return _categories().get(code.strip())


def category_name(code: str | None) -> str | None:
    """Name an arXiv category code.

    Args:
        code: A code as arXiv writes it, e.g. ``cs.LG``.

    Returns:
        The name, e.g. ``Machine Learning``, or None for an empty or unknown code.
    """
    info = category_info(code)
    return info.name if info is not None else None
