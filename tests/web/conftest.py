"""Fixtures of the web tests: a seeded store, the app, and signed-in clients per role."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from libpolis.store import open_store, session_scope
from libpolis.store.tables import Library, LibrarySystem, User
from libpolis.web.app import create_app
from libpolis.web.security import verify_password

PASSWORD = "correct horse battery staple"
SECRET = "test-secret-" + "x" * 32
ROLES = ("admin", "staff", "staff_other", "officer", "viewer")


@pytest.fixture(scope="session")
def password_hash() -> str:
    """An argon2id hash with small cost parameters: verification reads the parameters from
    the hash, so signing in during tests is fast while the code path is the real one."""
    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    h = cheap.hash(PASSWORD)
    assert verify_password(PASSWORD, h)
    return h


def seed(engine: Engine, password_hash: str) -> dict[str, Any]:
    """Two library systems with a library each, and one user per role."""
    ids: dict[str, Any] = {}
    with session_scope(engine) as s:
        a = LibrarySystem(source="t", source_id="A", name="System A", attrs={})
        b = LibrarySystem(source="t", source_id="B", name="System B", attrs={})
        s.add_all([a, b])
        s.flush()
        la = Library(
            source="t",
            source_id="la",
            name="Library A",
            kind="library",
            system_id=a.id,
            lon=24.94,
            lat=60.17,
            attrs={"has_computers": "1", "open_sundays": "0"},
        )
        lb = Library(
            source="t",
            source_id="lb",
            name="Library B",
            kind="library",
            system_id=b.id,
            lon=24.95,
            lat=60.18,
            attrs={},
        )
        s.add_all([la, lb])
        s.flush()
        ids.update(system_a=a.id, system_b=b.id, library_a=la.id, library_b=lb.id)
        for role, (r, sys_id) in {
            "admin": ("admin", None),
            "staff": ("staff", a.id),
            "staff_other": ("staff", b.id),
            "officer": ("officer", None),
            "viewer": ("viewer", None),
        }.items():
            u = User(
                email=f"{role}@example.org",
                name=role,
                role=r,
                library_system_id=sys_id,
                password_hash=password_hash,
                is_active=True,
            )
            s.add(u)
            s.flush()
            ids[f"user_{role}"] = u.id
    return ids


@pytest.fixture
def web_engine(store_url: str) -> Iterator[Engine]:
    eng = open_store(store_url)
    yield eng
    eng.dispose()


@pytest.fixture
def sqlite_web_engine(tmp_path: Path) -> Iterator[Engine]:
    eng = open_store(f"sqlite:///{tmp_path / 'web.sqlite'}")
    yield eng
    eng.dispose()


def _make(engine: Engine, tmp_path: Path, password_hash: str) -> tuple[Any, dict[str, Any]]:
    ids = seed(engine, password_hash)
    app = create_app(
        engine, secret_key=SECRET, documents_dir=tmp_path / "docs", max_upload_bytes=4096
    )
    return app, ids


@pytest.fixture
def web(web_engine: Engine, tmp_path: Path, password_hash: str) -> tuple[Any, dict[str, Any]]:
    """The app on each backend, and the ids of the seeded records."""
    return _make(web_engine, tmp_path, password_hash)


@pytest.fixture
def sqlite_web(
    sqlite_web_engine: Engine, tmp_path: Path, password_hash: str
) -> tuple[Any, dict[str, Any]]:
    return _make(sqlite_web_engine, tmp_path, password_hash)


def login(app: Any, role: str | None, **kw: Any) -> TestClient:
    """A client signed in as ``role`` (cookie session, CSRF header set), or anonymous."""
    client = TestClient(app, **kw)
    if role is None:
        client.headers["X-CSRF-Token"] = _csrf(client)
        return client
    r = client.post(
        "/api/auth/login",
        json={"email": f"{role}@example.org", "password": PASSWORD},
        headers={"X-CSRF-Token": _csrf(client)},
    )
    assert r.status_code == 200, r.text
    client.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    return client


def _csrf(client: TestClient) -> str:
    """The CSRF token of the client's (anonymous) session, read from a rendered form."""
    import re

    page = client.get("/login").text
    m = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert m, "the login form carries a CSRF token"
    return m.group(1)


@pytest.fixture
def client_for(web: tuple[Any, dict[str, Any]]) -> Callable[[str | None], TestClient]:
    app, _ = web
    return lambda role: login(app, role)


@pytest.fixture
def login_as() -> Callable[..., TestClient]:
    """``login_as(app, role)``: a client signed in as ``role`` on any app."""
    return login


@contextmanager
def serve(app: Any) -> Iterator[str]:
    """``app`` on a real uvicorn server on a free port of 127.0.0.1, in a thread; its URL."""
    import uvicorn

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started:
        if time.monotonic() > deadline:
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def web_kit() -> Any:
    """The helpers of this conftest for module-scoped fixtures: ``seed``, ``login``,
    ``serve`` (an app on a real server), ``SECRET``, ``PASSWORD``."""
    from types import SimpleNamespace

    return SimpleNamespace(seed=seed, login=login, serve=serve,
                           SECRET=SECRET, PASSWORD=PASSWORD)  # fmt: skip
