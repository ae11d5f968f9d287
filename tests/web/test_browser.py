"""Browser tests with Playwright and Debian's chromium against a real uvicorn server.

A person signs in, adds a programme, confirms an alignment, records a partnership and moves it
to "agreed", and downloads the brief; an officer records a partnership with every field through
the searchable pickers, attaches a PDF, records two measurements and sees the trend; the same
form is completed with the keyboard alone. The browser console stays free of errors.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory, password_hash, web_kit, chromium) -> Iterator[str]:
    from libpolis.store import open_store, session_scope
    from libpolis.web.crud import create_goal, create_partner, create_programme
    from libpolis.web.schemas import GoalCreate, PartnerCreate, ProgrammeCreate

    tmp = tmp_path_factory.mktemp("browser")
    engine = open_store(f"sqlite:///{tmp / 'ws.sqlite'}")
    ids = web_kit.seed(engine, password_hash)
    with session_scope(engine) as s:
        from libpolis.store.tables import User

        officer = s.get(User, ids["user_officer"])
        admin = s.get(User, ids["user_admin"])
        create_programme(s, data=ProgrammeCreate(title="Chess club"), user=admin)
        create_programme(
            s, data=ProgrammeCreate(title="Story hour", library_id=ids["library_a"]), user=admin
        )
        create_partner(s, data=PartnerCreate(name="City health services"), user=officer)
        create_goal(
            s,
            data=GoalCreate(
                code="CG-1",
                title="Every child reads",
                text="Reading and literacy for children and families in every district",
            ),
            user=officer,
        )
    from libpolis.web.app import create_app

    app = create_app(engine, secret_key=web_kit.SECRET, documents_dir=tmp / "docs")
    with web_kit.serve(app) as url:
        yield url
    engine.dispose()


def test_person_records_a_partnership(server, browser, web_kit, tmp_path) -> None:
    ctx = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    shots = Path(os.environ.get("LIBPOLIS_SCREENSHOTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)

    # sign in (the dashboard sends the person to the sign-in page for writes)
    page.goto(f"{server}/programmes/new")
    assert "/login" in page.url
    page.fill("input[name=email]", "staff@example.org")
    page.fill("input[name=password]", web_kit.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{server}/programmes/new")

    # add a programme
    page.fill("input[name=title]", "Storytime for children")
    page.fill(
        "textarea[name=description]",
        "Reading aloud for children and their families, every Saturday.",
    )
    page.select_option("select[name=library_id]", label="Library A")
    page.click("form.card button[type=submit]")
    page.wait_for_url("**/programmes/*")
    assert page.inner_text("h1") == "Storytime for children"
    row = page.locator("table.alignments tbody tr").filter(has_text="CG-1")
    assert row.count() == 1
    assert "suggested" in row.inner_text()
    page.screenshot(path=str(shots / "programme.png"), full_page=True)

    # confirm the alignment (htmx swaps the row in place)
    row.get_by_role("button", name="Confirm").click()
    confirmed = page.locator("table.alignments tr.status-confirmed").filter(has_text="CG-1")
    confirmed.wait_for()
    assert "staff@example.org" in confirmed.inner_text()
    page.reload()
    assert page.locator("tr.status-confirmed").filter(has_text="CG-1").count() == 1

    # the programme list searches as one types (htmx swaps the results in place)
    page.goto(f"{server}/programmes")
    assert page.locator("#results tbody tr").count() == 3
    page.locator("input[name=q]").press_sequentially("Storytime")
    deadline = time.monotonic() + 15
    while "q=Storytime" not in page.url and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert "q=Storytime" in page.url
    assert page.locator("#results tbody tr").count() == 1
    assert "Storytime for children" in page.inner_text("#results")

    # record a partnership and move it to "agreed"
    page.goto(f"{server}/partnerships/new")
    page.fill("input[name=title]", "Reading buddies with schools")
    page.fill("textarea[name=purpose]", "Pupils read with volunteers in the library.")
    page.select_option("select[name=library_system_id]", label="System A")
    page.locator("#goal_ids-q").press_sequentially("CG-1")
    page.locator("#goal_ids-options button.pick", has_text="Every child reads").click()
    assert page.locator("#goal_ids-chosen .chip").count() == 1
    page.click("form.card button[type=submit]")
    page.wait_for_url(re.compile(r".*/partnerships/[0-9]+$"))
    assert page.inner_text("#status") == "idea"
    for status in ("proposed", "agreed"):
        page.get_by_role("button", name=f"Move to “{status}”").click()
        page.wait_for_load_state()
        assert page.inner_text("#status") == status
    history = page.locator("h2:text('History') + table tbody tr")
    assert history.count() == 3
    page.screenshot(path=str(shots / "partnership.png"), full_page=True)

    # the dashboard and its map, then download the brief
    page.goto(f"{server}/")
    page.wait_for_selector("#map .leaflet-control-layers")  # added once the layers loaded
    page.screenshot(path=str(shots / "dashboard.png"), full_page=True)
    with page.expect_download() as dl:
        page.click("a[href='/api/brief.html']")
    target = tmp_path / "brief.html"
    dl.value.save_as(target)
    assert target.stat().st_size > 1000 and "<html" in target.read_text().lower()

    ctx.close()
    assert problems == []
    shutil.rmtree(tmp_path / "unused", ignore_errors=True)


PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _sign_in(page, server: str, web_kit, email: str, then: str) -> None:
    page.goto(f"{server}{then}")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", web_kit.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{server}{then}")


def _pick(page, field: str, typed: str, label: str) -> None:
    """Type into a picker's search box and choose the option named ``label``."""
    page.locator(f"#{field}-q").fill("")
    page.locator(f"#{field}-q").press_sequentially(typed)
    option = page.locator(f"#{field}-options button.pick", has_text=label)
    option.wait_for()
    option.click()
    page.locator(f"#{field}-chosen .chip", has_text=label).wait_for()


@pytest.mark.parametrize("lang", ["en", "fr", "es", "pt"])
def test_partnership_with_every_field_pdf_and_trend(
    server, browser, web_kit, tmp_path, lang: str
) -> None:
    """In each language of the web: every field, a PDF, two measurements and the trend; the
    buttons are found by their translated names, dates and numbers read as Babel writes them."""
    from datetime import date

    from libpolis.evidence.format import NumberFormat
    from libpolis.web.i18n import DATE_ORDER_MESSAGE, translations

    t = translations(lang).gettext
    fmt = NumberFormat(lang)
    title = f"Health info desk ({lang})"
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    shots = Path(os.environ.get("LIBPOLIS_SCREENSHOTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    _sign_in(page, server, web_kit, "officer@example.org", "/partnerships/new")
    page.goto(f"{server}/partnerships/new?lang={lang}")  # the switch's cookie, then the form
    page.wait_for_url(f"{server}/partnerships/new")
    assert page.get_attribute("html", "lang") == lang
    expected = "the server responded with a status of 422"  # the form sent with a mistake

    # the pickers replaced their plain selects
    assert page.locator("select[name=goal_ids]").count() == 0
    # a mistake is shown next to its field, and nothing typed is lost
    page.fill("#f-title", title)
    page.fill("#f-start_date", "2026-01-15")
    page.fill("#f-end_date", "2026-01-01")
    page.click("form.card > button[type=submit]")
    page.locator("#end_date-error").wait_for()
    said = page.inner_text("#end_date-error")
    assert t(DATE_ORDER_MESSAGE).split("%(")[0].strip() in said  # in the page's language
    if lang == "en":
        assert "is before the start, 2026-01-15" in said
    assert page.get_attribute("#f-end_date", "aria-invalid") == "true"
    assert page.input_value("#f-title") == title
    page.screenshot(path=str(shots / f"partnership_form_error_{lang}.png"), full_page=False)
    page.fill("#f-title", title)
    page.fill("#f-purpose", "Health advice in the libraries, with the city's nurses.")
    page.select_option("#f-partner_id", label="City health services")
    page.select_option("#f-library_system_id", label="System A")
    page.fill("#f-start_date", "2026-01-15")
    page.fill("#f-end_date", "2027-06-30")
    page.fill("#f-review_date", "2026-09-01")
    page.fill("#f-budget", "12500.50")
    page.fill("#f-funding_source", "City culture budget")
    page.fill("#f-contact_name-1", "Aino Virtanen")
    page.fill("#f-contact_role-1", "Branch head")
    page.fill("#f-contact_email-1", "aino@example.org")
    page.fill("#f-contact_name-2", "Maija Mehiläinen")
    page.fill("#f-contact_role-2", "Nurse")
    _pick(page, "library_ids", "Library", "Library A")
    _pick(page, "library_ids", "Library B", "Library B")
    _pick(page, "programme_ids", "Story", "Story hour")
    _pick(page, "goal_ids", "child", "Every child reads")
    # a chip can be removed again
    page.get_by_role("button", name=f"{t('Remove')} Library B").click()
    assert page.locator("#library_ids-chosen .chip").count() == 1
    page.check("#f-published")
    page.screenshot(path=str(shots / f"partnership_form_{lang}.png"), full_page=True)
    page.click("form.card > button[type=submit]")
    page.wait_for_url(re.compile(r".*/partnerships/[0-9]+$"))
    assert page.inner_text("h1") == title
    assert page.inner_text("#start-date") == fmt.date(date(2026, 1, 15))
    assert page.inner_text("#end-date") == fmt.date(date(2027, 6, 30))
    assert page.inner_text("#budget") == fmt.num(12500.5, 2)
    if lang == "en":  # what Babel gives, written out once
        assert (fmt.date(date(2026, 1, 15)), fmt.num(12500.5, 2)) == ("January 15, 2026",
                                                                      "12,500.50")  # fmt: skip
    if lang == "pt":
        assert (fmt.date(date(2026, 1, 15)), fmt.num(12500.5, 2)) == ("15 de janeiro de 2026",
                                                                      "12.500,50")  # fmt: skip
    assert page.inner_text("#funding-source") == "City culture budget"
    assert page.inner_text("#libraries") == "Library A"
    assert page.inner_text("#programmes") == "Story hour"
    assert "Aino Virtanen" in page.inner_text("#contacts")
    assert "Maija Mehiläinen" in page.inner_text("#contacts")
    assert "Every child reads" in page.inner_text("#goals")

    # attach the agreement (a PDF)
    page.fill("#d-title", "Signed agreement")
    page.set_input_files(
        "#d-file", files=[{"name": "agreement.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.get_by_role("button", name=t("Upload")).click()
    page.wait_for_load_state()
    assert page.locator("#documents + ul a", has_text="Signed agreement").count() == 1

    # an indicator with its baseline and target, then two measurements
    page.fill("#i-name", "Visitors advised")
    page.fill("#i-unit", "people")
    page.fill("#i-baseline", "120")
    page.fill("#i-target", "400")
    page.get_by_role("button", name=t("Add indicator")).click()
    page.wait_for_load_state()
    section = page.locator("section.indicator", has_text="Visitors advised")
    for value, day in (("210", "2026-03-31"), ("320", "2026-06-30")):
        section.locator("input[name=value]").fill(value)
        section.locator("input[name=measured_on]").fill(day)
        section.get_by_role("button", name=t("Record measurement")).click()
        page.wait_for_load_state()
        section = page.locator("section.indicator", has_text="Visitors advised")
    chart = section.locator("svg.trend")
    assert chart.is_visible()
    assert chart.locator("circle").count() == 2
    desc = chart.locator("desc").text_content() or ""
    assert "320" in desc
    if lang == "en":
        assert "latest value 320 people" in desc
    assert section.locator("table.measurements tbody tr").count() == 2
    assert section.locator("dd.target").inner_text() == fmt.num(400, 0)
    assert section.locator("dd.measured-on").inner_text() == fmt.date(date(2026, 6, 30))
    page.screenshot(path=str(shots / f"partnership_record_{lang}.png"), full_page=True)
    ctx.close()
    assert [p for p in problems if expected not in p] == []
    assert len(problems) <= 1


def test_partnership_form_by_keyboard_alone(server, browser, web_kit) -> None:
    """Tab, typing and Enter only: from the page's top to a saved partnership."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(f"{server}/login?next=/partnerships/new")
    kb = page.keyboard

    def tab_to(selector: str, limit: int = 40) -> None:
        for _ in range(limit):
            kb.press("Tab")
            if page.evaluate(f"document.activeElement.matches({selector!r})"):
                return
        raise AssertionError(f"Tab never reached {selector}")

    def search(kb, field: str, kind: str, typed: str) -> None:
        """Type into a picker and wait until the options for the whole text are shown."""

        def for_typed(r) -> bool:
            q = parse_qs(urlparse(r.url).query).get("q")
            return f"/pickers/{kind}" in r.url and q == [typed]

        with page.expect_response(for_typed):
            kb.type(typed)
        page.wait_for_function(
            "id => document.querySelectorAll(`#${id}-options button.pick`).length === 1 && "
            "!document.querySelector(`#${id}-q.htmx-request`)",
            arg=field,
        )

    tab_to("input[name=email]")
    kb.type("staff@example.org")
    tab_to("input[name=password]")
    kb.type(web_kit.PASSWORD)
    kb.press("Enter")
    page.wait_for_url(f"{server}/partnerships/new")
    tab_to("#f-title")
    kb.type("Keyboard pact")
    tab_to("#f-purpose")
    kb.type("Made without a mouse.")
    tab_to("#f-library_system_id")
    kb.type("System A")  # typing selects the option that starts with it
    tab_to("#f-start_date")
    kb.type("02012026")
    tab_to("#f-budget")
    kb.type("750")
    tab_to("#f-contact_name-1")
    kb.type("Aino")
    tab_to("#library_ids-q")
    search(kb, "library_ids", "libraries", "Library A")
    kb.press("Enter")  # the first match is chosen; the form is not sent
    tab_to("#goal_ids-q")
    search(kb, "goal_ids", "goals", "child")
    tab_to("#goal_ids-options button.pick")
    kb.press("Enter")
    assert page.locator("#library_ids-chosen .chip").count() == 1
    assert page.locator("#goal_ids-chosen .chip").count() == 1
    assert "/partnerships/new" in page.url
    tab_to("form.card > button[type=submit]")
    kb.press("Enter")
    page.wait_for_url(re.compile(r".*/partnerships/[0-9]+$"))
    assert page.inner_text("h1") == "Keyboard pact"
    assert page.inner_text("#start-date") == "February 1, 2026"
    assert page.inner_text("#budget") == "750.00"
    assert page.inner_text("#libraries") == "Library A"
    assert "Every child reads" in page.inner_text("#goals")
    assert "Aino" in page.inner_text("#contacts")
    ctx.close()
    assert problems == []
