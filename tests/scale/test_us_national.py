"""The US national straight-line run (all 2020 block-group centers of population x all FY2021
IMLS outlets) through the CLI on both engines: identical per-unit values and figures."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import create_engine

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
PLS = DATA / "imls-pls-fy2021"
BG = DATA / "us-census-centers-of-population-2020" / "bg_cenpop2020_ejam.csv.gz"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not BG.exists() or not PLS.exists(), reason="shared US data not here"),
]


def _cli(*args: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "libpolis.cli", *args, "--json"],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    return json.loads(out.stdout)


def test_us_national_straight_local_equals_dask(tmp_path: Path) -> None:
    ws = str(tmp_path / "us.sqlite")
    _cli("import", "pls", "--outlets", str(PLS / "pls_fy21_outlet_pud21i.csv"),
         "--systems", str(PLS / "PLS_FY21_AE_pud21i.csv"), "-w", ws)  # fmt: skip
    _cli("import", "population", str(BG), "--id-column", "@row",
         "--population-column", "pop2020", "-w", ws)  # fmt: skip
    local = _cli("access", "--mode", "straight", "--label", "us_local", "-w", ws)
    dask = _cli("access", "--mode", "straight", "--label", "us_dask", "--engine", "dask",
                "--workers", "2", "--partitions", "16", "-w", ws)  # fmt: skip
    assert local["population_units"] > 200_000 and local["libraries"] > 16_000
    drop = ("label", "run_id", "tables", "export")
    assert {k: v for k, v in local.items() if k not in drop} == {
        k: v for k, v in dask.items() if k not in drop
    }
    eng = create_engine(f"sqlite:///{ws}")
    for table in ("units", "coverage", "curve", "catchments"):
        a = pd.read_sql(f"SELECT * FROM res_access_us_local_{table}", eng)
        b = pd.read_sql(f"SELECT * FROM res_access_us_dask_{table}", eng)
        pd.testing.assert_frame_equal(a, b, check_exact=True, obj=table)
    eng.dispose()
