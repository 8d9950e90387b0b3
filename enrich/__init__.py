"""Enrichment: clean abstracts and titles (and, later, topics, collaborators, affiliations)."""

from enrich.text import clean_text, clean_title
from enrich.works import clean_work_texts

__all__ = ["clean_text", "clean_title", "clean_work_texts"]
