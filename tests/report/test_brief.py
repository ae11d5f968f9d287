"""The brief as written files: PDF text holds the headline figures as computed from the store,
pdftoppm renders every page, every section is present and says what is missing."""

from __future__ import annotations

import re
import subprocess
from datetime import date
from pathlib import Path

import libpolis_test_workspaces as ws  # loaded by path in conftest.py
import numpy as np
import pytest
from pypdf import PdfReader
from sqlalchemy import Engine, text

from libpolis.errors import DataError
from libpolis.evidence import assemble_evidence
from libpolis.report.brief import render_brief, render_html
from libpolis.report.document import SECTION_IDS
from libpolis.store import read_result

_SPACES = re.compile(r"[\s\u00a0\u202f]+")


def _norm(s: str) -> str:
    return _SPACES.sub(" ", s)


def _expected_headline(engine: Engine) -> dict[str, float]:
    """The five headline figures, computed here with SQL and numpy (not with libpolis)."""
    with engine.connect() as c:
        walk = c.execute(
            text(
                "select count(*) from library where kind not in ('mobile_library', "
                "'hospital_patient_library', 'bookmobile', 'books_by_mail')"
            )
        ).scalar()
    u = read_result(engine, "access_straight_units")
    w = u["population"].to_numpy(float)
    return {
        "walk_in_libraries": float(walk),
        "coverage_1000m": w[u["dist_m"] <= 1000].sum() / w.sum(),
        "mean_dist_m": float(np.average(u["dist_m"], weights=w)),
        "share_nearest_culture_library": w[u["nearest_culture"] == "library"].sum() / w.sum(),
        "underserved_residents": w[u["dist_m"] > 1000].sum(),
    }


def _english(key: str, v: float) -> str:
    if key in ("coverage_1000m", "share_nearest_culture_library"):
        return f"{100 * v:.1f}%"
    if key == "mean_dist_m":
        return f"{v:,.0f} m"
    return f"{v:,.0f}"


def _french(key: str, v: float) -> str:
    if key in ("coverage_1000m", "share_nearest_culture_library"):
        return f"{100 * v:.1f}".replace(".", ",") + " %"
    s = f"{v:,.0f}".replace(",", " ")
    return s + " m" if key == "mean_dist_m" else s


def _spanish(key: str, v: float) -> str:
    if key in ("coverage_1000m", "share_nearest_culture_library"):
        return f"{100 * v:.1f}".replace(".", ",") + " %"
    s = f"{v:,.0f}".replace(",", ".")
    return s + " m" if key == "mean_dist_m" else s


def _brief(engine: Engine, out: Path, *, area: str | None = None, **kw) -> dict:
    """Assemble the evidence of ``engine`` and render its brief into ``out``."""
    return render_brief(assemble_evidence(engine, area=area), out, **kw)


def _pdf_text(path: Path) -> tuple[int, str]:
    r = PdfReader(path)
    return len(r.pages), "\n".join(p.extract_text() for p in r.pages)


@pytest.fixture(scope="module")
def demo_brief(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The English and French demo briefs (HTML and PDF), written once for this module."""
    out = tmp_path_factory.mktemp("brief")
    demo = ws.shared_demo(tmp_path_factory)
    engine = ws.copy_of(demo, out)
    try:
        en = _brief(engine, out, area="Helsinki", lang="en", today=date(2026, 5, 4))
        fr = _brief(engine, out, area="Helsinki", lang="fr", today=date(2026, 5, 4))
        es = _brief(
            engine, out, area="Helsinki", lang="es", formats=["pdf"], today=date(2026, 5, 4)
        )
        expected = _expected_headline(engine)
    finally:
        engine.dispose()
    return {"en": en, "fr": fr, "es": es, "expected": expected, "out": out}


def test_pdf_holds_each_headline_figure_as_computed_from_the_store(demo_brief):
    expected = demo_brief["expected"]
    assert list(demo_brief["en"]["headline"]) == list(expected)
    _, txt = _pdf_text(Path(demo_brief["en"]["pdf"]))
    txt = _norm(txt)
    for key, v in expected.items():
        shown = _english(key, v)
        assert demo_brief["en"]["headline"][key] == shown
        assert shown in txt, (key, shown)
    assert "May 4, 2026" in txt


def test_french_pdf_formats_numbers_and_dates_for_the_locale(demo_brief):
    _, txt = _pdf_text(Path(demo_brief["fr"]["pdf"]))
    txt = _norm(txt)
    for key, v in demo_brief["expected"].items():
        assert _french(key, v) in txt, (key, _french(key, v))
    assert "4 mai 2026" in txt
    assert "Synthèse pour le maire" in txt
    assert "Summary for the mayor" not in txt


def test_spanish_pdf_formats_numbers_and_dates_for_the_locale(demo_brief):
    _, txt = _pdf_text(Path(demo_brief["es"]["pdf"]))
    txt = _norm(txt)
    for key, v in demo_brief["expected"].items():
        assert _spanish(key, v) in txt, (key, _spanish(key, v))
    assert "4 de mayo de 2026" in txt
    assert "Resumen para la alcaldía" in txt


def test_pdf_pages_render_with_pdftoppm(demo_brief, tmp_path):
    ws.need_tool("pdftoppm", "poppler-utils")
    pdf = Path(demo_brief["en"]["pdf"])
    assert pdf.read_bytes()[:5] == b"%PDF-"
    n, txt = _pdf_text(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "40", "-png", str(pdf), str(tmp_path / "p")], check=True, timeout=120
    )
    pngs = sorted(tmp_path.glob("p-*.png"))
    assert len(pngs) == n >= 5
    from PIL import Image

    for p in pngs:
        im = Image.open(p).convert("L")
        assert im.size[1] > im.size[0]  # portrait A4
        assert abs(im.size[1] / im.size[0] - 297 / 210) < 0.02
        assert im.getextrema()[0] < 200  # something is printed on every page
    # page numbers in the footer and a table of contents
    assert re.search(rf"\b1 / {n}\b", txt) and re.search(rf"\b{n} / {n}\b", txt)
    assert "Contents" in txt


def test_every_section_in_order_in_html_and_pdf(demo_brief):
    html = Path(demo_brief["en"]["html"]).read_text(encoding="utf-8")
    pos = [html.index(f'<section id="{s}"') for s in SECTION_IDS]
    assert pos == sorted(pos)
    _, txt = _pdf_text(Path(demo_brief["en"]["pdf"]))
    titles = [
        "Summary for the mayor",
        "Libraries in the city",
        "Culture for all",
        "The right to the city",
        "Development",
        "Human rights at the local level",
        "Partnership opportunities",
        "Methods and sources",
    ]
    body = txt[txt.index("Methods and sources") + 20 :]  # after the table of contents
    idx = [body.index(t) for t in titles]
    assert idx == sorted(idx)


def test_demo_alignments_fill_the_development_and_rights_sections(demo_brief):
    html = Path(demo_brief["en"]["html"]).read_text(encoding="utf-8")
    for sid in ("development", "rights"):
        part = html[html.index(f'<section id="{sid}"') :]
        part = part[: part.index("</section>")]
        assert "<table" in part, sid


def test_sections_without_data_say_what_is_missing_and_how_to_add_it(demo_engine, tmp_path):
    ws.drop_alignments(demo_engine)
    res = _brief(demo_engine, tmp_path, formats=["html"], today=date(2026, 5, 4))
    html = Path(res["html"]).read_text(encoding="utf-8")
    for sid in ("development", "rights", "partnerships"):
        part = html[html.index(f'<section id="{sid}"') :]
        part = part[: part.index("</section>")]
        assert 'class="missing"' in part, sid
        assert "<code>libpolis align</code>" in part, sid
    assert "libpolis import pls" in html  # no library statistics in the demo


def test_empty_workspace_gives_a_brief_that_says_what_is_missing(empty_engine, tmp_path):
    res = _brief(empty_engine, tmp_path, lang="es", today=date(2026, 5, 4))
    html = Path(res["html"]).read_text(encoding="utf-8")
    for sid in SECTION_IDS:
        part = html[html.index(f'<section id="{sid}"') :]
        part = part[: part.index("</section>")]
        assert re.search(r"<(p|table|ol|div)\b", part), f"section {sid} is blank"
    assert html.count('class="missing"') >= 6
    assert "Datos que faltan" in html
    _, txt = _pdf_text(Path(res["pdf"]))
    assert "Datos que faltan" in _norm(txt)
    assert "libpolis access --mode walk" in _norm(txt)
    assert "libpolis import population" in _norm(txt)  # the input really missing
    assert "la ciudad" in txt
    # no name: a neutral title and the command that sets it
    assert "<title>Las bibliotecas y la ciudad</title>" in html
    assert 'libpolis init --name "City"' in _norm(txt)
    assert res["place"] is None and "place_name" in res["missing"]


def test_rich_workspace_fills_development_rights_and_partnerships(rich_engine, tmp_path):
    res = _brief(rich_engine, tmp_path, formats=["html"], today=date(2026, 5, 4))
    html = Path(res["html"]).read_text(encoding="utf-8")
    dev = html[html.index('<section id="development"') :]
    dev = dev[: dev.index("</section>")]
    assert 'data-chart="sdg_chart"' in dev
    assert "Reduced inequalities" in dev and "Quality education" in dev
    rights = html[html.index('<section id="rights"') :]
    rights = rights[: rights.index("</section>")]
    # every article by its short name (data/frameworks/short_names.json), never "Article 26"
    for name in ("Freedom of opinion and information", "Taking part in government", "Education"):
        assert name in rights
    assert "Article " not in rights
    part = html[html.index('<section id="partnerships"') :]
    part = part[: part.index("</section>")]
    assert "A city of learning" in part and "City youth services" in part
    assert "Homework club" in part and "Vuosaari school" in part  # the register
    assert "Tell the city" in html  # a recommendation derived from the alignments
    assert "wifi sessions" in html


def test_unknown_language_and_format_are_refused(empty_engine, tmp_path):
    with pytest.raises(DataError, match="language 'de'"):
        _brief(empty_engine, tmp_path, lang="de")
    with pytest.raises(DataError, match="docx"):
        _brief(empty_engine, tmp_path, formats=["docx"])


def test_html_is_self_contained(demo_brief):
    html = Path(demo_brief["en"]["html"]).read_text(encoding="utf-8")
    markup = re.sub(r"<script\b.*?</script>", "", html, flags=re.S)  # Leaflet's own strings
    assert not re.search(r"""(src|href)=["'](https?:)?//""", markup)
    assert "<script src" not in html and "<link " not in html
    assert "url(images/" not in html
    assert "L.map(" in html and '"type":"FeatureCollection"' in html
    assert html.count("<svg") >= 4
    assert render_html  # the renderer is public


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_demo_brief_has_no_placeholders_and_keeps_its_count(demo_brief, lang):
    html = Path(demo_brief[lang]["html"]).read_text(encoding="utf-8")
    visible = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    visible = _norm(re.sub(r"<[^>]+>", " ", visible))
    _, pdf = _pdf_text(Path(demo_brief[lang]["pdf"]))
    for shown in (visible, _norm(pdf)):
        assert not re.search(r"\bNone\b", shown)
        assert not re.search(r"\bnan\b", shown, flags=re.I)
        assert not re.search(r"\s[–—]\s*[.,;:!?]", shown)
    summary = html[html.index('<section id="summary"') :]
    summary = summary[: summary.index("</section>")]
    items = re.search(r"<ol>(.*?)</ol>", summary, flags=re.S).group(1).count("<li>")
    word = {"Three": 3, "Two": 2, "One": 1, "Trois": 3, "Deux": 2, "Une": 1}
    announced = re.search(r'<p class="note">(\w+) recom', summary).group(1)
    assert word[announced] == items
    assert "Gini" in visible and "E2SFCA" in visible
