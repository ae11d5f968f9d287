"""Nothing can be stored that a page cannot show: the worst records the rules allow, imported
through the command line, are served by every page and API route that shows them (200); one
character more is refused at import (exit 2)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from libpolis.rules import ENTITIES, Text
from libpolis.store import session_scope
from libpolis.store.tables import Library, Programme
from libpolis.web.app import create_app

SECRET = "reliability-secret-" + "x" * 32


def _limit(entity: str, name: str) -> int:
    rule = ENTITIES[entity][name]
    assert isinstance(rule, Text)
    return rule.max_length


def _text(n: int, multiline: bool = False) -> str:
    """``n`` characters of the kind a hostile or careless file holds: markup, quotes,
    right-to-left marks, emoji, tabs and line breaks where the field allows them."""
    unit = '<b>"é&</b>\u202e😀' + ("\t\r\n" if multiline else " ")
    return (unit * (n // len(unit) + 1))[:n]


def _csv_field(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def _programme_row(over: str | None = None) -> str:
    lim = {c: _limit("programme", c) for c in
           ("title", "description", "audience", "language", "partners", "library_name")}  # fmt: skip
    values = {
        "id": "w" * _limit("programme", "source_id"),
        "library": _text(lim["library_name"]),
        "title": _text(lim["title"]),
        "description": _text(lim["description"], multiline=True),
        "audience": _text(lim["audience"]),
        "language": "x" * lim["language"],
        "partners": _text(lim["partners"], multiline=True),
        "attendance": "100000000",
        "start_date": "1000-01-01",
        "end_date": "2999-12-31",
    }
    if over is not None:
        values[over] += "x"
    header = ",".join(values)
    return header + "\n" + ",".join(_csv_field(v) for v in values.values()) + "\n"


def test_the_worst_allowed_records_show_on_every_page(workspace, tmp_path: Path) -> None:
    libs = tmp_path / "worst_libraries.csv"
    name = _text(_limit("library", "name"))
    libs.write_text(
        f"id,name,kind,lon,lat\n{'l' * 200},{_csv_field(name)},{'k' * 50},24.9400,60.1700\n",
        encoding="utf-8",
    )
    code, _, err = workspace.run("import", "facilities", str(libs), "--as", "library")
    assert code == 0, err
    progs = tmp_path / "worst_programmes.csv"
    progs.write_text(_programme_row(), encoding="utf-8")
    code, _, err = workspace.run("import", "programmes", str(progs))
    assert code == 0, err
    with session_scope(workspace.engine) as s:
        pid = s.scalar(select(Programme.id).where(Programme.source == progs.name))
        lid = s.scalar(select(Library.id).where(Library.source == libs.name))
        stored = s.get(Programme, pid)
        assert stored is not None and len(stored.description) == 20_000
    app = create_app(workspace.engine, secret_key=SECRET, documents_dir=tmp_path / "docs")
    client = TestClient(app)
    for url in (
        "/api/programmes",
        f"/api/programmes/{pid}",
        f"/api/programmes/{pid}/alignments",
        "/programmes",
        f"/programmes/{pid}",
        "/api/libraries",
        f"/api/libraries/{lid}",
        "/libraries",
        f"/libraries/{lid}",
        "/",
    ):
        r = client.get(url)
        assert r.status_code == 200, (url, r.status_code, r.text[:300])
    detail = client.get(f"/api/programmes/{pid}").json()
    assert detail["attendance"] == 100_000_000 and detail["language"] == "x" * 10
    assert "<b>" not in client.get(f"/programmes/{pid}").text.split("<main", 1)[-1]


@pytest.mark.parametrize("field", ["title", "description", "audience", "language", "partners"])
def test_one_character_more_is_refused(workspace, tmp_path: Path, field: str) -> None:
    path = tmp_path / f"over_{field}.csv"
    path.write_text(_programme_row(over=field), encoding="utf-8")
    before = workspace.dump_hash()
    code, _, err = workspace.run("import", "programmes", str(path))
    assert code == 2 and f"column {field!r}" in err and "characters long" in err, err
    assert workspace.dump_hash() == before
