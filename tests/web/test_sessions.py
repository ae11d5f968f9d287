"""Sessions and tokens end at sign-out and at a new password; failed sign-ins back off per
account (not per address); writes from other sites are refused; ``q=`` matches text as typed."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi import Request
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from libpolis.store import session_scope
from libpolis.store.tables import User
from libpolis.web.lockout import Backoff
from libpolis.web.routes.auth import client_address

PASSWORD = "correct horse battery staple"


def _token(app: Any, email: str = "staff@example.org", password: str = PASSWORD) -> TestClient:
    r = TestClient(app).post("/api/auth/token", json={"email": email, "password": password})
    assert r.status_code == 200, r.text
    return TestClient(app, headers={"Authorization": f"Bearer {r.json()['access_token']}"})


def _copy_of(client: TestClient, app: Any) -> TestClient:
    """Another browser holding the same session cookie (a stolen or an old copy)."""
    thief = TestClient(app)
    thief.cookies.set(
        "libpolis_session", client.cookies["libpolis_session"], domain="testserver.local"
    )
    return thief


def test_sign_out_ends_every_session_and_token(web, login_as) -> None:
    app, _ = web
    staff = login_as(app, "staff")
    copy = _copy_of(staff, app)
    other_browser = login_as(app, "staff")
    bearer = _token(app)
    assert copy.get("/api/me").status_code == 200
    assert bearer.get("/api/me").status_code == 200
    assert staff.post("/api/auth/logout").status_code == 204
    assert staff.get("/api/me").status_code == 401
    assert copy.get("/api/me").status_code == 401, "a copied cookie outlived sign-out"
    assert other_browser.get("/api/me").status_code == 401
    r = bearer.get("/api/me")
    assert r.status_code == 401 and "revoked" in r.json()["detail"]
    # a revoked cookie is replaced by an anonymous one, and a fresh sign-in works
    codec = app.state.config.codec
    assert codec.load_session(copy.cookies["libpolis_session"])["uid"] is None
    assert login_as(app, "staff").get("/api/me").status_code == 200


def test_sign_out_with_a_bearer_token_revokes_it(web, login_as) -> None:
    app, _ = web
    bearer = _token(app)
    browser = login_as(app, "staff")
    assert bearer.post("/api/auth/logout").status_code == 204
    assert bearer.get("/api/me").status_code == 401
    assert browser.get("/api/me").status_code == 401
    # the page form signs out the same way
    page = login_as(app, "staff")
    copy = _copy_of(page, app)
    token = page.headers["X-CSRF-Token"]
    r = page.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303
    assert copy.get("/api/me").status_code == 401


def test_a_password_reset_by_an_admin_ends_the_users_sessions(web, login_as) -> None:
    app, ids = web
    staff = login_as(app, "staff")
    bearer = _token(app)
    admin = login_as(app, "admin")
    new = "a brand new password"
    r = admin.patch(f"/api/users/{ids['user_staff']}", json={"password": new})
    assert r.status_code == 200, r.text
    assert staff.get("/api/me").status_code == 401
    assert bearer.get("/api/me").status_code == 401
    assert admin.get("/api/me").status_code == 200  # the admin's own session goes on
    assert _token(app, password=new).get("/api/me").json()["email"] == "staff@example.org"
    # a role change and a deactivation end sessions too
    again = _token(app, password=new)
    admin.patch(f"/api/users/{ids['user_staff']}", json={"role": "viewer"})
    assert again.get("/api/me").status_code == 401
    viewer = _token(app, password=new)
    admin.patch(f"/api/users/{ids['user_staff']}", json={"is_active": False})
    assert viewer.get("/api/me").status_code == 401


def test_changing_ones_password(web, login_as) -> None:
    app, _ = web
    me = login_as(app, "officer")
    other = login_as(app, "officer")
    bearer = _token(app, "officer@example.org")
    body = {"current_password": "wrong", "new_password": "another good password"}
    assert me.post("/api/me/password", json=body).status_code == 403
    body["current_password"] = PASSWORD
    r = me.post("/api/me/password", json=body)
    assert r.status_code == 200, r.text
    me.headers["X-CSRF-Token"] = r.json()["csrf_token"]  # this browser goes on, new token
    assert me.get("/api/me").status_code == 200
    assert me.post("/api/partners", json={"name": "Still signed in"}).status_code == 201
    assert other.get("/api/me").status_code == 401
    assert bearer.get("/api/me").status_code == 401
    # with a bearer token, the token itself ends
    fresh = _token(app, "officer@example.org", "another good password")
    body = {"current_password": "another good password", "new_password": "a third password"}
    r = fresh.post("/api/me/password", json=body)
    assert r.status_code == 200 and r.json() is None
    assert fresh.get("/api/me").status_code == 401


def test_backoff_doubles_after_the_free_failures() -> None:
    b = Backoff(free_failures=5, backoff_s=2.0, backoff_max_s=900.0)
    assert [b.wait_s(n) for n in range(5)] == [0.0] * 5
    assert [b.wait_s(n) for n in range(5, 11)] == [2.0, 4.0, 8.0, 16.0, 32.0, 64.0]
    assert b.wait_s(50) == 900.0 and b.wait_s(10**6) == 900.0


def _fail(c: TestClient, email: str, **kw: Any) -> int:
    return c.post("/api/auth/token", json={"email": email, "password": "wrong"}, **kw).status_code


def _age_failures(app: Any, email: str, seconds: float) -> None:
    with session_scope(app.state.engine) as s:
        s.execute(
            update(User)
            .where(User.email == email)
            .values(last_failed_login_at=datetime.now(UTC) - timedelta(seconds=seconds))
        )


def test_lockout_is_per_account_with_exponential_backoff(web) -> None:
    app, _ = web
    c = TestClient(app)
    assert [_fail(c, "admin@example.org") for _ in range(5)] == [403] * 5
    r = c.post("/api/auth/token", json={"email": "admin@example.org", "password": PASSWORD})
    assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
    # the same address signs in to another account: addresses are not locked for everyone
    ok = c.post("/api/auth/token", json={"email": "viewer@example.org", "password": PASSWORD})
    assert ok.status_code == 200
    # after the wait, one more try; a failure doubles the wait (2 s, then 4 s)
    _age_failures(app, "admin@example.org", 3)
    assert _fail(c, "admin@example.org") == 403
    r = c.post("/api/auth/token", json={"email": "admin@example.org", "password": PASSWORD})
    assert r.status_code == 429 and 3 <= int(r.headers["retry-after"]) <= 4
    _age_failures(app, "admin@example.org", 5)
    r = c.post("/api/auth/token", json={"email": "admin@example.org", "password": PASSWORD})
    assert r.status_code == 200
    with session_scope(app.state.engine) as s:  # a success starts the count again
        assert s.scalar(select(User.failed_logins).where(User.email == "admin@example.org")) == 0
    # unknown accounts back off the same way, so a 429 does not tell who has an account
    assert [_fail(c, "nobody@example.org") for _ in range(6)] == [403] * 5 + [429]


def test_a_rotating_forwarded_for_does_not_multiply_attempts(sqlite_web_engine, tmp_path) -> None:
    from libpolis.web.app import create_app

    from .conftest import SECRET, seed

    seed(sqlite_web_engine, _cheap_hash())
    # the test client connects from "testclient"; here it is the trusted proxy
    app = create_app(
        sqlite_web_engine,
        secret_key=SECRET,
        documents_dir=tmp_path / "d",
        trusted_proxies=["testclient"],
    )
    c = TestClient(app)
    codes = [
        _fail(c, "staff@example.org", headers={"X-Forwarded-For": f"203.0.113.{i}"})
        for i in range(12)
    ]
    assert codes == [403] * 5 + [429] * 7
    # the address the proxy names is the one the address brake sees
    seen: list[str] = []
    _addr_route(app, seen)
    c.get("/_addr", headers={"X-Forwarded-For": "198.51.100.7"})
    c.get("/_addr?2", headers={"X-Forwarded-Proto": "https"})
    assert seen == ["198.51.100.7", "testclient"]


def test_forwarded_for_is_ignored_without_trusted_proxies(sqlite_web, monkeypatch) -> None:
    app, _ = sqlite_web
    seen: list[str] = []
    _addr_route(app, seen)
    TestClient(app).get("/_addr", headers={"X-Forwarded-For": "198.51.100.7"})
    assert seen == ["testclient"]
    monkeypatch.setenv("LIBPOLIS_TRUSTED_PROXIES", "not-an-address")
    from pydantic import ValidationError

    from libpolis.settings import get_settings

    with pytest.raises(ValidationError, match="not an IP address"):
        get_settings()


def test_an_address_spraying_many_accounts_is_braked(
    sqlite_web_engine, tmp_path, monkeypatch
) -> None:
    from libpolis.web.app import create_app

    from .conftest import SECRET, seed

    monkeypatch.setenv("LIBPOLIS_LOGIN_ADDRESS_MAX_FAILURES", "4")
    seed(sqlite_web_engine, _cheap_hash())
    app = create_app(
        sqlite_web_engine,
        secret_key=SECRET,
        documents_dir=tmp_path / "d",
        trusted_proxies=["testclient"],
    )
    c = TestClient(app)
    spray = {"X-Forwarded-For": "203.0.113.9"}
    emails = [f"{r}@example.org" for r in ("admin", "staff", "officer", "viewer", "staff_other")]
    assert [_fail(c, e, headers=spray) for e in emails] == [403] * 4 + [429]
    # people at other addresses are not affected
    r = c.post(
        "/api/auth/token",
        json={"email": "staff_other@example.org", "password": PASSWORD},
        headers={"X-Forwarded-For": "198.51.100.1"},
    )
    assert r.status_code == 200


def test_concurrent_attempts_cannot_slip_past_the_count(sqlite_web) -> None:
    app, _ = sqlite_web
    codes: list[int] = []
    lock = threading.Lock()

    def attempt() -> None:
        code = _fail(TestClient(app), "officer@example.org")
        with lock:
            codes.append(code)

    threads = [threading.Thread(target=attempt) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(codes) == 16 and set(codes) <= {403, 429}, codes
    assert codes.count(403) <= 5, codes  # passwords checked: never more than the free ones
    with session_scope(app.state.engine) as s:
        n = s.scalar(select(User.failed_logins).where(User.email == "officer@example.org"))
    assert n == codes.count(403)


def test_writes_from_other_sites_are_refused(web, login_as) -> None:
    app, _ = web
    admin = login_as(app, "admin")
    evil = {"Origin": "https://evil.example"}
    r = admin.post("/api/partners", json={"name": "Forged"}, headers=evil)
    assert r.status_code == 403 and "cross-site" in r.json()["detail"]
    assert "evil.example" in r.json()["detail"]
    for headers in (
        {"Origin": "null"},
        {"Origin": "http://testserver.evil.example"},
        {"Origin": "https://testserver"},  # another scheme is another site
        {"Origin": "http://testserver:8080"},
        {"Referer": "https://evil.example/page"},
        {"Referer": "not a url"},
    ):
        r = admin.post("/api/partners", json={"name": "Forged"}, headers=headers)
        assert r.status_code == 403, headers
    token = admin.headers["X-CSRF-Token"]
    page = admin.post(
        "/partners/new",
        data={"name": "Forged", "csrf_token": token},
        headers=evil,
        follow_redirects=False,
    )
    assert page.status_code == 403 and "cross-site" in page.text
    # a cross-site sign-in (login CSRF) is refused before any password is checked
    r = TestClient(app).post(
        "/api/auth/login",
        json={"email": "admin@example.org", "password": PASSWORD},
        headers=evil,
    )
    assert r.status_code == 403
    for headers in (
        {"Origin": "http://testserver"},
        {"Origin": "http://TESTSERVER:80"},
        {"Referer": "http://testserver/partners"},
        {},  # scripts send neither header: the CSRF token still guards them
    ):
        r = admin.post("/api/partners", json={"name": f"Ok {headers}"}, headers=headers)
        assert r.status_code == 201, (headers, r.text)
    assert admin.get("/api/partners", headers=evil).status_code == 200  # reads are not writes
    names = {p["name"] for p in admin.get("/api/partners").json()["items"]}
    assert "Forged" not in names


def test_search_matches_wildcards_literally(web, login_as) -> None:
    app, _ = web
    admin = login_as(app, "admin")
    for name in ("100% reading", "Plain", "snake_case", "back\\slash", "A_B"):
        assert admin.post("/api/partners", json={"name": name}).status_code == 201

    def names(q: str) -> set[str]:
        return {p["name"] for p in admin.get("/api/partners", params={"q": q}).json()["items"]}

    assert names("%") == {"100% reading"}
    assert names("_") == {"snake_case", "A_B"}
    assert names("\\") == {"back\\slash"}
    assert names("e_c") == {"snake_case"}
    assert names("PLAIN") == {"Plain"}
    csv = admin.get("/api/export/partners.csv", params={"q": "%"}).text
    assert "100% reading" in csv and "Plain" not in csv
    lib = admin.get("/api/libraries", params={"q": "_"}).json()
    assert lib["total"] == 0


def _addr_route(app: Any, seen: list[str]) -> None:
    def where(request: Request) -> None:
        seen.append(client_address(request))

    app.add_api_route("/_addr", where)


def _cheap_hash() -> str:
    from argon2 import PasswordHasher

    return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(PASSWORD)
