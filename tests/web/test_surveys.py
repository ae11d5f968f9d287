"""Outcome surveys in the web app: a link per programme session, anonymous answers (CSRF
checked, no address stored, e-mail only with consent), the per-address limit (also behind a
trusted proxy), and the results with their n and Wilson interval."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from libpolis.store import session_scope
from libpolis.store.surveys import SurveyResponse
from libpolis.web.app import create_app
from libpolis.web.routes.surveys import SURVEY_LIMIT


def _survey(app: Any, ids: dict[str, Any], login_as: Any, district: str = "Kallio") -> str:
    admin, staff = login_as(app, "admin"), login_as(app, "staff")
    prog = admin.post(
        "/api/programmes",
        json={"title": "Rhyme time", "description": "songs and rhymes for babies and parents",
              "library_id": ids["library_a"]},
    ).json()  # fmt: skip
    r = staff.post(
        "/surveys/new",
        data={"programme_id": str(prog["id"]), "area": "early_literacy", "label": "Mon 10:00",
              "district": district, "csrf_token": staff.headers["X-CSRF-Token"]},
        headers={"X-CSRF-Token": ""},
        follow_redirects=False,
    )  # fmt: skip
    assert r.status_code == 303, r.text[:300]
    tokens = re.findall(r'href="/s/([A-Za-z0-9_-]+)"', staff.get("/surveys").text)
    assert len(tokens) == 1 and len(tokens[0]) >= 40  # 256 random bits
    return tokens[0]


def _answer(client: TestClient, token: str, **answers: str) -> Any:
    page = client.get(f"/s/{token}")
    assert page.status_code == 200
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    return client.post(
        f"/s/{token}", data={**answers, "csrf_token": csrf}, follow_redirects=False
    )


def test_anonymous_answers_and_results(web, login_as) -> None:
    app, ids = web
    token = _survey(app, ids, login_as)
    anon = TestClient(app)
    page = anon.get(f"/s/{token}").text
    for field in re.findall(r'<textarea id="([^"]+)"|<input id="([^"]+)"', page):
        name = field[0] or field[1]
        assert f'<label for="{name}">' in page
    answers = [
        {"knowledge": "5", "confidence": "4", "open_gain": "Rhymes"},
        {"knowledge": "4", "open_gain": "rhymes"},
        {"knowledge": "2", "application": "5", "email": "a@example.org"},  # no consent
        {"knowledge": "3", "email": "b@example.org", "consent": "on"},
    ]
    for a in answers:
        r = _answer(anon, token, **a)
        assert r.status_code == 200 and "Thank you" in r.text
    with session_scope(app.state.engine) as s:
        rows = s.scalars(select(SurveyResponse)).all()
        assert [r.email for r in rows] == [None, None, None, "b@example.org"]
        assert "testclient" not in repr([(r.answers, r.email) for r in rows])
        assert not {"ip", "address", "client"} & set(SurveyResponse.__table__.c.keys())
    # results: knowledge 5, 4, 2, 3 -> n 4, mean 3.5, 2 agreeing, Wilson 15.0%..85.0%
    data = login_as(app, "officer").get("/api/surveys/results").json()
    assert data["responses"] == 4
    k = next(r for r in data["by"]["programme"] if r["dimension"] == "knowledge")
    assert (k["group"], k["n"], k["agree"], k["mean"]) == ("Rhyme time", 4, 2, 3.5)
    assert k["ci_low"] == pytest.approx(0.15004, abs=1e-4)
    conf = next(r for r in data["by"]["programme"] if r["dimension"] == "confidence")
    assert conf["n"] == 1 and conf["share_agree"] == 1.0
    dist = {r["group"] for r in data["by"]["district"]}
    assert dist == {"Kallio"}
    assert {r["group"] for r in data["by"]["goal"]}  # the programme's aligned goals, or none
    gain = data["open"]["open_gain"]
    assert gain == [
        {"programme": "Rhyme time", "answer": "Rhymes", "count": 2, "n": 2, "share": 1.0}
    ]
    html = login_as(app, "officer").get("/surveys").text
    assert "(n = 2)" in html and "2 of 4" in html


def test_csrf_and_bad_answers(sqlite_web, login_as) -> None:
    app, ids = sqlite_web
    token = _survey(app, ids, login_as)
    anon = TestClient(app)
    anon.get(f"/s/{token}")
    assert anon.post(f"/s/{token}", data={"knowledge": "4"}).status_code == 403
    assert _answer(anon, token, knowledge="9").status_code == 422
    assert _answer(anon, token).status_code == 422  # empty
    assert anon.get("/s/" + "x" * 43).status_code == 404
    with session_scope(app.state.engine) as s:
        assert s.scalars(select(SurveyResponse)).all() == []


def test_one_address_is_limited(sqlite_web, login_as) -> None:
    """100 submissions from one address within a minute: the first SURVEY_LIMIT are kept,
    the rest get 429 with Retry-After; another address is not affected."""
    app, ids = sqlite_web
    token = _survey(app, ids, login_as)
    anon = TestClient(app)
    page = anon.get(f"/s/{token}").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    codes = [
        anon.post(f"/s/{token}", data={"knowledge": "4", "csrf_token": csrf}) for _ in range(100)
    ]
    assert [c.status_code for c in codes].count(200) == SURVEY_LIMIT
    limited = [c for c in codes if c.status_code == 429]
    assert len(limited) == 100 - SURVEY_LIMIT
    assert 1 <= int(limited[0].headers["Retry-After"]) <= 60
    with session_scope(app.state.engine) as s:
        assert len(s.scalars(select(SurveyResponse)).all()) == SURVEY_LIMIT
    other = TestClient(app, client=("198.51.100.7", 5000))
    assert _answer(other, token, knowledge="5").status_code == 200


def test_trusted_proxy_client_addresses(sqlite_web_engine, tmp_path, password_hash, web_kit):
    """Behind a trusted proxy the limit is per forwarded client, not per proxy."""
    ids = web_kit.seed(sqlite_web_engine, password_hash)
    app = create_app(
        sqlite_web_engine, secret_key=web_kit.SECRET, documents_dir=tmp_path / "d",
        trusted_proxies=["10.0.0.1"],
    )  # fmt: skip
    token = _survey(app, ids, web_kit.login)
    proxy = TestClient(app, client=("10.0.0.1", 4000))
    page = proxy.get(f"/s/{token}").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    def send(addr: str) -> int:
        return proxy.post(
            f"/s/{token}", data={"knowledge": "3", "csrf_token": csrf},
            headers={"X-Forwarded-For": addr},
        ).status_code  # fmt: skip

    assert [send("203.0.113.5") for _ in range(SURVEY_LIMIT + 1)][-1] == 429
    assert send("203.0.113.6") == 200


def test_open_answers_per_programme(sqlite_web, login_as) -> None:
    """Two programmes, only one with open answers: each share is of its own respondents."""
    app, ids = sqlite_web
    token = _survey(app, ids, login_as)
    other = _survey_second(app, ids, login_as)
    anon = TestClient(app)
    _answer(anon, token, knowledge="4", open_gain="Songs")
    _answer(anon, token, knowledge="4", open_gain="Books")
    _answer(anon, other, knowledge="2")
    data = login_as(app, "officer").get("/api/surveys/results").json()
    assert data["open"]["open_gain"] == [
        {"programme": "Rhyme time", "answer": "Books", "count": 1, "n": 2, "share": 0.5},
        {"programme": "Rhyme time", "answer": "Songs", "count": 1, "n": 2, "share": 0.5},
    ]
    assert data["open"]["open_improve"] == []
    by = {(r["group"], r["dimension"]): r for r in data["by"]["programme"]}
    assert by[("Chess club", "knowledge")]["n"] == 1


def _survey_second(app: Any, ids: dict[str, Any], login_as: Any) -> str:
    admin = login_as(app, "admin")
    prog = admin.post(
        "/api/programmes", json={"title": "Chess club", "library_id": ids["library_b"]}
    ).json()
    r = admin.post(
        "/surveys/new",
        data={"programme_id": str(prog["id"]), "area": "civic_engagement",
              "csrf_token": admin.headers["X-CSRF-Token"]},
        headers={"X-CSRF-Token": ""},
        follow_redirects=False,
    )  # fmt: skip
    assert r.status_code == 303
    return re.findall(r'href="/s/([A-Za-z0-9_-]+)"', admin.get("/surveys").text)[-1]
