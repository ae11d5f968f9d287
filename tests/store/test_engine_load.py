"""The store under concurrent use: SQLite in WAL with a busy timeout and one writer lock; pool
sizes from the settings."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from libpolis.store import open_store, session_scope
from libpolis.store.engine import StoreBusyError, WriterLock, writer_lock
from libpolis.store.tables import Partner


def test_sqlite_runs_in_wal_with_the_busy_timeout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = open_store(f"sqlite:///{tmp_path / 'a.sqlite'}")
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 15_000
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    engine.dispose()
    monkeypatch.setenv("LIBPOLIS_SQLITE_BUSY_TIMEOUT_MS", "1234")
    engine = open_store(f"sqlite:///{tmp_path / 'b.sqlite'}")
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 1234
    engine.dispose()


def test_pool_is_sized_from_the_settings(store_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIBPOLIS_DB_POOL_SIZE", "3")
    monkeypatch.setenv("LIBPOLIS_DB_MAX_OVERFLOW", "4")
    monkeypatch.setenv("LIBPOLIS_DB_POOL_TIMEOUT_S", "7.5")
    engine = open_store(store_url)
    pool = engine.pool
    assert pool.size() == 3  # type: ignore[attr-defined]
    assert pool._max_overflow == 4  # type: ignore[attr-defined]
    assert pool._timeout == 7.5  # type: ignore[attr-defined]
    engine.dispose()


def _writer_lock(engine) -> WriterLock:
    lock = writer_lock(engine)
    assert isinstance(lock, WriterLock)
    return lock


def test_concurrent_sqlite_writers_are_serialised_not_locked_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """16 threads, 25 transactions each (read, write, 5 ms of work, write): all are stored.
    With SQLite's busy timeout alone (5 s here), waiting writers poll the file and some starve:
    9 of 400 such transactions failed with ``database is locked`` in a trial without the lock
    (docs/reliability.md)."""
    monkeypatch.setenv("LIBPOLIS_SQLITE_BUSY_TIMEOUT_MS", "5000")
    engine = open_store(f"sqlite:///{tmp_path / 'w.sqlite'}")
    lock = _writer_lock(engine)
    errors: list[BaseException] = []

    def work(t: int) -> None:
        try:
            for k in range(25):
                with session_scope(engine) as s:
                    s.scalar(select(func.count()).select_from(Partner))
                    s.add(Partner(source="t", source_id=f"{t}-{k}", name=f"P {t}-{k}", attrs={}))
                    s.flush()
                    time.sleep(0.005)
                    s.add(Partner(source="t", source_id=f"{t}-{k}b", name="second", attrs={}))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(16)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Partner)) == 16 * 25 * 2
    assert not lock.locked  # every transaction gave the lock back
    engine.dispose()


def test_writer_lock_is_given_back_on_rollback_and_bounded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LIBPOLIS_SQLITE_BUSY_TIMEOUT_MS", "200")
    engine = open_store(f"sqlite:///{tmp_path / 'r.sqlite'}")
    lock = _writer_lock(engine)
    with pytest.raises(RuntimeError), session_scope(engine) as s:
        s.add(Partner(source="t", source_id="x", name="x", attrs={}))
        s.flush()
        assert lock.locked
        raise RuntimeError("undo")
    assert not lock.locked
    # a transaction that keeps the lock makes another thread's write give up, with a 503 error
    holder = Session(engine)
    holder.add(Partner(source="t", source_id="h", name="held", attrs={}))
    holder.flush()  # the write is made, the transaction stays open
    failed: list[BaseException] = []

    def other() -> None:
        try:
            with session_scope(engine) as s:
                s.add(Partner(source="t", source_id="y", name="y", attrs={}))
        except BaseException as exc:
            failed.append(exc)

    th = threading.Thread(target=other)
    th.start()
    th.join()
    assert len(failed) == 1 and isinstance(failed[0], StoreBusyError)
    assert failed[0].status == 503
    holder.rollback()
    holder.close()
    assert not lock.locked
    with session_scope(engine) as s:  # and writes go on afterwards
        s.add(Partner(source="t", source_id="z", name="z", attrs={}))
    engine.dispose()
