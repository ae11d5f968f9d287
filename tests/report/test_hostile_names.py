"""A brief built from hostile imported names runs no script: names reach the page as text
(also in the map's tooltips) and the page carries a Content-Security-Policy that lets only
its own inline scripts run."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from typer.testing import CliRunner

from libpolis.cli import app
from libpolis.pipeline import evidence_of
from libpolis.report.brief import render_brief
from libpolis.store import open_store

pytestmark = pytest.mark.browser
DATA = Path(__file__).parents[1] / "data" / "access"
HOSTILE = '<img src=x onerror="window.__pwned=1">'


def _cli(*args: str) -> None:
    res = CliRunner().invoke(app, list(args))
    assert res.exit_code == 0, res.output


def test_hovering_every_marker_runs_no_script(tmp_path: Path, browser: Any) -> None:
    grid = pd.read_csv(DATA / "equity_helsinki_population_grid_2020_centroids.csv")
    libs = pd.DataFrame(
        {
            "id": ["a", "b"],
            "name": [HOSTILE, f"<script>window.__pwned=2</script>{HOSTILE}"],
            "lon": [24.941, 24.952],
            "lat": [60.170, 60.163],
        }
    )
    libs.to_csv(tmp_path / "libs.csv", index=False)
    w = str(tmp_path / "ws.sqlite")
    _cli("init", "--name", HOSTILE, "-w", w)
    _cli("import", "facilities", str(tmp_path / "libs.csv"), "--as", "library", "-w", w)
    grid.to_csv(tmp_path / "grid.csv", index=False)
    _cli("import", "population", str(tmp_path / "grid.csv"), "--x-column", "lon",
         "--y-column", "lat", "--crs", "EPSG:4326", "-w", w)  # fmt: skip
    _cli("access", "-w", w)
    engine = open_store(f"sqlite:///{w}")
    try:
        res = render_brief(evidence_of(engine), tmp_path, formats=["html"], today=date(2026, 5, 4))
    finally:
        engine.dispose()
    html = Path(res["html"]).read_text(encoding="utf-8")
    assert 'http-equiv="Content-Security-Policy"' in html and "script-src 'sha256-" in html
    page = browser.new_context(offline=True, viewport={"width": 1100, "height": 900}).new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(Path(res["html"]).as_uri())
    page.wait_for_selector("#leaflet-map .leaflet-overlay-pane canvas", timeout=15000)
    # hover each library marker where the map draws it: its tooltip opens, as text
    page.locator("#leaflet-map").scroll_into_view_if_needed()
    # the map has settled (no zoom or pan under way), so a marker stays where it is measured
    page.wait_for_function(
        """() => { const m = document.querySelector("figure.interactive").libpolisMap;
             return m && !m.map._animatingZoom && !(m.map._panAnim && m.map._panAnim._inProgress);
           }"""
    )
    box = page.locator("#leaflet-map").bounding_box()
    assert box is not None
    points = page.evaluate(
        """() => { const m = document.querySelector("figure.interactive").libpolisMap;
             const out = []; m.libraries.eachLayer(l => {
               const p = m.map.latLngToContainerPoint(l.getLatLng()); out.push([p.x, p.y]); });
             return out; }"""
    )
    assert len(points) == 2
    # a real hover on the first marker opens its tooltip (the canvas renderer reads the pointer
    # on its next animation frame, so a hover that lands between frames is made again) ...
    x, y = box["x"] + points[0][0], box["y"] + points[0][1]
    for attempt in range(4):
        page.mouse.move(box["x"] + 5, box["y"] + 5)
        page.mouse.move(x, y, steps=8)
        page.mouse.move(x + 1, y + 1)
        try:
            page.wait_for_selector(".leaflet-tooltip", timeout=3000)
            break
        except PlaywrightTimeoutError:
            if attempt == 3:
                raise
    hovered = page.locator(".leaflet-tooltip").last.inner_text()
    # ... and every marker's tooltip, opened in turn, shows the name as text
    tips = page.evaluate(
        """() => { const m = document.querySelector("figure.interactive").libpolisMap;
             const out = []; m.libraries.eachLayer(l => { l.openTooltip();
               out.push(l.getTooltip().getElement().textContent); l.closeTooltip(); });
             return out; }"""
    )
    assert hovered in tips
    assert sorted(tips) == sorted(libs["name"]), tips  # shown as the text they are
    assert page.evaluate("window.__pwned") is None and dialogs == []
    assert page.locator("img[src=x]").count() == 0
