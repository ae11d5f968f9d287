"""Every page passes axe-core (WCAG 2.0/2.1 A and AA rules) with zero violations, anonymous and
signed in, in English and Portuguese — the register's forms (new, edit, re-rendered with errors),
a partnership with indicators, measurements and its trend chart, the self-assessment pages, the
surveys page and the public survey form included; the skip link and a visible focus work from the
keyboard; a Portuguese partnership page shows Portuguese words, numbers and dates.

axe-core is vendored in ``tests/web/fixtures`` (see its PROVENANCE.md) and injected into each
page with Playwright; nothing is downloaded.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

AXE = Path(__file__).parent / "fixtures" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

pytestmark = pytest.mark.browser


PLS_SAMPLE = Path(__file__).parents[1] / "data" / "sources" / "pls_systems_sample.csv"


@pytest.fixture(scope="module")
def site(tmp_path_factory, password_hash, web_kit, chromium) -> Iterator[dict[str, Any]]:
    """A server on a seeded workspace with one record of each kind; its page paths."""
    from libpolis.store import open_store
    from libpolis.web.app import create_app

    tmp = tmp_path_factory.mktemp("a11y")
    engine = open_store(f"sqlite:///{tmp / 'ws.sqlite'}")
    ids = web_kit.seed(engine, password_hash)
    app = create_app(engine, secret_key=web_kit.SECRET, documents_dir=tmp / "docs")
    admin = web_kit.login(app, "admin")
    prog = admin.post("/api/programmes", json={"title": "Storytime for children",
                      "description": "Reading aloud for children and families.",
                      "library_id": ids["library_a"]}).json()  # fmt: skip
    partner = admin.post("/api/partners", json={"name": "Youth centre", "kind": "city"}).json()
    goal = admin.post("/api/goals", json={"code": "CG-1", "title": "Every child reads"}).json()
    ship = admin.post("/api/partnerships", json={"title": "Reading together",
                      "partner_id": partner["id"], "published": True, "start_date": "2026-03-05",
                      "budget": 1234.5}).json()  # fmt: skip
    ind = admin.post(f"/api/partnerships/{ship['id']}/indicators",
                     json={"name": "Children reached", "unit": "people", "baseline": 120,
                           "target": 1234.5}).json()  # fmt: skip
    for day, value in (("2026-03-05", 150), ("2026-06-01", 410)):
        r = admin.post(f"/api/indicators/{ind['id']}/measurements",
                       json={"value": value, "measured_on": day, "source": "visitor count"})  # fmt: skip
        assert r.status_code in (200, 201), r.text
    # library statistics (a slice of the real PLS) for the peer benchmark page
    from libpolis.pipeline import IndicatorsRequest, run_indicators

    run_indicators(engine, IndicatorsRequest(systems=str(PLS_SAMPLE)))
    year = time.gmtime().tm_year
    r = admin.post(f"/api/assessment/{year}", json={"answers": [
        {"action": "1.1", "level": 5, "evidence": "Free cards for everyone."}]})  # fmt: skip
    assert r.status_code == 200, r.text
    r = admin.post("/surveys/new", data={"programme_id": str(prog["id"]), "area": "early_literacy",
                   "label": "Mon 10:00", "district": "Centre",
                   "csrf_token": admin.headers["X-CSRF-Token"]},
                   headers={"X-CSRF-Token": ""}, follow_redirects=False)  # fmt: skip
    assert r.status_code == 303, r.text[:300]
    token = re.findall(r'href="/s/([A-Za-z0-9_-]+)"', admin.get("/surveys").text)[-1]
    with web_kit.serve(app) as url:
        yield _pages(url, ids, prog, partner, goal, ship, token, year)
    engine.dispose()


def _pages(url, ids, prog, partner, goal, ship, token, year) -> dict[str, Any]:
    """The site's URL and the paths of its pages, anonymous and signed in."""
    public = [
        "/",
        "/libraries",
        f"/libraries/{ids['library_a']}",
        "/programmes",
        f"/programmes/{prog['id']}",
        "/partners",
        "/partnerships",
        f"/partnerships/{ship['id']}",
        "/goals",
        "/benchmark?system=AK0016&locale=any&population_factor=3",
        f"/s/{token}",
        "/login",
        "/api/docs",
        "/no-such-page",
    ]
    signed_in = [
        *public[:-2],
        "/users",
        "/audit",
        "/programmes/new",
        f"/programmes/{prog['id']}/edit",
        "/partners/new",
        f"/partners/{partner['id']}/edit",
        "/partnerships/new",
        f"/partnerships/{ship['id']}/edit",
        "/goals/new",
        f"/goals/{goal['id']}/edit",
        "/assessment",
        f"/assessment/{year}",
        "/surveys",
    ]
    return {"url": url, "public": public, "signed_in": signed_in, "ship": ship["id"]}


def _violations(page: Any) -> list[dict[str, Any]]:
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", TAGS
    )
    return result["violations"]


def _summary(path: str, violations: list[dict[str, Any]]) -> list[str]:
    return [
        f"{path}: {v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(n["target"][0] if n["target"] else "?" for n in v["nodes"][:4])
        for v in violations
    ]


def _sign_in(page: Any, url: str, web_kit: Any) -> None:
    page.goto(f"{url}/login")
    page.fill("input[name=email]", "admin@example.org")
    page.fill("input[name=password]", web_kit.PASSWORD)
    page.click("form.card button[type=submit]")
    page.wait_for_url(f"{url}/")


def _check(page: Any, url: str, paths: list[str], shots: Path | None, tag: str) -> list[str]:
    found: list[str] = []
    for path in paths:
        page.goto(url + path)
        page.wait_for_load_state("networkidle")
        found += _summary(path, _violations(page))
        if shots:
            name = path.strip("/").replace("/", "_") or "dashboard"
            page.screenshot(path=str(shots / f"{tag}-{name}.png"), full_page=True)
    return found


@pytest.mark.parametrize("lang", ["en", "pt"])
def test_every_page_passes_axe(site, browser, web_kit, lang) -> None:
    shots_env = os.environ.get("LIBPOLIS_SCREENSHOTS")
    shots = Path(shots_env) if shots_env else None
    if shots:
        shots.mkdir(parents=True, exist_ok=True)
    # bypass_csp: the app allows only its own scripts; axe is injected by the test
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale=lang, bypass_csp=True)
    page = ctx.new_page()
    found = _check(page, site["url"], site["public"], shots, f"anon-{lang}")
    assert page.get_attribute("html", "lang") == lang  # Accept-Language from the locale
    _sign_in(page, site["url"], web_kit)
    found += _check(page, site["url"], site["signed_in"], shots, f"admin-{lang}")
    found += _check_invalid_form(page, site["url"], shots, f"admin-{lang}")
    ctx.close()
    assert found == [], "\n".join(found)


def _check_invalid_form(page: Any, url: str, shots: Path | None, tag: str) -> list[str]:
    """The partnership form sent with wrong fields comes back with its messages (422) and
    still passes axe."""
    page.goto(url + "/partnerships/new")
    page.fill("#f-title", "")
    page.fill("#f-start_date", "2026-05-01")
    page.fill("#f-end_date", "2026-04-01")
    page.fill("#f-budget", "-5")
    page.fill("#f-contact_email-1", "not-an-address")
    page.fill("#f-contact_name-1", "Ana")
    page.click("form.card button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator("#form-errors").count() == 1
    if shots:
        page.screenshot(path=str(shots / f"{tag}-partnership-errors.png"), full_page=True)
    return _summary("/partnerships/new (errors)", _violations(page))


def test_partnership_page_in_portuguese(site, browser) -> None:
    """Words, numbers and dates of a partnership page follow the page's language."""
    ctx = browser.new_context(locale="pt-BR")
    page = ctx.new_page()
    page.goto(f"{site['url']}/partnerships/{site['ship']}")
    text = page.inner_text("main")
    budget = page.inner_text("#budget")
    start = page.inner_text("#start-date")
    ctx.close()
    assert budget == "1.234,50", budget
    assert start == "5 de março de 2026", start
    for word in ("Orçamento", "Início", "Indicadores", "Linha de base", "Meta", "ideia"):
        assert word in text, word
    assert "1.234,5" in text  # the indicator's target
    assert "Budget" not in text and "Baseline" not in text


def test_axe_finds_a_violation(site, browser) -> None:
    """The check can fail: an image without a text alternative is reported."""
    ctx = browser.new_context(bypass_csp=True)
    page = ctx.new_page()
    page.goto(site["url"] + "/login")
    page.evaluate(
        "() => { const i = document.createElement('img'); i.src = '/static/favicon.svg';"
        " document.querySelector('main').appendChild(i); }"
    )
    ids = [v["id"] for v in _violations(page)]
    ctx.close()
    assert "image-alt" in ids


def test_keyboard_reaches_the_skip_link_and_sees_focus(site, browser) -> None:
    ctx = browser.new_context()
    page = ctx.new_page()
    page.goto(site["url"] + "/libraries")
    page.keyboard.press("Tab")
    focused = page.evaluate("() => document.activeElement.className")
    assert focused == "skip"
    box = page.locator("a.skip").bounding_box()
    assert box is not None and box["y"] >= 0  # it shows when focused
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("none", "")
    page.keyboard.press("Enter")
    assert page.evaluate("() => location.hash") == "#main"
    # the language switch works without a script: choose, submit, same page in Portuguese
    page.select_option("#lang-select", "pt")
    page.locator(".lang-switch [type=submit]").click()
    page.wait_for_load_state()
    assert page.get_attribute("html", "lang") == "pt"
    assert page.url.endswith("/libraries")
    ctx.close()
    json.dumps(box)
