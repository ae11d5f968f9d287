"""Browser tests with Playwright and Debian's chromium against a real uvicorn server.

A person signs in, adds a programme, confirms an alignment, records a partnership and moves it
to "agreed", and downloads the brief; the browser console stays free of errors.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory, password_hash, web_kit) -> Iterator[str]:
    import uvicorn

    from libpolis.store import open_store, session_scope
    from libpolis.web.crud import create_goal, create_programme
    from libpolis.web.schemas import GoalCreate, ProgrammeCreate

    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing and CI=true (apt-get install -y chromium)")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install -y chromium)")
    tmp = tmp_path_factory.mktemp("browser")
    engine = open_store(f"sqlite:///{tmp / 'ws.sqlite'}")
    ids = web_kit.seed(engine, password_hash)
    with session_scope(engine) as s:
        from libpolis.store.tables import User

        officer = s.get(User, ids["user_officer"])
        admin = s.get(User, ids["user_admin"])
        create_programme(s, data=ProgrammeCreate(title="Chess club"), user=admin)
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
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started:
        if time.monotonic() > deadline:
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)
    engine.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


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
    assert page.locator("#results tbody tr").count() == 2
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
    page.select_option("select[name=goal_ids]", label="city CG-1 · Every child reads")
    page.click("form.card button[type=submit]")
    page.wait_for_url("**/partnerships/*")
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
