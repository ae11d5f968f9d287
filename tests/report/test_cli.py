"""``libpolis report brief`` through the Typer runner."""

from __future__ import annotations

import json
from pathlib import Path

import libpolis_test_workspaces as ws  # loaded by path in conftest.py
import pytest
from typer.testing import CliRunner

from libpolis.cli import app


@pytest.mark.parametrize(("lang", "word"), [("es", "Índice"), ("pt", "Sumário")])
def test_report_brief_writes_html_and_prints_json(demo_path, tmp_path, lang, word):
    engine = ws.copy_of(demo_path, tmp_path)
    engine.dispose()
    res = CliRunner().invoke(
        app,
        [
            "report",
            "brief",
            "-w",
            str(tmp_path / "demo.sqlite"),
            "--lang",
            lang,
            "--format",
            "html",
            "--out",
            str(tmp_path / "out"),
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["html"].endswith(f"brief.{lang}.html") and "pdf" not in out
    html = Path(out["html"]).read_text(encoding="utf-8")
    assert f'<html lang="{lang}">' in html and word in html
    assert out["headline"]["walk_in_libraries"] in html
    assert "statistics" in out["missing"]  # the demo holds no library statistics


def test_report_brief_errors_are_one_line_and_exit_2(tmp_path):
    res = CliRunner().invoke(
        app, ["report", "brief", "-w", str(tmp_path / "none.sqlite"), "--out", str(tmp_path)]
    )
    assert res.exit_code == 2
    assert "no workspace" in res.output
    ws_path = tmp_path / "ws.sqlite"
    assert CliRunner().invoke(app, ["init", "-w", str(ws_path)]).exit_code == 0
    res = CliRunner().invoke(
        app, ["report", "brief", "-w", str(ws_path), "--lang", "de", "--out", str(tmp_path)]
    )
    assert res.exit_code == 2
    assert "language 'de'" in res.output
