"""Admission control and error pages (``libpolis.web.admission``).

The limiter is driven on a small Starlette app whose requests wait for an event the test sets,
so saturation is reached by construction, not by timing. Error pages are checked on the real
app with routes that fail.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from libpolis.settings import Settings
from libpolis.web.admission import AdmissionLimiter, ServerErrors, admission_options
from libpolis.web.middleware import CSP

SECURITY = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "content-security-policy": CSP,
}


def _gated_app(**limits: Any) -> tuple[AdmissionLimiter, asyncio.Event, list[str]]:
    """A limiter around an app whose ``/hold`` requests wait until the event is set."""
    release = asyncio.Event()
    ran: list[str] = []

    async def hold(request: Any) -> PlainTextResponse:
        ran.append(f"{request.method} {request.url.path}")
        await release.wait()
        return PlainTextResponse("done")

    async def quick(request: Any) -> PlainTextResponse:
        ran.append(f"{request.method} {request.url.path}")
        return PlainTextResponse("quick")

    inner = Starlette(
        routes=[
            Route("/hold", hold, methods=["GET", "POST"]),
            Route("/api/quick", quick, methods=["GET", "POST"]),
            Route("/static/x", quick),
        ]
    )
    opts = {"limit": 1, "write_limit": 1, "max_queue": 0, "queue_timeout_s": 30.0,
            "retry_after_s": 3, **limits}  # fmt: skip
    return AdmissionLimiter(inner, **opts), release, ran


async def _started(ran: list[str], n: int) -> None:
    while len(ran) < n:
        await asyncio.sleep(0.01)


def test_saturated_limiter_answers_503_with_retry_after() -> None:
    async def scenario() -> None:
        limiter, release, ran = _gated_app()
        transport = httpx.ASGITransport(app=limiter)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            first = asyncio.create_task(client.get("/hold"))
            await _started(ran, 1)
            busy = await client.get("/api/quick")  # the one slot is taken, no queue
            assert busy.status_code == 503
            assert busy.headers["retry-after"] == "3"
            assert busy.json() == {"detail": "the server is busy; try again in a moment"}
            page = await client.get("/hold")
            assert page.status_code == 503 and page.headers["content-type"].startswith("text/html")
            assert (await client.get("/static/x")).status_code == 200  # files are not limited
            assert ran == ["GET /hold", "GET /static/x"]  # refused requests never ran
            release.set()
            assert (await first).status_code == 200
            assert (await client.get("/api/quick")).status_code == 200  # the slot came back
        assert limiter.stats.running == 0
        assert limiter.stats.refused_full == 2

    asyncio.run(scenario())


def test_queued_requests_run_in_turn_and_time_out_with_503() -> None:
    async def scenario() -> None:
        limiter, release, ran = _gated_app(max_queue=2, queue_timeout_s=0.2)
        transport = httpx.ASGITransport(app=limiter)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            first = asyncio.create_task(client.get("/hold"))
            await _started(ran, 1)
            waited = await client.get("/api/quick")  # queued, then refused after its wait
            assert waited.status_code == 503 and waited.headers["retry-after"] == "3"
            assert limiter.stats.refused_timeout == 1 and limiter.stats.waiting == 0
            limiter.queue_timeout_s = 30.0
            second = asyncio.create_task(client.get("/api/quick"))
            while limiter.stats.waiting < 1:
                await asyncio.sleep(0.01)
            assert ran == ["GET /hold"]  # the queued request waits for the slot
            release.set()
            assert (await first).status_code == 200
            assert (await second).status_code == 200
        assert ran == ["GET /hold", "GET /api/quick"]

    asyncio.run(scenario())


def test_a_request_that_would_wait_in_vain_is_refused_at_once() -> None:
    async def scenario() -> None:
        limiter, release, ran = _gated_app(max_queue=5, queue_timeout_s=1.0)
        transport = httpx.ASGITransport(app=limiter)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            first = asyncio.create_task(client.get("/hold"))
            await _started(ran, 1)
            limiter._service_s[False] = 0.6  # a slot frees in 0.6 s, then its own 0.6 s: > 1 s
            refused = await client.get("/api/quick")
            assert refused.status_code == 503 and refused.headers["retry-after"] == "3"
            assert limiter.stats.refused_full == 1 and limiter.stats.refused_timeout == 0
            release.set()
            assert (await first).status_code == 200

    asyncio.run(scenario())


def test_writes_wait_for_the_write_slot_while_reads_pass() -> None:
    async def scenario() -> None:
        limiter, release, ran = _gated_app(limit=3, write_limit=1, max_queue=5)
        transport = httpx.ASGITransport(app=limiter)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            write = asyncio.create_task(client.post("/hold"))
            await _started(ran, 1)
            second_write = asyncio.create_task(client.post("/api/quick"))
            while limiter.stats.waiting < 1:
                await asyncio.sleep(0.01)
            read = await client.get("/api/quick")  # a read overtakes the waiting write
            assert read.status_code == 200
            assert ran == ["POST /hold", "GET /api/quick"]
            release.set()
            assert (await write).status_code == 200
            assert (await second_write).status_code == 200
        assert ran[-1] == "POST /api/quick"

    asyncio.run(scenario())


def test_limits_come_from_the_settings(sqlite_web_engine: Any) -> None:
    opts = admission_options(sqlite_web_engine, Settings(db_pool_size=2, db_max_overflow=4))
    assert opts["limit"] == 3  # half the pool: a request may hold two connections
    assert opts["write_limit"] == 2  # SQLite: writes are serialised anyway
    assert admission_options(sqlite_web_engine, Settings())["limit"] == 4  # at most 4
    s = Settings(web_max_concurrency=9, web_max_writers=3, web_max_queue=7, web_retry_after_s=4)
    opts = admission_options(sqlite_web_engine, s)
    assert (opts["limit"], opts["write_limit"], opts["max_queue"], opts["retry_after_s"]) == (
        9, 3, 7, 4)  # fmt: skip


@pytest.fixture
def failing_app(sqlite_web: tuple[Any, dict[str, Any]]) -> Any:
    """The real app with routes that fail the ways a server can."""
    app, _ = sqlite_web

    def boom() -> None:
        raise RuntimeError("an unexpected bug")

    def pool_exhausted() -> None:
        raise PoolTimeoutError("QueuePool limit of size 5 overflow 10 reached")

    def locked() -> None:
        raise OperationalError("INSERT ...", {}, Exception("database is locked"))

    for path, fn in (("boom", boom), ("pool", pool_exhausted), ("locked", locked)):
        app.add_api_route(f"/api/{path}", fn)
        app.add_api_route(f"/{path}", fn)
    return app


def test_a_500_carries_the_security_headers_and_a_body(failing_app: Any) -> None:
    client = TestClient(failing_app, raise_server_exceptions=False)
    api = client.get("/api/boom")
    assert api.status_code == 500
    assert api.json() == {"detail": "something went wrong on the server"}
    page = client.get("/boom")
    assert page.status_code == 500
    assert page.headers["content-type"].startswith("text/html")
    assert "500 Server error" in page.text and "an unexpected bug" not in page.text
    for r in (api, page):
        for name, value in SECURITY.items():
            assert r.headers[name] == value, name
    assert "libpolis_session=" in api.headers["set-cookie"]  # the new session still starts


def test_an_overloaded_store_answers_503_with_retry_after(failing_app: Any) -> None:
    client = TestClient(failing_app, raise_server_exceptions=False)
    for path in ("/api/pool", "/api/locked", "/pool"):
        r = client.get(path)
        assert r.status_code == 503, path
        assert r.headers["retry-after"] == str(Settings().web_retry_after_s)
        for name, value in SECURITY.items():
            assert r.headers[name] == value, name


def test_every_503_gets_a_retry_after() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 503, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    async def scenario() -> None:
        transport = httpx.ASGITransport(app=ServerErrors(app, retry_after_s=7))
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            assert (await client.get("/")).headers["retry-after"] == "7"

    asyncio.run(scenario())
