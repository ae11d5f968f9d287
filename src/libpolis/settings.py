"""One typed settings object, read from the environment (prefix ``LIBPOLIS_``)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings", "get_settings"]

_UNSAFE_SECRETS = {"", "changeme", "secret", "change-me"}


class Settings(BaseSettings):
    """Runtime settings.

    Attributes
    ----------
    workspace:
        Path of the SQLite workspace file used when ``database_url`` is not set.
    database_url:
        SQLAlchemy URL of the store, e.g. ``postgresql+psycopg://postgres@127.0.0.1:5432/test``.
    secret_key:
        Key that signs web sessions. A random key is generated per process when unset; known
        unsafe values are refused.
    cache_dir:
        Folder of derived data kept between runs (street graphs parsed from OpenStreetMap
        files, see :mod:`libpolis.pipeline.network_cache`); default
        ``$XDG_CACHE_HOME/libpolis``, else ``~/.cache/libpolis``.
    network_cache:
        Keep parsed street graphs in ``cache_dir`` (default True); False parses the file on
        every run.
    """

    model_config = SettingsConfigDict(env_prefix="LIBPOLIS_", extra="ignore")

    workspace: Path = Path("libpolis.sqlite")
    database_url: str | None = None
    secret_key: str = ""
    out_dir: Path = Path("out")
    cache_dir: Path | None = None
    network_cache: bool = True

    @field_validator("secret_key")
    @classmethod
    def _refuse_unsafe_secret(cls, value: str) -> str:
        if value.strip().lower() in _UNSAFE_SECRETS - {""}:
            raise ValueError("LIBPOLIS_SECRET_KEY is a well-known unsafe value; set a random one")
        return value or secrets.token_urlsafe(32)

    def resolved_cache_dir(self) -> Path:
        """``cache_dir``, or the user's cache folder for libpolis when it is not set."""
        if self.cache_dir is not None:
            return self.cache_dir.expanduser()
        xdg = os.environ.get("XDG_CACHE_HOME")
        return (Path(xdg) if xdg else Path.home() / ".cache") / "libpolis"

    def store_url(self, workspace: Path | None = None) -> str:
        """The SQLAlchemy URL: ``database_url`` if set, else a SQLite file at ``workspace``."""
        if self.database_url:
            return self.database_url
        path = Path(workspace or self.workspace).expanduser().resolve()
        return f"sqlite:///{path}"


def get_settings() -> Settings:
    """Read the settings from the environment (fresh each call, so tests can change env)."""
    return Settings()
