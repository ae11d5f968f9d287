"""`libpolis access` on a real workspace: straight line and walking on the street network."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from libpolis.cli import app
from libpolis.demo import DEMO_DATA

runner = CliRunner()


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Central Helsinki: the 2021 grid cells, the Helmet libraries, the 2024 street network."""
    tmp = tmp_path_factory.mktemp("acc")
    ws = tmp / "ws.sqlite"
    grid = pd.read_csv(DEMO_DATA / "population_2021.csv.gz")
    grid = grid[grid["lon"].between(24.88, 24.98) & grid["lat"].between(60.14, 60.20)]
    grid.to_csv(tmp / "grid.csv", index=False)
    for args in (
        [
            "import",
            "population",
            str(tmp / "grid.csv"),
            "--id-column",
            "id",
            "--population-column",
            "inhabitants",
            "--district-column",
            "major_district",
        ],
        ["import", "facilities", str(DEMO_DATA / "libraries.csv"), "--as", "library"],
        ["import", "facilities", str(DEMO_DATA / "venues.csv"), "--as", "venue"],
        ["import", "osm", str(DEMO_DATA / "central_helsinki_bike_network_2024.osm.pbf")],
    ):
        res = runner.invoke(app, [*args, "--workspace", str(ws)])
        assert res.exit_code == 0, res.stderr
    return ws


def _access(ws: Path, *args: str) -> dict:
    res = runner.invoke(app, ["access", *args, "--workspace", str(ws), "--json"])
    assert res.exit_code == 0, res.stderr
    return json.loads(res.stdout)


def test_straight_json_has_the_documented_keys(ws: Path) -> None:
    out = _access(ws, "--mode", "straight", "--thresholds", "250,500,1000")
    for key in ("mode", "residents", "libraries", "unreachable", "mean_dist_m", "coverage"):
        assert key in out
    cov = out["coverage"]
    assert list(cov) == ["250", "500", "1000"]
    assert 0 <= cov["250"] <= cov["500"] <= cov["1000"] <= 1
    assert (
        out["libraries"] == 44
    )  # 47 Helsinki service points less the mobile and 2 patient libraries


def test_walk_is_never_faster_than_the_straight_line(ws: Path, tmp_path: Path) -> None:
    straight = _access(ws, "--mode", "straight", "--export", str(tmp_path / "s.csv"))
    walk = _access(ws, "--mode", "walk", "--export", str(tmp_path / "w.parquet"))
    assert walk["mode"] == "walk" and "mean_time_min" in walk
    assert walk["network"]["units_outside"] >= 0
    assert walk["residents"] + walk["network"]["residents_outside"] == straight["residents"]
    s = pd.read_csv(tmp_path / "s.csv").set_index("unit_id")
    w = gpd.read_parquet(tmp_path / "w.parquet").set_index("unit_id")
    assert w.crs.to_epsg() == 4326
    # every unit is exported; those outside the street network flagged, with no time
    assert set(w.index) == set(s.index)
    assert (~w["inside_network"]).sum() == walk["network"]["units_outside"]
    assert w.loc[~w["inside_network"], "time_min"].isna().all()
    w = w[w["inside_network"]]
    both = w.join(s[["dist_m"]], how="inner")
    # walking at 4.8 km/h can never beat the straight line to the nearest library
    assert (both["time_min"] >= both["dist_m"] / (4800 / 60) - 1e-6).all()
    # and on a dense city network it is rarely more than twice the straight-line time
    ratio = both["time_min"] / (both["dist_m"] / 80)
    assert np.median(ratio[both["dist_m"] > 300]) < 2.0


def test_unknown_mode_and_bad_thresholds(ws: Path) -> None:
    res = runner.invoke(app, ["access", "--mode", "fly", "--workspace", str(ws)])
    assert res.exit_code == 2 and res.stderr.strip() == (
        "error: Invalid value for '--mode': 'fly' is not one of 'straight', 'walk', 'bike', 'drive'."
    )
    res = runner.invoke(app, ["access", "--label", "My run", "--workspace", str(ws)])
    assert res.exit_code == 2 and "--label 'My run' cannot name a result" in res.stderr
    assert "'my_run'" in res.stderr and "Traceback" not in res.stderr
    res = runner.invoke(app, ["access", "--thresholds", "5,x", "--workspace", str(ws)])
    assert res.exit_code == 2 and "--thresholds must be numbers" in res.stderr
    res = runner.invoke(app, ["access", "--export", "out.xlsx", "--workspace", str(ws)])
    assert res.exit_code == 2 and "cannot export to .xlsx" in res.stderr
