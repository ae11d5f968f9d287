"""Lists and exports on both backends (SQLite and PostgreSQL): real Helsinki files imported,
a walk run, a closure scenario, and the walk export read back with geopandas."""

from __future__ import annotations

import geopandas as gpd
import pytest
from sqlalchemy import Engine, text

from libpolis.demo import DEMO_DATA
from libpolis.pipeline import (
    AccessRequest,
    ImportKind,
    ImportRequest,
    ScenarioRequest,
    export_named,
    list_items,
    run_access,
    run_import,
    run_scenario,
    show_item,
    workspace_status,
)


def _fill(engine: Engine) -> None:
    d = DEMO_DATA
    run_import(engine, ImportRequest(
        ImportKind.POPULATION, d / "population_2021.csv.gz", source="hsy-grid-2021",
        options={"id_column": "id", "population_column": "inhabitants"},
    ))  # fmt: skip
    run_import(engine, ImportRequest(
        ImportKind.FACILITIES, d / "libraries.csv", source="helmet", options={"as_": "library"}
    ))  # fmt: skip
    run_import(engine, ImportRequest(
        ImportKind.OSM, d / "central_helsinki_bike_network_2024.osm.pbf", source="osm",
        libraries=False,
    ))  # fmt: skip
    run_access(engine, AccessRequest(mode="walk", thresholds=(10, 15)))
    run_scenario(engine, ScenarioRequest(kind="closure", label="each"))


def test_lists_and_walk_export_on_both_backends(engine: Engine, tmp_path) -> None:
    _fill(engine)
    runs = list_items(engine, "analyses")
    assert list(runs["step"]) == ["scenario_each", "access_walk"]
    results = list_items(engine, "results")
    assert {"access_walk_units", "access_walk_outside", "scenario_each_ranking"} <= set(
        results["name"]
    )
    with engine.connect() as conn:
        n_units = conn.execute(text("SELECT count(*) FROM population_unit")).scalar_one()
        n_in = conn.execute(text("SELECT count(*) FROM res_access_walk_units")).scalar_one()
        n_out = conn.execute(text("SELECT count(*) FROM res_access_walk_outside")).scalar_one()
        n_libs = conn.execute(text("SELECT count(*) FROM library")).scalar_one()
    assert n_in + n_out == n_units and n_out > 0
    assert results.set_index("name").loc["access_walk_outside", "rows"] == n_out
    pops = list_items(engine, "populations")
    assert pops["units"].tolist() == [n_units] and pops["basis"].tolist() == [True]
    assert len(list_items(engine, "libraries")) == n_libs
    out = export_named(engine, "access_walk_units", tmp_path / "walk.gpkg")
    back = gpd.read_file(out["path"])
    assert len(back) == n_units == out["rows"]
    assert (~back["inside_network"].astype(bool)).sum() == n_out
    ranking = export_named(engine, "scenario_each_ranking", tmp_path / "rank.geojson")
    assert len(gpd.read_file(ranking["path"])) == ranking["rows"] > 0
    shown = show_item(engine, "scenario", "each")
    assert shown["summary"]["kind"] == "closure" and "scenario_each_ranking" in shown["tables"]
    status = workspace_status(engine)
    assert status["counts"]["population_unit"]["total"] == n_units
    assert [a["step"] for a in status["analyses"]] == list(runs["step"])


def test_unknown_names(engine: Engine, tmp_path) -> None:
    from libpolis.errors import NotFoundError

    out = tmp_path / "out"
    with pytest.raises(NotFoundError, match="nothing named 'walk'"):
        export_named(engine, "walk", out / "w.csv")
    with pytest.raises(NotFoundError, match="no analysis '7'"):
        show_item(engine, "analysis", "7")
    assert not out.exists()
