"""The JSON API on SQLite and on the real PostgreSQL server."""

from __future__ import annotations

import csv
import io
import json

from sqlalchemy import func, select

from libpolis.evidence import assemble_evidence
from libpolis.store import session_scope
from libpolis.store.tables import AuditEntry


def test_programme_create_suggest_confirm(web, client_for) -> None:
    _app, ids = web
    officer, staff = client_for("officer"), client_for("staff")
    goal = officer.post(
        "/api/goals",
        json={
            "code": "C1",
            "title": "Reading for every child",
            "text": "Reading and literacy for children in every district",
        },
    )
    assert goal.status_code == 201, goal.text
    assert goal.json()["framework"] == "city"
    r = staff.post(
        "/api/programmes",
        json={
            "title": "Reading club for children",
            "library_id": ids["library_a"],
            "description": "Children practise reading aloud with volunteers.",
            "start_date": "2025-01-10",
            "end_date": "2025-05-30",
            "attendance": 40,
        },
    )
    assert r.status_code == 201, r.text
    prog = r.json()
    assert prog["library_name"] == "Library A" and prog["source"] == "web"
    city = [a for a in prog["alignments"] if a["framework"] == "city"]
    assert [a["goal_code"] for a in city] == ["C1"]
    a = city[0]
    assert a["status"] == "suggested" and a["decided_by"] is None
    assert {"children", "reading"} <= set(a["explanation"]["terms"])
    d = staff.patch(f"/api/alignments/{a['id']}", json={"status": "confirmed"})
    assert d.status_code == 200, d.text
    assert d.json()["status"] == "confirmed" and d.json()["decided_by"] == "staff@example.org"
    assert d.json()["decided_at"] is not None
    # a new save keeps the person's decision
    staff.patch(f"/api/programmes/{prog['id']}", json={"description": "Reading for children."})
    again = staff.get(f"/api/programmes/{prog['id']}/alignments").json()
    assert [x["status"] for x in again if x["framework"] == "city"] == ["confirmed"]
    # a programme that shares nothing with the goal gets no city suggestion
    other = staff.post(
        "/api/programmes", json={"title": "Chess tournament", "library_id": ids["library_a"]}
    ).json()
    assert [x for x in other["alignments"] if x["framework"] == "city"] == []


def test_programme_validation_and_dates(web, client_for) -> None:
    _app, ids = web
    staff = client_for("staff")
    bad = staff.post("/api/programmes", json={"title": "", "library_id": ids["library_a"]})
    assert bad.status_code == 422
    r = staff.post(
        "/api/programmes",
        json={
            "title": "X",
            "library_id": ids["library_a"],
            "start_date": "2025-05-01",
            "end_date": "2025-01-01",
        },
    )
    assert r.status_code == 422 and "before start date" in r.json()["detail"]
    r = staff.post("/api/programmes", json={"title": "X", "library_id": 999_999})
    assert r.status_code in {403, 422}


def test_lists_paginate_and_search(web, client_for) -> None:
    _app, _ids = web
    admin = client_for("admin")
    for i in range(7):
        word = "poetry" if i % 2 else "coding"
        assert admin.post("/api/programmes", json={"title": f"{word} {i}"}).status_code == 201
    page1 = admin.get("/api/programmes", params={"per_page": 3}).json()
    assert page1["total"] == 7 and len(page1["items"]) == 3 and page1["page"] == 1
    page3 = admin.get("/api/programmes", params={"per_page": 3, "page": 3}).json()
    assert len(page3["items"]) == 1
    seen = {
        p["id"]
        for n in (1, 2, 3)
        for p in admin.get("/api/programmes", params={"per_page": 3, "page": n}).json()["items"]
    }
    assert len(seen) == 7
    found = admin.get("/api/programmes", params={"q": "POETRY"}).json()
    assert found["total"] == 3 and all("poetry" in p["title"] for p in found["items"])
    assert admin.get("/api/programmes", params={"per_page": 500}).status_code == 422


def test_partnership_lifecycle(web, client_for) -> None:
    _app, ids = web
    officer = client_for("officer")
    goal = officer.post("/api/goals", json={"code": "C2", "title": "Health literacy"}).json()
    partner = officer.post(
        "/api/partners", json={"name": "City health services", "kind": "health service"}
    ).json()
    r = officer.post(
        "/api/partnerships",
        json={
            "title": "Health info desk",
            "purpose": "Health advice in libraries",
            "partner_id": partner["id"],
            "library_system_id": ids["system_a"],
            "district": "Keskinen",
            "goal_ids": [goal["id"]],
        },
    )
    assert r.status_code == 201, r.text
    ps = r.json()
    assert ps["status"] == "idea" and ps["goal_ids"] == [goal["id"]]
    assert ps["partner_name"] == "City health services"
    pid = ps["id"]
    skip = officer.post(f"/api/partnerships/{pid}/status", json={"status": "agreed"})
    assert skip.status_code == 422 and "one step" in skip.json()["detail"]
    for status in ("proposed", "agreed"):
        r = officer.post(f"/api/partnerships/{pid}/status", json={"status": status})
        assert r.status_code == 200 and r.json()["status"] == status
    hist = r.json()["history"]
    assert [(h["from_status"], h["to_status"]) for h in hist] == [
        (None, "idea"),
        ("idea", "proposed"),
        ("proposed", "agreed"),
    ]
    assert all(h["changed_at"] and h["changed_by"] == "officer@example.org" for h in hist)
    ind = officer.post(
        f"/api/partnerships/{pid}/indicators",
        json={"name": "Visitors advised", "unit": "people", "target": 500},
    ).json()
    upd = officer.patch(
        f"/api/indicators/{ind['id']}", json={"measured": 320, "measured_on": "2025-06-30"}
    )
    assert upd.json()["measured"] == 320 and upd.json()["target"] == 500
    note = officer.post(f"/api/partnerships/{pid}/notes", json={"body": "Kick-off <b>done</b>"})
    assert note.status_code == 201
    signed = b"%PDF-1.4 signed by both"
    doc = officer.post(
        f"/api/partnerships/{pid}/documents",
        data={"title": "Agreement"},
        files={"file": ("agree ment.pdf", signed, "application/pdf")},
    )
    assert doc.status_code == 201, doc.text
    meta = doc.json()
    assert meta["size_bytes"] == len(signed) and meta["filename"] == "agree_ment.pdf"
    got = officer.get(f"/api/documents/{meta['id']}")
    assert got.content == signed
    assert got.headers["content-disposition"].startswith("attachment")
    big = officer.post(
        f"/api/partnerships/{pid}/documents",
        files={"file": ("big.bin", b"x" * 5000, "application/octet-stream")},
    )
    assert big.status_code == 413
    detail = officer.get(f"/api/partnerships/{pid}").json()
    assert len(detail["indicators"]) == 1 and len(detail["documents"]) == 1
    assert detail["notes"][0]["body"] == "Kick-off <b>done</b>"
    # filters
    officer.post("/api/partnerships", json={"title": "Other", "district": "Itäinen"})
    by = {
        k: officer.get("/api/partnerships", params={k: v}).json()["total"]
        for k, v in {"status": "agreed", "goal_id": goal["id"], "district": "Itäinen"}.items()
    }
    assert by == {"status": 1, "goal_id": 1, "district": 1}
    assert officer.get("/api/partnerships", params={"status": "nonsense"}).status_code == 422


def test_published_visibility(web, client_for) -> None:
    _app, ids = web
    officer = client_for("officer")
    hidden = officer.post("/api/partnerships", json={"title": "Draft"}).json()
    shown = officer.post("/api/partnerships", json={"title": "Open", "published": True}).json()
    for role in (None, "viewer", "staff_other"):
        c = client_for(role)
        titles = [p["title"] for p in c.get("/api/partnerships").json()["items"]]
        assert titles == ["Open"], role
        assert c.get(f"/api/partnerships/{hidden['id']}").status_code == 404
        assert c.get(f"/api/partnerships/{shown['id']}").status_code == 200
        csv_rows = list(csv.DictReader(io.StringIO(c.get("/api/export/partnerships.csv").text)))
        assert [r["title"] for r in csv_rows] == ["Open"]
    # staff see their own system's drafts
    own = officer.post(
        "/api/partnerships", json={"title": "A draft", "library_system_id": ids["system_a"]}
    ).json()
    staff = client_for("staff")
    assert staff.get(f"/api/partnerships/{own['id']}").status_code == 200


def test_exports_csv_and_geojson(web, client_for) -> None:
    _app, ids = web
    admin = client_for("admin")
    admin.post("/api/programmes", json={"title": '=HYPERLINK("x")', "library_id": ids["library_a"]})
    admin.post(
        "/api/programmes", json={"title": "Knitting, with commas", "library_id": ids["library_b"]}
    )
    r = admin.get("/api/export/programmes.csv")
    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert {row["title"] for row in rows} == {'\'=HYPERLINK("x")', "Knitting, with commas"}
    g = admin.get("/api/export/programmes.geojson").json()
    assert g["type"] == "FeatureCollection" and len(g["features"]) == 2
    coords = {f["properties"]["library_name"]: f["geometry"]["coordinates"] for f in g["features"]}
    assert coords == {"Library A": [24.94, 60.17], "Library B": [24.95, 60.18]}
    libs = admin.get("/api/export/libraries.geojson").json()
    assert len(libs["features"]) == 2
    assert admin.get("/api/export/libraries.xml").status_code == 422
    total = admin.get("/api/libraries").json()["total"]
    assert (
        len(list(csv.DictReader(io.StringIO(admin.get("/api/export/libraries.csv").text)))) == total
    )


def test_csrf_and_bearer_tokens(web, client_for) -> None:
    app, _ids = web
    admin = client_for("admin")
    token = admin.headers.pop("X-CSRF-Token")
    r = admin.post("/api/partners", json={"name": "No token"})
    assert r.status_code == 403 and "CSRF" in r.json()["detail"]
    r = admin.post("/api/partners", json={"name": "Wrong"}, headers={"X-CSRF-Token": "nope"})
    assert r.status_code == 403
    r = admin.post("/api/partners", json={"name": "Right"}, headers={"X-CSRF-Token": token})
    assert r.status_code == 201
    # a form post carries the token as a field
    r = admin.post(
        "/partners/new", data={"name": "Via form", "csrf_token": token}, follow_redirects=False
    )
    assert r.status_code == 303
    r = admin.post("/partners/new", data={"name": "Forged"}, follow_redirects=False)
    assert r.status_code == 403
    # bearer tokens need no CSRF token (browsers do not send them on their own)
    from fastapi.testclient import TestClient

    tok = TestClient(app).post(
        "/api/auth/token",
        json={"email": "admin@example.org", "password": "correct horse battery staple"},
    )
    bearer = TestClient(app, headers={"Authorization": f"Bearer {tok.json()['access_token']}"})
    assert bearer.post("/api/partners", json={"name": "Scripted"}).status_code == 201
    bad = TestClient(app, headers={"Authorization": "Bearer forged"})
    assert bad.post("/api/partners", json={"name": "x"}).status_code == 401
    names = {p["name"] for p in admin.get("/api/partners").json()["items"]}
    assert names == {"Right", "Via form", "Scripted"}


def test_login_is_rate_limited(web) -> None:
    from fastapi.testclient import TestClient

    app, _ = web
    c = TestClient(app)
    for _ in range(5):
        r = c.post("/api/auth/token", json={"email": "admin@example.org", "password": "wrong"})
        assert r.status_code == 403
    r = c.post(
        "/api/auth/token",
        json={"email": "admin@example.org", "password": "correct horse battery staple"},
    )
    assert r.status_code == 429


def test_session_cookie_flags(web, login_as) -> None:
    from fastapi.testclient import TestClient

    app, _ = web
    login = login_as
    c = login(app, "admin")
    r = c.get("/api/me")
    assert r.json()["email"] == "admin@example.org"
    https = TestClient(app, base_url="https://testserver")
    cookie = https.get("/login").headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" in cookie
    plain = TestClient(app).get("/login").headers["set-cookie"].lower()
    assert "httponly" in plain and "secure" not in plain
    assert c.post("/api/auth/logout").status_code == 204
    assert c.get("/api/me").status_code == 401


def test_audit_log_records_writes(web, client_for) -> None:
    app, _ids = web
    officer = client_for("officer")
    p = officer.post("/api/partners", json={"name": "Library friends"}).json()
    officer.patch(f"/api/partners/{p['id']}", json={"kind": "NGO"})
    admin = client_for("admin")
    log = admin.get("/api/audit", params={"entity": "partner"}).json()["items"]
    assert [(e["action"], e["user_email"]) for e in log] == [
        ("update", "officer@example.org"),
        ("create", "officer@example.org"),
    ]
    assert log[0]["changes"] == {"kind": [None, "NGO"]}
    assert officer.get("/api/audit").status_code == 403
    with session_scope(app.state.engine) as s:
        logins = s.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "login")
        )
    assert logins == 2


def test_errors_become_http_in_one_place(web, client_for) -> None:
    _app, _ = web
    c = client_for(None)
    r = c.get("/api/programmes/999999")
    assert r.status_code == 404 and r.headers["content-type"] == "application/json"
    assert "no programme with id 999999" in r.json()["detail"]
    page = c.get("/programmes/999999")
    assert page.status_code == 404 and "text/html" in page.headers["content-type"]
    assert "no programme with id 999999" in page.text
    r = c.get("/programmes/new", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")
    assert c.post("/api/partners", json={"name": "x"}).status_code == 401


def test_dashboard_shows_the_evidence_figures(web, client_for) -> None:
    app, _ = web
    api = client_for(None).get("/api/evidence").json()
    ev = assemble_evidence(app.state.engine)
    assert {k: f["value"] for k, f in api["figures"].items()} == {
        k: f.value for k, f in ev.figures.items()
    }
    assert api["figures"]["libraries"]["value"] == 2
    page = client_for(None).get("/").text
    for f in api["headline"]:
        assert api["figures"][f]["label"] in page
    layers = client_for(None).get("/api/map").json()
    assert len(layers["libraries"]["features"]) == 2
    json.dumps(layers)


def test_library_profile(web, client_for) -> None:
    _app, ids = web
    r = client_for(None).get(f"/api/libraries/{ids['library_a']}").json()
    assert r["library"]["name"] == "Library A"
    assert {s["label"]: s["on"] for s in r["services"]} == {"Computers": True}
    assert {s["label"]: s["on"] for s in r["opening"]} == {"Open on Sundays": False}
    page = client_for(None).get(f"/libraries/{ids['library_a']}")
    assert page.status_code == 200 and "Computers" in page.text


def test_pages_render_for_everyone(sqlite_web, login_as) -> None:
    app, ids = sqlite_web
    paths = [
        "/",
        "/libraries",
        f"/libraries/{ids['library_a']}",
        "/programmes",
        "/partners",
        "/partnerships",
        "/goals",
        "/login",
    ]
    for role in (None, "viewer", "admin"):
        c = login_as(app, role)
        for path in paths:
            r = c.get(path)
            assert r.status_code == 200, (role, path)
            assert "Content-Security-Policy" in r.headers
    admin = login_as(app, "admin")
    for path in (
        "/users",
        "/audit",
        "/programmes/new",
        "/partnerships/new",
        "/goals/new",
        "/api/docs",
    ):
        assert admin.get(path).status_code == 200, path


def test_brief_downloads(sqlite_web, login_as) -> None:
    app, _ = sqlite_web
    c = login_as(app, None)
    html = c.get("/api/brief.html")
    assert html.status_code == 200 and "<html" in html.text.lower()
    assert html.headers["content-disposition"].startswith("attachment")
    pdf = c.get("/api/brief.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    fr = c.get("/api/brief.html", params={"lang": "fr"})
    assert fr.status_code == 200 and 'lang="fr"' in fr.text
    assert c.get("/api/brief.pdf", params={"lang": "xx"}).status_code == 422
    # everyone's brief lists the partnerships they may see, and only those
    officer = login_as(app, "officer")
    officer.post("/api/partnerships", json={"title": "Not yet public"})
    assert "Not yet public" not in c.get("/api/brief.html").text
    assert "Not yet public" not in login_as(app, "viewer").get("/api/brief.html").text
    assert "Not yet public" in officer.get("/api/brief.html").text


def test_library_statistics_over_the_years(web, client_for) -> None:
    app, ids = web
    from libpolis.store.tables import Statistic

    with session_scope(app.state.engine) as s:
        for year, visits in ((2021, 1000.0), (2022, 1500.0)):
            s.add(
                Statistic(
                    source="pls",
                    source_id=f"la-{year}",
                    attrs={},
                    subject_type="library",
                    subject_source_id="la",
                    year=year,
                    name="visits",
                    value=visits,
                    unit="visits",
                )
            )
        s.add(
            Statistic(
                source="pls",
                source_id="A-2022",
                attrs={},
                subject_type="library_system",
                subject_source_id="A",
                year=2022,
                name="loans",
                value=42.0,
                unit="items",
            )
        )
        s.add(
            Statistic(
                source="pls",
                source_id="lb-2022",
                attrs={},
                subject_type="library",
                subject_source_id="lb",
                year=2022,
                name="visits",
                value=7.0,
                unit="visits",
            )
        )
    r = client_for(None).get(f"/api/libraries/{ids['library_a']}").json()
    got = sorted((x["name"], x["year"], x["value"]) for x in r["statistics"])
    assert got == [("loans", 2022, 42.0), ("visits", 2021, 1000.0), ("visits", 2022, 1500.0)]
    page = client_for(None).get(f"/libraries/{ids['library_a']}").text
    assert "1,500" in page and "2021" in page and "loans" in page


def test_sign_in_forms_and_redirects(sqlite_web, web_kit) -> None:
    from fastapi.testclient import TestClient

    app, _ = sqlite_web
    c = TestClient(app)
    # a cross-site form cannot post JSON: other content types are not read as credentials
    r = c.post(
        "/api/auth/login",
        content=f'{{"email": "admin@example.org", "password": "{web_kit.PASSWORD}"}}',
        headers={"Content-Type": "text/plain"},
    )
    assert r.status_code == 422
    token = __import__("re").search(r'name="csrf_token" value="([^"]+)"', c.get("/login").text)[1]
    for target, expected in [
        ("/partners", "/partners"),
        ("//evil.example", "/"),
        ("/\\evil.example", "/"),
        ("https://evil.example", "/"),
    ]:
        r = c.post(
            "/login",
            data={
                "email": "admin@example.org",
                "password": web_kit.PASSWORD,
                "next": target,
                "csrf_token": token,
            },
            follow_redirects=False,
        )
        assert r.status_code == 303 and r.headers["location"] == expected, target
        token = __import__("re").search(r'name="csrf_token" value="([^"]+)"', c.get("/login").text)[
            1
        ]
    bad = c.post(
        "/login", data={"email": "admin@example.org", "password": "nope", "csrf_token": token}
    )
    assert bad.status_code == 403 and "wrong e-mail or password" in bad.text


def test_map_layers_revalidate_with_etag(sqlite_web, login_as) -> None:
    app, _ = sqlite_web
    c = login_as(app, None)
    first = c.get("/api/map")
    tag = first.headers["etag"]
    again = c.get("/api/map", headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b""
    # a new library moves the store revision and the fingerprint, hence the tag, at once
    from libpolis.store.tables import Library

    with session_scope(app.state.engine) as s:
        s.add(
            Library(
                source="t",
                source_id="new",
                name="New branch",
                kind="library",
                lon=24.9,
                lat=60.2,
                attrs={},
            )
        )
    changed = c.get("/api/map", headers={"If-None-Match": tag})
    assert changed.status_code == 200 and changed.headers["etag"] != tag
    assert len(changed.json()["libraries"]["features"]) == 3


def test_a_library_chosen_in_the_app_survives_relinking(
    web, client_for, web_engine, tmp_path
) -> None:
    """An imported programme linked by name, moved to another library by an admin: the next
    import's linking keeps the person's choice."""
    from libpolis.pipeline import ImportKind, ImportRequest, run_import
    from libpolis.store import read_table

    _app, ids = web
    path = tmp_path / "events.csv"
    path.write_text("id,library,title,description\ne1,Library A,Story hour,\n", encoding="utf-8")
    run_import(web_engine, ImportRequest(ImportKind.PROGRAMMES, path))
    pr = read_table(web_engine, "programme").set_index("source_id")
    assert int(pr.loc["e1", "library_id"]) == ids["library_a"]
    r = client_for("admin").patch(f"/api/programmes/{int(pr.loc['e1', 'id'])}",
                      json={"library_id": ids["library_b"]})  # fmt: skip
    assert r.status_code == 200, r.text
    other = tmp_path / "more.csv"
    other.write_text("id,library,title,description\ne2,Library B,Chess,\n", encoding="utf-8")
    run_import(web_engine, ImportRequest(ImportKind.PROGRAMMES, other))  # re-links all
    pr = read_table(web_engine, "programme").set_index("source_id")
    assert int(pr.loc["e1", "library_id"]) == ids["library_b"]
    assert int(pr.loc["e2", "library_id"]) == ids["library_b"]
