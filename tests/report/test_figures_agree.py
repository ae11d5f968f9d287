"""Every figure reads the same everywhere: for each figure key, the value in the HTML brief,
the PDF brief, the dashboard page and ``/api/evidence`` is the evidence's value, written by
the one formatter (:func:`libpolis.evidence.display_value`). Checked on the demo (straight-line
headline) and on a workspace whose headline is walking on the street network."""

from __future__ import annotations

import html as html_lib
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from typer.testing import CliRunner

from libpolis.cli import app as cli_app
from libpolis.evidence import Evidence, display_value
from libpolis.pipeline import evidence_of
from libpolis.store import open_store
from libpolis.web.app import create_app

DATA = Path(__file__).parents[1] / "data" / "access"
_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_SECRET = "figures-agree-test-secret-key-0123456789"


def _text(fragment: str) -> str:
    return _SPACES.sub(" ", html_lib.unescape(re.sub(r"<[^>]+>", "", fragment))).strip()


def _rows(page: str) -> dict[str, list[str]]:
    """``data-figure`` rows of a page: key -> cell texts."""
    out = {}
    for key, body in re.findall(r'<tr data-figure="([^"]+)">(.*?)</tr>', page, flags=re.S):
        out[html_lib.unescape(key)] = [
            _text(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", body, flags=re.S)
        ]
    return out


def _cli(*args: str) -> None:
    res = CliRunner().invoke(cli_app, list(args))
    assert res.exit_code == 0, res.output


@pytest.fixture(scope="module")
def walk_ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A city measured on foot only: an OSM extract, a population grid, a walking run."""
    ws = tmp_path_factory.mktemp("walk") / "walk.sqlite"
    _cli("init", "--name", "Central Helsinki", "-w", str(ws))
    _cli("import", "osm", str(DATA / "helsinki_center.osm.pbf"), "-w", str(ws))
    _cli(
        "import", "population", str(DATA / "equity_helsinki_population_grid_2020_centroids.csv"),
        "-w", str(ws), "--x-column", "lon", "--y-column", "lat", "--crs", "EPSG:4326",
        "--id-column", "id", "--population-column", "population",
    )  # fmt: skip
    _cli("access", "--mode", "walk", "-w", str(ws))
    return ws


def _check(ws: Path, out: Path, mode: str) -> None:
    engine = open_store(f"sqlite:///{ws}")
    try:
        ev: Evidence = evidence_of(engine)
        assert ev.headline_mode == mode
        _cli("report", "brief", "--out", str(out), "-w", str(ws))
        brief_rows = _rows((out / "brief.html").read_text(encoding="utf-8"))
        pdf = _SPACES.sub(
            " ", " ".join(p.extract_text() for p in PdfReader(out / "brief.pdf").pages)
        )
        client = TestClient(create_app(engine, secret_key=_SECRET))
        api: dict[str, Any] = client.get("/api/evidence").json()
        page_rows = _rows(client.get("/").text)
    finally:
        engine.dispose()
    keys = set(ev.figures)
    assert len(keys) >= 10 and set(api["figures"]) == keys == set(brief_rows) == set(page_rows)
    for key, f in ev.figures.items():
        shown = display_value(f, "en")
        value = None if f.value is None or f.value != f.value else f.value
        assert api["figures"][key]["value"] == value, key
        assert api["figures"][key]["display"] == shown, key
        assert api["figures"][key]["mode"] == f.mode, key
        assert brief_rows[key][1] == shown, key
        assert page_rows[key][1] == shown, key
        assert shown in pdf, key
    access = [f for f in ev.figures.values() if f.mode is not None]
    assert access and all(f.mode in ("straight", "walk", "bike", "drive") for f in access)


def test_the_demo_reads_the_same_everywhere(demo_path: Path, tmp_path: Path) -> None:
    ws = tmp_path / "demo.sqlite"
    shutil.copy(demo_path, ws)
    _check(ws, tmp_path / "out", "straight")


def test_a_walking_city_reads_the_same_everywhere(walk_ws: Path, tmp_path: Path) -> None:
    _check(walk_ws, tmp_path / "out", "walk")
