"""Population given as H3 cells is drawn as hexagons: in the brief's maps (SVG and Leaflet)
and on the dashboard map."""

from __future__ import annotations

import json
import re
from pathlib import Path

import h3
import pandas as pd
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from libpolis.cli import app
from libpolis.store import open_store
from libpolis.web.app import create_app

DATA = Path(__file__).parents[1] / "data" / "access"


def _cli(*args: str) -> None:
    res = CliRunner().invoke(app, list(args))
    assert res.exit_code == 0, res.output


def test_h3_cells_are_drawn_as_hexagons(tmp_path: Path) -> None:
    # the real 2020 Helsinki grid, summed into H3 cells of resolution 8 (about 0.7 km2)
    grid = pd.read_csv(DATA / "equity_helsinki_population_grid_2020_centroids.csv")
    grid["cell"] = [
        h3.latlng_to_cell(la, lo, 8) for la, lo in zip(grid["lat"], grid["lon"], strict=True)
    ]
    cells = grid.groupby("cell", as_index=False)["population"].sum()
    cells.to_csv(tmp_path / "cells.csv", index=False)
    ws = str(tmp_path / "ws.sqlite")
    _cli("init", "--name", "Helsinki", "-w", ws)
    _cli("import", "osm", str(DATA / "helsinki_center.osm.pbf"), "-w", ws)
    _cli("import", "population", str(tmp_path / "cells.csv"), "--h3-column", "cell", "-w", ws)
    _cli("access", "--mode", "straight", "-w", ws)
    _cli("report", "brief", "--out", str(tmp_path / "out"), "--format", "html", "-w", ws)
    page = (tmp_path / "out" / "brief.html").read_text(encoding="utf-8")
    m = re.search(r'<script[^>]*id="map-data"[^>]*>(.*?)</script>', page, flags=re.S)
    assert m, "the brief carries its map data"
    units = json.loads(m.group(1))["units"]["features"]
    assert len(units) == len(cells)
    for f in units:
        ring = f["geometry"]["coordinates"][0]
        assert f["geometry"]["type"] == "Polygon" and len(ring) == 7  # six corners, closed
    engine = open_store(f"sqlite:///{ws}")
    try:
        layers = (
            TestClient(create_app(engine, secret_key="hexagon-test-secret-0123456789"))
            .get("/api/map")
            .json()
        )
    finally:
        engine.dispose()
    assert {f["geometry"]["type"] for f in layers["units"]["features"]} == {"Polygon"}
    assert len(layers["units"]["features"]) == len(cells)
