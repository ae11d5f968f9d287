"""The read cache: anonymous reads are served from it until the store changes, never stale,
never across users, and each session keeps its own CSRF token (SQLite and PostgreSQL)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from libpolis.store import open_store, session_scope
from libpolis.store.tables import Programme
from libpolis.web.cache import CACHE_HEADER


def _titles(client: TestClient, url: str = "/api/programmes") -> list[str]:
    return [p["title"] for p in client.get(url).json()["items"]]


def test_repeated_anonymous_reads_hit_and_match_the_route(web, client_for) -> None:
    _app, ids = web
    staff = client_for("staff")
    r = staff.post("/api/programmes", json={"title": "Storytime", "library_id": ids["library_a"]})
    assert r.status_code == 201, r.text
    anon = client_for(None)
    first = anon.get("/api/programmes?q=story")
    again = anon.get("/api/programmes?q=story")
    assert first.headers[CACHE_HEADER] == "miss" and again.headers[CACHE_HEADER] == "hit"
    assert again.status_code == 200 and again.json() == first.json()
    assert again.headers["content-type"] == first.headers["content-type"]
    assert int(again.headers["content-length"]) == len(again.content)
    # another query string is another entry
    assert anon.get("/api/programmes?q=club").headers[CACHE_HEADER] == "miss"


def test_a_write_through_the_app_is_seen_at_once(web, client_for) -> None:
    _app, ids = web
    anon, staff = client_for(None), client_for("staff")
    assert _titles(anon) == []
    assert anon.get("/api/programmes").headers[CACHE_HEADER] == "hit"
    staff.post("/api/programmes", json={"title": "Coding club", "library_id": ids["library_a"]})
    after = anon.get("/api/programmes")
    assert after.headers[CACHE_HEADER] == "miss"
    assert [p["title"] for p in after.json()["items"]] == ["Coding club"]


def test_a_write_by_another_process_is_seen_at_once(web, client_for, store_url) -> None:
    anon = client_for(None)
    assert _titles(anon) == []
    assert anon.get("/api/programmes").headers[CACHE_HEADER] == "hit"
    other = open_store(store_url)  # the CLI or another web worker
    try:
        with session_scope(other) as s:
            s.add(Programme(source="cli", source_id="1", title="Language café", attrs={}))
    finally:
        other.dispose()
    assert _titles(anon) == ["Language café"]


def test_signed_in_users_are_never_served_from_the_cache(web, client_for) -> None:
    officer = client_for("officer")
    officer.post("/api/partnerships", json={"title": "Draft"})
    officer.post("/api/partnerships", json={"title": "Open", "published": True})
    anon = client_for(None)
    for _ in range(2):
        assert _titles(anon, "/api/partnerships") == ["Open"]
    for _ in range(2):
        r = officer.get("/api/partnerships")
        assert CACHE_HEADER not in r.headers
        assert sorted(p["title"] for p in r.json()["items"]) == ["Draft", "Open"]
    # an anonymous read after the officer's reads still sees only what is published
    assert _titles(anon, "/api/partnerships") == ["Open"]
    # a bearer token bypasses the cache too (and an invalid one is refused, not served)
    bad = TestClient(officer.app).get(
        "/api/partnerships", headers={"Authorization": "Bearer nonsense"}
    )
    assert bad.status_code == 401


def test_each_session_gets_its_own_csrf_token_from_a_cached_page(sqlite_web, login_as) -> None:
    app, _ = sqlite_web
    pattern = re.compile(r'"X-CSRF-Token": "([^"]+)"')
    a, b = login_as(app, None), login_as(app, None)
    page_a = a.get("/programmes")
    page_b = b.get("/programmes")
    assert page_b.headers[CACHE_HEADER] == "hit"
    token_a = pattern.search(page_a.text).group(1)
    token_b = pattern.search(page_b.text).group(1)
    assert token_a == a.headers["X-CSRF-Token"] and token_b == b.headers["X-CSRF-Token"]
    assert token_a != token_b and token_a not in page_b.text
    # the rest of the page is the same
    assert page_a.text.replace(token_a, "T") == page_b.text.replace(token_b, "T")
    # a fresh visitor without any cookie gets a session, a cookie and a page with its token
    fresh = TestClient(app)
    r = fresh.get("/programmes")
    assert r.headers[CACHE_HEADER] == "hit" and "set-cookie" in r.headers
    token = pattern.search(r.text).group(1)
    assert token not in (token_a, token_b)


def test_htmx_fragments_and_full_pages_are_separate_entries(sqlite_web, login_as) -> None:
    app, _ = sqlite_web
    anon = login_as(app, None)
    full = anon.get("/programmes")
    part = anon.get("/programmes", headers={"HX-Request": "true"})
    assert part.headers[CACHE_HEADER] == "miss"
    assert anon.get("/programmes").text == full.text
    assert anon.get("/programmes", headers={"HX-Request": "true"}).text == part.text


def test_cached_entity_tags_answer_304(sqlite_web, login_as) -> None:
    app, _ = sqlite_web
    anon = login_as(app, None)
    tag = anon.get("/api/map").headers["etag"]
    r = anon.get("/api/map", headers={"If-None-Match": tag})
    assert r.status_code == 304 and r.headers[CACHE_HEADER] == "hit" and r.content == b""
    assert r.headers["etag"] == tag
    assert anon.get("/api/map", headers={"If-None-Match": '"other"'}).status_code == 200


def test_the_cache_can_be_turned_off(sqlite_web_engine, tmp_path, web_kit) -> None:
    from libpolis.web.app import create_app

    app = create_app(sqlite_web_engine, secret_key=web_kit.SECRET, cache_reads=False)
    c = TestClient(app)
    assert CACHE_HEADER not in c.get("/api/programmes").headers
    assert CACHE_HEADER not in c.get("/api/programmes").headers


def test_concurrent_misses_for_one_response_build_it_once(sqlite_web) -> None:
    import asyncio

    import httpx

    app, _ = sqlite_web

    async def burst() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await asyncio.gather(*(client.get("/api/evidence") for _ in range(12)))

    responses = asyncio.run(burst())
    assert all(r.status_code == 200 for r in responses)
    assert sorted(r.headers[CACHE_HEADER] for r in responses).count("miss") == 1
    assert len({r.content for r in responses}) == 1


def test_a_write_makes_stale_only_what_read_its_tables(web, client_for) -> None:
    _app, ids = web
    anon, officer, staff = client_for(None), client_for("officer"), client_for("staff")
    staff.post("/api/programmes", json={"title": "Storytime", "library_id": ids["library_a"]})
    urls = ("/api/programmes", "/programmes", "/api/partners", "/api/evidence")
    for url in urls:
        anon.get(url)
        assert anon.get(url).headers[CACHE_HEADER] == "hit", url
    assert officer.post("/api/partners", json={"name": "City youth services"}).status_code == 201
    after = {url: anon.get(url) for url in urls}
    # the programme lists never read the partner table: still served from the cache
    assert after["/api/programmes"].headers[CACHE_HEADER] == "hit"
    assert after["/programmes"].headers[CACHE_HEADER] == "hit"
    # the partner list did, and the evidence depends on every write
    assert after["/api/partners"].headers[CACHE_HEADER] == "miss"
    assert [p["name"] for p in after["/api/partners"].json()["items"]] == ["City youth services"]
    assert after["/api/evidence"].headers[CACHE_HEADER] == "miss"
