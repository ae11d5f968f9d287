"""A participant answers an outcome survey on a phone-sized screen (390 × 844, touch) without
an account, against a real uvicorn server with Debian's chromium; the page fits the screen,
the console stays free of errors, and the answer is stored."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def served(tmp_path_factory, password_hash, web_kit, chromium) -> Iterator[tuple[str, str, object]]:
    from libpolis.pipeline.surveys import create_survey
    from libpolis.store import open_store, session_scope
    from libpolis.store.tables import Programme
    from libpolis.web.app import create_app

    tmp = tmp_path_factory.mktemp("survey-browser")
    engine = open_store(f"sqlite:///{tmp / 'ws.sqlite'}")
    ids = web_kit.seed(engine, password_hash)
    with session_scope(engine) as s:
        prog = Programme(source="t", source_id="p", title="Job club", library_id=ids["library_a"],
                         attrs={})  # fmt: skip
        s.add(prog)
        s.flush()
        token = create_survey(s, programme_id=prog.id, area="job_skills", district="Kallio").token
    app = create_app(engine, secret_key=web_kit.SECRET, documents_dir=tmp / "docs")
    with web_kit.serve(app) as url:
        yield url, token, engine
    engine.dispose()


def test_answer_a_survey_on_a_phone(served, browser, tmp_path) -> None:
    from libpolis.store import session_scope
    from libpolis.store.surveys import SurveyResponse

    base, token, engine = served
    shots = Path(os.environ.get("LIBPOLIS_SCREENSHOTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    ctx = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
        device_scale_factor=2,
    )  # fmt: skip
    page = ctx.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(f"{base}/s/{token}")
    assert "/login" not in page.url
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scroll
    page.screenshot(path=str(shots / "survey-phone.png"), full_page=True)
    page.get_by_label("Strongly agree").first.tap()
    page.locator("input[name=confidence][value='4']").tap()
    page.get_by_label("What is one thing you take away from this session?").fill(
        "How to write a cover letter"
    )
    page.get_by_role("button", name="Send my answers").tap()
    page.wait_for_selector("text=Thank you")
    page.screenshot(path=str(shots / "survey-thanks.png"), full_page=True)
    assert problems == []
    ctx.close()
    with session_scope(engine) as s:
        rows = s.scalars(select(SurveyResponse)).all()
        assert len(rows) == 1
        assert rows[0].answers == {
            "knowledge": 5,
            "confidence": 4,
            "open_gain": "How to write a cover letter",
        }
        assert rows[0].email is None
