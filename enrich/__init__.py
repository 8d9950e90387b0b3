"""Enrichment: clean abstracts and titles (and, later, topics, collaborators, affiliations)."""

from enrich.text import clean_text, clean_title

__all__ = ["clean_text", "clean_title"]
