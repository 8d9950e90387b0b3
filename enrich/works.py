"""Display text of a batch of works: cleaned title and abstract, raw columns kept beside them."""

from __future__ import annotations

import pyarrow as pa

from enrich.text import clean_text, clean_title
from enrich.topics import place_arxiv_topics

__all__ = ["clean_work_texts", "enrich_batch"]


def clean_work_texts(works: pa.Table) -> pa.Table:
    """Recompute ``title`` and ``abstract`` from ``title_raw`` and ``abstract_raw``.

    A title that cleans to nothing (only markup) keeps its raw text, so no work loses its title.
    """
    raw_titles = works.column("title_raw").to_pylist()
    titles = [clean_title(raw) or raw for raw in raw_titles]
    abstracts = [clean_text(raw) for raw in works.column("abstract_raw").to_pylist()]
    works = works.set_column(
        works.schema.get_field_index("title"), works.schema.field("title"), pa.array(titles, pa.string())
    )
    index = works.schema.get_field_index("abstract")
    return works.set_column(index, works.schema.field("abstract"), pa.array(abstracts, pa.string()))


def enrich_batch(tables: dict[str, pa.Table]) -> dict[str, pa.Table]:
    """The enrichment every normalized batch gets before it lands in the lake."""
    return {
        **tables,
        "works": clean_work_texts(tables["works"]),
        "topics": place_arxiv_topics(tables["topics"]),
    }
