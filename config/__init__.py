"""Typed settings for the pipeline (pydantic-settings, env prefix ``BZPEER_``)."""

from config.settings import ArxivScope, HttpPolicy, OpenAlexScope, Settings, load_settings

__all__ = ["ArxivScope", "HttpPolicy", "OpenAlexScope", "Settings", "load_settings"]
