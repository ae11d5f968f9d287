"""Everything out: ``libpolis list``, ``show``, ``export`` and ``status`` on the demo workspace.

Exports are read back with geopandas and compared with the stored tables (read with SQL, not
through the export code); every population unit is in the walk export, those outside the
street network flagged.
"""

from __future__ import annotations

import json
import os
import stat

import geopandas as gpd
import pandas as pd
import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from libpolis.cli import app
from libpolis.store import latest_run, read_result, read_table


@pytest.fixture(scope="module")
def workspace(demo_copy):
    return demo_copy


@pytest.fixture(scope="module")
def engine(demo_copy_engine):
    return demo_copy_engine


def _cli(workspace, *args):
    return CliRunner().invoke(app, [*args, "--workspace", str(workspace)])


def _mask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@pytest.mark.parametrize("fmt", ["gpkg", "parquet", "geojson", "csv"])
def test_walk_export_keeps_every_unit(workspace, engine, tmp_path, fmt):
    out = tmp_path / f"walk.{fmt}"
    res = _cli(workspace, "export", "access_walk_units", "--format", fmt, "--out", str(out),
               "--json")  # fmt: skip
    assert res.exit_code == 0, res.output
    back = pd.read_csv(out) if fmt == "csv" else gpd.read_parquet(out) if fmt == "parquet" \
        else gpd.read_file(out)  # fmt: skip
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~_mask()
    assert [p.name for p in tmp_path.iterdir()] == [out.name]  # no temporary file left
    pop = read_table(engine, "population_unit", source="hsy-grid-2021")
    assert sorted(back["unit_id"].astype(str)) == sorted(pop["source_id"].astype(str))
    with engine.connect() as conn:  # the stored tables, read with SQL
        units = pd.read_sql(text("SELECT unit_id, time_min FROM res_access_walk_units"), conn)
        outside = pd.read_sql(text("SELECT unit_id, access_m FROM res_access_walk_outside"), conn)
    assert len(outside) > 0 and len(units) + len(outside) == len(pop)
    inside = back["inside_network"].astype(str).str.lower().isin(["true", "1"])
    assert set(back.loc[~inside, "unit_id"]) == set(outside["unit_id"])
    assert back.loc[~inside, "time_min"].isna().all()
    got = back[inside].set_index("unit_id")["time_min"].astype(float)
    want = units.set_index("unit_id")["time_min"].astype(float)
    pd.testing.assert_series_equal(got.loc[want.index], want, check_names=False)
    got_m = back[~inside].set_index("unit_id")["access_m"].astype(float)
    want_m = outside.set_index("unit_id")["access_m"]
    pd.testing.assert_series_equal(got_m.loc[want_m.index], want_m, check_names=False)
    if fmt != "csv":
        pts = back.geometry
        assert (pts.x.round(9) == back["lon"].round(9)).all()


def test_outside_units_match_the_run_summary(engine):
    net = latest_run(engine, "access_walk").summary["network"]
    outside = read_result(engine, "access_walk_outside")
    assert (outside["reason"] == "network").all()  # the demo network is not cut to a city
    assert net["units_outside"] == len(outside)
    assert net["residents_outside"] == pytest.approx(outside["population"].sum())
    assert (outside["access_m"] > net["max_access_m"]).all()


def test_plan_export_has_names_coordinates_and_figures(workspace, engine, tmp_path):
    out = tmp_path / "plan.gpkg"
    res = _cli(workspace, "export", "plan_coverage", "--out", str(out))
    assert res.exit_code == 0, res.output
    back = gpd.read_file(out)
    sites = read_result(engine, "plan_coverage_sites")
    new = back[back["status"] == "new"].set_index("site_id")
    stored = sites[sites["status"] == "new"].set_index("site_id")
    assert set(new.index) == set(stored.index) and len(new) == 3
    assert (new.loc[stored.index, "name"] == stored["name"]).all()
    assert new.geometry.x.loc[stored.index].to_numpy() == pytest.approx(stored["lon"].to_numpy())
    groups = read_result(engine, "plan_coverage_groups").iloc[0]
    assert (back["plan_within_before"] == groups["within_before"]).all()
    assert (back["plan_within_after"] == groups["within_after"]).all()


def test_alignment_export_round_trips(workspace, engine, tmp_path):
    out = tmp_path / "alignments.csv"
    assert _cli(workspace, "export", "alignments", "--out", str(out)).exit_code == 0
    back = pd.read_csv(out)
    with engine.connect() as conn:
        n = conn.execute(text("SELECT count(*) FROM alignment")).scalar_one()
        best = conn.execute(text(
            "SELECT g.code, a.score FROM alignment a JOIN goal g ON g.id = a.goal_id "
            "ORDER BY a.score DESC LIMIT 1")).one()  # fmt: skip
    assert len(back) == n
    assert {"programme", "framework", "goal_code", "goal_title", "score", "status", "why"} <= set(
        back
    )
    why = back["why"].fillna("")
    assert why.str.startswith(("in the text: ", "named in the text", "shared words: ")).any()
    top = back.loc[back["score"].idxmax()]
    assert str(top["goal_code"]) == str(best.code) and top["score"] == pytest.approx(best.score)


def test_list_and_show(workspace, engine):
    res = _cli(workspace, "list", "libraries", "--json")
    assert res.exit_code == 0, res.output
    rows = json.loads(res.output)["rows"]
    libs = read_table(engine, "library")
    assert sorted(r["source_id"] for r in rows) == sorted(libs["source_id"])
    name = libs["name"].iloc[3]
    shown = json.loads(_cli(workspace, "show", "library", name.upper(), "--json").output)
    assert shown["source_id"] == libs["source_id"].iloc[3]
    text_out = _cli(workspace, "list", "plans").output
    assert "coverage" in text_out and "within_before" in text_out
    plan = json.loads(_cli(workspace, "show", "plan", "coverage", "--json").output)
    assert len(plan["new_sites"]) == 3 and all("lon" in s for s in plan["new_sites"])
    pops = json.loads(_cli(workspace, "list", "populations", "--json").output)["rows"]
    assert {p["source"] for p in pops} == {"hsy-grid-2015", "hsy-grid-2021"}
    for p in pops:
        assert p["units"] == len(read_table(engine, "population_unit", source=p["source"]))
    status = json.loads(_cli(workspace, "status", "--json").output)
    assert [a["step"] for a in status["analyses"]][:2] == ["access_walk", "plan_coverage"]
    assert "access_walk" in _cli(workspace, "status").output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("show", "library", "No Such Library"), "error: no library 'No Such Library'"),
        (("show", "plan", "nope"), "error: no plan 'nope'"),
        (("export", "nope", "--out", "x.csv"), "error: nothing named 'nope' to export"),
        (("export", "alignments", "--out", "a.gpkg"), "has no coordinates"),
        (("export", "libraries", "--out", "a.txt"), "cannot export to .txt"),
        (("list", "cats"), "error: Invalid value for 'kind': 'cats' is not one of 'libraries'"),
    ],
)
def test_errors_are_one_line_exit_2(workspace, tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    res = _cli(workspace, *args)
    assert res.exit_code == 2
    lines = res.output.strip().splitlines()
    assert len(lines) == 1 and message in lines[0]
    assert list(tmp_path.iterdir()) == []  # nothing half-written


def test_cli_choices_are_the_pipeline_kinds():
    from libpolis.exports import FORMATS
    from libpolis.pipeline import LIST_KINDS
    from libpolis.steps.outputs import ExportFormat, ListKind

    assert [k.value for k in ListKind] == list(LIST_KINDS)
    assert [f.value for f in ExportFormat] == list(FORMATS)
