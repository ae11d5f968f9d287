"""Open a workspace store (SQLite file or PostgreSQL URL) and keep its schema migrated."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from libpolis.errors import StoreError
from libpolis.store.revision import track_revisions

if TYPE_CHECKING:
    from alembic.config import Config

__all__ = ["alembic_config", "open_store", "session_scope", "side_engine", "upgrade"]

_MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(url: str) -> Config:
    """An Alembic configuration for ``url`` using the migrations shipped in the package."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.close()


_REVISION = re.compile(
    r"^(revision|down_revision)\s*(?::[^=\n]*)?=\s*(?:[\"']([^\"']+)[\"']|None)", re.M
)


@lru_cache(maxsize=1)
def _head() -> str:
    """The newest migration shipped in the package, read from the migration files themselves:
    a store that is up to date opens without loading Alembic (a fifth of a second)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in (_MIGRATIONS / "versions").glob("*.py"):
        for key, value in _REVISION.findall(script.read_text(encoding="utf-8")):
            if value:
                (revisions if key == "revision" else parents).add(value)
    heads = revisions - parents
    if len(heads) != 1:  # pragma: no cover - the package ships one line of migrations
        raise StoreError(f"the package's migrations have {len(heads)} heads, not one")
    return heads.pop()


def _current_revision(engine: Engine) -> str | None:
    """The store's migration, or None when it has none yet (or it cannot be read)."""
    try:
        with engine.connect() as conn:
            rows = conn.exec_driver_sql("SELECT version_num FROM alembic_version").fetchall()
    except SQLAlchemyError:
        return None
    return str(rows[0][0]) if len(rows) == 1 else None


def upgrade(engine: Engine) -> None:
    """Bring the schema of ``engine``'s database to the newest migration."""
    if _current_revision(engine) == _head():
        return
    from alembic import command
    from alembic.runtime.migration import MigrationContext

    with engine.begin() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
        if current == _head():
            return
        cfg = alembic_config(engine.url.render_as_string(hide_password=False))
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def open_store(url: str, *, migrate: bool = True) -> Engine:
    """Create an engine for ``url`` and (by default) migrate its schema to the newest version.

    A migrated engine tracks the store revision (:mod:`libpolis.store.revision`): every
    committed write bumps it.

    Raises
    ------
    StoreError
        When the database cannot be reached or migrated.
    """
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        if not path.parent.exists():
            raise StoreError(f"folder {path.parent} of the workspace does not exist")
    try:
        engine = create_engine(url)
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
        if migrate:
            upgrade(engine)
            track_revisions(engine)
    except OperationalError as exc:
        raise StoreError(f"cannot open the store at {url}: {exc.orig}") from exc
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot open the store at {url}: {exc}") from exc
    return engine


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session in one transaction: committed on success, rolled back on any error."""
    factory = sessionmaker(engine, expire_on_commit=False)
    with factory() as session, session.begin():
        yield session


def side_engine(engine: Engine, *, pool_size: int = 1) -> Engine:
    """An engine on ``engine``'s database with a pool of its own, disposed with ``engine``.

    For readers that must never wait for ``engine``'s pool: code on an asyncio event loop
    (the threads holding pooled connections may need that loop to give them back), or a cache
    that rebuilds under a lock while request threads holding pooled connections wait for that
    lock. An in-memory SQLite database has no second connection: there ``engine`` itself is
    returned.
    """
    url = engine.url
    if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
        return engine
    side = create_engine(url, pool_size=pool_size, max_overflow=0)
    if side.dialect.name == "sqlite":
        event.listen(side, "connect", _sqlite_pragmas)
    event.listen(engine, "engine_disposed", lambda _engine: side.dispose())
    return side
