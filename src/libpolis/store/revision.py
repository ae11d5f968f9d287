"""The store revision: a counter that goes up with every committed change.

Caches of views derived from the store (the web app's responses to anonymous reads, the
dashboard's evidence) key their entries on it: one indexed single-row read tells whether
anything changed since, whoever changed it (this process, another web worker, the CLI).

:func:`track_revisions` hooks an engine's connections: a transaction that ran an ``INSERT``,
``UPDATE``, ``DELETE`` or DDL statement bumps ``store_revision.n`` just before its ``COMMIT``,
inside the same transaction, so the bump and the change become visible together (or not at
all on rollback). :func:`~libpolis.store.open_store` tracks every engine it opens. A change
made outside libpolis (``psql``, ``sqlite3``) does not bump the counter; run any libpolis
write, or :func:`bump_revision`, after such an edit.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Engine, event, text

__all__ = ["bump_revision", "read_revision", "track_revisions"]

_DIRTY = "libpolis_store_dirty"
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "MERGE", "TRUNCATE", "CREATE", "DROP", "ALTER")
_UNTRACKED = ("store_revision", "alembic_version")
_BUMP = "UPDATE store_revision SET n = n + 1 WHERE id = 1"


def _is_write(statement: str) -> bool:
    head = statement.lstrip()[:8].upper()
    if not head.startswith(_WRITES):
        return False
    lowered = statement[:200].lower()
    return not any(name in lowered for name in _UNTRACKED)


def _before_execute(
    conn: Connection, _cursor: Any, statement: str, _params: Any, _ctx: Any, _many: bool
) -> None:
    if _is_write(statement):
        conn.info[_DIRTY] = True


def _before_commit(conn: Connection) -> None:
    if conn.info.pop(_DIRTY, False):
        # the DB-API cursor directly: SQLAlchemy's own execution is mid-commit here
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.execute(_BUMP)
        finally:
            cursor.close()


def _after_rollback(conn: Connection) -> None:
    conn.info.pop(_DIRTY, None)


def track_revisions(engine: Engine) -> Engine:
    """Make every committed write through ``engine`` bump the store revision (idempotent).

    The store must have the ``store_revision`` table (migration 0003).
    """
    if not event.contains(engine, "before_cursor_execute", _before_execute):
        event.listen(engine, "before_cursor_execute", _before_execute)
        event.listen(engine, "commit", _before_commit)
        event.listen(engine, "rollback", _after_rollback)
    return engine


def read_revision(engine: Engine) -> int:
    """The store's current revision (0 for a store that never changed since migration 0003)."""
    with engine.connect() as conn:
        value = conn.execute(text("SELECT n FROM store_revision WHERE id = 1")).scalar()
    return int(value or 0)


def bump_revision(engine: Engine) -> int:
    """Bump the revision by hand (after editing the database outside libpolis); the new value."""
    with engine.begin() as conn:
        conn.execute(text(_BUMP))
        value = conn.execute(text("SELECT n FROM store_revision WHERE id = 1")).scalar()
    return int(value or 0)
