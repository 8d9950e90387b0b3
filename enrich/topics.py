"""arXiv categories placed in OpenAlex's topic hierarchy where a sound mapping exists.

arXiv's groups correspond to OpenAlex fields (both are broad disciplines); a few archives match an
OpenAlex subfield exactly. Quantitative Biology spans several OpenAlex fields, so its categories
keep their arXiv archive and group. Every name used here is an OpenAlex field, subfield or domain
as it appears in the recorded OpenAlex works.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["ARXIV_GROUP_FIELDS", "place_arxiv_topics"]

# arXiv group name -> (OpenAlex field, OpenAlex domain)
ARXIV_GROUP_FIELDS: dict[str, tuple[str, str]] = {
    "Computer Science": ("Computer Science", "Physical Sciences"),
    "Mathematics": ("Mathematics", "Physical Sciences"),
    "Physics": ("Physics and Astronomy", "Physical Sciences"),
    "Statistics": ("Mathematics", "Physical Sciences"),
    "Economics": ("Economics, Econometrics and Finance", "Social Sciences"),
    "Quantitative Finance": ("Economics, Econometrics and Finance", "Social Sciences"),
    "Electrical Engineering and Systems Science": ("Engineering", "Physical Sciences"),
}
# arXiv archive name -> OpenAlex subfield, where the two cover the same ground.
_ARCHIVE_SUBFIELDS = {
    "Astrophysics": "Astronomy and Astrophysics",
    "Statistics": "Statistics and Probability",
}


def place_arxiv_topics(topics: pa.Table) -> pa.Table:
    """Rewrite subfield/field/domain of arXiv category rows into OpenAlex's hierarchy where mapped.

    Rows of unmapped groups keep their arXiv archive (as subfield) and group (as field).
    """
    if not pc.any(pc.equal(topics.column("scheme"), "arxiv-category")).as_py():
        return topics  # an OpenAlex batch: nothing to place
    rows = topics.to_pylist()
    for row in rows:
        mapped = ARXIV_GROUP_FIELDS.get(row["field"] or "") if row["scheme"] == "arxiv-category" else None
        if mapped:
            row["subfield"] = _ARCHIVE_SUBFIELDS.get(row["subfield"] or "")
            row["field"], row["domain"] = mapped
    return pa.Table.from_pylist(rows, schema=topics.schema)
