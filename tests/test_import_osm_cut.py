"""`libpolis import osm` cut to a city (--place, --bbox, --boundary), on SQLite and
PostgreSQL: what lands, the workspace name, the message for a roads-only file, bad cuts that
leave the store unchanged, and `access` counting only the residents inside the cut."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import box
from typer.testing import CliRunner

from libpolis.cli import app
from libpolis.store import counts, open_store, read_table, workspace_name
from libpolis.store.queries import datasets

runner = CliRunner()
TESTS = Path(__file__).parent
HELSINKI = TESTS / "data" / "access" / "helsinki_center.osm.pbf"
CELLS = TESTS / "data" / "access" / "equity_helsinki_population_grid_2020_centroids.csv"
SHARED = Path("/work/shared/data")
MONACO = SHARED / "osm-pbf-extracts" / "monaco-2020.osm.pbf"
POA = SHARED / "brazil-accessibility-samples" / "porto_alegre" / "poa_osm.pbf"


def _run(url: str, *args: str) -> tuple[int, str, str]:
    res = runner.invoke(app, [*args, "--db", url])
    return res.exit_code, res.stdout, res.stderr


def _need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} not present")
    return path


def test_place_cut_names_the_workspace_and_keeps_what_is_inside(store_url: str) -> None:
    code, out, err = _run(
        store_url, "import", "osm", str(_need(MONACO)), "--place", "la condamine", "--json"
    )
    assert code == 0, err
    summary = json.loads(out)
    assert summary["workspace_name"] == "La Condamine"
    eng = open_store(store_url)
    try:
        assert workspace_name(eng) == "La Condamine"
        ds = datasets(eng).iloc[-1]
        cut = shapely.from_wkt(ds["attrs"]["cut"]["wkt"])
        libs, venues = read_table(eng, "library"), read_table(eng, "venue")
        kept = pd.concat([libs, venues])
        # independent check: every stored point inside the polygon, the rest of the file not
        assert shapely.covers(cut, shapely.points(kept["lon"], kept["lat"])).all()
        from libpolis.sources.osm import merge_duplicates, read_osm_culture

        everything, _ = merge_duplicates(read_osm_culture(MONACO, geometry=True))
        inside = shapely.covers(cut, shapely.points(everything["lon"], everything["lat"]))
        assert sorted(kept["source_id"]) == sorted(everything.loc[inside, "source_id"])
        assert summary["osm"]["cut"]["outside"] == int((~inside).sum()) > 0
        assert len(libs) == 2
    finally:
        eng.dispose()


def test_a_named_workspace_keeps_its_name(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ws.sqlite'}"
    assert _run(url, "init", "--name", "Principauté")[0] == 0
    code, _, err = _run(url, "import", "osm", str(_need(MONACO)), "--place", "La Condamine")
    assert code == 0, err
    eng = open_store(url)
    assert workspace_name(eng) == "Principauté"
    eng.dispose()


def _boundary(tmp_path: Path, shape: object, crs: int = 4326) -> Path:
    path = tmp_path / "boundary.geojson"
    gpd.GeoDataFrame({"name": ["x"]}, geometry=[shape], crs=4326).to_crs(crs).to_file(path)
    return path


@pytest.mark.parametrize("how", ["boundary", "place", "bbox"])
def test_a_cut_without_a_library_stops_with_the_store_unchanged(
    store_url: str, tmp_path: Path, how: str
) -> None:
    assert _run(store_url, "import", "osm", str(HELSINKI))[0] == 0
    eng = open_store(store_url)
    before = counts(eng)
    n_datasets = len(datasets(eng))
    # Monaco's sea, far from both libraries; Monte-Carlo (a quarter without a library)
    cut = {
        "boundary": ["--boundary", str(_boundary(tmp_path, box(7.43, 43.70, 7.44, 43.72), 3857))],
        "place": ["--place", "Monte-Carlo"],
        "bbox": ["--bbox", "7.43,43.70,7.44,43.72"],
    }[how]
    code, out, err = _run(store_url, "import", "osm", str(_need(MONACO)), *cut)
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: --{how}")
    assert "none of the 2 libraries in monaco-2020.osm.pbf lies inside it" in lines[0]
    assert counts(eng) == before and len(datasets(eng)) == n_datasets
    eng.dispose()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--bbox", "7.44,43.72,7.40,43.76"], "error: --bbox west (7.44) must be less than east"),
        (["--bbox", "7.40,43.72,7.44,143.76"], "error: --bbox latitudes must lie in [-90, 90]"),
        (["--place", "Atlantis"], "error: --place 'Atlantis': no boundary=administrative"),
        (["--bbox", "7.4,43.7,7.5,43.8", "--place", "Larvotto"], "error: give one of --bbox"),
    ],
)
def test_bad_cuts_name_the_option(tmp_path: Path, args: list[str], message: str) -> None:
    url = f"sqlite:///{tmp_path / 'ws.sqlite'}"
    code, _, err = _run(url, "import", "osm", str(_need(MONACO)), *args)
    assert code == 2 and err.startswith(message) and len(err.strip().splitlines()) == 1
    if args[0] == "--place":
        assert "it has 'Fontvieille', 'La Condamine', 'La Rousse', 'Larvotto'" in err


def test_roads_only_file_says_what_to_do(store_url: str) -> None:
    code, out, err = _run(store_url, "import", "osm", str(_need(POA)))
    assert code == 0, err
    assert out.strip() == (
        "no libraries or cultural venues in poa_osm.pbf (a street network only): it is kept "
        "as the street network; import libraries with "
        "`libpolis import facilities FILE.csv --as library`"
    )
    eng = open_store(store_url)
    assert datasets(eng).iloc[-1]["attrs"]["street_network"] is True
    eng.dispose()


def test_walk_access_counts_only_residents_inside_the_cut(tmp_path: Path) -> None:
    """Helsinki centre cut to its western half: residents east of the cut are left out, and
    inside + outside the network + outside the cut = every resident."""
    url = f"sqlite:///{tmp_path / 'ws.sqlite'}"
    cells = pd.read_csv(CELLS)
    cells.to_csv(tmp_path / "cells.csv", index=False)
    west, east = 24.90, 24.95
    bbox = f"{west},60.14,{east},60.20"
    for args in (
        ["import", "population", str(tmp_path / "cells.csv")],
        ["import", "osm", str(HELSINKI), "--bbox", bbox],
    ):
        code, _, err = _run(url, *args)
        assert code == 0, err
    code, out, err = _run(url, "access", "--mode", "walk", "--json")
    assert code == 0, err
    res = json.loads(out)
    net = res["network"]
    in_box = cells["lon"].between(west, east) & cells["lat"].between(60.14, 60.20)
    assert net["cut"]["units_outside"] > 0
    total = float(cells["population"].sum())
    assert res["residents"] + net["residents_outside"] + net["cut"]["residents_outside"] == (
        pytest.approx(total)
    )
    assert res["residents"] <= float(cells.loc[in_box, "population"].sum())
    eng = open_store(url)
    units = read_table(eng, "population_unit")
    libs = read_table(eng, "library")
    eng.dispose()
    assert libs["lon"].between(west, east).all()
    assert np.isfinite(units["lon"]).all()


def test_only_walk_in_kinds_count_in_access(store_url: str, tmp_path: Path) -> None:
    """The constructed file's seven libraries: two public ones (library=public, untagged)
    count; academic, school, special and private ones are stored and listed as left out."""
    osm = TESTS / "data" / "sources" / "osm_kinds_and_duplicates.osm"
    pop = tmp_path / "pop.csv"
    pop.write_text("id,population,lon,lat\na,100,10.001,50.001\nb,50,10.02,50.0\n")
    for args in (["import", "osm", str(osm)], ["import", "population", str(pop)]):
        code, _, err = _run(store_url, *args)
        assert code == 0, err
    from libpolis.pipeline import AccessRequest, run_access

    eng = open_store(store_url)
    try:
        assert len(read_table(eng, "library")) == 7
        out = run_access(eng, AccessRequest(mode="straight")).summary
    finally:
        eng.dispose()
    assert out["libraries"] == 2
    assert out["libraries_left_out"] == {
        "academic_library": 2,
        "private_library": 1,
        "school_library": 1,
        "special_library": 1,
    }
