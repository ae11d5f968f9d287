"""The store revision moves with every committed write and only then (SQLite and PostgreSQL)."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, insert, select, text

from libpolis.imports import import_frames
from libpolis.store import (
    bump_revision,
    open_store,
    read_revision,
    read_table,
    session_scope,
    write_result,
)
from libpolis.store.revision import (
    ANY,
    SCHEMA,
    note_read,
    read_revisions,
    recording_reads,
    tracked_tables,
)
from libpolis.store.tables import Library, Partner, Programme, Venue


def _library(sid: str) -> Library:
    return Library(source="t", source_id=sid, name=sid, kind="branch", lon=24.9, lat=60.2, attrs={})


def test_a_fresh_store_starts_at_zero_and_reads_do_not_move_it(engine: Engine) -> None:
    assert read_revision(engine) == 0
    with session_scope(engine) as s:
        s.execute(select(Library)).all()
    read_table(engine, "library")
    assert read_revision(engine) == 0


def test_each_committed_transaction_moves_it_once(engine: Engine) -> None:
    with session_scope(engine) as s:
        s.add(_library("a"))
        s.add(_library("b"))
        s.flush()
        s.add(_library("c"))
    assert read_revision(engine) == 1
    with engine.begin() as conn:  # Core, outside any ORM session
        conn.execute(
            insert(Programme),
            [{"source": "t", "source_id": "p", "attrs": {}, "title": "Storytime"}],
        )
    assert read_revision(engine) == 2
    write_result(engine, "t", {"t_result": pd.DataFrame({"x": [1, 2]})})
    assert read_revision(engine) == 3


def test_a_rolled_back_write_does_not_move_it(engine: Engine) -> None:
    with pytest.raises(RuntimeError), session_scope(engine) as s:
        s.add(_library("a"))
        s.flush()
        raise RuntimeError("abort")
    assert read_revision(engine) == 0
    with session_scope(engine) as s:  # a later read-only transaction on the same connection
        s.execute(select(Library)).all()
    assert read_revision(engine) == 0


def test_an_import_moves_it_and_another_engine_sees_it(engine: Engine, store_url: str) -> None:
    frame = pd.DataFrame(
        {"source_id": ["1"], "name": ["L1"], "kind": "branch", "lon": [24.9], "lat": [60.2]}
    ).assign(attrs=[{}])
    other = open_store(store_url)  # another process's view of the same store
    try:
        before = read_revision(other)
        import_frames(engine, "t", {"library": frame}, dataset={"kind": "t", "path": "x"})
        assert read_revision(other) > before
    finally:
        other.dispose()


def test_bump_by_hand_after_an_outside_edit(engine: Engine) -> None:
    with engine.connect() as conn:  # untracked: a raw DB-API edit, as psql would make
        raw = conn.connection.dbapi_connection
        cur = raw.cursor()
        cur.execute("UPDATE store_revision SET n = n")
        raw.commit()
    assert read_revision(engine) == 0
    assert bump_revision(engine) == 1
    assert read_revision(engine) == 1


def test_every_table_has_a_counter(engine: Engine) -> None:
    counters = read_revisions(engine)
    assert tracked_tables() <= set(counters)
    assert {ANY, SCHEMA} <= set(counters)


def test_a_write_moves_its_tables_and_any_but_not_the_others(engine: Engine) -> None:
    before = read_revisions(engine)
    with session_scope(engine) as s:
        s.add(Programme(source="t", source_id="p", title="Storytime", attrs={}))
    after = read_revisions(engine)
    moved = {k for k in after if after[k] != before[k]}
    assert moved == {ANY, "programme"}
    assert after["programme"] == before["programme"] + 1


def test_writes_the_tables_of_which_cannot_be_told_move_the_schema_counter(engine) -> None:
    before = read_revisions(engine)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE scratch_t (x INTEGER)"))
        conn.execute(text("INSERT INTO scratch_t (x) VALUES (1)"))
    after = read_revisions(engine)
    assert after[SCHEMA] == before[SCHEMA] + 1 and after[ANY] == before[ANY] + 1
    assert bump_revision(engine) == after[ANY] + 1
    assert read_revisions(engine)[SCHEMA] == after[SCHEMA] + 1


def test_reads_are_recorded_with_their_tables(engine: Engine) -> None:
    with recording_reads() as reads, session_scope(engine) as s:
        s.execute(select(Library.name).join(Programme, Programme.library_id == Library.id)).all()
    assert reads == {"library", "programme"}
    with recording_reads() as reads:
        note_read(ANY)
        read_table(engine, "venue")
    assert reads == {ANY, "venue"}
    read_table(engine, "area")  # outside a recording: nothing collected, nothing breaks


_MAKERS = {
    "library": lambda k: _library(f"h{k}"),
    "programme": lambda k: Programme(source="h", source_id=str(k), title=f"P{k}", attrs={}),
    "partner": lambda k: Partner(source="h", source_id=str(k), name=f"Org {k}", attrs={}),
    "venue": lambda k: Venue(source="h", source_id=str(k), name=f"V{k}", kind="museum", attrs={}),
}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(st.sets(st.sampled_from(sorted(_MAKERS)), min_size=1), st.booleans()),
        min_size=1,
        max_size=6,
    )
)
def test_counters_move_exactly_with_committed_writes(tmp_path_factory, txs) -> None:
    """Any sequence of transactions writing any tables, some rolled back: each committed
    one moves ANY and the counters of the tables it wrote by one, and nothing else."""
    engine = open_store(f"sqlite:///{tmp_path_factory.mktemp('h') / 'ws.sqlite'}")
    try:
        expected = read_revisions(engine)
        for k, (tables, commit) in enumerate(txs):
            try:
                with session_scope(engine) as s:
                    for name in sorted(tables):
                        s.add(_MAKERS[name](k))
                    if not commit:
                        raise RuntimeError("roll back")
            except RuntimeError:
                pass
            if commit:
                for name in (ANY, *tables):
                    expected[name] += 1
            assert read_revisions(engine) == expected
    finally:
        engine.dispose()
