"""Enrichment: clean text, topic hierarchy, affiliation matching, summary lines."""

from enrich.affiliations import match_affiliations
from enrich.summary import summary_line
from enrich.text import clean_text, clean_title
from enrich.topics import place_arxiv_topics
from enrich.works import clean_work_texts, enrich_batch

__all__ = [
    "clean_text",
    "clean_title",
    "clean_work_texts",
    "enrich_batch",
    "match_affiliations",
    "place_arxiv_topics",
    "summary_line",
]
