"""``libpolis plan`` through a CLI runner on the bundled Helsinki demo workspace."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from libpolis._cli_common import OneLineErrors
from libpolis.steps import plan as plan_step
from libpolis.store import open_store, read_result


@pytest.fixture(scope="module")
def workspace(demo_copy):
    return demo_copy


@pytest.fixture(scope="module")
def app():
    app = typer.Typer(cls=OneLineErrors)  # as libpolis.cli.app
    plan_step.register(app)

    @app.command()
    def other() -> None:  # a second command keeps "plan" as a named subcommand
        """Placeholder."""

    return app


def _run(app, workspace, *args):
    return CliRunner().invoke(app, ["plan", "--workspace", str(workspace), *args])


def test_coverage_plan_is_stored(app, workspace):
    res = _run(app, workspace, "--sites", "2", "--within", "10", "--json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["proven_optimal"] and len(out["selected"]) == 2
    engine = open_store(f"sqlite:///{workspace}")
    units = read_result(engine, "plan_coverage_units")
    gained = units.loc[units["covered_after"], "population"].sum()
    gained -= units.loc[units["covered_before"], "population"].sum()
    assert out["residents_gained"] == pytest.approx(gained)
    assert out["value"] == pytest.approx(units.loc[units["covered_after"], "weight"].sum())
    sites = read_result(engine, "plan_coverage_sites")
    assert set(sites.loc[sites["status"] == "new", "site_id"]) == set(out["selected"])
    groups = read_result(engine, "plan_coverage_groups")
    assert groups["group"].iloc[0] == "population"


def test_median_with_need_and_csv_candidates(app, workspace, tmp_path):
    csv = tmp_path / "sites.csv"
    pd.DataFrame(
        {"id": ["x", "y", "z"], "lon": [24.93, 24.96, 25.03], "lat": [60.17, 60.19, 60.21]}
    ).to_csv(csv, index=False)
    res = _run(
        app, workspace, "--objective", "median", "--sites", "1", "--candidates", str(csv),
        "--weight", "need", "--population-source", "hsy-grid-2015", "--json",
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["selected"][0].startswith("sites.csv:")
    by_group = {g["group"]: g for g in out["groups"]}
    assert {"population", "children", "older"} <= set(by_group)
    for g in by_group.values():
        assert g["mean_time_min_after"] <= g["mean_time_min_before"] + 1e-9


def test_errors_are_one_line_exit_2(app, workspace):
    res = _run(app, workspace, "--objective", "fastest")
    assert res.exit_code == 2
    assert res.output.strip() == (
        "error: Invalid value for '--objective': 'fastest' is not one of 'coverage', 'median'."
    )


def test_walk_times_on_the_street_network(app, workspace):
    res = _run(app, workspace, "--mode", "walk", "--sites", "1", "--within", "10", "--json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["mode"] == "walk" and out["proven_optimal"]
    straight = json.loads(
        _run(app, workspace, "--sites", "1", "--within", "10", "--json", "--label", "s").output
    )
    # walking the streets is never shorter than the straight line at the same speed
    walk_before = out["groups"][0]["within_before"]
    assert walk_before <= straight["groups"][0]["within_before"]


def test_text_names_sites_and_median_gives_mean_times(app, workspace, tmp_path):
    csv = tmp_path / "sites.csv"
    pd.DataFrame(
        {"id": ["x", "y"], "name": ["Old school", "Town hall"], "lon": [24.93, 25.03],
         "lat": [60.17, 60.21]}
    ).to_csv(csv, index=False)  # fmt: skip
    args = ["--objective", "median", "--sites", "1", "--candidates", str(csv), "--label", "m1"]
    out = json.loads(_run(app, workspace, *args, "--json").output)
    groups = read_result(open_store(f"sqlite:///{workspace}"), "plan_m1_groups").iloc[0]
    assert out["mean_time_min_before"] == pytest.approx(groups["mean_time_min_before"])
    assert out["mean_time_min_after"] == pytest.approx(groups["mean_time_min_after"])
    (site,) = out["new_sites"]
    assert site["site_id"] == out["selected"][0] and site["name"] in ("Old school", "Town hall")
    text = _run(app, workspace, *args).output
    assert "resident-minutes" not in text
    assert f"{groups['mean_time_min_before']:,.1f} min before" in text
    assert f"{groups['mean_time_min_after']:,.1f} min after" in text
    assert f"{site['name']} (candidate) at {site['lon']:.5f}, {site['lat']:.5f}" in text
