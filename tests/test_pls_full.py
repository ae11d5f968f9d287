"""The whole IMLS PLS FY2021 through the CLI (needs ../shared/data, present on CI machines)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from libpolis.cli import app

PLS = Path(__file__).resolve().parents[2] / "shared" / "data" / "imls-pls-fy2021"


@pytest.fixture
def pls_dir() -> Path:
    if not (PLS / "pls_fy21_outlet_pud21i.csv").exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{PLS} is missing on a CI machine")
        pytest.skip(f"{PLS} not present")
    return PLS


def test_full_pls_import_counts(pls_dir: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    ws = str(tmp_path / "us.sqlite")
    res = runner.invoke(
        app,
        [
            "import",
            "pls",
            "--outlets",
            str(pls_dir / "pls_fy21_outlet_pud21i.csv"),
            "--systems",
            str(pls_dir / "PLS_FY21_AE_pud21i.csv"),
            "-w",
            ws,
        ],
    )
    assert res.exit_code == 0, res.stderr
    res = runner.invoke(app, ["status", "-w", ws, "--json"])
    c = json.loads(res.stdout)["counts"]
    assert c["library"]["total"] == 17_426
    assert c["library_system"]["total"] == 9_215
