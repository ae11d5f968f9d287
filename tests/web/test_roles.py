"""Role × endpoint matrix: every write endpoint (API and form) refuses each role that may not
use it, and leaves the store as it was; the roles that may use it succeed."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
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
ASSESS = {"admin", "officer", "staff", "staff_other"}  # the Culture 21 self-assessment
SURVEY = {"admin", "officer", "staff", "staff_other"}  # survey links and results
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


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
    W(
        "POST",
        "/api/indicators/{ind}/measurements",
        PARTNERSHIP,
        lambda o: {"value": o["n"](), "measured_on": "2026-01-31", "source": "count"},
    ),
    W("POST", "/api/partnerships/{ps}/notes", PARTNERSHIP, lambda o: {"body": "n"}),
    W("POST", "/api/partnerships/{ps}/documents", PARTNERSHIP, lambda o: {"title": "d"}, "file"),
    W("POST", "/api/goals", GOAL, lambda o: {"code": o["uniq"](), "title": "G"}),
    W("PATCH", "/api/goals/{goal}", GOAL, lambda o: {"text": o["uniq"]()}),
    W(
        "POST",
        "/surveys/new",
        SURVEY,
        lambda o: {"programme_id": str(o["prog"]), "area": "health"},
        "form",
    ),
    # the public survey form: anyone, signed in or not (audited without a user)
    W("POST", "/s/{token}", set(ALL), lambda o: {"knowledge": "4"}, "form"),
    # before the users' writes: the last of them signs the viewer out
    W(
        "POST",
        "/api/assessment/{year}",
        ASSESS,
        lambda o: {"answers": [{"action": "1.1", "level": o["n"]() % 9 + 1}]},
    ),
    W(
        "POST",
        "/assessment/{year}",
        ASSESS,
        lambda o: {"level_1.2": str(o["n"]() % 9 + 1), "evidence_1.2": "e"},
        "form",
    ),
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
    W(
        "POST",
        "/indicators/{ind}/measurements",
        PARTNERSHIP,
        lambda o: {"value": str(o["n"]()), "measured_on": "2026-02-28"},
        "form",
    ),
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
# writes that need a populated workspace, or act on oneself, with their own role tests
ELSEWHERE = {
    ("POST", "/api/scenarios"),  # tests/web/test_scenarios.py
    ("POST", "/api/me/password"),  # one's own password: tests/web/test_sessions.py
}


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


def _survey_token(client: Any, programme_id: int) -> str:
    """A survey link for the programme, made through the form; its token."""
    r = client.post(
        "/surveys/new",
        data={"programme_id": str(programme_id), "area": "health",
              "csrf_token": client.headers["X-CSRF-Token"]},
        headers={"X-CSRF-Token": ""},
        follow_redirects=False,
    )  # fmt: skip
    assert r.status_code == 303, r.text[:300]
    return re.findall(r'href="/s/([A-Za-z0-9_-]+)"', client.get("/surveys").text)[-1]


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
        "year": 2024,
        "token": _survey_token(admin, prog["id"]),
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
    files = {"file": ("a.pdf", PDF, "application/pdf")} if w.kind.startswith("file") else None
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


# ---------------------------------------------------------------------------------------------
# Reads: every GET route and every output, per role, and what each role may see in it.

SEE_A = {"admin", "officer", "staff"}  # the unpublished partnership of system A
SEE_B = {"admin", "officer", "staff_other"}  # the unpublished partnership of system B
SIGNED = set(ALL) - {"anonymous"}
EVERYONE = set(ALL)
HIDDEN_A, HIDDEN_B, PUBLISHED = "Hidden pact Aalto", "Hidden pact Borealis", "Open pact Cygnus"


@dataclass
class R:
    path: str
    ok: set[str]  # roles answered 200; anonymous otherwise 401 (API) or 303 to /login (pages)
    denied: int = 403  # what the other signed-in roles get
    lists: bool = False  # the output lists partnerships: each role must find what it may see
    special: dict[str, int] = field(default_factory=dict)  # other answers for some roles


EXPORTS = [
    R(f"/api/export/{res}.{fmt}", EVERYONE, lists=res == "partnerships")
    for res in ("libraries", "venues", "programmes", "partners", "partnerships", "goals")
    for fmt in ("csv", "xlsx", "geojson")
] + [
    # one row per measurement of the indicators of the partnerships the role may see
    R(f"/api/export/indicators.{fmt}", EVERYONE, lists=True)
    for fmt in ("csv", "xlsx", "geojson")
]
READS = [
    R("/api/me", SIGNED),
    R("/api/evidence", EVERYONE),
    R("/api/map", EVERYONE),
    R("/api/brief.html", EVERYONE, lists=True),
    R("/api/brief.pdf", EVERYONE, lists=True),
    R("/api/libraries", EVERYONE),
    R("/api/libraries/{lib}", EVERYONE),
    R("/api/programmes", EVERYONE),
    R("/api/programmes/{prog}", EVERYONE),
    R("/api/programmes/{prog}/alignments", EVERYONE),
    R("/api/partners", EVERYONE),
    R("/api/partners/{partner}", EVERYONE),
    R("/api/partnerships", EVERYONE, lists=True),
    R("/api/partnerships/{open}", EVERYONE),
    R("/api/partnerships/{hidden_a}", SEE_A, denied=404),
    R("/api/partnerships/{hidden_b}", SEE_B, denied=404),
    R("/api/documents/{doc_b}", SEE_B, denied=404),
    R("/api/goals", EVERYONE),
    R("/api/users", {"admin"}),
    R("/api/audit", {"admin"}),
    *EXPORTS,
    R("/api/scenarios", {"admin", "officer"}),
    # none stored in this workspace: those who may see scenarios learn that it does not exist
    R("/api/scenarios/{label}", set(), special={"admin": 404, "officer": 404}),
    R("/login", EVERYONE),
    R("/", EVERYONE),
    R("/api/docs", EVERYONE),
    R("/libraries", EVERYONE),
    R("/libraries/{lib}", EVERYONE),
    R("/programmes", EVERYONE),
    R("/programmes/new", SIGNED),  # the form; saving it is in the write matrix
    R("/programmes/{prog}", EVERYONE),
    R("/programmes/{prog}/edit", SIGNED),
    R("/partners", EVERYONE),
    R("/partners/new", SIGNED),
    R("/partners/{partner}/edit", SIGNED),
    R("/partnerships", EVERYONE, lists=True),
    R("/partnerships/new", SIGNED),
    R("/partnerships/{open}", EVERYONE),
    R("/partnerships/{hidden_b}", SEE_B, denied=404),
    R("/partnerships/{hidden_b}/edit", SEE_B, denied=404),
    R("/documents/{doc_b}", SEE_B, denied=404),
    R("/goals", EVERYONE),
    R("/pickers/{pick_goals}", EVERYONE),  # the form's searchable pickers (public records)
    R("/pickers/{pick_programmes}", EVERYONE),
    R("/pickers/{pick_libraries}", EVERYONE),
    R("/goals/new", SIGNED),
    R("/goals/{goal}/edit", SIGNED),
    R("/users", {"admin"}),
    R("/audit", {"admin"}),
    R("/api/assessment", SIGNED),
    R("/api/assessment.csv", SIGNED),
    R("/assessment", SIGNED),
    R("/assessment/{year}", SIGNED),
    R("/api/surveys/results", SURVEY),
    R("/surveys", SURVEY),
    R("/s/{token}", EVERYONE),
    # peer benchmark from published statistics (none imported here: it says what to run)
    R("/api/benchmark", EVERYONE),
    R("/benchmark", EVERYONE),
]
# pages a signed-out visitor may open although they show a record one may not see: a 404
ANON_404 = {
    "/api/partnerships/{hidden_a}",
    "/api/partnerships/{hidden_b}",
    "/api/documents/{doc_b}",
    "/partnerships/{hidden_b}",
    "/documents/{doc_b}",
}


def _templated(m: re.Match[str]) -> str:
    """``/api/export/goals.csv`` → ``/api/export/{}.{}``; ``/api/brief.pdf`` → ``/api/brief.{}``."""
    return "/api/export/{}.{}" if m[1].startswith("/api/export/") else "/api/brief.{}"


def test_every_read_route_is_in_the_matrix() -> None:
    from libpolis.web.routes import ROUTERS

    routes = {
        _norm(r.path)
        for router in ROUTERS
        for r in router.routes
        if isinstance(r, APIRoute) and "GET" in r.methods
    }
    listed = {_norm(r.path) for r in READS}
    listed = {re.sub(r"^(/api/export/\w+|/api/brief)\.\w+$", _templated, p) for p in listed}
    assert listed == routes


@pytest.fixture(scope="module")
def readers(tmp_path_factory, password_hash, web_kit):
    """An app with a published partnership, an unpublished one of each library system (one
    with a document), and a client per role."""
    from libpolis.store import open_store
    from libpolis.web.app import create_app

    tmp = tmp_path_factory.mktemp("reads")
    engine = open_store(f"sqlite:///{tmp / 'r.sqlite'}")
    ids = web_kit.seed(engine, password_hash)
    app = create_app(engine, secret_key=web_kit.SECRET, documents_dir=tmp / "docs")
    c = {r: web_kit.login(app, None if r == "anonymous" else r) for r in ALL}
    officer, admin = c["officer"], c["admin"]
    goal = officer.post("/api/goals", json={"code": "CG", "title": "Reading"}).json()
    prog = admin.post(
        "/api/programmes", json={"title": "Story hour", "library_id": ids["library_a"]}
    ).json()
    partner = officer.post("/api/partners", json={"name": "School"}).json()

    def ship(client: Any, title: str, system: str, **kw: Any) -> int:
        body = {"title": title, "library_system_id": ids[system], "district": title, **kw}
        r = client.post("/api/partnerships", json=body)
        assert r.status_code == 201, r.text
        return r.json()["id"]

    o = {
        "lib": ids["library_a"],
        "prog": prog["id"],
        "partner": partner["id"],
        "goal": goal["id"],
        "label": "nope",
        "year": 2024,
        "token": _survey_token(admin, prog["id"]),
        "pick_goals": "goals?q=read",
        "pick_programmes": "programmes?q=story",
        "pick_libraries": "libraries?q=library",
        "hidden_a": ship(c["staff"], HIDDEN_A, "system_a"),
        "hidden_b": ship(c["staff_other"], HIDDEN_B, "system_b"),
        "open": ship(officer, PUBLISHED, "system_a", published=True),
    }
    for key, client in (("hidden_a", c["staff"]), ("hidden_b", c["staff_other"]), ("open", officer)):
        ind = client.post(f"/api/partnerships/{o[key]}/indicators", json={"name": "Visits"})
        assert ind.status_code == 201, ind.text
    doc = c["staff_other"].post(
        f"/api/partnerships/{o['hidden_b']}/documents",
        data={"title": "minutes"},
        files={"file": ("m.pdf", PDF + b"% minutes of " + HIDDEN_B.encode(), "application/pdf")},
    )
    assert doc.status_code == 201, doc.text
    o["doc_b"] = doc.json()["id"]
    yield app, o, c
    engine.dispose()


def _text(r: Any) -> str:
    if r.headers.get("content-type", "").startswith("application/vnd.openxmlformats"):
        import io

        from openpyxl import load_workbook

        wb = load_workbook(io.BytesIO(r.content), read_only=True)
        return " ".join(
            str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row
        )
    if r.headers.get("content-type", "").startswith("application/pdf"):
        import io

        from pypdf import PdfReader

        return " ".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(r.content)).pages)
    return r.text


@pytest.mark.parametrize("rd", READS, ids=lambda r: r.path)
def test_read_matrix(readers, rd: R) -> None:
    """Each role gets the status its role allows, and no output shows an unpublished
    partnership to a role that may not open it; outputs that list partnerships show each role
    exactly those it may open."""
    _app, o, clients = readers
    path = rd.path.format(**o)
    for role in ALL:
        r = clients[role].get(path, follow_redirects=False)
        if role in rd.special:
            assert r.status_code == rd.special[role], (role, r.status_code, r.text[:300])
        elif role in rd.ok:
            assert r.status_code == 200, (role, r.status_code, r.text[:300])
        elif role == "anonymous" and rd.path not in ANON_404 and rd.ok != EVERYONE:
            if rd.path.startswith("/api/"):
                assert r.status_code == 401, (role, r.status_code, r.text[:300])
            else:
                assert r.status_code == 303 and r.headers["location"].startswith("/login")
        else:
            assert r.status_code == rd.denied, (role, r.status_code, r.text[:300])
        if r.status_code != 200:
            assert HIDDEN_A not in r.text and HIDDEN_B not in r.text, role
            continue
        text = _text(r)
        for title, may in ((HIDDEN_A, SEE_A), (HIDDEN_B, SEE_B), (PUBLISHED, EVERYONE)):
            if role not in may:
                assert title not in text, (role, title)
            elif rd.lists:
                assert title in text, (role, title)


def test_register_counts_follow_the_same_rule(readers) -> None:
    """The evidence figures and the dashboard count the partnerships each role may see."""
    _app, _o, clients = readers
    expected = {"anonymous": 1, "viewer": 1, "staff": 2, "staff_other": 2, "officer": 3}
    expected["admin"] = 3
    for role, n in expected.items():
        figs = clients[role].get("/api/evidence").json()["figures"]
        assert figs["partnerships_idea"]["value"] == n, role
        word = "partnership" if n == 1 else "partnerships"  # ngettext: "1 partnership"
        assert f"{n} {word}</a>" in clients[role].get("/").text, role
