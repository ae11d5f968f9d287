"""Exports people open in a spreadsheet: CSV and XLSX of partnerships, indicators (one row per
measurement) and programmes with goals as a readable list, GeoJSON of libraries; no cell a
spreadsheet would run as a formula (property-based, CSV and XLSX)."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from libpolis.web.exports import FORMULA_STARTS, neutralise, rows_to_csv, rows_to_xlsx


def _sheet(content: bytes) -> list[dict[str, Any]]:
    ws = load_workbook(io.BytesIO(content)).worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_partnerships_and_indicators_in_a_spreadsheet(web, client_for) -> None:
    _app, ids = web
    officer, admin = client_for("officer"), client_for("admin")
    g4 = officer.post("/api/goals", json={"code": "4", "title": "Reading for all"}).json()["id"]
    g11 = officer.post("/api/goals", json={"code": "11", "title": "Open city"}).json()["id"]
    prog = admin.post(
        "/api/programmes", json={"title": "Story hour", "library_id": ids["library_a"]}
    ).json()
    ps = officer.post(
        "/api/partnerships",
        json={
            "title": "=HYPERLINK(\"http://evil\")",
            "purpose": "@SUM(A1)",
            "library_system_id": ids["system_a"],
            "start_date": "2026-01-15",
            "budget": 12500.5,
            "funding_source": "-grant",
            "library_ids": [ids["library_a"]],
            "programme_ids": [prog["id"]],
            "goal_ids": [g11, g4],
            "contacts": [{"side": "library", "name": "Aino", "role": "Head", "email": "a@x.fi"}],
        },
    ).json()
    ind = officer.post(
        f"/api/partnerships/{ps['id']}/indicators",
        json={"name": "Visitors", "unit": "people", "baseline": 100, "target": 400},
    ).json()
    for v, d in ((210, "2026-03-31"), (320, "2026-06-30")):
        officer.post(
            f"/api/indicators/{ind['id']}/measurements", json={"value": v, "measured_on": d}
        )
    # CSV: goals readable and in numeric order, ids not as a JSON list, formulas neutralised
    row = _csv(officer.get("/api/export/partnerships.csv").text)[0]
    assert row["goals"] == "City 4 Reading for all; City 11 Open city"
    assert row["goal_ids"] == "; ".join(str(i) for i in sorted([g4, g11]))
    assert "[" not in row["goal_ids"]
    assert row["title"] == "'=HYPERLINK(\"http://evil\")" and row["purpose"] == "'@SUM(A1)"
    assert row["funding_source"] == "'-grant" and row["budget"] == "12500.5"
    assert row["libraries"] == "Library A" and row["programmes"] == "Story hour"
    assert row["contacts"] == "Aino (Head, a@x.fi), library"
    assert row["start_date"] == "2026-01-15" and row["library_system"] == "System A"
    # XLSX: the same cells, numbers and dates keep their type, no formula anywhere
    r = officer.get("/api/export/partnerships.xlsx")
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert 'filename="partnerships.xlsx"' in r.headers["content-disposition"]
    wb = load_workbook(io.BytesIO(r.content))
    cells = [c for row_ in wb.worksheets[0].iter_rows() for c in row_]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    sheet = _sheet(r.content)[0]
    assert sheet["title"] == "'=HYPERLINK(\"http://evil\")"
    assert sheet["budget"] == 12500.5 and sheet["start_date"] == datetime(2026, 1, 15)
    assert sheet["goals"] == "City 4 Reading for all; City 11 Open city"
    # indicators: one row per measurement, in both formats
    rows = _csv(officer.get("/api/export/indicators.csv").text)
    assert [(x["measured_on"], x["value"]) for x in rows] == [
        ("2026-03-31", "210.0"),
        ("2026-06-30", "320.0"),
    ]
    assert {x["partnership"] for x in rows} == {"'=HYPERLINK(\"http://evil\")"}
    assert rows[0]["baseline"] == "100.0" and rows[0]["target"] == "400.0"
    xrows = _sheet(officer.get("/api/export/indicators.xlsx").content)
    assert [(x["value"], x["unit"]) for x in xrows] == [(210, "people"), (320, "people")]
    # the public sees neither the unpublished partnership nor its indicators
    anon = client_for(None)
    assert _csv(anon.get("/api/export/indicators.csv").text) == []
    assert _sheet(anon.get("/api/export/partnerships.xlsx").content) == []


def test_programmes_and_libraries(web, client_for) -> None:
    _app, ids = web
    admin = client_for("admin")
    officer = client_for("officer")
    officer.post(
        "/api/goals",
        json={"code": "C1", "title": "Children read", "text": "reading children literacy"},
    )
    prog = admin.post(
        "/api/programmes",
        json={
            "title": "Reading for children",
            "description": "literacy reading children",
            "library_id": ids["library_a"],
        },
    ).json()
    al = prog["alignments"][0]
    admin.patch(f"/api/alignments/{al['id']}", json={"status": "confirmed"})
    rows = _sheet(admin.get("/api/export/programmes.xlsx").content)
    assert rows[0]["library_name"] == "Library A"
    assert rows[0]["goals"] == f"City {al['goal_code']} Children read"
    libs = admin.get("/api/export/libraries.geojson").json()
    assert {f["properties"]["name"]: f["geometry"]["coordinates"] for f in libs["features"]} == {
        "Library A": [24.94, 60.17],
        "Library B": [24.95, 60.18],
    }
    assert len(_sheet(admin.get("/api/export/libraries.xlsx").content)) == 2


TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30
) | st.sampled_from(FORMULA_STARTS).flatmap(lambda c: st.text(max_size=10).map(lambda t: c + t))


@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(TEXT)
def test_no_csv_cell_starts_a_formula(text: str) -> None:
    out = _csv(rows_to_csv([{"v": text}], ["v"]))
    cell = out[0]["v"] if out else ""
    assert not cell.startswith(FORMULA_STARTS)
    # what a person reads is what was stored, behind one apostrophe at most
    assert cell == neutralise(text).replace("\r\n", "\n") or cell == neutralise(text)


@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.lists(TEXT, min_size=1, max_size=5))
def test_no_xlsx_cell_is_a_formula(texts: list[str]) -> None:
    content = rows_to_xlsx([{"v": t} for t in texts], ["v"], "sheet")
    ws = load_workbook(io.BytesIO(content)).worksheets[0]
    cells = [c for row in ws.iter_rows(min_row=2) for c in row]
    assert len(cells) == len(texts)
    for c, t in zip(cells, texts, strict=True):
        assert c.data_type != "f", (t, c.value)
        assert not str(c.value or "").startswith(FORMULA_STARTS)
        if t and all(ch >= " " or ch in "\t\n\r" for ch in t):
            # XML reads every line end as a line feed
            assert _lf(c.value) == _lf(neutralise(t))


def _lf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def test_one_column_per_goal(web, client_for) -> None:
    _app, _ids = web
    officer = client_for("officer")
    g = {
        code: officer.post("/api/goals", json={"code": code, "title": f"Goal {code}"}).json()["id"]
        for code in ("10", "2")
    }
    for title, goals in (("Both", [g["10"], g["2"]]), ("Ten", [g["10"]]), ("None", [])):
        officer.post("/api/partnerships", json={"title": title, "goal_ids": goals})
    params = {"goal_columns": "true"}
    rows = _csv(officer.get("/api/export/partnerships.csv", params=params).text)
    header = list(rows[0])
    assert "goals" not in header
    assert header.index("City 2 Goal 2") + 1 == header.index("City 10 Goal 10")
    marks = {r["title"]: (r["City 2 Goal 2"], r["City 10 Goal 10"]) for r in rows}
    assert marks == {"Both": ("1", "1"), "Ten": ("", "1"), "None": ("", "")}
    sheet = _sheet(officer.get("/api/export/partnerships.xlsx", params=params).content)
    assert {r["title"]: r["City 10 Goal 10"] for r in sheet} == {"Both": 1, "Ten": 1, "None": None}
