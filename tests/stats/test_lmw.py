"""Library Map of the World indicators: codes are counted, never added (hand-computed case)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from libpolis.stats.lmw import INDICATORS, aggregate_indicators, code_status, system_indicators

CODES = {-1.0: "missing", -3.0: "closed", -9.0: "suppressed"}


def _raw() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "system_id": ["a", "b", "c", "d"],
            "name": ["A", "B", "C", "D"],
            "city": ["x", "y", "z", "w"],
            "region": ["R1", "R1", "R2", "R2"],
            "macro_region": ["01", "01", "01", "02"],
            "country": "US",
            "libraries": [3.0, 1.0, -3.0, 2.0],
            "internet_computers": [10.0, 0.0, -3.0, -1.0],
            "staff": [5.5, 1.0, -3.0, 2.25],
            "visits": [1000.0, -1.0, -3.0, 500.0],
            "loans": [2000.0, 300.0, -3.0, -9.0],
            "registered_users": [np.nan, 50.0, -3.0, 80.0],
            "population": [9000.0, 1000.0, -3.0, 4000.0],
        }
    )


def test_code_status() -> None:
    got = code_status(np.array([5.0, -1.0, -3.0, -9.0, np.nan, 0.0]), CODES)
    assert list(got) == ["reported", "missing", "closed", "suppressed", "missing", "reported"]


def test_system_indicators_keep_status_and_never_a_code() -> None:
    t = system_indicators(_raw(), CODES, year=2021, source="test")
    assert list(t["visits_status"]) == ["reported", "missing", "closed", "reported"]
    assert t["visits"].isna().tolist() == [False, True, True, False]
    assert (t[[*INDICATORS]].fillna(0) >= 0).all().all()
    # internet: a has 10 computers -> its 3 libraries; b has none -> 0; d's count is missing
    assert t["libraries_with_internet"].tolist()[:2] == [3.0, 0.0]
    assert t["libraries_with_internet_status"].tolist() == ["reported", "reported", "closed",
                                                            "missing"]  # fmt: skip
    assert set(t["volunteers_status"]) == {"absent"}


def test_sums_by_region_and_country_by_hand() -> None:
    t = system_indicators(_raw(), CODES, year=2021, source="test")
    out = aggregate_indicators(t, region_names={"macro_region": {"01": "New England"}})
    key = out.set_index(["level", "area", "indicator"])
    us = key.loc[("country", "US", "visits")]
    assert us["value"] == 1500 and us["reporting"] == 2
    assert (us["missing"], us["closed"], us["suppressed"]) == (1, 1, 0)
    loans = key.loc[("country", "US", "loans")]
    assert loans["value"] == 2300 and loans["suppressed"] == 1 and loans["closed"] == 1
    assert key.loc[("region", "R1", "staff"), "value"] == pytest.approx(6.5)
    assert key.loc[("region", "R2", "staff"), "value"] == pytest.approx(2.25)
    r2 = key.loc[("region", "R2", "registered_users")]
    assert r2["value"] == 80 and r2["closed"] == 1
    assert key.loc[("macro_region", "01", "libraries"), "area_name"] == "New England"
    assert key.loc[("macro_region", "01", "libraries"), "value"] == 4
    vol = key.loc[("country", "US", "volunteers")]
    assert np.isnan(vol["value"]) and vol["absent"] == 4 and vol["reporting"] == 0
    assert set(out["year"]) == {2021} and set(out["source"]) == {"test"}
    # the system rows carry each system's own value
    sysrows = out[(out["level"] == "system") & (out["indicator"] == "visits")]
    assert sysrows["value"].fillna(-1).tolist() == [1000, -1, -1, 500]
