"""A corpus of bad inputs through the command line, on SQLite and PostgreSQL: each gives one
line on stderr that names what was wrong and where, exit code 2, and leaves the store's dump
hash unchanged."""

from __future__ import annotations

import gzip
import io
import json
import sqlite3
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

Maker = bytes | str | Callable[[Path], None]


@dataclass(frozen=True)
class Case:
    """One bad input: ``cmd`` with ``{f}`` for the file written from ``body``."""

    id: str
    cmd: tuple[str, ...]
    body: Maker
    expect: tuple[str, ...]
    name: str = "input.csv"
    extra: dict[str, Maker] = field(default_factory=dict)
    #: False for commands that read no store (``align texts``)
    store: bool = True


PROG = ("import", "programmes", "{f}")
LIB = ("import", "facilities", "{f}", "--as", "library")
VENUE = ("import", "facilities", "{f}", "--as", "venue")
POP = ("import", "population", "{f}")
AREAS = ("import", "areas", "{f}")
PH = "id,library,title,description,language,attendance,start_date,end_date\n"
LH = "id,name,lon,lat\n"
GOOD_LIBS = "a,Oodi,24.9382,60.1738\nb,Kallio,24.9497,60.1840\nc,Pasila,24.9328,60.1990\n"


def _prog(row: str, before: str = "p0,Oodi,Ok,Fine,fi,1,,\n") -> str:
    return PH + before + row + "\n"


def _lib(row: str) -> str:
    return LH + GOOD_LIBS + row + "\n"


def _pop(row: str) -> str:
    return "id,lon,lat,population\na,24.94,60.17,10\nb,24.95,60.18,5\n" + row + "\n"


def _geojson(features: list[tuple[dict, dict | None]]) -> str:
    return json.dumps({
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "properties": p, "geometry": g} for p, g in features],
    })  # fmt: skip


def _poly(x0: float, y0: float, d: float = 0.01) -> dict:
    ring = [[x0, y0], [x0 + d, y0], [x0 + d, y0 + d], [x0, y0 + d], [x0, y0]]
    return {"type": "Polygon", "coordinates": [ring]}


SQUARE = _poly(24.93, 60.16)


def _gpkg(srs_id: int) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        import geopandas as gpd
        from shapely.geometry import box

        gpd.GeoDataFrame(
            {"name": ["a"]}, geometry=[box(24.93, 60.16, 24.95, 60.18)], crs=4326
        ).to_file(path)
        con = sqlite3.connect(path)
        con.execute("update gpkg_geometry_columns set srs_id = ?", (srs_id,))
        con.execute("update gpkg_contents set srs_id = ?", (srs_id,))
        con.commit()
        con.close()

    return make


def _zip_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("a.csv", "id\n1\n")
    return buf.getvalue()


LONG_DESC = "x" * 5000


CASES: list[Case] = [
    # -- programmes: the API's limits, types and cross-field rules --------------------------
    Case(
        "prog-language-11",
        PROG,
        _prog("p1,Oodi,T,D,abcdefghijk,1,,"),
        ("line 3, column 'language'", "11 characters long (at most 10)"),
    ),
    Case(
        "prog-description-20001",
        PROG,
        _prog(f"p1,Oodi,T,{'d' * 20_001},fi,1,,"),
        ("line 3, column 'description'", "20,001 characters long (at most 20,000)"),
    ),
    Case(
        "prog-title-501",
        PROG,
        _prog(f"p1,Oodi,{'t' * 501},D,fi,1,,"),
        ("line 3, column 'title'", "at most 500"),
    ),
    Case(
        "prog-attendance-over",
        PROG,
        _prog("p1,Oodi,T,D,fi,100000001,,"),
        ("line 3, column 'attendance'", "above 100,000,000"),
    ),
    Case(
        "prog-attendance-negative",
        PROG,
        _prog("p1,Oodi,T,D,fi,-1,,"),
        ("line 3, column 'attendance'", "below 0"),
    ),
    Case(
        "prog-attendance-text",
        PROG,
        _prog("p1,Oodi,T,D,fi,many,,"),
        ("line 3, column 'attendance'", "'many' is not a number"),
    ),
    Case(
        "prog-attendance-fraction",
        PROG,
        _prog("p1,Oodi,T,D,fi,1.5,,"),
        ("line 3, column 'attendance'", "not a whole number"),
    ),
    Case(
        "prog-attendance-inf",
        PROG,
        _prog("p1,Oodi,T,D,fi,inf,,"),
        ("line 3, column 'attendance'", "not finite"),
    ),
    Case(
        "prog-end-before-start",
        PROG,
        _prog("p1,Oodi,T,D,fi,1,2025-05-01,2025-01-01"),
        ("line 3, column 'end_date'", "before it starts"),
    ),
    Case(
        "prog-bad-date",
        PROG,
        _prog("p1,Oodi,T,D,fi,1,2025-13-01,"),
        ("line 3, column 'start_date'", "is not a date"),
    ),
    Case(
        "prog-ancient-date",
        PROG,
        _prog("p1,Oodi,T,D,fi,1,0999-01-01,"),
        ("line 3, column 'start_date'", "outside the years"),
    ),
    Case(
        "prog-nul-after-4k",
        PROG,
        _prog(
            "p1,Oodi,T,bad\x00byte,fi,1,,",
            before="".join(f"q{i},Oodi,T,{LONG_DESC},fi,1,,\n" for i in range(2)),
        ),
        ("line 4, column 14", "U+0000", "NUL"),
    ),
    Case("prog-nul-early", PROG, _prog("p1,Oodi,T\x00,D,fi,1,,"), ("line 3, column 10", "U+0000")),
    Case("prog-bell-title", PROG, _prog("p1,Oodi,T\x07,D,fi,1,,"), ("line 3, column 10", "U+0007")),
    Case(
        "prog-escape-audience",
        PROG,
        "id,library,title,description,audience\np1,Oodi,T,D,\x1b[31mred\n",
        ("line 2, column 13", "U+001B"),
    ),
    Case("prog-formfeed", PROG, _prog("p1,Oodi,T,D\x0c,fi,1,,"), ("line 3, column 12", "U+000C")),
    Case("prog-noncharacter", PROG, _prog("p1,Oodi,T\ufffe,D,fi,1,,"), ("line 3", "U+FFFE")),
    Case(
        "prog-newline-in-title",
        PROG,
        _prog('p1,Oodi,"two\nlines",D,fi,1,,'),
        ("line 3, column 'title'", "U+000A"),
    ),
    Case(
        "prog-empty-title",
        PROG,
        _prog("p1,Oodi,,D,fi,1,,"),
        ("line 3, column 'title'", "the title is empty"),
    ),
    Case(
        "prog-blank-title", PROG, _prog("p1,Oodi,   ,D,fi,1,,"), ("line 3, column 'title'", "empty")
    ),
    Case("prog-empty-id", PROG, _prog(",Oodi,T,D,fi,1,,"), ("line 3, column 'id'", "is empty")),
    Case(
        "prog-duplicate-id",
        PROG,
        _prog("p0,Oodi,T,D,fi,1,,"),
        ("line 3, column 'id'", "duplicate id 'p0'", "also on line 2"),
    ),
    Case(
        "prog-id-2mb",
        PROG,
        _prog(f"{'i' * 2_000_000},Oodi,T,D,fi,1,,"),
        ("line 3, column 'id'", "2,000,000 characters long (at most 200)"),
    ),
    Case(
        "prog-library-301",
        PROG,
        _prog(f"p1,{'L' * 301},T,D,fi,1,,"),
        ("line 3, column 'library'", "at most 300"),
    ),
    Case(
        "prog-audience-201",
        PROG,
        f"id,library,title,description,audience\np1,Oodi,T,D,{'a' * 201}\n",
        ("line 2, column 'audience'", "at most 200"),
    ),
    Case(
        "prog-partners-2001",
        PROG,
        f"id,library,title,description,partners\np1,Oodi,T,D,{'a' * 2001}\n",
        ("line 2, column 'partners'", "at most 2,000"),
    ),
    Case(
        "prog-missing-column",
        PROG,
        "id,library,title\np1,Oodi,T\n",
        ("missing column(s) description", "found: id, library, title"),
    ),
    Case("prog-empty-file", PROG, b"", ("the file is empty",)),
    Case("prog-whitespace-file", PROG, "\n\n  \n", ("the file is empty",)),
    Case("prog-header-only", PROG, PH, ("header but no rows",)),
    Case(
        "prog-latin1",
        PROG,
        _prog("p1,Järvenpää,T,D,fi,1,,").encode("latin-1"),
        ("line 3, column 5", "cannot decode byte 0xe4 as utf-8"),
    ),
    Case(
        "prog-unknown-encoding",
        (*PROG, "--encoding", "klingon"),
        _prog("p1,Oodi,T,D,fi,1,,"),
        ("unknown encoding 'klingon'",),
    ),
    Case("prog-zip", PROG, _zip_bytes(), ("expected a CSV text file but found a ZIP archive",)),
    Case("prog-pdf", PROG, b"%PDF-1.4\n%\xe2\xe3\n", ("found a PDF document",)),
    Case("prog-sqlite", PROG, b"SQLite format 3\x00" + bytes(100), ("found an SQLite database",)),
    Case("prog-binary", PROG, bytes(4000) + b"abc", ("found binary data",)),
    Case("prog-utf16", PROG, _prog("p1,Oodi,T,D,fi,1,,").encode("utf-16"), ("input.csv",)),
    Case(
        "prog-bad-gzip",
        PROG,
        b"\x1f\x8b\x08\x00garbage",
        ("not a readable gzip file",),
        name="input.csv.gz",
    ),
    Case(
        "prog-blank-lines",
        PROG,
        PH + "p0,Oodi,T,D,fi,1,,\n\n\np1,Oodi,T,D,fi,x,,\n",
        ("line 5, column 'attendance'", "'x' is not a number"),
    ),
    Case(
        "prog-multiline-field",
        PROG,
        PH + 'p0,Oodi,T,"one\ntwo\nthree",fi,1,,\np1,Oodi,T,D,abcdefghijkl,1,,\n',
        ("line 5, column 'language'", "12 characters long"),
    ),
    Case("prog-unclosed-quote", PROG, PH + 'p0,Oodi,"T,D,fi,1,,\n', ("input.csv",)),
    Case(
        "prog-missing-file",
        ("import", "programmes", "{f}/nothing.csv"),
        b"x",
        ("nothing.csv: no such file",),
    ),
    Case("prog-directory", ("import", "programmes", "{d}"), b"x", ("is not a file",)),
    Case(
        "prog-source-too-long",
        (*PROG, "--source", "s" * 201),
        _prog("p1,Oodi,T,D,fi,1,,"),
        ("--source is 201 characters long",),
    ),
    Case(
        "prog-publisher-control",
        (*PROG, "--publisher", "City\x07"),
        _prog("p1,Oodi,T,D,fi,1,,"),
        ("--publisher holds the control character U+0007",),
    ),
    # -- libraries and venues: coordinates, names, kinds ------------------------------------
    Case("lib-swapped-row", LIB, _lib("d,Swapped,60.1700,24.9400"), ("line 5", "look swapped")),
    Case(
        "lib-all-swapped",
        LIB,
        LH + "a,A,60.1738,24.9382\nb,B,60.1840,24.9497\n",
        ("look swapped", "would lie inside"),
    ),
    Case("lib-lat-95", LIB, _lib("d,North,24.9,95"), ("line 5, column 'lat'", "out of range")),
    Case("lib-lon-200", LIB, _lib("d,East,200,60"), ("line 5, column 'lon'", "out of range")),
    Case(
        "lib-projected",
        LIB,
        _lib("d,Proj,385000,6672000"),
        ("line 5, column 'lon'", "projected coordinates"),
    ),
    Case("lib-lon-text", LIB, _lib("d,Text,east,60.1"), ("line 5, column 'lon'", "not a number")),
    Case("lib-lon-missing", LIB, _lib("d,Blank,,60.1"), ("line 5, column 'lon'", "is missing")),
    Case("lib-lat-nan", LIB, _lib("d,NaN,24.9,nan"), ("line 5, column 'lat'", "not a number")),
    Case("lib-lon-inf", LIB, _lib("d,Inf,inf,60.1"), ("line 5, column 'lon'", "not finite")),
    Case(
        "lib-far-away",
        LIB,
        _lib("d,Sydney,151.2093,-33.8688"),
        ("line 5", "km outside the extent", "--accept-outside"),
    ),
    Case("lib-empty-name", LIB, _lib("d,,24.95,60.17"), ("line 5, column 'name'", "is empty")),
    Case("lib-blank-name", LIB, _lib("d,   ,24.95,60.17"), ("line 5, column 'name'", "is empty")),
    Case(
        "lib-name-301",
        LIB,
        _lib(f"d,{'n' * 301},24.95,60.17"),
        ("line 5, column 'name'", "at most 300"),
    ),
    Case(
        "lib-name-control", LIB, _lib("d,Bad\x08Name,24.95,60.17"), ("line 5, column 6", "U+0008")
    ),
    Case(
        "lib-kind-51",
        (*LIB, "--kind", "k" * 51),
        _lib("d,K,24.95,60.17"),
        ("column 'kind'", "at most 50"),
    ),
    Case(
        "lib-duplicate-id",
        LIB,
        _lib("a,Again,24.95,60.17"),
        ("line 5, column 'id'", "duplicate id 'a'", "also on line 2"),
    ),
    Case("lib-missing-lat", LIB, "id,name,lon\na,A,24.9\n", ("missing column(s) lat",)),
    Case(
        "lib-id-long",
        LIB,
        _lib(f"{'x' * 201},Long id,24.95,60.17"),
        ("line 5, column 'id'", "at most 200"),
    ),
    Case(
        "venue-events-negative",
        VENUE,
        LH.strip() + ",n_events\n" + "v,V,24.95,60.17,-3\n",
        ("line 2, column 'n_events'", "below 0"),
    ),
    Case(
        "venue-events-huge",
        VENUE,
        LH.strip() + ",n_events\n" + "v,V,24.95,60.17,1e9\n",
        ("column 'n_events'", "above 100,000,000"),
    ),
    Case(
        "lib-geojson-no-geometry",
        LIB,
        _geojson([({"id": "a", "name": "A"}, None)]),
        ("feature 1", "has no geometry"),
        name="libs.geojson",
    ),
    Case(
        "lib-as-museum",
        ("import", "facilities", "{f}", "--as", "museum"),
        _lib("d,D,24.9,60.1"),
        ("--as must be 'library' or 'venue'",),
    ),
    # -- areas: geometry validity and type, CRS --------------------------------------------
    Case(
        "area-point",
        AREAS,
        _geojson(
            [
                ({"name": "a"}, SQUARE),
                ({"name": "b"}, {"type": "Point", "coordinates": [24.9, 60.1]}),
            ]
        ),
        ("feature 2 ('b')", "is a Point, not a polygon"),
        name="areas.geojson",
    ),
    Case(
        "area-line",
        AREAS,
        _geojson(
            [({"name": "a"}, {"type": "LineString", "coordinates": [[24.9, 60.1], [25, 60.2]]})]
        ),
        ("feature 1 ('a')", "is a LineString"),
        name="areas.geojson",
    ),
    Case(
        "area-bowtie",
        AREAS,
        _geojson(
            [
                (
                    {"name": "bow"},
                    {
                        "type": "Polygon",
                        "coordinates": [
                            [
                                [24.9, 60.1],
                                [24.95, 60.15],
                                [24.95, 60.1],
                                [24.9, 60.15],
                                [24.9, 60.1],
                            ]
                        ],
                    },
                )
            ]
        ),
        ("feature 1 ('bow')", "not a valid polygon", "Self-intersection"),
        name="areas.geojson",
    ),
    Case(
        "area-hole-outside",
        AREAS,
        _geojson(
            [
                (
                    {"name": "h"},
                    {
                        "type": "Polygon",
                        "coordinates": [
                            SQUARE["coordinates"][0],
                            [[25.5, 60.5], [25.6, 60.5], [25.6, 60.6], [25.5, 60.5]],
                        ],
                    },
                )
            ]
        ),
        ("feature 1 ('h')", "not a valid polygon"),
        name="areas.geojson",
    ),
    Case(
        "area-srs-0", AREAS, _gpkg(0), ("CRS is undefined", "srs_id of 0 or -1"), name="areas.gpkg"
    ),
    Case(
        "area-srs-minus-1",
        AREAS,
        _gpkg(-1),
        ("CRS is undefined", "Undefined Cartesian"),
        name="areas.gpkg",
    ),
    Case(
        "area-no-name-column",
        AREAS,
        _geojson([({"nimi": "a"}, SQUARE)]),
        ("missing column(s) name", "found: nimi"),
        name="areas.geojson",
    ),
    Case(
        "area-duplicate-name",
        AREAS,
        _geojson([({"name": "a"}, SQUARE), ({"name": "a"}, SQUARE)]),
        ("feature 2, column 'name'", "duplicate id 'a'", "also on feature 1"),
        name="areas.geojson",
    ),
    Case(
        "area-empty-name",
        AREAS,
        _geojson([({"name": ""}, SQUARE)]),
        ("feature 1, column 'name'", "is empty"),
        name="areas.geojson",
    ),
    Case(
        "area-name-301",
        AREAS,
        _geojson([({"name": "n" * 301}, SQUARE)]),
        ("feature 1, column 'name'", "at most 300"),
        name="areas.geojson",
    ),
    Case(
        "area-name-nul",
        AREAS,
        _geojson([({"name": "a\x00b"}, SQUARE)]),
        ("line 1, column 89", "U+0000"),
        name="areas.geojson",
    ),
    Case(
        "area-name-bell",
        AREAS,
        _geojson([({"name": "a\x07b"}, SQUARE)]),
        ("feature 1, column 'name'", "U+0007"),
        name="areas.geojson",
    ),
    Case(
        "area-not-json",
        AREAS,
        "this is not json",
        ("not a readable .geojson vector file",),
        name="areas.geojson",
    ),
    Case("area-no-features", AREAS, _geojson([]), ("has no features",), name="areas.geojson"),
    Case(
        "area-missing-geometry",
        AREAS,
        _geojson([({"name": "a"}, None)]),
        ("feature 1 ('a')", "has no geometry"),
        name="areas.geojson",
    ),
    # -- population ------------------------------------------------------------------------
    Case("pop-negative", POP, _pop("c,24.96,60.19,-5"), ("line 4, column 'population'", "below 0")),
    Case("pop-text", POP, _pop("c,24.96,60.19,lots"), ("line 4, column 'population'", "number")),
    Case(
        "pop-huge",
        POP,
        _pop("c,24.96,60.19,2e9"),
        ("line 4, column 'population'", "above 1,000,000,000"),
    ),
    Case("pop-swapped-row", POP, _pop("c,60.19,24.96,5"), ("line 4 (id 'c')", "look swapped")),
    Case("pop-far", POP, _pop("c,151.2,-33.87,5"), ("line 4 (id 'c')", "km outside the extent")),
    Case("pop-duplicate-id", POP, _pop("a,24.96,60.19,5"), ("line 4, column 'id'", "duplicate")),
    Case("pop-empty-id", POP, _pop(",24.96,60.19,5"), ("line 4, column 'id'", "the id is empty")),
    Case("pop-missing-column", POP, "id,lon,lat\na,24.9,60.1\n", ("missing column(s) population",)),
    Case("pop-no-coordinates", POP, "id,population\na,5\n", ("no lon/lat columns",)),
    Case(
        "pop-district-control",
        (*POP, "--district-column", "d"),
        "id,lon,lat,population,d\na,24.94,60.17,5,Kal\x01lio\n",
        ("line 2, column 20", "U+0001"),
    ),
    Case(
        "pop-district-long",
        (*POP, "--district-column", "d"),
        f"id,lon,lat,population,d\na,24.94,60.17,5,{'d' * 201}\n",
        ("line 2, column 'district'", "at most 200"),
    ),
    Case(
        "pop-expected-total",
        (*POP, "--expected-total", "1000"),
        _pop("c,24.96,60.19,5"),
        ("20 residents", "from the expected 1,000"),
    ),
    Case(
        "pop-unknown-crs",
        (*POP, "--x-column", "x", "--y-column", "y", "--crs", "EPSG:99999"),
        "id,x,y,population\na,385000,6672000,5\n",
        ("unknown CRS 'EPSG:99999'",),
    ),
    Case(
        "pop-projected-no-crs",
        (*POP, "--x-column", "x", "--y-column", "y"),
        "id,x,y,population\na,385000,6672000,5\n",
        ("projected coordinates need --crs",),
    ),
    Case(
        "pop-bad-h3",
        (*POP, "--h3-column", "h3"),
        "h3,population\n8a1126d4d8effff,5\nnot-a-cell,3\n",
        ("line 3, column 'h3'", "not a valid H3 cell id"),
    ),
    Case(
        "pop-gzip-nul",
        POP,
        gzip.compress(_pop("c,24.96,60.19,5\x00").encode()),
        ("line 4, column 16", "U+0000"),
        name="pop.csv.gz",
    ),
    Case(
        "pop-row-ids-line",
        (*POP, "--id-column", "@row"),
        "lon,lat,population\n24.94,60.17,10\n\n24.95,60.18,x\n",
        ("line 4, column 'population'", "'x' is not a number"),
    ),
    Case("pop-no-file-or-osm", ("import", "population"), b"", ("give a population file",)),
    # -- other importers ---------------------------------------------------------------------
    Case(
        "museums-missing-columns",
        ("import", "museums", "{f}"),
        "MID,NAME\n1,A\n",
        ("missing column(s) DISCIPL",),
    ),
    Case(
        "pls-missing-columns",
        ("import", "pls", "--outlets", "{f}", "--systems", "{f}.nope"),
        "FSCSKEY\nA\n",
        ("missing column(s) FSCS_SEQ",),
    ),
    Case("prog-range-bytes", PROG, bytes(range(256)) * 4, ("cannot decode byte 0x80",)),
    Case(
        "osm-not-pbf",
        ("import", "osm", "{f}"),
        "not an osm file",
        ("input.osm.pbf",),
        name="input.osm.pbf",
    ),
    Case(
        "strategy-no-text",
        ("frameworks", "import-strategy", "{f}"),
        b"%PDF-1.4\n%%EOF\n",
        ("input.pdf",),
        name="input.pdf",
    ),
    Case(
        "texts-duplicate-multiline",
        ("align", "texts", "--input", "{f}"),
        'id,text\n1,"a\nb"\n1,c\n',
        ("line 4, column id: duplicate id '1'", "first on line 2"),
        name="texts.csv",
        store=False,
    ),
]


def _write(case: Case, folder: Path) -> Path:
    path = folder / case.name
    body = case.body
    if callable(body):
        body(path)
    elif isinstance(body, str):
        path.write_bytes(body.encode("utf-8", "surrogatepass"))
    else:
        path.write_bytes(body)
    return path


def test_the_corpus_is_large_and_distinct() -> None:
    assert len(CASES) >= 80
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_is_one_line_exit_2_store_unchanged(
    workspace, case: Case, tmp_path: Path
) -> None:
    path = _write(case, tmp_path)
    args = [a.format(f=path, d=tmp_path) for a in case.cmd]
    before = workspace.dump_hash()
    code, out, err = workspace.run(*args) if case.store else workspace.cli(*args)
    lines = err.strip().splitlines()
    assert code == 2, (code, out, err)
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    for part in case.expect:
        assert part in lines[0], (part, lines[0])
    if any(part.startswith(("line ", "feature ")) for part in case.expect):
        assert lines[0].startswith(f"error: {path}"), lines[0]  # the file, then where in it
    assert workspace.dump_hash() == before
