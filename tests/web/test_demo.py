"""The dashboard on the real bundled Helsinki workspace (access results included)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from libpolis.pipeline import evidence_of
from libpolis.store import open_store, read_table
from libpolis.web.app import create_app


@pytest.fixture(scope="module")
def demo_app(demo_copy, web_kit):
    engine = open_store(f"sqlite:///{demo_copy}")
    yield create_app(engine, secret_key=web_kit.SECRET)
    engine.dispose()


def test_dashboard_on_helsinki(demo_app) -> None:
    c = TestClient(demo_app)
    api = c.get("/api/evidence").json()
    ev = evidence_of(demo_app.state.engine)
    assert {k: f["value"] for k, f in api["figures"].items()} == {
        k: (None if f.value != f.value else f.value) for k, f in ev.figures.items()
    }
    assert api["place"] == "Helsinki" and api["mode"] == ev.headline_mode == "straight"
    assert "mean_dist_m" in api["figures"] and api["headline"]
    page = c.get("/")
    assert page.status_code == 200 and "Libraries and the city: Helsinki" in page.text
    for key in api["headline"]:
        assert api["figures"][key]["display"] in page.text
    districts = read_table(demo_app.state.engine, "area")
    table = api["districts"]
    assert table["unit"] == "m"
    assert [c["label"] for c in table["columns"]] == [
        "Residents", "Mean distance (m)", "Within 250 m", "Within 500 m", "Within 1 km",
    ]  # fmt: skip
    rows = table["rows"]
    assert sorted(r["district"] for r in rows) == sorted(districts["name"])
    assert all(0 <= r["within_250"] <= r["within_500"] <= r["within_1000"] <= 1 for r in rows)
    for r in rows:
        assert all(cell in page.text for cell in r["cells"])
        assert r["mean"] is not None and 0 < r["mean"] < 5000  # metres, every district
    layers = c.get("/api/map").json()
    assert layers["legend"] == {"unit": "m", "breaks": [500.0, 1000.0], "mode": "straight",
                                "main": 1000.0}  # fmt: skip
    units = ev.tables["access_units"]  # the units of the population source access used
    assert len(units) > 1000
    assert len(layers["units"]["features"]) == len(units)
    near = sum(f["properties"]["value"] <= 500 for f in layers["units"]["features"])
    assert near == int((units["dist_m"] <= 500).sum())
    assert {f["properties"]["name"] for f in layers["districts"]["features"]} == set(
        districts["name"]
    )
    assert all(f["properties"]["within_main"] is not None for f in layers["districts"]["features"])
    # the streets of the workspace's own OpenStreetMap file lie under the data (no tiles)
    base = {f["properties"]["layer"] for f in layers["basemap"]["features"]}
    assert {"major", "minor"} <= base


def test_dashboard_names_figures_as_the_brief_does(demo_app) -> None:
    """In Portuguese the figure cards carry the brief's labels and the language's numbers."""
    import html

    from libpolis.report.i18n import get_lang
    from libpolis.report.words import label
    from libpolis.web.i18n import figure_display

    c = TestClient(demo_app)
    c.cookies.set("lang", "pt")
    page = html.unescape(c.get("/").text)
    ev = demo_app.state.live.evidence()
    pt = get_lang("pt")
    for key in demo_app.state.live.view()["headline"][:5]:
        f = ev.figures[key["key"]]
        assert label(pt, ev, f) in page
        assert figure_display(f.as_dict(), pt) in page
    assert "Moradores a menos de" in page and "Residents within" not in page
