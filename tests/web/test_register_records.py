"""Partnership records as a city keeps them, on SQLite and on the real PostgreSQL server:
dates, budget, responsible people, libraries and programmes, goals, indicators with
measurements over time, PDF documents, the whole life cycle; through the API and the pages."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _setup(client_for: Any, ids: dict[str, Any]) -> dict[str, Any]:
    officer, admin = client_for("officer"), client_for("admin")
    goals = {
        code: officer.post("/api/goals", json={"code": code, "title": f"Goal {code}"}).json()["id"]
        for code in ("10", "2", "1")
    }
    prog = admin.post(
        "/api/programmes", json={"title": "Story hour", "library_id": ids["library_a"]}
    ).json()
    partner = officer.post(
        "/api/partners",
        json={
            "name": "City health services",
            "kind": "health service",
            "contact_name": "Maija Mehiläinen",
            "email": "maija@example.org",
            "phone": "+358 9 123",
            "website": "https://health.example.org",
            "address": "Health street 1\n00100 Helsinki",
        },
    )
    assert partner.status_code == 201, partner.text
    return {"goals": goals, "prog": prog["id"], "partner": partner.json()}


def _full(ids: dict[str, Any], s: dict[str, Any]) -> dict[str, Any]:
    return {
        "title": "Health info desk",
        "purpose": "Health advice in libraries",
        "partner_id": s["partner"]["id"],
        "library_system_id": ids["system_a"],
        "start_date": "2026-01-15",
        "end_date": "2027-06-30",
        "review_date": "2026-09-01",
        "budget": 12500.5,
        "funding_source": "City culture budget",
        "library_ids": [ids["library_b"], ids["library_a"]],
        "programme_ids": [s["prog"]],
        "goal_ids": [s["goals"]["10"], s["goals"]["2"]],
        "contacts": [
            {"side": "library", "name": "Aino Virtanen", "role": "Branch head", "email": "a@x.fi"},
            {"side": "partner", "name": "Maija Mehiläinen", "role": "Nurse"},
        ],
    }


def test_partner_keeps_its_contact(web, client_for) -> None:
    _app, ids = web
    s = _setup(client_for, ids)
    got = client_for("viewer").get(f"/api/partners/{s['partner']['id']}").json()
    assert got["contact_name"] == "Maija Mehiläinen" and got["phone"] == "+358 9 123"
    assert got["website"] == "https://health.example.org" and "00100" in got["address"]
    page = client_for("viewer").get("/partners").text
    assert "maija@example.org" in page and 'href="https://health.example.org"' in page
    bad = client_for("officer").post("/api/partners", json={"name": "X", "phone": "1" * 51})
    assert bad.status_code == 422
    bad = client_for("officer").post("/api/partners", json={"name": "X", "email": "maija"})
    assert bad.status_code == 422 and "not an e-mail address" in bad.text


def test_partnership_with_every_field(web, client_for) -> None:
    _app, ids = web
    s = _setup(client_for, ids)
    officer = client_for("officer")
    r = officer.post("/api/partnerships", json=_full(ids, s))
    assert r.status_code == 201, r.text
    ps = r.json()
    assert (ps["start_date"], ps["end_date"], ps["review_date"]) == (
        "2026-01-15",
        "2027-06-30",
        "2026-09-01",
    )
    assert ps["budget"] == 12500.5 and ps["funding_source"] == "City culture budget"
    assert ps["library_ids"] == sorted([ids["library_a"], ids["library_b"]])
    assert [x["name"] for x in ps["libraries"]] == ["Library A", "Library B"]
    assert [x["name"] for x in ps["programmes"]] == ["Story hour"]
    assert [(c["side"], c["name"], c["role"], c["email"]) for c in ps["contacts"]] == [
        ("library", "Aino Virtanen", "Branch head", "a@x.fi"),
        ("partner", "Maija Mehiläinen", "Nurse", ""),
    ]
    # goals in numeric order (2 before 10)
    assert [g["code"] for g in ps["goals"]] == ["2", "10"]
    # the list shows the same fields
    listed = officer.get("/api/partnerships").json()["items"][0]
    assert listed["contacts"][0]["name"] == "Aino Virtanen" and listed["budget"] == 12500.5
    page = officer.get("/partnerships").text
    assert "Jan 15, 2026 – Jun 30, 2027" in page and "Sep 1, 2026" in page
    # edits replace the links and people
    upd = officer.patch(
        f"/api/partnerships/{ps['id']}",
        json={"library_ids": [ids["library_a"]], "contacts": [], "budget": 9000},
    ).json()
    assert [x["name"] for x in upd["libraries"]] == ["Library A"]
    assert upd["contacts"] == [] and upd["budget"] == 9000
    assert upd["programmes"][0]["name"] == "Story hour"  # not given: unchanged


def test_partnership_refuses_bad_records(web, client_for) -> None:
    _app, ids = web
    s = _setup(client_for, ids)
    officer = client_for("officer")
    body = _full(ids, s)
    cases = {
        "end_date": {"end_date": "2025-01-01"},
        "budget": {"budget": -1},
        "library_ids": {"library_ids": [999_999]},
        "programme_ids": {"programme_ids": [999_999]},
        "contacts": {"contacts": [{"side": "council", "name": "X"}]},
        "contact e-mail": {"contacts": [{"side": "library", "name": "X", "email": "nope"}]},
    }
    for field, change in cases.items():
        r = officer.post("/api/partnerships", json=body | change)
        assert r.status_code == 422, (field, r.text)
    r = officer.post("/api/partnerships", json=body | cases["end_date"])
    assert "end date 2025-01-01 is before start date 2026-01-15" in r.json()["detail"]
    r = officer.post("/api/partnerships", json=body | cases["library_ids"])
    assert r.json()["detail"] == "library_ids: no library with id 999999"
    assert officer.get("/api/partnerships").json()["total"] == 0  # nothing half-written


def test_indicator_measurements_over_time(web, client_for) -> None:
    _app, ids = web
    officer = client_for("officer")
    pid = officer.post(
        "/api/partnerships", json={"title": "Reading", "library_system_id": ids["system_a"]}
    ).json()["id"]
    ind = officer.post(
        f"/api/partnerships/{pid}/indicators",
        json={"name": "Visitors advised", "unit": "people", "baseline": 120, "target": 400},
    ).json()
    assert ind["baseline"] == 120 and ind["measurements"] == []
    for value, day, source in ((320, "2026-06-30", "desk tally"), (210, "2026-03-31", "survey")):
        m = officer.post(
            f"/api/indicators/{ind['id']}/measurements",
            json={"value": value, "measured_on": day, "source": source},
        )
        assert m.status_code == 201, m.text
        assert m.json()["recorded_by"] == "officer@example.org"
    got = officer.get(f"/api/partnerships/{pid}").json()["indicators"][0]
    assert [(m["measured_on"], m["value"]) for m in got["measurements"]] == [
        ("2026-03-31", 210),
        ("2026-06-30", 320),
    ]
    # the latest by date is the indicator's measured value, whatever order they came in
    assert (got["measured"], got["measured_on"]) == (320, "2026-06-30")
    # a value without a date is dated today: "Measured on" is never blank
    today = date.today().isoformat()
    upd = officer.patch(f"/api/indicators/{ind['id']}", json={"measured": 333}).json()
    assert upd["measured_on"] == today and len(upd["measurements"]) == 3
    bad = officer.post(f"/api/indicators/{ind['id']}/measurements", json={"value": "nan"})
    assert bad.status_code == 422
    # the page: formatted numbers, the trend chart with its text alternative, the table
    page = officer.get(f"/partnerships/{pid}").text
    assert re.search(r'class="target">400<', page), "the target reads 400, not 400.0"
    assert "400.0" not in page
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="trend" role="img"' in page
    assert "3 measurements" in page and "latest value 333 people" in page
    assert "March 31, 2026" in page and "desk tally" in page


def test_lifecycle_ends_and_names_who_moved_it(web, client_for) -> None:
    _app, _ids = web
    officer = client_for("officer")
    pid = officer.post("/api/partnerships", json={"title": "Lifecycle"}).json()["id"]
    for status in ("proposed", "agreed", "active", "evaluated", "ended"):
        r = officer.post(f"/api/partnerships/{pid}/status", json={"status": status})
        assert r.status_code == 200, r.text
    back = officer.post(f"/api/partnerships/{pid}/status", json={"status": "evaluated"})
    assert back.status_code == 200
    hist = back.json()["history"]
    assert [h["to_status"] for h in hist] == [
        "idea", "proposed", "agreed", "active", "evaluated", "ended", "evaluated",
    ]  # fmt: skip
    assert {h["changed_by"] for h in hist} == {"officer@example.org"}
    # ending early, from any status; nothing else skips a step
    early = officer.post("/api/partnerships", json={"title": "Short"}).json()["id"]
    assert officer.post(f"/api/partnerships/{early}/status", json={"status": "active"}).status_code == 422
    r = officer.post(f"/api/partnerships/{early}/status", json={"status": "ended"})
    assert r.status_code == 200 and r.json()["status"] == "ended"
    assert officer.get("/api/partnerships", params={"status": "ended"}).json()["total"] == 1
    page = officer.get(f"/partnerships/{early}").text
    assert "Back to “idea”" in page and "moved by officer@example.org" in page


def test_documents_are_pdfs_by_their_bytes(web, client_for) -> None:
    app, _ids = web
    officer = client_for("officer")
    pid = officer.post("/api/partnerships", json={"title": "Docs"}).json()["id"]

    def up(name: str, data: bytes, ctype: str) -> Any:
        return officer.post(
            f"/api/partnerships/{pid}/documents",
            data={"title": "Agreement"},
            files={"file": (name, data, ctype)},
        )

    assert up("agreement.pdf", b"<html>not a pdf", "application/pdf").status_code == 415
    assert up("notes.txt", b"plain text", "text/plain").status_code == 415
    assert up("big.pdf", PDF + b"x" * 5000, "application/pdf").status_code == 413
    ok = up("../../etc/Agreement signed.txt", PDF, "text/plain")
    assert ok.status_code == 201, ok.text
    meta = ok.json()
    assert meta["filename"] == "Agreement_signed.pdf" and meta["content_type"] == "application/pdf"
    got = officer.get(f"/api/documents/{meta['id']}")
    assert got.content == PDF and got.headers["content-disposition"].startswith("attachment")
    assert got.headers["x-content-type-options"] == "nosniff"
    assert "PDF only, at most 4 KB." in officer.get(f"/partnerships/{pid}").text  # 4,096 B
    stored = list((app.state.config.documents_dir / str(pid)).iterdir())
    assert [p.suffix for p in stored] == [".pdf"]  # no .part file left behind


def test_form_shows_errors_next_to_fields_and_saves_every_field(web, client_for) -> None:
    _app, ids = web
    s = _setup(client_for, ids)
    officer = client_for("officer")
    new = officer.get("/partnerships/new").text
    # pickers: a plain select without scripts, the htmx search box with scripts
    assert 'hx-get="/pickers/goals"' in new and 'name="goal_ids" multiple' in new
    assert 'hx-get="/pickers/programmes"' in new and 'hx-get="/pickers/libraries"' in new
    form = {
        "csrf_token": officer.headers["X-CSRF-Token"],
        "title": "Form pact",
        "purpose": "Made in the form",
        "partner_id": str(s["partner"]["id"]),
        "library_system_id": str(ids["system_a"]),
        "start_date": "2026-02-01",
        "end_date": "2026-01-01",
        "review_date": "2026-06-01",
        "budget": "2500",
        "funding_source": "Grant",
        "contact_side": ["library", "partner", "library"],
        "contact_name": ["Aino", "Maija", ""],
        "contact_role": ["Head", "Nurse", ""],
        "contact_email": ["aino@example.org", "", ""],
        "library_ids": [str(ids["library_a"])],
        "programme_ids": [str(s["prog"])],
        "goal_ids": [str(s["goals"]["1"]), str(s["goals"]["10"])],
        "published": "on",
    }
    bad = officer.post("/partnerships/new", data=form, follow_redirects=False)
    assert bad.status_code == 422
    html = bad.text
    assert 'id="end_date-error"' in html and "The date 2026-01-01 is before the start, 2026-02-01." in html
    m = re.search(r'<input id="f-end_date"[^>]*>', html)
    assert m and 'aria-invalid="true"' in m[0] and "end_date-error" in m[0]
    assert 'value="Form pact"' in html and 'value="Aino"' in html  # nothing typed is lost
    assert f'<option value="{s["goals"]["10"]}" selected>' in html
    form["end_date"] = "2026-12-31"
    ok = officer.post("/partnerships/new", data=form, follow_redirects=False)
    assert ok.status_code == 303, ok.text[:500]
    pid = int(ok.headers["location"].rsplit("/", 1)[1])
    got = officer.get(f"/api/partnerships/{pid}").json()
    assert got["budget"] == 2500 and got["review_date"] == "2026-06-01" and got["published"]
    assert [c["name"] for c in got["contacts"]] == ["Aino", "Maija"]
    assert got["library_ids"] == [ids["library_a"]] and got["programme_ids"] == [s["prog"]]
    assert sorted(got["goal_ids"]) == sorted([s["goals"]["1"], s["goals"]["10"]])
    page = officer.get(f"/partnerships/{pid}").text
    for text in ("February 1, 2026", "December 31, 2026", "2,500.00", "Grant", "Aino", "Head"):
        assert text in page, text
    assert f'<a href="/libraries/{ids["library_a"]}">Library A</a>' in page
    assert f'<a href="/programmes/{s["prog"]}">Story hour</a>' in page
    # the edit form keeps every value
    edit = officer.get(f"/partnerships/{pid}/edit").text
    assert 'value="2026-06-01"' in edit and 'value="Grant"' in edit and 'value="Maija"' in edit


def test_pickers_search_and_sort_goals_as_numbers(web, client_for) -> None:
    _app, ids = web
    s = _setup(client_for, ids)
    viewer = client_for(None)
    frag = viewer.get("/pickers/goals", params={"q": "city goal"}).text
    codes = re.findall(r'data-label="City (\d+) ', frag)
    assert codes == ["1", "2", "10"]
    assert str(s["goals"]["2"]) in frag
    assert "Story hour" in viewer.get("/pickers/programmes", params={"q": "story"}).text
    libs = viewer.get("/pickers/libraries", params={"q": "library b"}).text
    assert "Library B" in libs and "Library A" not in libs
    assert "Nothing matches." in viewer.get("/pickers/goals", params={"q": "zzz"}).text
    assert viewer.get("/pickers/nonsense").status_code == 422


def test_programme_page_names_its_library_and_plurals(web, client_for) -> None:
    _app, ids = web
    admin = client_for("admin")
    prog = admin.post(
        "/api/programmes",
        json={
            "title": "Knitting",
            "library_id": ids["library_a"],
            "attendance": 1234,
            "start_date": "2026-03-02",
        },
    ).json()
    page = admin.get(f"/programmes/{prog['id']}").text
    assert f'Library: <a href="/libraries/{ids["library_a"]}">Library A</a>' in page
    assert "March 2, 2026" in page and "attendance 1,234" in page
    admin.post("/api/partnerships", json={"title": "One"})
    home = admin.get("/").text
    assert "1 partnership</a>" in home and "1 partnerships" not in home
    assert "1 programme</a>" in home
