"""The Culture 21 Actions self-assessment: every action filled in for two years through the
web app, then the scores, the radar chart, the year-on-year change, the CSV export and the
traced suggestions checked against hand-computed values."""

from __future__ import annotations

import csv
import io
import math
import re
import xml.etree.ElementTree as ET
from typing import Any

import pytest

from libpolis.stats.culture21 import commitments, validate_answer, yearly_scores

SVG = "{http://www.w3.org/2000/svg}"


def _level(year: int, code: str) -> int:
    """A level per action: commitment c, action k -> (c + k + year) % 9 + 1."""
    c, k = (int(p) for p in code.split("."))
    return (c + k + year) % 9 + 1


def _fill(client: Any, year: int) -> None:
    form = {"csrf_token": client.headers["X-CSRF-Token"]}
    for c in commitments():
        for a in c.actions:
            form[f"level_{a.code}"] = str(_level(year, a.code))
            form[f"evidence_{a.code}"] = f"evidence {a.code} {year}"
    r = client.post(
        f"/assessment/{year}", data=form, headers={"X-CSRF-Token": ""}, follow_redirects=False
    )
    assert r.status_code == 303, r.text[:300]


def test_two_years_scores_radar_and_change(web, login_as) -> None:
    app, _ids = web
    officer, staff, viewer = (login_as(app, r) for r in ("officer", "staff", "viewer"))
    _fill(officer, 2024)
    _fill(staff, 2025)  # library staff fill in the next year
    data = viewer.get("/api/assessment").json()
    assert data["years"] == [2024, 2025]
    assert len(data["scores"]) == 18
    # hand-computed: commitment 1 in 2024 has actions 1.1..1.5 with levels
    # (1+k+2024) % 9 + 1 for k = 1..5: 2026 % 9 = 1 -> 2, 3, 4, 5, 6 -> mean 4.0
    s = {(r["year"], r["commitment"]): r for r in data["scores"]}
    assert s[(2024, "1")]["score"] == pytest.approx(4.0)
    assert s[(2024, "1")]["rated"] == 5 and s[(2024, "1")]["stage"] == "developing"
    # commitment 9 in 2025: (9+k+2025) % 9 + 1, 2035 % 9 = 1 -> 2, 3, 4, 5, 6 -> 4.0;
    # commitment 4 in 2025: 2030 % 9 = 5 -> 6, 7, 8, 9, 1 -> 6.2
    assert s[(2025, "9")]["score"] == pytest.approx(4.0)
    assert s[(2025, "4")]["score"] == pytest.approx(6.2)
    for (year, code), row in s.items():
        levels = [_level(year, a.code) for a in commitments()[int(code) - 1].actions]
        assert row["score"] == pytest.approx(sum(levels) / len(levels))
    change = {r["commitment"]: r for r in data["change"]}
    assert len(change) == 9
    for code, r in change.items():
        assert (r["year"], r["previous_year"]) == (2025, 2024)
        assert r["change"] == pytest.approx(s[(2025, code)]["score"] - s[(2024, code)]["score"])
    # commitment 4 in 2024: 2029 % 9 = 4 -> 5, 6, 7, 8, 9 -> 7.0; so 6.2 - 7.0 = -0.8
    assert change["4"]["change"] == pytest.approx(-0.8)

    page = viewer.get("/assessment")
    assert page.status_code == 200
    svg = re.search(r"<svg.*?</svg>", page.text, re.S)
    assert svg
    root = ET.fromstring(svg.group(0))
    assert root.get("role") == "img"
    desc = root.find(f"{SVG}desc").text
    assert "2024" in desc and "2025" in desc
    polys = [p for p in root.iter(f"{SVG}polygon") if p.get("class") == "series"]
    assert [p.get("data-series") for p in polys] == ["2024", "2025"]
    for p in polys:
        year = int(p.get("data-series"))
        pts = [tuple(map(float, xy.split(","))) for xy in p.get("points").split()]
        assert len(pts) == 9
        for i, (x, y) in enumerate(pts):
            expect = 120.0 * s[(year, str(i + 1))]["score"] / 9
            assert math.hypot(x - 300, y - 200) == pytest.approx(expect, abs=0.02)
    assert "+" in page.text or "-0.8" in page.text
    assert "-0.8" in page.text  # commitment 4's change as printed
    assert "global panel" in page.text.lower() and "does not compare" in page.text

    rows = list(csv.DictReader(io.StringIO(viewer.get("/api/assessment.csv").text)))
    assert len(rows) == 2 * 45
    assert {r["stage"] for r in rows} <= {"emerging", "developing", "advanced"}
    assert rows[0]["evidence"].startswith("evidence 1.1")


def test_editing_a_year_changes_only_that_year(sqlite_web, login_as) -> None:
    app, _ = sqlite_web
    officer = login_as(app, "officer")
    r = officer.post("/api/assessment/2024", json={"answers": [{"action": "6.1", "level": 7}]})
    assert r.status_code == 200, r.text
    r = officer.post("/api/assessment/2025", json={"answers": [{"action": "6.1", "level": 3}]})
    s = {(x["year"], x["commitment"]): x for x in r.json()["scores"]}
    assert s[(2024, "6")]["score"] == 7 and s[(2025, "6")]["score"] == 3
    assert s[(2024, "6")]["rated"] == 1
    # unrating removes the answer
    officer.post("/api/assessment/2025", json={"answers": [{"action": "6.1", "level": None}]})
    assert officer.get("/api/assessment").json()["years"] == [2024]


@pytest.mark.parametrize(
    "body",
    [
        {"answers": [{"action": "6.1", "level": 10}]},
        {"answers": [{"action": "6.1", "level": 0}]},
        {"answers": [{"action": "10.1", "level": 3}]},
    ],
)
def test_bad_answers_are_refused_and_change_nothing(sqlite_web, login_as, body) -> None:
    app, _ = sqlite_web
    officer = login_as(app, "officer")
    ok = {"answers": [{"action": "1.1", "level": 5}]}
    assert officer.post("/api/assessment/2024", json=ok).status_code == 200
    r = officer.post("/api/assessment/2024", json={"answers": [*ok["answers"], *body["answers"]]})
    assert 400 <= r.status_code < 500
    assert officer.get("/api/assessment").json()["scores"][0]["score"] == 5


def test_suggestions_are_each_traced(sqlite_web, login_as) -> None:
    """Every suggestion names a figure of /api/evidence (or an evidence table), its sources
    and the command that reproduces it."""
    app, ids = sqlite_web
    officer = login_as(app, "officer")
    r = officer.post(
        "/api/partnerships", json={"title": "Reading week", "library_system_id": ids["system_a"]}
    )
    assert r.status_code == 201
    figures = officer.get("/api/evidence").json()["figures"]
    page = officer.get("/assessment/2025").text
    items = re.findall(r'<li data-figure="([^"]*)" data-table="([^"]*)">(.*?)</li>', page, re.S)
    assert items, "the seeded workspace has evidence (a computer flag, a partnership)"
    keys = {f for f, _t, _ in items}
    assert "partnerships_idea" in keys and "libraries_has_computers" in keys
    for fig, table, text in items:
        assert fig or table
        if fig:
            assert fig in figures
            assert figures[fig]["command"] in text
        assert "sources:" in text and "command:" in text
    # every field has a label
    for field in re.findall(r'<(?:select|textarea) id="([^"]+)"', page):
        assert re.search(rf'<label for="{re.escape(field)}"[ >]', page), field


def test_validation_and_empty_scores() -> None:
    import pandas as pd

    assert validate_answer("1.1", "4", 2024) == ("1.1", 4, 2024)
    assert yearly_scores(pd.DataFrame(columns=["year", "action", "level"])).empty


def test_cli_exports_and_scores(sqlite_web, login_as, tmp_path) -> None:
    import json

    from typer.testing import CliRunner

    from libpolis.cli import app as cli

    app, _ = sqlite_web
    officer = login_as(app, "officer")
    body = {"answers": [{"action": "3.2", "level": 8, "evidence": "story hours, every district"}]}
    assert officer.post("/api/assessment/2025", json=body).status_code == 200
    db = str(app.state.engine.url)
    out = tmp_path / "a.csv"
    res = CliRunner().invoke(cli, ["assess", "export", "--out", str(out), "--db", db])
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert rows == [
        {"city": rows[0]["city"], "year": "2025", "commitment": "3", "action": "3.2",
         "level": "8", "stage": "advanced", "evidence": "story hours, every district"}
    ]  # fmt: skip
    res = CliRunner().invoke(cli, ["assess", "scores", "--json", "--db", db])
    scores = json.loads(res.stdout)["scores"]
    three = next(s for s in scores if s["commitment"] == "3")
    assert (three["score"], three["rated"], three["actions"]) == (8.0, 1, 5)
    assert next(s for s in scores if s["commitment"] == "1")["score"] is None
