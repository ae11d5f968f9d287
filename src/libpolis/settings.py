"""One typed settings object, read from the environment (prefix ``LIBPOLIS_``)."""

from __future__ import annotations

import ipaddress
import os
import secrets
from pathlib import Path

from pydantic import Field, field_validator
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
    trusted_proxies:
        Comma-separated addresses or networks (CIDR) of reverse proxies whose
        ``X-Forwarded-For`` and ``X-Forwarded-Proto`` headers the web app believes; empty (the
        default) believes no one, so the client address is the connection's peer.
    login_free_failures:
        Failed sign-ins an account may have before each further attempt must wait.
    login_backoff_s:
        The wait after the first failure beyond the free ones, in seconds; it doubles with
        every further failure, up to ``login_backoff_max_s``.
    login_address_max_failures:
        Failed sign-ins (any account) one client address may make in 15 minutes: a brake on
        trying one password against many accounts, high enough for an office behind one NAT.
    db_pool_size, db_max_overflow, db_pool_timeout_s:
        The connection pool of each process (and each web worker): connections kept open, extra
        ones opened under load, and seconds to wait for one before giving up.
    sqlite_busy_timeout_ms:
        How long a SQLite connection waits for another process's write to finish before it
        reports the database busy (also the wait for this process's one writer lock).
    web_max_concurrency:
        Requests each web worker runs at once (admission limit; default half the pool, as a
        request may hold two pooled connections). The others wait in a queue.
    web_max_writers:
        Of those, how many may be writes (POST, PUT, PATCH, DELETE); default 2 on SQLite, which
        writes one at a time anyway, and ``web_max_concurrency`` on PostgreSQL.
    web_max_queue, web_queue_timeout_s, web_retry_after_s:
        Requests that may wait for admission, and how long; beyond either the worker answers
        ``503`` with ``Retry-After: web_retry_after_s`` at once instead of keeping the client
        waiting.
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
    trusted_proxies: str = ""
    login_free_failures: int = Field(default=5, ge=1, le=1_000_000)
    login_backoff_s: float = Field(default=2.0, gt=0, le=3600)
    login_backoff_max_s: float = Field(default=900.0, gt=0, le=86_400)
    login_address_max_failures: int = Field(default=100, ge=1, le=10_000_000)
    db_pool_size: int = Field(5, ge=1, le=1000)
    db_max_overflow: int = Field(10, ge=0, le=1000)
    db_pool_timeout_s: float = Field(30.0, gt=0)
    sqlite_busy_timeout_ms: int = Field(15_000, ge=0)
    web_max_concurrency: int | None = Field(None, ge=1, le=1000)
    web_max_writers: int | None = Field(None, ge=1, le=1000)
    web_max_queue: int = Field(200, ge=0)
    web_queue_timeout_s: float = Field(3.0, gt=0)
    web_retry_after_s: int = Field(2, ge=1)
    cache_dir: Path | None = None
    network_cache: bool = True

    @field_validator("secret_key")
    @classmethod
    def _refuse_unsafe_secret(cls, value: str) -> str:
        if value.strip().lower() in _UNSAFE_SECRETS - {""}:
            raise ValueError("LIBPOLIS_SECRET_KEY is a well-known unsafe value; set a random one")
        return value or secrets.token_urlsafe(32)

    @field_validator("trusted_proxies")
    @classmethod
    def _check_proxies(cls, value: str) -> str:
        for part in _split(value):
            try:
                ipaddress.ip_network(part, strict=False)
            except ValueError:
                raise ValueError(
                    f"LIBPOLIS_TRUSTED_PROXIES: {part!r} is not an IP address or network"
                ) from None
        return value

    def proxy_list(self) -> list[str]:
        """``trusted_proxies`` as a list of addresses and networks (empty: trust no proxy)."""
        return _split(self.trusted_proxies)

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


def _split(value: str) -> list[str]:
    return [p.strip() for p in value.split(",") if p.strip()]


def get_settings() -> Settings:
    """Read the settings from the environment (fresh each call, so tests can change env)."""
    return Settings()
