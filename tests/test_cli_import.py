"""Importers through the CLI: good input lands, bad input gives one clear line, exit 2, and
leaves the store exactly as it was."""

from __future__ import annotations

import gzip
import json
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from libpolis.cli import app

DATA = Path(__file__).parent / "data" / "sources"
runner = CliRunner()

GOOD = "id,population,lon,lat,income\na,10,24.9,60.2,30000\nb,5,24.95,60.21,\n"


def _run(*args: str) -> tuple[int, str, str]:
    res = runner.invoke(app, list(args))
    return res.exit_code, res.stdout, res.stderr


def _status(ws: Path) -> dict:
    code, out, _ = _run("status", "--workspace", str(ws), "--json")
    assert code == 0
    return json.loads(out)["counts"]


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    """A workspace that already holds a good population import under source 'pop.csv'."""
    ws = tmp_path / "ws.sqlite"
    good = tmp_path / "pop.csv"
    good.write_text(GOOD)
    code, _, err = _run(
        "import", "population", str(good), "--workspace", str(ws), "--income-column", "income"
    )
    assert code == 0, err
    return ws


def test_good_population_import_and_reimport(ws: Path, tmp_path: Path) -> None:
    assert _status(ws)["population_unit"] == {"total": 2, "pop.csv": 2}
    code, out, _ = _run(
        "import", "population", str(tmp_path / "pop.csv"), "--workspace", str(ws), "--json"
    )
    assert code == 0
    assert json.loads(out)["updated"] == {"population_unit": 2}
    assert _status(ws)["population_unit"]["total"] == 2


BAD_CASES = {
    "missing_column": (
        "pop.csv",
        "id,people,lon,lat\na,1,24.9,60.2\n",
        [],
        r"missing column\(s\) population; found: id, people, lon, lat",
    ),
    "non_numeric": (
        "pop.csv",
        "id,population,lon,lat\na,1,24.9,60.2\nb,many,24.9,60.2\n",
        [],
        r"pop.csv, line 3, column 'population': 'many' is not a number",
    ),
    "negative": (
        "pop.csv",
        "id,population,lon,lat\na,1,24.9,60.2\nb,-4,24.9,60.2\n",
        [],
        r"line 3, column 'population': '-4' is below 0",
    ),
    "duplicate_id": (
        "pop.csv",
        "id,population,lon,lat\na,1,24.9,60.2\nb,2,24.9,60.2\na,3,25,60\n",
        [],
        r"line 4, column 'id': duplicate id 'a' \(also on line 2\)",
    ),
    "out_of_range": (
        "pop.csv",
        "id,population,lon,lat\na,1,24.9,60.2\nb,2,120.5,95\n",
        [],
        r"line 3, column 'lat': '95' is out of range \(out of range for WGS84\)",
    ),
    "swapped": (
        "pop.csv",
        "id,population,lon,lat\na,1,60.2,124.9\n",
        [],
        r"line 2, column 'lat'.*look swapped",
    ),
    "projected_no_crs": (
        "pop.csv",
        "id,population,x,y\na,1,25496000,6672000\n",
        ["--x-column", "x", "--y-column", "y"],
        r"column 'x': projected coordinates need --crs",
    ),
    "projected_in_lonlat": (
        "pop.csv",
        "id,population,lon,lat\na,1,25496000,6672000\n",
        [],
        r"line 2, column 'lon'.*projected coordinates",
    ),
    "empty": ("pop.csv", "", [], r"pop.csv: the file is empty"),
    "header_only": ("pop.csv", "id,population,lon,lat\n", [], r"header but no rows"),
    "bad_crs": (
        "pop.csv",
        "id,population,x,y\na,1,25496000,6672000\n",
        ["--x-column", "x", "--y-column", "y", "--crs", "EPSG:99999999"],
        r"unknown CRS 'EPSG:99999999'",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_CASES))
def test_bad_population_input(case: str, ws: Path, tmp_path: Path) -> None:
    name, content, extra, pattern = BAD_CASES[case]
    path = tmp_path / "bad" / name
    path.parent.mkdir()
    path.write_text(content)
    before = _status(ws)
    code, _out, err = _run(
        "import", "population", str(path), "--workspace", str(ws), "--source", "pop.csv", *extra
    )
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert str(path) in lines[0]
    import re

    assert re.search(pattern, lines[0]), lines[0]
    assert _status(ws) == before


def test_undecodable_encoding(ws: Path, tmp_path: Path) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes(
        "id,population,lon,lat\na,1,24.9,60.2\nJärvenpää,2,25.1,60.4\n".encode("latin-1")
    )
    before = _status(ws)
    code, _, err = _run("import", "population", str(path), "--workspace", str(ws))
    assert code == 2
    assert f"{path}, line 3, column 2: cannot decode byte 0xe4 as utf-8" in err
    assert _status(ws) == before
    code, _, err = _run(
        "import", "population", str(path), "--workspace", str(ws), "--encoding", "latin-1"
    )
    assert code == 0, err


def test_file_that_is_not_what_its_extension_claims(ws: Path, tmp_path: Path) -> None:
    zipped = tmp_path / "pop.csv"
    with zipfile.ZipFile(zipped, "w") as zf:
        zf.writestr("x.txt", "hello")
    code, _, err = _run("import", "population", str(zipped), "--workspace", str(ws))
    assert code == 2 and "expected a CSV text file but found a ZIP archive" in err
    fake_gpkg = tmp_path / "pop.gpkg"
    fake_gpkg.write_text(GOOD)
    code, _, err = _run("import", "population", str(fake_gpkg), "--workspace", str(ws))
    assert code == 2 and f"{fake_gpkg}: not a readable .gpkg vector file" in err
    fake_pbf = tmp_path / "city.osm.pbf"
    fake_pbf.write_text("not osm at all")
    code, _, err = _run("import", "osm", str(fake_pbf), "--workspace", str(ws))
    assert code == 2 and "not an OpenStreetMap PBF file" in err
    gz = tmp_path / "pop.csv.gz"
    gz.write_bytes(gzip.compress(GOOD.encode()))
    code, _, err = _run("import", "population", str(gz), "--workspace", str(ws), "--source", "gz")
    assert code == 0, err


def test_missing_file(ws: Path, tmp_path: Path) -> None:
    code, _, err = _run("import", "population", str(tmp_path / "nope.csv"), "--workspace", str(ws))
    assert code == 2 and "no such file" in err


def test_projected_csv_with_crs(ws: Path, tmp_path: Path) -> None:
    path = tmp_path / "grid.csv"
    # Helsinki Central Railway Station in ETRS-GK25 (EPSG:3879)
    path.write_text("id,population,x,y\na,7,25496800,6673200\n")
    code, out, err = _run(
        "import",
        "population",
        str(path),
        "--workspace",
        str(ws),
        "--x-column",
        "x",
        "--y-column",
        "y",
        "--crs",
        "EPSG:3879",
        "--json",
    )
    assert code == 0, err
    assert json.loads(out)["residents"] == 7


def test_vector_polygons_become_centroids_with_area(ws: Path, tmp_path: Path) -> None:
    import geopandas as gpd
    from shapely.geometry import box

    cells = gpd.GeoDataFrame(
        {"cell": ["c1", "c2"], "pop": [100, 0]},
        geometry=[
            box(25496000, 6672000, 25496250, 6672250),
            box(25496250, 6672000, 25496500, 6672250),
        ],
        crs="EPSG:3879",
    )
    path = tmp_path / "cells.gpkg"
    cells.to_file(path)
    code, _, err = _run(
        "import",
        "population",
        str(path),
        "--workspace",
        str(ws),
        "--id-column",
        "cell",
        "--population-column",
        "pop",
    )
    assert code == 0, err
    from libpolis.store import open_store, read_table

    eng = open_store(f"sqlite:///{ws}")
    units = read_table(eng, "population_unit", source="cells.gpkg").sort_values("source_id")
    eng.dispose()
    assert units["area_m2"].round().tolist() == [62500.0, 62500.0]
    assert units["lon"].between(24.9, 25.0).all() and units["lat"].between(60.1, 60.2).all()
    import warnings

    path2 = tmp_path / "nocrs.gpkg"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # geopandas warns that the file will have no CRS
        cells.set_crs(None, allow_override=True).to_file(path2)
    before = _status(ws)
    code, _, err = _run(
        "import",
        "population",
        str(path2),
        "--workspace",
        str(ws),
        "--id-column",
        "cell",
        "--population-column",
        "pop",
    )
    assert code == 2 and f"{path2}: the file has no CRS" in err
    assert _status(ws) == before


def test_pls_sample_import(tmp_path: Path) -> None:
    ws = tmp_path / "ws.sqlite"
    code, _out, err = _run(
        "import",
        "pls",
        "--outlets",
        str(DATA / "pls_outlets_sample.csv"),
        "--systems",
        str(DATA / "pls_systems_sample.csv"),
        "--workspace",
        str(ws),
        "--json",
    )
    assert code == 0, err
    counts = _status(ws)
    assert counts["library"]["total"] == 43
    assert counts["library_system"]["total"] == 35
    from libpolis.store import open_store, read_table

    eng = open_store(f"sqlite:///{ws}")
    libs = read_table(eng, "library")
    stats = read_table(eng, "statistic")
    eng.dispose()
    assert libs["system_id"].notna().all()
    assert any("\u00e9" in n or "\u00f1" in n or any(ord(c) > 127 for c in n) for n in libs["name"])
    # negative codes are missing values, never negative statistics
    assert (stats["value"] >= 0).all()
    assert set(libs["kind"]) <= {"central", "branch", "bookmobile", "books_by_mail", "other"}


def test_pls_utf8_is_a_clear_error(tmp_path: Path) -> None:
    code, _, err = _run(
        "import",
        "pls",
        "--outlets",
        str(DATA / "pls_outlets_sample.csv"),
        "--systems",
        str(DATA / "pls_systems_sample.csv"),
        "--workspace",
        str(tmp_path / "ws.sqlite"),
        "--encoding",
        "utf-8",
    )
    assert code == 2 and "cannot decode byte" in err and "pls_outlets_sample.csv, line" in err


def test_osm_import_of_real_extract(tmp_path: Path) -> None:
    from libpolis.demo import DEMO_DATA

    ws = tmp_path / "ws.sqlite"
    code, _out, err = _run(
        "import",
        "osm",
        str(DEMO_DATA / "helsinki_center_2019.osm.pbf"),
        "--workspace",
        str(ws),
        "--json",
    )
    assert code == 0, err
    # the extract's 7 library features incl. Oodi; the National Library is tagged twice (node
    # 369550855 and its building, way 122595247) and stored once
    assert json.loads(_out)["osm"]["merged"] == 1
    counts = _status(ws)
    assert counts["library"]["total"] == 6
    assert counts["venue"]["total"] >= 20


def test_status_without_workspace_is_clear(tmp_path: Path) -> None:
    code, _, err = _run("status", "--workspace", str(tmp_path / "none.sqlite"))
    assert code == 2 and "run `libpolis init` first" in err


def test_museum_file_repeats_are_kept_once_and_conflicts_refused(tmp_path: Path) -> None:
    """The real IMLS 2018 File 1 repeats one museum (same id, name, coordinates) and gives one
    id to two museums without coordinates: it imports; two located museums under one id do not."""
    from libpolis.errors import DataError
    from libpolis.sources.tabular import read_museums

    head = "MID,DISCIPL,COMMONNAME,LONGITUDE,LATITUDE,BMF15_F\n"
    ok = tmp_path / "ok.csv"
    ok.write_text(
        head + "1,ART,Museum A,-124.08,40.87,0\n1,ART,Museum A,-124.08,40.87, \n"
        "2,HST,Garden,,,0\n2,NAT,Nature Center,,,1\n3,ZAW,Zoo,-120.0,38.0,0\n",
        encoding="latin-1",
    )
    got = read_museums(ok)
    assert list(got["source_id"]) == ["1", "3"]
    bad = tmp_path / "bad.csv"
    bad.write_text(head + "1,ART,Museum A,-124.08,40.87,0\n1,ART,Museum B,-120.0,38.0,0\n")
    with pytest.raises(
        DataError, match=r"line 3, column 'MID': duplicate id '1' \(also on line 2\)"
    ):
        read_museums(bad)
