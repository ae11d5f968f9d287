"""Open a workspace store (SQLite file or PostgreSQL URL) and keep its schema migrated.

Connections are pooled per process, sized from the settings (``LIBPOLIS_DB_POOL_SIZE``,
``LIBPOLIS_DB_MAX_OVERFLOW``, ``LIBPOLIS_DB_POOL_TIMEOUT_S``). A SQLite workspace runs in WAL
mode (readers never wait for the writer) with a busy timeout (``LIBPOLIS_SQLITE_BUSY_TIMEOUT_MS``:
a write waits that long for another process's write instead of failing at once), and the writes
of one process are serialised by one writer lock (:class:`WriterLock`), so threads queue in
order for it instead of polling SQLite's lock.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from libpolis.errors import StoreError
from libpolis.settings import get_settings
from libpolis.store.revision import track_revisions

__all__ = [
    "StoreBusyError",
    "WriterLock",
    "alembic_config",
    "open_store",
    "session_scope",
    "side_engine",
    "upgrade",
    "writer_lock",
]

_MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(url: str) -> Config:
    """An Alembic configuration for ``url`` using the migrations shipped in the package."""
    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


class StoreBusyError(StoreError):
    """The store stayed busy with other writes for longer than the busy timeout; try again."""

    status = 503


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    busy_ms = get_settings().sqlite_busy_timeout_ms
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout={int(busy_ms)}")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.close()


_HOLDS = "libpolis_writer_lock"
_WRITE_HEADS = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER")


class WriterLock:
    """One writer at a time among the connections of one SQLite engine.

    A connection takes the lock at its first writing statement (``INSERT``, ``UPDATE``,
    ``DELETE``, DDL) and gives it back when its transaction ends (commit, rollback, or the
    connection going back to the pool). Threads wait for it in turn, at most ``timeout_s``
    seconds; then :class:`StoreBusyError` (HTTP 503). SQLite itself allows one writer; without
    this lock the waiting writers poll the database file and, past SQLite's busy timeout, fail
    with ``database is locked``. Other processes still meet SQLite's own lock (and its busy
    timeout).
    """

    def __init__(self, timeout_s: float) -> None:
        self.timeout_s = timeout_s
        self._lock = threading.Lock()

    def install(self, engine: Engine) -> None:
        """Hook the lock into ``engine``'s connections and pool."""
        _LOCKS[engine] = self
        event.listen(engine, "before_cursor_execute", self._before_execute)
        event.listen(engine, "commit", self._release_conn)
        event.listen(engine, "rollback", self._release_conn)
        event.listen(engine.pool, "checkin", self._release_record)
        event.listen(engine.pool, "invalidate", self._release_record_exc)

    @property
    def locked(self) -> bool:
        """Whether some connection holds the lock now."""
        return self._lock.locked()

    def _before_execute(self, conn: Any, _cur: Any, statement: str, *_args: Any) -> None:
        if conn.info.get(_HOLDS) or not statement[:64].lstrip()[:7].upper().startswith(
            _WRITE_HEADS
        ):
            return
        if not self._lock.acquire(timeout=self.timeout_s):
            raise StoreBusyError(
                f"the workspace is busy with other writes (waited {self.timeout_s:g} s); try again"
            )
        conn.info[_HOLDS] = True

    def _release(self, info: dict) -> None:
        if info.pop(_HOLDS, False):
            self._lock.release()

    def _release_conn(self, conn: Any) -> None:
        self._release(conn.info)

    def _release_record(self, _dbapi_conn: Any, record: Any) -> None:
        self._release(record.info)

    def _release_record_exc(self, _dbapi_conn: Any, record: Any, _exc: Any) -> None:
        self._release(record.info)


_LOCKS: weakref.WeakKeyDictionary[Engine, WriterLock] = weakref.WeakKeyDictionary()


def writer_lock(engine: Engine) -> WriterLock | None:
    """The :class:`WriterLock` of a SQLite engine opened by :func:`open_store`, else ``None``."""
    return _LOCKS.get(engine)


def _pool_args(url: str) -> dict[str, Any]:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database in (None, "", ":memory:"):
        return {}  # an in-memory database lives in one connection: SQLAlchemy's own pool
    s = get_settings()
    return {
        "pool_size": s.db_pool_size,
        "max_overflow": s.db_max_overflow,
        "pool_timeout": s.db_pool_timeout_s,
    }


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
    committed write bumps it. The connection pool is sized from the settings; on SQLite the
    engine has a :class:`WriterLock` and a busy timeout (see the module doc).

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
        engine = create_engine(url, **_pool_args(url))
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
        if migrate:
            upgrade(engine)
            track_revisions(engine)
        if engine.dialect.name == "sqlite":  # after the revision bump, which runs on commit
            WriterLock(get_settings().sqlite_busy_timeout_ms / 1000).install(engine)
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
