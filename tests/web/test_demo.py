"""The dashboard on the real bundled Helsinki workspace (access results included)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from libpolis.demo import build_demo_workspace
from libpolis.evidence import assemble_evidence
from libpolis.store import open_store, read_table
from libpolis.web.app import create_app


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory, web_kit):
    ws = tmp_path_factory.mktemp("demo") / "workspace.sqlite"
    build_demo_workspace(ws, show_progress=False)
    engine = open_store(f"sqlite:///{ws}")
    yield create_app(engine, secret_key=web_kit.SECRET)
    engine.dispose()


def test_dashboard_on_helsinki(demo_app) -> None:
    c = TestClient(demo_app)
    api = c.get("/api/evidence").json()
    ev = assemble_evidence(demo_app.state.engine)
    assert {k: f["value"] for k, f in api["figures"].items()} == {
        k: (None if f.value != f.value else f.value) for k, f in ev.figures.items()
    }
    assert "mean_dist_m" in api["figures"] and api["headline"]
    page = c.get("/")
    assert page.status_code == 200
    for key in api["headline"]:
        assert api["figures"][key]["display"] in page.text
    districts = read_table(demo_app.state.engine, "area")
    rows = api["districts"]
    assert sorted(r["district"] for r in rows) == sorted(districts["name"])
    assert all(0 <= r["within_500m"] <= r["within_1000m"] <= 1 for r in rows)
    layers = c.get("/api/map").json()
    units = ev.tables["access_units"]  # the units of the population source access used
    assert len(units) > 1000
    assert len(layers["units"]["features"]) == len(units)
    near = sum(f["properties"]["dist_m"] <= 500 for f in layers["units"]["features"])
    assert near == int((units["dist_m"] <= 500).sum())
    assert {f["properties"]["name"] for f in layers["districts"]["features"]} == set(
        districts["name"]
    )
    assert all(f["properties"]["within_500m"] is not None for f in layers["districts"]["features"])
