"""Role × endpoint matrix: every write endpoint (API and form) refuses each role that may not
use it, and leaves the store as it was; the roles that may use it succeed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.routing import APIRoute
from sqlalchemy import func, select

from libpolis.store import session_scope
from libpolis.store.tables import AuditEntry

ALL = ("anonymous", "viewer", "staff_other", "staff", "officer", "admin")
EDIT_OWN = {"admin", "staff"}  # programmes of system A
PARTNERSHIP = {"admin", "officer", "staff"}  # partnerships of system A
DECIDE = {"admin", "officer", "staff"}
PARTNER = {"admin", "officer", "staff", "staff_other"}
GOAL = {"admin", "officer"}
ADMIN = {"admin"}


@dataclass
class W:
    method: str
    path: str  # with {placeholders} filled from the seeded objects
    allowed: set[str]
    body: Callable[[dict[str, Any]], dict[str, Any]]
    kind: str = "json"  # json | form | file


def _next_status(o: dict[str, Any]) -> dict[str, Any]:
    return {"status": o["next_status"]()}


WRITES = [
    W("POST", "/api/programmes", EDIT_OWN, lambda o: {"title": "P", "library_id": o["lib"]}),
    W("PATCH", "/api/programmes/{prog}", EDIT_OWN, lambda o: {"attendance": o["n"]()}),
    W("PATCH", "/api/alignments/{al}", DECIDE, lambda o: {"status": "confirmed"}),
    W("POST", "/api/partners", PARTNER, lambda o: {"name": "N"}),
    W("PATCH", "/api/partners/{partner}", PARTNER, lambda o: {"kind": o["uniq"]()}),
    W(
        "POST",
        "/api/partnerships",
        PARTNERSHIP,
        lambda o: {"title": "S", "library_system_id": o["sys"]},
    ),
    W("PATCH", "/api/partnerships/{ps}", PARTNERSHIP, lambda o: {"purpose": o["uniq"]()}),
    W("POST", "/api/partnerships/{ps}/status", PARTNERSHIP, _next_status),
    W("POST", "/api/partnerships/{ps}/indicators", PARTNERSHIP, lambda o: {"name": "I"}),
    W("PATCH", "/api/indicators/{ind}", PARTNERSHIP, lambda o: {"measured": o["n"]()}),
    W("POST", "/api/partnerships/{ps}/notes", PARTNERSHIP, lambda o: {"body": "n"}),
    W("POST", "/api/partnerships/{ps}/documents", PARTNERSHIP, lambda o: {"title": "d"}, "file"),
    W("POST", "/api/goals", GOAL, lambda o: {"code": o["uniq"](), "title": "G"}),
    W("PATCH", "/api/goals/{goal}", GOAL, lambda o: {"text": o["uniq"]()}),
    W(
        "POST",
        "/api/users",
        ADMIN,
        lambda o: {"email": f"{o['uniq']()}@example.org", "role": "viewer", "password": "x" * 12},
    ),
    W("PATCH", "/api/users/{viewer}", ADMIN, lambda o: {"name": o["uniq"]()}),
    # the same writes through the pages' forms
    W(
        "POST",
        "/programmes/new",
        EDIT_OWN,
        lambda o: {"title": "P", "library_id": o["lib"]},
        "form",
    ),
    W("POST", "/programmes/{prog}/edit", EDIT_OWN, lambda o: {"title": o["uniq"]()}, "form"),
    W("POST", "/alignments/{al}", DECIDE, lambda o: {"status": "rejected"}, "form"),
    W("POST", "/partners/new", PARTNER, lambda o: {"name": "N"}, "form"),
    W("POST", "/partners/{partner}/edit", PARTNER, lambda o: {"name": o["uniq"]()}, "form"),
    W(
        "POST",
        "/partnerships/new",
        PARTNERSHIP,
        lambda o: {"title": "S", "library_system_id": str(o["sys"])},
        "form",
    ),
    W("POST", "/partnerships/{ps}/edit", PARTNERSHIP, lambda o: {"title": o["uniq"]()}, "form"),
    W("POST", "/partnerships/{ps}/status", PARTNERSHIP, _next_status, "form"),
    W("POST", "/partnerships/{ps}/indicators", PARTNERSHIP, lambda o: {"name": "I"}, "form"),
    W("POST", "/indicators/{ind}", PARTNERSHIP, lambda o: {"measured": str(o["n"]())}, "form"),
    W("POST", "/partnerships/{ps}/notes", PARTNERSHIP, lambda o: {"body": "n"}, "form"),
    W("POST", "/partnerships/{ps}/documents", PARTNERSHIP, lambda o: {"title": "d"}, "file-form"),
    W("POST", "/goals/new", GOAL, lambda o: {"code": o["uniq"](), "title": "G"}, "form"),
    W("POST", "/goals/{goal}/edit", GOAL, lambda o: {"title": o["uniq"]()}, "form"),
    W(
        "POST",
        "/users/new",
        ADMIN,
        lambda o: {"email": f"{o['uniq']()}@example.org", "role": "viewer", "password": "x" * 12},
        "form",
    ),
    W(
        "POST",
        "/users/{viewer}",
        ADMIN,
        lambda o: {"role": "viewer", "is_active": "on", "password": "y" * 12},
        "form",
    ),
]

# writes open to anyone (signing in and out) are not part of the matrix
OPEN = {
    ("POST", "/api/auth/login"),
    ("POST", "/api/auth/token"),
    ("POST", "/api/auth/logout"),
    ("POST", "/login"),
    ("POST", "/logout"),
}
# writes that need a populated workspace, with their own role tests
ELSEWHERE = {("POST", "/api/scenarios")}  # tests/web/test_scenarios.py


def test_every_write_endpoint_is_in_the_matrix() -> None:
    from libpolis.web.routes import ROUTERS

    routes = {
        (m, r.path)
        for router in ROUTERS
        for r in router.routes
        if isinstance(r, APIRoute)
        for m in r.methods
        if m in {"POST", "PUT", "PATCH", "DELETE"}
    }
    listed = {(w.method, w.path.replace("{prog}", "{programme_id}")) for w in WRITES}
    norm = {(m, _norm(p)) for m, p in routes} - {(m, _norm(p)) for m, p in OPEN | ELSEWHERE}
    assert norm == {(m, _norm(p)) for m, p in listed}


def _norm(path: str) -> str:
    import re

    return re.sub(r"\{[^}]+\}", "{}", path)


def _audit_count(app: Any) -> int:
    with session_scope(app.state.engine) as s:
        return (
            s.scalar(
                select(func.count())
                .select_from(AuditEntry)
                .where(AuditEntry.action.not_in(["login", "login-failed"]))
            )
            or 0
        )


def _objects(app: Any, ids: dict[str, Any], login_as: Any) -> dict[str, Any]:
    officer = login_as(app, "officer")
    admin = login_as(app, "admin")
    goal = officer.post(
        "/api/goals",
        json={"code": "CG", "title": "Reading for children", "text": "reading children literacy"},
    ).json()
    prog = admin.post(
        "/api/programmes",
        json={
            "title": "Reading for children",
            "description": "literacy reading children",
            "library_id": ids["library_a"],
        },
    ).json()
    assert prog["alignments"], prog
    partner = officer.post("/api/partners", json={"name": "School"}).json()
    ps = officer.post(
        "/api/partnerships", json={"title": "Reading week", "library_system_id": ids["system_a"]}
    ).json()
    ind = officer.post(f"/api/partnerships/{ps['id']}/indicators", json={"name": "x"}).json()
    counter = iter(range(10_000))

    def next_status() -> str:
        cur = admin.get(f"/api/partnerships/{ps['id']}").json()["status"]
        order = ["idea", "proposed", "agreed", "active", "evaluated"]
        i = order.index(cur)
        return order[i + 1] if i + 1 < len(order) else order[i - 1]

    return {
        "lib": ids["library_a"],
        "sys": ids["system_a"],
        "prog": prog["id"],
        "al": prog["alignments"][0]["id"],
        "partner": partner["id"],
        "ps": ps["id"],
        "ind": ind["id"],
        "goal": goal["id"],
        "viewer": ids["user_viewer"],
        "uniq": lambda: f"u{next(counter)}",
        "n": lambda: next(counter),
        "next_status": next_status,
    }


def _send(client: Any, w: W, o: dict[str, Any]) -> Any:
    path = w.path.format(**{k: v for k, v in o.items() if not callable(v)})
    body = w.body(o)
    if w.kind == "json":
        return client.request(w.method, path, json=body, follow_redirects=False)
    form = {**body, "csrf_token": client.headers.get("X-CSRF-Token", "")}
    files = {"file": ("a.txt", b"abc", "text/plain")} if w.kind.startswith("file") else None
    headers = {"X-CSRF-Token": ""}  # forms carry the token as a field
    return client.request(
        w.method, path, data=form, files=files, headers=headers, follow_redirects=False
    )


@pytest.fixture(scope="module")
def matrix(tmp_path_factory, password_hash, web_kit):
    """One app for the whole matrix, its objects and a signed-in client per role."""
    from libpolis.store import open_store
    from libpolis.web.app import create_app

    seed, login, secret = web_kit.seed, web_kit.login, web_kit.SECRET
    tmp = tmp_path_factory.mktemp("matrix")
    engine = open_store(f"sqlite:///{tmp / 'm.sqlite'}")
    ids = seed(engine, password_hash)
    app = create_app(engine, secret_key=secret, documents_dir=tmp / "docs")
    o = _objects(app, ids, login)
    clients = {r: login(app, None if r == "anonymous" else r) for r in ALL}
    yield app, o, clients
    engine.dispose()


@pytest.mark.parametrize("w", WRITES, ids=lambda w: f"{w.method} {w.path}")
def test_role_matrix(matrix, w: W) -> None:
    app, o, clients = matrix
    for role in ALL:
        client = clients[role]
        before = _audit_count(app)
        r = _send(client, w, o)
        if role in w.allowed:
            assert r.status_code in {200, 201, 303}, (role, r.status_code, r.text[:300])
            assert _audit_count(app) > before, role
        else:
            expected = {401, 303} if role == "anonymous" else {403, 404}
            assert r.status_code in expected, (role, r.status_code, r.text[:300])
            if role == "anonymous" and r.status_code == 303:
                assert r.headers["location"].startswith("/login")
            assert _audit_count(app) == before, role
