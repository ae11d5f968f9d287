"""Open a workspace store (SQLite file or PostgreSQL URL) and keep its schema migrated."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from libpolis.errors import StoreError
from libpolis.store.revision import track_revisions

__all__ = ["alembic_config", "open_store", "session_scope", "side_engine", "upgrade"]

_MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(url: str) -> Config:
    """An Alembic configuration for ``url`` using the migrations shipped in the package."""
    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.close()


@lru_cache(maxsize=1)
def _head() -> str:
    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    if head is None:  # pragma: no cover - the package always ships migrations
        raise StoreError("no migrations found in the package")
    return head


def upgrade(engine: Engine) -> None:
    """Bring the schema of ``engine``'s database to the newest migration."""
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
