"""The scenario step (``libpolis plan closure | hours | mobile``) on the demo workspace.

Oracle of the closure: a direct recomputation with
:func:`libpolis.access.nearest.nearest_straight` (k-d tree nearest distance), with and without
the branch, independent of the travel-time table the step builds.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from libpolis.access.nearest import nearest_straight
from libpolis.cli import app
from libpolis.errors import DataError
from libpolis.pipeline import ScenarioRequest, load_libraries, load_population, points_gdf
from libpolis.pipeline.scenarios import run_scenario
from libpolis.store import latest_run, read_result, read_table

POP = "hsy-grid-2021"


@pytest.fixture(scope="module")
def workspace(demo_copy):
    return demo_copy


@pytest.fixture(scope="module")
def engine(demo_copy_engine):
    return demo_copy_engine


def _oracle_loss(pop: pd.DataFrame, libs: pd.DataFrame, within_m: float) -> dict[str, float]:
    residents = points_gdf(pop)
    w = pop["population"].to_numpy(float)
    before = nearest_straight(residents, points_gdf(libs))["dist_m"].to_numpy() <= within_m
    out = {}
    for lib in libs["source_id"]:
        rest = points_gdf(libs[libs["source_id"] != lib])
        after = nearest_straight(residents, rest)["dist_m"].to_numpy() <= within_m
        out[lib] = float(w[before & ~after].sum())
    return out


def test_closing_each_branch_ranks_by_residents_losing_a_library_within_1km(workspace, engine):
    res = CliRunner().invoke(
        app, ["plan", "closure", "--within", "1000", "--population-source", POP,
              "--workspace", str(workspace), "--json"],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    ranking = read_result(engine, "scenario_closure_ranking")
    pop, libs = load_population(engine, POP), load_libraries(engine)
    oracle = _oracle_loss(pop, libs, 1000.0)
    assert sorted(ranking["library_id"]) == sorted(oracle)
    got = ranking.set_index("library_id")["lose_access"]
    for lib, lose in oracle.items():
        assert got[lib] == pytest.approx(lose, rel=1e-12, abs=1e-9), lib
    assert (np.diff(ranking["lose_access"].to_numpy()) <= 0).all()
    assert list(ranking["rank"]) == list(range(1, len(ranking) + 1))
    assert ranking["lose_access"].iloc[0] > 0
    top = json.loads(res.output)["ranking"][0]
    assert top["library_id"] == ranking["library_id"].iloc[0]
    # the libraries ranked are today's walk-in ones only
    all_libs = read_table(engine, "library")
    assert len(ranking) == len(libs) < len(all_libs)


def test_one_closure_by_name_agrees_with_the_ranking(engine):
    ranking = read_result(engine, "scenario_closure_ranking")
    name, lib = ranking["name"].iloc[1], ranking["library_id"].iloc[1]
    out = run_scenario(engine, ScenarioRequest(
        kind="closure", libraries=(name,), population_source=POP, label="second",
    )).as_dict()  # fmt: skip
    assert out["closed"] == [{"library_id": lib, "name": name}]
    assert out["lose_access"] == pytest.approx(ranking["lose_access"].iloc[1])
    units = read_result(engine, "scenario_second_units")
    assert units.loc[units["loses"], "population"].sum() == pytest.approx(out["lose_access"])
    groups = read_result(engine, "scenario_second_groups")
    assert groups["group"].iloc[0] == "population"
    assert out["within_before"] - out["within_after"] == pytest.approx(out["lose_access"])


def test_longer_hours_change_only_residents_within_the_catchment(engine):
    libs = load_libraries(engine)
    lib = libs["source_id"].iloc[0]
    out = run_scenario(engine, ScenarioRequest(
        kind="hours", libraries=(lib,), factor=2.0, catchment_min=10.0, population_source=POP,
    )).as_dict()  # fmt: skip
    units = read_result(engine, "scenario_hours_units")
    pop = load_population(engine, POP)
    dist = nearest_straight(points_gdf(pop), points_gdf(libs[libs["source_id"] == lib]))
    near = dist["dist_m"].to_numpy() <= 10.0 * 80.0  # 10 min at 4.8 km/h
    changed = np.abs(units["change"].to_numpy()) > 1e-12
    assert changed.any() and not (changed & ~near).any()
    assert (units.loc[changed, "change"] > 0).all()  # twice the hours: more capacity
    assert out["mean_access_after"] > out["mean_access_before"]
    same = run_scenario(engine, ScenarioRequest(
        kind="hours", libraries=(lib,), factor=1.0, population_source=POP, label="same",
    )).as_dict()  # fmt: skip
    assert same["residents_changed"] == 0.0


def test_mobile_stops_reach_underserved_residents(engine, tmp_path):
    pop = load_population(engine, POP)
    cand = tmp_path / "stops.csv"
    pd.DataFrame({"id": pop["source_id"], "name": "cell " + pop["source_id"],
                  "lon": pop["lon"], "lat": pop["lat"]}).to_csv(cand, index=False)  # fmt: skip
    out = run_scenario(engine, ScenarioRequest(
        kind="mobile", stops=1, candidates=str(cand), population_source=POP,
    )).as_dict()  # fmt: skip
    stops = read_result(engine, "scenario_mobile_stops")
    assert len(stops) == 1 and out["reached_by_stops"] == pytest.approx(stops["residents"].sum())
    # brute force over every candidate: underserved residents within 1000 m of it
    libs = load_libraries(engine)
    residents = points_gdf(pop)
    far = nearest_straight(residents, points_gdf(libs))["dist_m"].to_numpy() > 1000.0
    w = np.where(far, pop["population"].to_numpy(float), 0.0)
    assert out["underserved_before"] == pytest.approx(w.sum())
    chosen = pop[pop["source_id"] == stops["stop_id"].iloc[0].split(":", 1)[1]]
    d = nearest_straight(residents, points_gdf(chosen))["dist_m"].to_numpy()
    assert out["reached_by_stops"] == pytest.approx(w[d <= 1000.0].sum())


def test_unknown_library_is_one_line_and_stores_nothing(workspace, engine):
    before = latest_run(engine, "scenario_closure").id
    res = CliRunner().invoke(
        app, ["plan", "closure", "--library", "Atlantis", "--workspace", str(workspace)]
    )
    assert res.exit_code == 2
    assert res.output.strip() == (
        "error: no library 'Atlantis' in the workspace; `libpolis list libraries` shows their"
        " ids and names"
    )
    assert latest_run(engine, "scenario_closure").id == before
    with pytest.raises(DataError, match="exactly one --library"):
        ScenarioRequest(kind="hours")


def test_walk_closure_agrees_with_the_walk_access_run(engine):
    """Residents within 15 minutes' walk before any closure: the scenario's travel-time table
    and the access step's nearest-library search (another code path) agree."""
    walk = latest_run(engine, "access_walk").summary
    units = read_result(engine, "access_walk_units")
    lib = units["library_id"].value_counts().index[0]  # the branch most residents walk to
    out = run_scenario(engine, ScenarioRequest(
        kind="closure", libraries=(lib,), mode="walk", within=15, population_source=POP,
        label="walk",
    )).as_dict()  # fmt: skip
    assert out["network"]["units_outside"] == walk["network"]["units_outside"]
    assert out["residents"] == pytest.approx(walk["residents"])
    within = units.loc[units["time_min"] <= 15, "population"].sum()
    assert out["within_before"] == pytest.approx(within)
    # only residents whose nearest library it is can lose access when it closes
    mine = units.loc[(units["library_id"] == lib) & (units["time_min"] <= 15), "population"]
    assert 0 <= out["lose_access"] <= mine.sum()
