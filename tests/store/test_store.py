"""The store on SQLite and on the real PostgreSQL server."""

from __future__ import annotations

import pandas as pd
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, select

from libpolis.errors import NotFoundError, StoreError
from libpolis.imports import import_frames
from libpolis.store import counts, open_store, read_result, read_table, session_scope, write_result
from libpolis.store.tables import Base, Library


def _libs(n: int, name: str = "L") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "source_id": [str(i) for i in range(n)],
            "name": [f"{name}{i}" for i in range(n)],
            "kind": "branch",
            "lon": [24.9 + i / 100 for i in range(n)],
            "lat": 60.2,
            "attrs": [{} for _ in range(n)],
        }
    )


def test_migrations_match_the_tables(engine: Engine) -> None:
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_reimport_updates_instead_of_duplicating(engine: Engine) -> None:
    first = import_frames(
        engine, "src-a", {"library": _libs(3)}, dataset={"kind": "t", "path": "x"}
    )
    assert first.inserted == {"library": 3}
    again = import_frames(
        engine, "src-a", {"library": _libs(4, "M")}, dataset={"kind": "t", "path": "x"}
    )
    assert again.inserted == {"library": 1} and again.updated == {"library": 3}
    frame = read_table(engine, "library")
    assert len(frame) == 4
    assert sorted(frame["name"]) == ["M0", "M1", "M2", "M3"]
    assert counts(engine)["library"] == {"total": 4, "src-a": 4}
    assert len(read_table(engine, "dataset")) == 1


def test_same_ids_from_two_sources_are_two_records(engine: Engine) -> None:
    import_frames(engine, "a", {"library": _libs(2)}, dataset={"kind": "t", "path": "x"})
    import_frames(engine, "b", {"library": _libs(2)}, dataset={"kind": "t", "path": "y"})
    assert counts(engine)["library"] == {"total": 4, "a": 2, "b": 2}
    only_b = read_table(engine, "library", source="b", columns=["source", "name", "lon"])
    assert list(only_b.columns) == ["source", "name", "lon"]
    assert set(only_b["source"]) == {"b"} and only_b["lon"].dtype == float


def test_failed_import_leaves_store_unchanged(engine: Engine) -> None:
    import_frames(engine, "a", {"library": _libs(2)}, dataset={"kind": "t", "path": "x"})
    bad = _libs(3)
    bad.loc[2, "name"] = None  # NOT NULL violation inside the transaction
    with pytest.raises(Exception):  # noqa: B017 - driver-specific IntegrityError
        import_frames(
            engine,
            "a",
            {"library": _libs(1, "Z"), "venue": bad},
            dataset={"kind": "t", "path": "x"},
        )
    frame = read_table(engine, "library")
    assert sorted(frame["name"]) == ["L0", "L1"]


def test_results_round_trip(engine: Engine) -> None:
    frame = pd.DataFrame({"unit_id": ["a", "b"], "dist_m": [1.5, 2.5]})
    run_id = write_result(engine, "step", {"units": frame}, summary={"x": 1}, command="cmd")
    assert run_id >= 1
    pd.testing.assert_frame_equal(read_result(engine, "units"), frame)
    with pytest.raises(NotFoundError):
        read_result(engine, "nothing")


def test_json_attrs_survive(engine: Engine) -> None:
    libs = _libs(1)
    libs["attrs"] = [{"flags": [1, 2], "name": "Öödi"}]
    import_frames(engine, "a", {"library": libs}, dataset={"kind": "t", "path": "x"})
    with session_scope(engine) as s:
        lib = s.scalar(select(Library))
        assert lib is not None and lib.attrs == {"flags": [1, 2], "name": "Öödi"}


def test_unreachable_store_is_a_clear_error(tmp_path) -> None:
    with pytest.raises(StoreError, match="does not exist"):
        open_store(f"sqlite:///{tmp_path / 'missing' / 'ws.sqlite'}")
    with pytest.raises(StoreError, match="cannot open"):
        open_store("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2")


def test_the_head_read_from_the_migration_files_is_alembics(tmp_path) -> None:
    """`open_store` checks an up-to-date store against the newest migration without loading
    Alembic: the revision it reads from the files is the one Alembic finds."""
    from alembic.script import ScriptDirectory

    from libpolis.store.engine import _head, alembic_config

    assert _head() == ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def test_an_up_to_date_store_opens_without_alembic(tmp_path) -> None:
    import json
    import subprocess
    import sys

    url = f"sqlite:///{tmp_path / 'ws.sqlite'}"
    open_store(url).dispose()  # created and migrated (Alembic runs here)
    code = (
        "import json, sys\nfrom libpolis.store import open_store\n"
        f"open_store({url!r}).dispose()\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in"
        " ('alembic', 'mako'))))"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(res.stdout) == []
