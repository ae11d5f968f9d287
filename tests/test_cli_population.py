"""`libpolis import population` with H3 cells, OSM buildings and the dataset-level checks:
refused files exit 2 with one line and leave every table of the store as it was, on SQLite
and PostgreSQL; Monaco runs end to end from buildings to the brief."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from typer.testing import CliRunner

from libpolis.cli import app
from libpolis.store import open_store

runner = CliRunner()
SHARED = Path("/work/shared/data")
MONACO = SHARED / "osm-pbf-extracts/monaco-2020.osm.pbf"
POA = SHARED / "brazil-accessibility-samples/porto_alegre/poa_hexgrid.csv"
#: IMSEE, Census of 7 June 2016: 37,308 residents
#: (http://www.gouv.mc/Actualites/Resultats-du-recensement-de-la-population-2016).
MONACO_CENSUS_2016 = 37_308
LIBS = "id,name,lon,lat\nl1,Library one,24.90,60.20\nl2,Library two,25.05,60.25\n"


def _run(*args: str) -> tuple[int, str, str]:
    res = runner.invoke(app, list(args))
    return res.exit_code, res.stdout, res.stderr


def _dump(url: str) -> dict[str, list]:
    """Every row of every table (store revision included), sorted, as text."""
    eng = open_store(url)
    try:
        with eng.connect() as conn:
            return {
                t: sorted(map(str, conn.execute(text(f'SELECT * FROM "{t}"')).all()))
                for t in inspect(conn).get_table_names()
            }
    finally:
        eng.dispose()


@pytest.fixture
def city(store_url: str, tmp_path: Path) -> str:
    """A store holding two libraries in Helsinki."""
    libs = tmp_path / "libs.csv"
    libs.write_text(LIBS)
    code, _, err = _run("import", "facilities", str(libs), "--as", "library", "--db", store_url)
    assert code == 0, err
    return store_url


BAD = {
    # lat and lon exchanged on every row
    "swapped": ("id,population,lon,lat\na,10,60.2,24.9\nb,5,60.21,24.95\n", "look swapped"),
    # 1,000 km north of the libraries (9 degrees of latitude)
    "far": (
        "id,population,lon,lat\na,10,24.9,60.2\nb,5,24.9,69.25\n",
        r"1 of 2 points lie more than 50 km outside .* the first at line 3 \(id 'b'\)",
    ),
    "h3": ("id,population\n89a901291abffff,3\n89a9012a3cfffX,4\n", r"line 3, column 'id'"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_refused_population_leaves_the_store_unchanged(city: str, tmp_path: Path, case: str):
    body, message = BAD[case]
    f = tmp_path / f"{case}.csv"
    f.write_text(body)
    extra = ["--h3-column", "id", "--accept-outside"] if case == "h3" else []
    before = _dump(city)
    code, out, err = _run("import", "population", str(f), "--db", city, *extra)
    assert code == 2, out
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and f.name in lines[0]
    assert re.search(message, lines[0]), lines[0]
    assert _dump(city) == before


def test_accept_outside_imports_them_and_says_so(city: str, tmp_path: Path) -> None:
    f = tmp_path / "far.csv"
    f.write_text(BAD["far"][0])
    code, _, err = _run("import", "population", str(f), "--db", city, "--accept-outside")
    assert code == 0, err
    eng = open_store(city)
    with eng.connect() as conn:
        n = conn.execute(text("SELECT count(*) FROM population_unit")).scalar()
        attrs = conn.execute(text("SELECT attrs FROM dataset WHERE source = 'far.csv'")).scalar()
    eng.dispose()
    assert n == 2
    assert (json.loads(attrs) if isinstance(attrs, str) else attrs)["accepted_outside"] is True


def test_expected_total_far_off_is_refused(city: str, tmp_path: Path) -> None:
    f = tmp_path / "pop.csv"
    f.write_text("id,population,lon,lat\na,10,24.9,60.2\nb,5,24.95,60.21\n")
    before = _dump(city)
    code, _, err = _run("import", "population", str(f), "--db", city, "--expected-total", "30")
    assert code == 2 and "15 residents, 50% from the expected 30" in err
    assert _dump(city) == before
    code, _, err = _run("import", "population", str(f), "--db", city, "--expected-total", "15.5")
    assert code == 0, err


@pytest.mark.skipif(not POA.exists(), reason="Porto Alegre sample not present")
def test_porto_alegre_hexagons(tmp_path: Path) -> None:
    ws = str(tmp_path / "poa.sqlite")
    code, out, err = _run("import", "population", str(POA), "--h3-column", "id",
                          "--workspace", ws, "--json")  # fmt: skip
    assert code == 0, err
    summary = json.loads(out)
    assert summary["inserted"]["population_unit"] == 1227


@pytest.mark.skipif(not MONACO.exists(), reason="Monaco extract not present")
def test_monaco_from_buildings_to_the_brief(tmp_path: Path) -> None:
    ws = str(tmp_path / "mc.sqlite")
    assert _run("import", "osm", str(MONACO), "--workspace", ws)[0] == 0
    code, out, err = _run(
        "import", "population", "--from-osm-buildings", str(MONACO), "--workspace", ws,
        "--total", str(MONACO_CENSUS_2016), "--total-source", "IMSEE, Census of 7 June 2016",
        "--building-rule", "yes", "--expected-total", str(MONACO_CENSUS_2016), "--json",
    )  # fmt: skip
    assert code == 0, err
    assert json.loads(out)["residents"] == pytest.approx(MONACO_CENSUS_2016)
    code, out, err = _run("access", "--mode", "walk", "--workspace", ws, "--json")
    assert code == 0, err
    code, _, err = _run("report", "brief", "--format", "html", "--out", str(tmp_path / "b"),
                        "--workspace", ws)  # fmt: skip
    assert code == 0, err
    html = (tmp_path / "b" / "brief.html").read_text()
    assert "Residents from OpenStreetMap buildings" in html
    assert "IMSEE, Census of 7 June 2016" in html
    # the libraries and the street network keep their own dataset record
    code, out, _ = _run("status", "--workspace", ws, "--json")
    assert "monaco-2020.osm.pbf:buildings" in out


def test_buildings_need_a_total(tmp_path: Path) -> None:
    if not MONACO.exists():
        pytest.skip("Monaco extract not present")
    code, _, err = _run("import", "population", "--from-osm-buildings", str(MONACO),
                        "--workspace", str(tmp_path / "w.sqlite"))  # fmt: skip
    assert code == 2 and "needs --total N" in err
