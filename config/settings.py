"""One typed Settings object for the whole pipeline, built at the edge and passed down.

Values come from, highest priority first: keyword arguments, environment variables prefixed
``BZPEER_`` (nested fields use ``__``, e.g. ``BZPEER_HTTP__TIMEOUT_SECONDS=10``), an optional TOML
file (``BZPEER_CONFIG_FILE`` or the ``config_file`` argument), then the defaults below. The defaults
target the live APIs; the demo and the tests point the same clients at the loopback replay server by
overriding the two base URLs.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

__all__ = ["ArxivScope", "HttpPolicy", "OpenAlexScope", "Settings", "load_settings"]

_SCOPE_NAME = r"^[a-z0-9][a-z0-9_-]{0,63}$"
LIVE_OPENALEX_URL = "https://api.openalex.org"
LIVE_ARXIV_URL = "https://export.arxiv.org/api/query"


class HttpPolicy(BaseModel):
    """Timeouts and retries, configured once for both HTTP clients."""

    connect_timeout_seconds: float = Field(10.0, gt=0)
    # The arxiv package passes no timeout to requests; without one a stalled server hangs forever.
    timeout_seconds: float = Field(60.0, gt=0)
    max_retries: int = Field(4, ge=0, le=10)
    backoff_seconds: float = Field(1.0, ge=0)
    retry_statuses: tuple[int, ...] = (429, 500, 502, 503, 504)
    # A server's Retry-After is honoured up to this long; a longer one fails the window instead of
    # stalling the night (the next run retries it).
    max_retry_after_seconds: float = Field(300.0, ge=0)


class OpenAlexScope(BaseModel):
    """A named OpenAlex harvest: extra ``/works`` filters; the window adds the date filters."""

    name: str = Field(pattern=_SCOPE_NAME)
    filters: dict[str, str] = Field(default_factory=dict)

    @field_validator("filters")
    @classmethod
    def _no_window_filters(cls, filters: dict[str, str]) -> dict[str, str]:
        clash = sorted(k for k in filters if k.startswith(("from_updated", "to_updated")))
        if clash:
            raise ValueError(f"filters {clash} are set by the run window; remove them from the scope")
        return filters


class ArxivScope(BaseModel):
    """A named arXiv harvest: a search query and/or an id list; the window adds a date range."""

    name: str = Field(pattern=_SCOPE_NAME)
    query: str = ""
    ids: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _needs_query_or_ids(self) -> ArxivScope:
        if not self.query and not self.ids:
            raise ValueError(f"arXiv scope {self.name!r} needs a query (e.g. 'cat:cs.LG') or ids")
        return self


class Settings(BaseSettings):
    """Everything the pipeline can be told. See the README's configuration section."""

    model_config = SettingsConfigDict(
        env_prefix="BZPEER_", env_nested_delimiter="__", extra="forbid", frozen=True
    )

    data_dir: Path = Path("data")
    openalex_base_url: str = LIVE_OPENALEX_URL
    openalex_api_key: SecretStr | None = None
    openalex_email: str | None = None
    openalex_per_page: int = Field(100, ge=1, le=200)
    arxiv_base_url: str = LIVE_ARXIV_URL
    # arXiv's API terms of use: "make no more than one request every three seconds".
    # https://info.arxiv.org/help/api/tou.html
    arxiv_delay_seconds: float = Field(3.0, ge=0)
    arxiv_page_size: int = Field(100, ge=1, le=2000)
    user_agent: str = "bzpeer-pipeline/0.1 (researcher profiles; mailto:data@bzpeer.example)"
    http: HttpPolicy = HttpPolicy()
    openalex_scopes: list[OpenAlexScope] = Field(default_factory=list)
    arxiv_scopes: list[ArxivScope] = Field(default_factory=list)
    # A first nightly run (no watermark yet) starts here; later ones at watermark - lag.
    initial_start: date = date(2026, 1, 1)
    nightly_lag_days: int = Field(2, ge=0)
    nightly_cron: str = "0 2 * * *"  # UTC
    # Profile rules: co-authors with at least this many shared works are close collaborators;
    # papers with more authors than the cap (large collaborations) do not count as collaborations.
    close_collaborator_min_works: int = Field(2, ge=1)
    collaboration_max_authors: int = Field(50, ge=2)
    # Scale-out of imports (flows/runners.py): a local Dask cluster of this many worker processes
    # (0: partitions run one at a time), or the address of a running Dask scheduler.
    dask_workers: int = Field(0, ge=0)
    dask_address: str | None = None
    # Processes that resolve author identities in the build (units are independent; same result).
    identity_workers: int = Field(1, ge=1)
    # Memory DuckDB may use while it builds the warehouse (e.g. "4GB"), spilling to disk beyond it;
    # unset: DuckDB's default, 80% of the machine's memory. Author resolution runs in Python, apart.
    warehouse_memory_limit: str | None = Field(
        None, pattern=r"^\d+(\.\d+)? ?([KMGT]i?B)$", examples=["4GB", "512MiB"]
    )

    @field_validator("openalex_base_url", "arxiv_base_url")
    @classmethod
    def _http_url(cls, url: str) -> str:
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"{url!r} is not an http(s) URL")
        return url.rstrip("/")

    @property
    def raw_dir(self) -> Path:
        """Raw landing: ``<data_dir>/raw/<source>/<run_id>/``."""
        return self.data_dir / "raw"

    @property
    def lake_dir(self) -> Path:
        """The Parquet lake."""
        return self.data_dir / "lake"

    @property
    def warehouse_path(self) -> Path:
        """The published DuckDB database that profile pages open read-only."""
        return self.data_dir / "warehouse.duckdb"

    def scope_names(self, source: Literal["openalex", "arxiv"]) -> list[str]:
        """Names of the configured scopes of one source."""
        scopes = self.openalex_scopes if source == "openalex" else self.arxiv_scopes
        return [s.name for s in scopes]

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The TOML file, if any, is named by model_config["toml_file"] (see load_settings).
        return init_settings, env_settings, TomlConfigSettingsSource(settings_cls)


def load_settings(config_file: Path | None = None, **overrides: Any) -> Settings:
    """Build the Settings from overrides, ``BZPEER_*`` variables and an optional TOML file.

    Args:
        config_file: A TOML file with the same field names (``[[openalex_scopes]]`` tables etc.).
        **overrides: Field values that win over everything else.

    Returns:
        The validated, frozen settings.

    Raises:
        FileNotFoundError: The TOML file does not exist.
        pydantic.ValidationError: A value is invalid; the message names the field.
    """
    if config_file is not None and not config_file.is_file():
        raise FileNotFoundError(f"config file {config_file} not found (BZPEER_CONFIG_FILE?)")
    if config_file is None:
        return Settings(**overrides)
    config = SettingsConfigDict(**{**Settings.model_config, "toml_file": config_file})
    file_settings: type[Settings] = type("FileSettings", (Settings,), {"model_config": config})
    return file_settings(**overrides)
