"""Words of the register and advocacy pages that come from data reach the catalog and the page
in its language: survey wordings, the self-assessment's actions and stages, statuses, form
validation messages, the nav links of the advocacy pages."""

from __future__ import annotations

import json
from importlib import resources

from libpolis.evidence.format import NumberFormat
from libpolis.stats.culture21 import commitments, stage_of
from libpolis.web.i18n import PAGE_WORDS, PageMessage, translations
from libpolis.web.routes._common import validate_form
from libpolis.web.schemas import PartnershipCreate
from libpolis.web.words import ADVOCACY_WORDS


def _survey_wordings() -> set[str]:
    path = resources.files("libpolis") / "data" / "surveys" / "templates.json"
    t = json.loads(path.read_text(encoding="utf-8"))
    words = set(t["scale"]["labels"]) | set(t["dimensions"]) | set(t["open"].values())
    for area in t["areas"].values():
        words |= {area["title"], *area["questions"].values()}
    return words


def test_every_survey_wording_and_stage_is_catalogued() -> None:
    marked = set(ADVOCACY_WORDS)
    actions = {a.text for c in commitments() for a in c.actions}
    missing = (_survey_wordings() | actions | {stage_of(x) for x in (1, 5, 9)}) - marked
    assert missing == set()
    pt = translations("pt")
    assert all(pt.gettext(w) != w for w in marked), [w for w in marked if pt.gettext(w) == w]
    assert pt.gettext("Strongly agree") == "Concordo totalmente"


def test_ended_is_a_page_word_in_each_language() -> None:
    assert "ended" in PAGE_WORDS
    got = {lang: translations(lang).gettext("ended") for lang in ("fr", "es", "pt")}
    assert got == {"fr": "terminé", "es": "finalizada", "pt": "encerrada"}


def test_form_messages_are_written_in_the_page_language() -> None:
    contact = {"side": "library", "name": "Ana", "email": "ana-at-home"}
    _, errors = validate_form(
        PartnershipCreate, {"title": "", "budget": "-5", "contacts": [contact]}
    )
    assert all(isinstance(v, PageMessage) for v in errors.values()), errors
    assert errors["title"] == "This field is required."  # English as a str (the API's form)
    pt, fmt = translations("pt"), NumberFormat("pt")
    assert errors["title"].translated(pt, fmt) == "Este campo é obrigatório."
    assert errors["budget"].translated(pt, fmt) == "Escreva um número de pelo menos 0."
    assert errors["contacts"].translated(translations("fr"), NumberFormat("fr")) == (
        "ligne 1, courriel : 'ana-at-home' n'est pas une adresse électronique (nom@exemple.org)"
    )


def test_partnership_form_with_errors_in_portuguese(web, client_for) -> None:
    officer = client_for("officer")
    officer.cookies.set("lang", "pt")
    r = officer.post(
        "/partnerships/new",
        data={"title": "", "budget": "abc", "csrf_token": officer.headers["X-CSRF-Token"]},
        headers={"X-CSRF-Token": ""},
    )
    assert r.status_code == 422, r.text[:300]
    assert "Este campo é obrigatório." in r.text
    assert "Escreva um número, p. ex. 1500.50." in r.text
    assert "<strong>Erro:</strong>" in r.text and "Error:" not in r.text
    assert "Nova parceria" in r.text and "Pesquisar" in r.text
    r = officer.post(
        "/partnerships/new",
        data={"title": "Datas", "start_date": "2026-05-01", "end_date": "2026-04-01",
              "csrf_token": officer.headers["X-CSRF-Token"]},
        headers={"X-CSRF-Token": ""},
    )  # fmt: skip
    assert r.status_code == 422, r.text[:300]
    assert "A data 2026-04-01 é anterior ao início, 2026-05-01." in r.text


def test_nav_links_to_the_advocacy_pages_follow_the_access_rules(web, client_for) -> None:
    """Signed-in users read the self-assessment; staff, officers and admins make surveys."""
    seen = {}
    for role in (None, "viewer", "staff", "officer", "admin"):
        client = client_for(role)
        client.cookies.set("lang", "fr")
        page = client.get("/libraries").text
        nav = page.split('<nav aria-label="', 1)[1].split("</nav>", 1)[0]
        seen[role] = ('href="/assessment">Auto-évaluation<' in nav, 'href="/surveys">Enquêtes<' in nav)
        for path, shown in zip(("/assessment", "/surveys"), seen[role], strict=True):
            if shown:
                assert client.get(path).status_code == 200, (role, path)
    assert seen == {None: (False, False), "viewer": (True, False), "staff": (True, True),
                    "officer": (True, True), "admin": (True, True)}  # fmt: skip


def test_assessment_pages_in_portuguese(web, client_for) -> None:
    """Commitments without a Portuguese UCLG title show libpolis's Portuguese short name;
    actions, stages and scores are Portuguese."""
    staff = client_for("staff")
    r = staff.post("/api/assessment/2025", json={"answers": [{"action": "1.1", "level": 5}]})
    assert r.status_code == 200, r.text
    staff.cookies.set("lang", "pt")
    overview = staff.get("/assessment").text
    assert "1. A cultura, direito de todos" in overview
    assert "5,0 (em desenvolvimento; 1 ação avaliada de" in overview
    year = staff.get("/assessment/2025").text
    assert "Os moradores de todos os bairros e faixas de renda podem chegar" in year
    assert "5 (em desenvolvimento)" in year and "Nível da ação 6.1" in year
    staff.cookies.set("lang", "fr")
    assert "1. Droits culturels" in staff.get("/assessment").text  # UCLG's title where it exists
