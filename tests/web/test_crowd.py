"""Many concurrent writers against a real ``libpolis serve`` (a uvicorn subprocess) on
SQLite and PostgreSQL: every answer is a 2xx or a 503 with ``Retry-After`` (never another 5xx,
never a timeout), and every write answered 2xx is in the store.

The server runs with a small pool (2 + 2 connections), so the admission limit derived from it
(2 requests at once, a queue of 6 for at most 3 s) is far below the 60 writers: the crowd is refused in part, by construction, and must be refused cleanly. No
timing is asserted; the client timeout (120 s) only turns a hang into a failure.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from libpolis.store import open_store
from libpolis.store.tables import Partner

WRITERS = 60
WRITES_EACH = 4


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def served(store_url: str, tmp_path: Path, password_hash: str, web_kit: Any) -> Iterator[Any]:
    engine = open_store(store_url)
    ids = web_kit.seed(engine, password_hash)
    port = _free_port()
    env = {
        **os.environ,
        "LIBPOLIS_SECRET_KEY": web_kit.SECRET,
        "LIBPOLIS_DB_POOL_SIZE": "2",
        "LIBPOLIS_DB_MAX_OVERFLOW": "2",
        "LIBPOLIS_WEB_MAX_QUEUE": "6",
        "LIBPOLIS_WEB_QUEUE_TIMEOUT_S": "3",
        "LIBPOLIS_WEB_RETRY_AFTER_S": "1",
    }
    where = ["--db", store_url] if store_url.startswith("postgresql") else [
        "--workspace", store_url.removeprefix("sqlite:///")]  # fmt: skip
    log = (tmp_path / "server.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-c", "from libpolis.cli import main; main()", "serve", "--port",
         str(port), "--workers", "1", "--log-level", "warning", *where],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300  # a loaded machine
        while True:
            try:
                if httpx.get(f"{base}/api/libraries", timeout=10).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                log.flush()
                pytest.fail("server did not start: " + (tmp_path / "server.log").read_text())
            time.sleep(0.2)
        yield base, engine, ids
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
        engine.dispose()
        text = (tmp_path / "server.log").read_text(errors="replace")
        assert "Traceback" not in text, text[-3000:]


async def _writer(base: str, i: int, email: str, password: str) -> list[tuple[int, str, str]]:
    """Sign in (waiting out 503s), then write; (status, Retry-After, partner name) per write."""
    seen: list[tuple[int, str, str]] = []
    async with httpx.AsyncClient(base_url=base, timeout=120) as client:
        for _ in range(100):
            r = await client.post("/api/auth/login", json={"email": email, "password": password})
            if r.status_code != 503:
                break
            seen.append((503, r.headers.get("retry-after", ""), ""))
            await asyncio.sleep(float(r.headers["retry-after"]))
        assert r.status_code == 200, r.text
        headers = {"X-CSRF-Token": r.json()["csrf_token"], "Origin": base}
        for k in range(WRITES_EACH):
            name = f"Crowd partner {i}-{k}"
            r = await client.post(
                "/api/partners", json={"name": name, "kind": "NGO"}, headers=headers
            )
            seen.append((r.status_code, r.headers.get("retry-after", ""), name))
    return seen


def test_concurrent_writers_get_2xx_or_503_and_every_2xx_is_stored(served: Any) -> None:
    base, engine, _ = served

    async def crowd() -> list[list[tuple[int, str, str]]]:
        return await asyncio.gather(
            *(_writer(base, i, "admin@example.org", "correct horse battery staple")
              for i in range(WRITERS))
        )  # fmt: skip

    results = [item for client in asyncio.run(crowd()) for item in client]
    statuses = {status for status, _, _ in results}
    assert statuses <= {201, 503}, statuses
    assert all(retry == "1" for status, retry, _ in results if status == 503)
    written = {name for status, _, name in results if status == 201}
    refused = {name for status, _, name in results if status == 503 and name}
    assert written, "some writes got through"
    with engine.connect() as conn:
        names = set(conn.scalars(select(Partner.name).where(Partner.name.like("Crowd partner%"))))
    assert written <= names  # every write answered 201 is stored
    assert not (refused & names)  # and none answered 503
