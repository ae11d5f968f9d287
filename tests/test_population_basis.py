"""The population basis: analyses count the first population imported until a person chooses
another; a new import never switches it silently, and every run says which one it used."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from libpolis.cli import app

DATA = Path(__file__).parent / "data" / "access"
runner = CliRunner()


def _run(*args: str) -> dict:
    res = runner.invoke(app, [*args, "--json"])
    assert res.exit_code == 0, res.stderr
    return json.loads(res.stdout)


def test_a_second_population_does_not_replace_the_basis(tmp_path: Path) -> None:
    ws = str(tmp_path / "ws.sqlite")
    grid = pd.read_csv(DATA / "equity_helsinki_population_grid_2020_centroids.csv")
    first, second = tmp_path / "grid_a.csv", tmp_path / "grid_b.csv"
    grid.to_csv(first, index=False)
    grid.head(10).to_csv(second, index=False)  # a smaller file imported later
    opts = ("--x-column", "lon", "--y-column", "lat", "--crs", "EPSG:4326", "-w", ws)
    _run("import", "osm", str(DATA / "helsinki_center.osm.pbf"), "-w", ws)
    a = _run("import", "population", str(first), *opts)
    assert a["population_basis"] == "grid_a.csv"
    b = _run("import", "population", str(second), *opts)
    assert b["population_basis"] == "grid_a.csv"  # unchanged by the new import
    out = _run("access", "-w", ws)
    assert out["population_source"] == "grid_a.csv"
    assert out["residents"] == float(grid["population"].sum())
    # the person switches the basis; later runs follow, and each run says which it used
    _run("population", "use", "grid_b.csv", "-w", ws)
    out = _run("access", "-w", ws)
    assert out["population_source"] == "grid_b.csv"
    assert out["residents"] == float(grid.head(10)["population"].sum())
    human = runner.invoke(app, ["access", "-w", ws])
    assert "(grid_b.csv)" in human.stdout
    res = runner.invoke(app, ["population", "use", "nope.csv", "-w", ws])
    assert res.exit_code == 2
    assert res.stderr.strip() == (
        "error: no population 'nope.csv' in the workspace; it has 'grid_a.csv', 'grid_b.csv'"
    )
