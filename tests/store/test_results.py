"""Result tables are real SQL tables: queryable, typed, atomic, and migrated from blobs."""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from alembic import command
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, text

from libpolis.errors import DataError
from libpolis.store import open_store, read_result, result_names, write_result
from libpolis.store.engine import alembic_config


def test_a_result_is_a_table_sql_can_query(engine: Engine) -> None:
    frame = pd.DataFrame(
        {
            "district": ["A", "B", "C"],
            "residents": [100.0, 50.0, 0.0],
            "within_15": [0.5, 1.0, np.nan],
            "n": [1, 2, 3],
            "ok": [True, False, True],
            "examples": [["x", "y"], [], ["z"]],
        }
    )
    write_result(engine, "access_walk", {"access_walk_districts": frame}, summary={"mode": "walk"})
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT district, within_15 FROM res_access_walk_districts WHERE residents > 60")
        ).all()
    assert [tuple(r) for r in rows] == [("A", 0.5)]
    back = read_result(engine, "access_walk_districts")
    assert list(back.columns) == list(frame.columns)
    assert back["n"].dtype.kind == "i" and back["ok"].dtype == bool
    assert back["examples"].tolist() == [["x", "y"], [], ["z"]]
    assert np.isnan(back["within_15"].iloc[2]) and back["residents"].tolist() == [100.0, 50.0, 0.0]
    assert result_names(engine) == ["access_walk_districts"]


def test_geometry_is_kept_for_export(engine: Engine) -> None:
    sites = gpd.GeoDataFrame(
        {"site_id": ["s1", "s2"]},
        geometry=[shapely.Point(24.9, 60.2), shapely.Point(25.0, 60.1)],
        crs="EPSG:4326",
    )
    write_result(engine, "plan_x", {"plan_x_sites": sites})
    back = read_result(engine, "plan_x_sites")
    assert isinstance(back, gpd.GeoDataFrame) and back.crs.to_epsg() == 4326
    assert back.geometry.equals(sites.geometry)


def test_a_newer_result_replaces_and_a_failed_write_keeps_the_old(engine: Engine) -> None:
    write_result(engine, "s", {"s_t": pd.DataFrame({"a": [1, 2]})})
    write_result(engine, "s", {"s_t": pd.DataFrame({"a": [3]})})
    assert read_result(engine, "s_t")["a"].tolist() == [3]
    with pytest.raises(DataError, match="lower-case"):
        write_result(engine, "s", {"s_t": pd.DataFrame({"a": [9]}), "Bad Name": pd.DataFrame()})
    assert read_result(engine, "s_t")["a"].tolist() == [3]


@given(
    st.lists(
        st.tuples(st.floats(-1e9, 1e9, allow_nan=False), st.integers(-(2**40), 2**40), st.text()),
        max_size=30,
    )
)
@settings(max_examples=25, deadline=None)
def test_values_round_trip_exactly(rows) -> None:
    engine = open_store("sqlite://")
    frame = pd.DataFrame(rows, columns=["x", "n", "s"]).astype({"x": float, "n": "int64"})
    frame["s"] = frame["s"].astype(object)
    write_result(engine, "h", {"h_t": frame})
    back = read_result(engine, "h_t")
    assert back["x"].tolist() == frame["x"].tolist()
    assert back["n"].tolist() == frame["n"].tolist()
    assert [str(v) for v in back["s"]] == [str(v) for v in frame["s"]]
    engine.dispose()


def test_migration_moves_stored_blobs_into_tables(tmp_path: Path) -> None:
    """A workspace written before result tables (revision 0003) keeps its results."""
    path = tmp_path / "old.sqlite"
    url = f"sqlite:///{path}"
    command.upgrade(alembic_config(url), "0003")
    frame = pd.DataFrame({"unit_id": ["a", "b"], "dist_m": [1.5, 2.5]})
    buf = io.BytesIO()
    frame.to_parquet(buf, index=False)
    con = sqlite3.connect(path)
    con.execute(
        "INSERT INTO run (id, step, params, summary, command, created_at) "
        "VALUES (1, 'access_straight', '{}', '{}', '', '2026-01-01')"
    )
    con.execute(
        "INSERT INTO result (name, run_id, rows, columns, data, created_at) "
        "VALUES ('access_straight_units', 1, 2, '{}', ?, '2026-01-01')",
        (buf.getvalue(),),
    )
    con.commit()
    con.close()
    engine = open_store(url)  # migrates to the head
    pd.testing.assert_frame_equal(read_result(engine, "access_straight_units"), frame)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM res_access_straight_units")).scalar() == 2
    engine.dispose()
