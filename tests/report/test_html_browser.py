"""The HTML brief in headless Chromium (Debian's, driven by Playwright) with the network off."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import libpolis_test_workspaces as ws  # loaded by path in conftest.py
import pytest

from libpolis.evidence import assemble_evidence
from libpolis.report.blocks import SECTION_IDS
from libpolis.report.brief import render_brief

pytestmark = pytest.mark.browser

_TEXT_COLOURS = """
() => {
  const parse = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const bg = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const out = [];
  for (const el of document.querySelectorAll("h1, h2, h3, p, li, td, th, caption, figcaption, a, code, .value")) {
    if (!el.offsetParent || !el.textContent.trim()) continue;
    out.push({tag: el.tagName, text: el.textContent.trim().slice(0, 40), fg: parse(getComputedStyle(el).color).slice(0, 3), bg: bg(el)});
  }
  return out;
}
"""


def _luminance(rgb: list[float]) -> float:
    def ch(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (ch(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a: list[float], b: list[float]) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


@pytest.fixture(scope="module")
def brief_html(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("html")
    engine = ws.copy_of(ws.shared_demo(tmp_path_factory), out)
    try:
        ev = assemble_evidence(engine, area="Helsinki")
        res = render_brief(ev, out, lang="fr", formats=["html"], today=date(2026, 5, 4))
    finally:
        engine.dispose()
    return Path(res["html"])


def test_offline_page_has_map_and_charts_and_no_errors(browser, brief_html, tmp_path):
    ctx = browser.new_context(offline=True, viewport={"width": 1100, "height": 900})
    page = ctx.new_page()
    errors: list[str] = []
    leaving: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))

    def route(r):
        url = r.request.url
        if url.startswith(("file://", "data:")):
            r.continue_()
        else:
            leaving.append(url)
            r.abort()

    page.route("**/*", route)
    page.goto(brief_html.as_uri())
    page.wait_for_selector("#leaflet-map .leaflet-overlay-pane canvas", timeout=15000)
    assert errors == []
    assert leaving == []
    # the interactive map is drawn: canvas, the legend, the layer control, attribution
    assert page.locator("figure.interactive").is_visible()
    assert page.locator("#leaflet-map .legend").count() == 1
    assert page.locator("#leaflet-map .leaflet-control-layers").count() == 1
    assert "OpenStreetMap" in page.locator("#leaflet-map .leaflet-control-attribution").inner_text()
    # the static maps and charts, each with alternative text
    charts = page.locator("figure.chart")
    keys = charts.evaluate_all("els => els.map(e => e.dataset.chart)")
    assert {"access_map", "coverage_chart", "gap_map", "age_chart"} <= set(keys)
    for i in range(charts.count()):
        fig = charts.nth(i)
        assert fig.locator("svg").count() == 1
        assert len(fig.locator("[role=img]").get_attribute("aria-label")) > 40
        assert fig.locator("svg").bounding_box()["height"] > 100
    # real headings: one h1, one h2 per section and for the contents
    assert page.locator("h1").count() == 1
    assert page.locator("main section > h2").count() == len(SECTION_IDS)
    assert page.locator("html").get_attribute("lang") == "fr"
    page.screenshot(path=str(tmp_path / "brief.png"), full_page=False)
    ctx.close()


def test_static_map_shows_without_javascript(browser, brief_html):
    ctx = browser.new_context(java_script_enabled=False, offline=True)
    page = ctx.new_page()
    page.goto(brief_html.as_uri())
    assert not page.locator("figure.interactive").is_visible()
    svg = page.locator('figure[data-chart="access_map"] svg')
    assert svg.is_visible()
    assert svg.bounding_box()["width"] > 300
    ctx.close()


def test_text_contrast_is_at_least_4_5_to_1(browser, brief_html):
    ctx = browser.new_context(offline=True)
    page = ctx.new_page()
    page.goto(brief_html.as_uri())
    items = page.evaluate(_TEXT_COLOURS)
    assert len(items) > 100
    low = [
        (i["tag"], i["text"], round(_contrast(i["fg"], i["bg"]), 2))
        for i in items
        if _contrast(i["fg"], i["bg"]) < 4.5
    ]
    assert low == []
    ctx.close()


@pytest.fixture(scope="module")
def brief_pt_with_streets(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Portuguese brief of the demo built as ``libpolis report`` does, with the basemap."""
    from libpolis.pipeline import evidence_of

    out = tmp_path_factory.mktemp("html_pt")
    engine = ws.copy_of(ws.shared_demo(tmp_path_factory), out)
    try:
        ev = evidence_of(engine, area="Helsinki")
        assert {"major", "minor"} <= set(ev.tables["basemap"]["layer"])
        res = render_brief(ev, out, lang="pt", formats=["html"], today=date(2026, 5, 4))
    finally:
        engine.dispose()
    return Path(res["html"])


def test_portuguese_brief_with_streets_passes_axe(browser, brief_pt_with_streets):
    """Zero WCAG 2.1 A/AA violations (axe-core, vendored in tests/web/fixtures), the streets
    drawn in the interactive map, the inline scripts allowed by the page's own CSP."""
    axe = Path(__file__).parents[1] / "web" / "fixtures" / "axe.min.js"
    ctx = browser.new_context(offline=True, bypass_csp=False)
    page = ctx.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(brief_pt_with_streets.as_uri())
    page.wait_for_selector("#leaflet-map .leaflet-overlay-pane canvas", timeout=15000)
    assert errors == []  # the CSP hashes cover the scripts that draw the streets
    assert page.locator("#leaflet-map .leaflet-basemap-pane canvas").count() == 1
    alt = page.locator('figure[data-chart="access_map"] [role=img]').get_attribute("aria-label")
    assert "ruas principais" in alt  # the text alternative says the streets are drawn
    ctx.close()
    ctx = browser.new_context(offline=True, bypass_csp=True)  # the test injects axe
    page = ctx.new_page()
    page.goto(brief_pt_with_streets.as_uri())
    page.add_script_tag(content=axe.read_text(encoding="utf-8"))
    found = page.evaluate(
        "async () => (await axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})).violations.map(v => v.id)"
    )
    ctx.close()
    assert found == []
