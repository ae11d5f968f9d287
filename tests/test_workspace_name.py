"""The workspace's city name: set by `init --name`, else taken from what is imported."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from libpolis.cli import app
from libpolis.sources.osm import read_osm_place
from libpolis.store import open_store, workspace_name

PBF = Path(__file__).parent / "data" / "access" / "helsinki_center.osm.pbf"
runner = CliRunner()


def _run(*args: str) -> dict:
    res = runner.invoke(app, [*args, "--json"])
    assert res.exit_code == 0, res.stderr
    return json.loads(res.stdout)


def test_an_osm_extract_names_the_place_it_is_about() -> None:
    assert read_osm_place(PBF) == "Helsinki"


def test_import_names_an_unnamed_workspace(tmp_path: Path) -> None:
    ws = str(tmp_path / "ws.sqlite")
    assert _run("init", "--workspace", ws)["name"] is None
    out = _run("import", "osm", str(PBF), "--workspace", ws)
    assert out["workspace_name"] == "Helsinki"
    engine = open_store(f"sqlite:///{ws}")
    assert workspace_name(engine) == "Helsinki"
    engine.dispose()


def test_a_given_name_wins_over_imported_data(tmp_path: Path) -> None:
    ws = str(tmp_path / "ws.sqlite")
    assert _run("init", "--name", "  Helsingin   kaupunki ", "--workspace", ws)["name"] == (
        "Helsingin kaupunki"
    )
    out = _run("import", "osm", str(PBF), "--workspace", ws)
    assert "workspace_name" not in out
    assert _run("init", "--workspace", ws)["name"] == "Helsingin kaupunki"
    res = runner.invoke(app, ["init", "--name", " ", "--workspace", ws])
    assert res.exit_code == 2 and res.stderr.startswith("error: the workspace name")
