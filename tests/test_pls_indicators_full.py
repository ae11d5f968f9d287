"""Library Map of the World indicators of the whole IMLS PLS FY2021 system file against the
figures IMLS publishes with it (needs ../shared/data, present on CI machines).

Published figures checked (IMLS, "IMLS 2021 Public Libraries Survey data files -- public-use
files instructions", README_FY2021_PLS_PUD.txt, section "Description of files", distributed
with the files): the system (AE) file has 9,215 records, 8 of them temporarily closed
(STATSTRU 23, their data set to -3); the outlet file has 17,426 records, 55 temporarily
closed. The national totals of visits, circulation and registered users in the FY2021
report's tables could not be found in the sources searchable here, so they are not asserted;
the sums are checked against an independent pandas reading of the file and the outlet file.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from libpolis.cli import app
from libpolis.store import open_store, read_result

PLS = Path(__file__).resolve().parents[2] / "shared" / "data" / "imls-pls-fy2021"
AE = PLS / "PLS_FY21_AE_pud21i.csv"
OUTLETS = PLS / "pls_fy21_outlet_pud21i.csv"


@pytest.fixture(scope="module")
def pls_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, Path, Path]:
    if not AE.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{PLS} is missing on a CI machine")
        pytest.skip(f"{PLS} not present")
    tmp = tmp_path_factory.mktemp("lmw")
    ws, out = tmp / "us.sqlite", tmp / "lmw_us.csv"
    res = CliRunner().invoke(
        app, ["indicators", "lmw", "--systems", str(AE), "--export", str(out), "-w", str(ws),
              "--json"],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout), ws, out


def test_published_record_counts(pls_run: tuple[dict, Path, Path]) -> None:
    summary, _, _ = pls_run
    assert summary["systems"] == 9_215  # README: 9,215 records
    for key in ("visits", "loans", "registered_users", "staff", "libraries"):
        assert summary["totals"][key]["closed"] == 8, key  # README: 8 temporarily closed
    outlets = pd.read_csv(OUTLETS, encoding="latin-1", dtype=str)
    assert len(outlets) == 17_426  # README: 17,426 outlet records
    assert (outlets["STATSTRU"].str.strip().astype(int) == 23).sum() == 55  # README: 55 closed


def test_sums_match_an_independent_reading(pls_run: tuple[dict, Path, Path]) -> None:
    summary, _, _ = pls_run
    ae = pd.read_csv(AE, encoding="latin-1", dtype={"FSCSKEY": str, "OBEREG": str})
    for key, col in (("visits", "VISITS"), ("loans", "TOTCIR"), ("registered_users", "REGBOR"),
                     ("staff", "TOTSTAFF"), ("population", "POPU_LSA")):  # fmt: skip
        v = ae[col]
        t = summary["totals"][key]
        assert t["value"] == pytest.approx(v[v >= 0].sum()), key
        assert t["reporting"] + t["missing"] + t["closed"] + t["suppressed"] == 9_215
    # the systems' central and branch libraries are the open CE and BR outlets
    outlets = pd.read_csv(OUTLETS, encoding="latin-1", dtype=str)
    open_ = outlets[outlets["STATSTRU"].str.strip().astype(int) != 23]
    stationary = open_["C_OUT_TY"].str.strip().isin(["CE", "BR"]).sum()
    assert summary["totals"]["libraries"]["value"] == stationary


def test_export_round_trips_with_year_and_source(pls_run: tuple[dict, Path, Path]) -> None:
    _, ws, out = pls_run
    back = pd.read_csv(out, dtype={"area": str, "area_name": str})
    engine = open_store(f"sqlite:///{ws}")
    stored = read_result(engine, "indicators_lmw_values")
    engine.dispose()
    pd.testing.assert_frame_equal(back, stored, check_dtype=False)
    assert back["year"].eq(2021).all() and back["source"].str.startswith("IMLS").all()
    states = back[(back["level"] == "region") & (back["indicator"] == "visits")]
    assert len(states) == back.loc[back["level"] == "system", "area"].str[:2].nunique()
