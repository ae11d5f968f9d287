"""A brief for a city no one prepared: a bare OpenStreetMap extract plus a population file (no
areas, no programmes, no statistics, no name). The brief must read right: no "None", no "nan",
no sentence ending in a dash, as many recommendations as it announces, every access figure with
its mode, and each missing input named with the command that adds it."""

from __future__ import annotations

import html as html_lib
import re
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from libpolis.cli import app
from libpolis.evidence import Evidence, assemble_evidence
from libpolis.report.brief import render_brief
from libpolis.store import open_store

DATA = Path(__file__).parents[1] / "data" / "access"
PBF = DATA / "helsinki_center.osm.pbf"
POPULATION = DATA / "equity_helsinki_population_grid_2020_centroids.csv"

_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_COUNT = {
    "en": {"One": 1, "Two": 2, "Three": 3},
    "fr": {"Une": 1, "Deux": 2, "Trois": 3},
    "es": {"Una": 1, "Dos": 2, "Tres": 3},
}


def _cli(*args: str) -> None:
    res = CliRunner().invoke(app, list(args))
    assert res.exit_code == 0, res.output


@pytest.fixture(scope="module")
def bare(tmp_path_factory: pytest.TempPathFactory) -> tuple[Evidence, dict[str, dict]]:
    """The workspace built as a new user would, and its briefs in en, fr and es."""
    root = tmp_path_factory.mktemp("bare")
    ws = str(root / "city.sqlite")
    _cli("init", "-w", ws)
    _cli("import", "osm", str(PBF), "-w", ws)
    _cli(
        "import", "population", str(POPULATION), "-w", ws,
        "--x-column", "lon", "--y-column", "lat", "--crs", "EPSG:4326",
        "--id-column", "id", "--population-column", "population",
    )  # fmt: skip
    _cli("access", "--mode", "walk", "-w", ws)
    _cli("access", "--mode", "straight", "-w", ws)
    engine = open_store(f"sqlite:///{ws}")
    try:
        ev = assemble_evidence(engine)
    finally:
        engine.dispose()
    briefs = {
        lang: render_brief(ev, root / "out", lang=lang, today=date(2026, 5, 4))
        for lang in ("en", "fr", "es")
    }
    return ev, briefs


def _html_text(path: str) -> tuple[str, list[str]]:
    """The visible text of the HTML brief and its paragraphs and list items."""
    page = Path(path).read_text(encoding="utf-8")
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    blocks = [
        _SPACES.sub(" ", html_lib.unescape(re.sub(r"<[^>]+>", "", b))).strip()
        for b in re.findall(r"<(?:p|li|h1|h2|h3|caption|td|th)\b[^>]*>(.*?)</", page, flags=re.S)
    ]
    text = _SPACES.sub(" ", html_lib.unescape(re.sub(r"<[^>]+>", " ", page)))
    return text, blocks


def _pdf_text(path: str) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(path).pages)


def _no_placeholders(text: str) -> None:
    assert not re.search(r"\bNone\b", text), "None in the brief"
    assert not re.search(r"\bnan\b", text, flags=re.I), "nan in the brief"
    assert not re.search(r"\s[–—]\s*[.,;:!?]", text), "a sentence ends in a dash"
    assert "{" not in text.replace("{}", ""), "an unfilled placeholder"


@pytest.mark.parametrize("lang", ["en", "fr", "es"])
def test_html_brief_has_no_placeholders_and_keeps_its_count(bare, lang):
    ev, briefs = bare
    text, blocks = _html_text(briefs[lang]["html"])
    _no_placeholders(text)
    for b in blocks:
        assert not re.search(r"[–—]$", b) or len(b) == 1, f"a text ends in a dash: {b!r}"
    page = Path(briefs[lang]["html"]).read_text(encoding="utf-8")
    summary = page[page.index('<section id="summary"') :]
    summary = summary[: summary.index("</section>")]
    word = re.search(r'<p class="note">(\w+) recom', summary).group(1)
    items = re.search(r"<ol>(.*?)</ol>", summary, flags=re.S).group(1).count("<li>")
    assert _COUNT[lang][word] == items == len(ev.recommendations)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_pdf_brief_has_no_placeholders_and_keeps_its_count(bare, lang):
    ev, briefs = bare
    text = _pdf_text(briefs[lang]["pdf"])
    _no_placeholders(_SPACES.sub(" ", text))
    first = text[: text.index("2 / ")]  # the summary is on the first page
    word = re.search(r"\b(\w+) recom\w+,", first).group(1)
    listed = re.findall(r"^(\d)\. ", first, flags=re.M)
    assert _COUNT[lang][word] == len(listed) == len(ev.recommendations)
    assert listed == [str(i + 1) for i in range(len(listed))]


def test_without_a_name_the_brief_is_neutral_and_says_how_to_set_it(bare):
    ev, briefs = bare
    assert ev.place_name is None or briefs["en"]["place"] == ev.place_name
    text, _ = _html_text(briefs["en"]["html"])
    if ev.place_name is None:
        assert "<title>Libraries and the city</title>" in Path(briefs["en"]["html"]).read_text(
            encoding="utf-8"
        )
        assert 'libpolis init --name "City"' in text
        assert "place_name" in briefs["en"]["missing"]


def test_every_access_figure_states_its_mode_and_inequality_is_shown(bare):
    ev, briefs = bare
    access = [
        f
        for f in ev.figures.values()
        if f.key.startswith(("coverage_", "mean_", "access_", "residents", "gini", "e2sfca"))
        or f.key in ("underserved_residents", "share_nearest_culture_library", "new_site_gain")
    ]
    assert access
    for f in access:
        assert f.mode in ("straight", "walk", "bike", "drive"), f.key
    text, _ = _html_text(briefs["en"]["html"])
    assert "Gini index" in text
    if "e2sfca_mean" in ev.figures:
        assert "E2SFCA" in text
    # the headline is straight-line, the partial walking run says its mode and its scope
    assert ev.headline_mode == "straight"
    assert "Residents within 1,000 m of a library (straight line)" in text
    assert "(walking)" in text


def test_missing_inputs_name_the_command_that_adds_them(bare):
    ev, briefs = bare
    text, _ = _html_text(briefs["en"]["html"])
    for topic, command in (
        ("programmes", "libpolis import programmes"),
        ("districts", "libpolis import areas"),
        ("statistics", "libpolis import pls"),
        ("sdg", "libpolis align"),
    ):
        assert topic in ev.missing, topic
        assert command in text, command


def test_a_workspace_without_population_asks_for_population(tmp_path):
    ws = str(tmp_path / "city.sqlite")
    _cli("init", "-w", ws)
    _cli("import", "osm", str(PBF), "-w", ws)
    engine = open_store(f"sqlite:///{ws}")
    try:
        ev = assemble_evidence(engine)
    finally:
        engine.dispose()
    assert "libpolis import population" in ev.missing["access"]
    res = render_brief(ev, tmp_path / "out", formats=["html"], today=date(2026, 5, 4))
    text, _ = _html_text(res["html"])
    _no_placeholders(text)
    assert "the workspace holds no population, so access cannot be measured" in text
