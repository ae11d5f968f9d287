"""Store revisions: counters that go up with every committed change, overall and per table.

Caches of views derived from the store (the web app's responses to anonymous reads, the
dashboard's evidence) key their entries on them: one small read tells whether anything a view
was built from changed since, whoever changed it (this process, another web worker, the CLI).

The table ``store_revision`` has one row per store table, plus two more: :data:`ANY` goes up
with every committed write, :data:`SCHEMA` with writes whose tables cannot be told (DDL, raw
SQL naming no known table) and with :func:`bump_revision`; a view built from some tables
depends on their rows and on :data:`SCHEMA`.

:func:`track_revisions` hooks an engine's connections: a transaction that ran ``INSERT``,
``UPDATE``, ``DELETE`` or DDL statements bumps :data:`ANY` and the rows of the tables those
statements name, just before its ``COMMIT`` and inside the same transaction, so the bumps and
the change become visible together (or not at all on rollback). Tables are found by name in the
SQL text (every known table name that occurs as a word), which can only over-count: a
statement naming a table always names it. :func:`~libpolis.store.open_store` tracks every
engine it opens. A change made outside libpolis (``psql``, ``sqlite3``) bumps nothing; run
:func:`bump_revision` after such an edit.

:func:`recording_reads` lets a caller learn which tables the statements run inside it (in this
thread and in threads started from its context) read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Engine, event, text

from libpolis.store.tables import Base

__all__ = [
    "ANY",
    "SCHEMA",
    "bump_revision",
    "note_read",
    "read_revision",
    "read_revisions",
    "recording_reads",
    "track_revisions",
    "tracked_tables",
]

ANY = "*"
"""The row that goes up with every committed write."""
SCHEMA = "**"
"""The row every view depends on: writes to unknown tables, DDL, :func:`bump_revision`."""

_DIRTY = "libpolis_store_dirty"
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "MERGE", "TRUNCATE")
_DDL = ("CREATE", "DROP", "ALTER")
_UNTRACKED = frozenset({"store_revision", "alembic_version"})
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_READS: ContextVar[set[str] | None] = ContextVar("libpolis_store_reads", default=None)


@lru_cache(maxsize=1)
def tracked_tables() -> frozenset[str]:
    """The tables with a row of their own in ``store_revision``."""
    return frozenset(Base.metadata.tables) - _UNTRACKED


def _tables_in(statement: str) -> frozenset[str]:
    """Known table names occurring as words in ``statement``."""
    if len(statement) > _CACHED_UP_TO:  # e.g. multi-row VALUES lists: not worth keeping
        return _scan(statement)
    return _scan_cached(statement)


def _scan(statement: str) -> frozenset[str]:
    return frozenset(w.lower() for w in _WORD.findall(statement)) & tracked_tables()


_CACHED_UP_TO = 8192
_DML_HEAD = 2048
_scan_cached = lru_cache(maxsize=2048)(_scan)  # SQLAlchemy reuses its statement strings


def _before_execute(
    conn: Connection, _cursor: Any, statement: str, _params: Any, _ctx: Any, _many: bool
) -> None:
    head = statement[:64].lstrip()[:8].upper()  # not the whole (maybe huge) statement
    if head.startswith(_WRITES):
        # the written table is named at the start (INSERT INTO t, UPDATE t, DELETE FROM t)
        tables = _tables_in(statement[:_DML_HEAD])
        words = statement[:200].lower()
        if not tables and any(name in words for name in _UNTRACKED):
            return  # the revision table itself, or Alembic's bookkeeping
        dirty: set[str] = conn.info.setdefault(_DIRTY, set())
        dirty.update(tables or (SCHEMA,))
    elif head.startswith(_DDL):
        conn.info.setdefault(_DIRTY, set()).add(SCHEMA)
    else:
        reads = _READS.get()
        if reads is not None:
            reads.update(_tables_in(statement))


def _bump_sql(names: set[str]) -> str:
    # names are identifiers matched by _WORD or the two constants: safe to inline
    listed = ", ".join(f"'{n}'" for n in sorted(names))
    return f"UPDATE store_revision SET n = n + 1 WHERE name IN ({listed})"


def _before_commit(conn: Connection) -> None:
    dirty: set[str] | None = conn.info.pop(_DIRTY, None)
    if not dirty:
        return
    names = {ANY, *dirty}
    # the DB-API cursor directly: SQLAlchemy's own execution is mid-commit here
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(_bump_sql(names))
        if cursor.rowcount is not None and 0 <= cursor.rowcount < len(names):
            cursor.execute(_bump_sql({SCHEMA}))  # a table without a row: everything is stale
    finally:
        cursor.close()


def _after_rollback(conn: Connection) -> None:
    conn.info.pop(_DIRTY, None)


def track_revisions(engine: Engine) -> Engine:
    """Make every committed write through ``engine`` bump the store revisions (idempotent).

    The store must have the ``store_revision`` table (migration 0003).
    """
    if not event.contains(engine, "before_cursor_execute", _before_execute):
        event.listen(engine, "before_cursor_execute", _before_execute)
        event.listen(engine, "commit", _before_commit)
        event.listen(engine, "rollback", _after_rollback)
    return engine


def read_revisions(engine: Engine) -> dict[str, int]:
    """Every revision counter: ``{table name or ANY or SCHEMA: n}``."""
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT name, n FROM store_revision")).all()
    return {name: int(n) for name, n in rows}


def _overall(conn: Connection) -> int:
    value = conn.execute(
        text("SELECT n FROM store_revision WHERE name = :name"), {"name": ANY}
    ).scalar()
    return int(value or 0)


def read_revision(engine: Engine) -> int:
    """The overall revision (:data:`ANY`): 0 for a store never changed since migration 0003."""
    with engine.connect() as conn:
        return _overall(conn)


def bump_revision(engine: Engine) -> int:
    """Mark everything changed (after editing the database outside libpolis); the new
    overall revision."""
    with engine.begin() as conn:
        conn.execute(text(_bump_sql({ANY, SCHEMA})))
        return _overall(conn)


@contextmanager
def recording_reads() -> Iterator[set[str]]:
    """Collect the tables read by tracked engines inside the block, and what
    :func:`note_read` adds; work handed to threads from this context counts too."""
    reads: set[str] = set()
    token = _READS.set(reads)
    try:
        yield reads
    finally:
        _READS.reset(token)


def note_read(*names: str) -> None:
    """Declare reads the SQL does not show (a view served from an in-process cache that was
    built from the store: ``note_read(ANY)`` makes it depend on every write)."""
    reads = _READS.get()
    if reads is not None:
        reads.update(names)
