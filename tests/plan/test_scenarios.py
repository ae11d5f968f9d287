"""Scenarios: closure impact, E2SFCA supply change, mobile stops (closed forms, brute force)."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from libpolis.errors import DataError, MissingColumnError
from libpolis.plan.need import need_weights
from libpolis.plan.scenarios import closure_impact, mobile_stops, supply_change

RESIDENTS = pd.DataFrame(
    {
        "id": ["a", "b", "c", "d"],
        "population": [100.0, 200.0, 300.0, 400.0],
        "children": [10.0, 50.0, 0.0, 100.0],
    }
)
OD = pd.DataFrame(
    {
        "from_id": ["a", "a", "b", "c", "d"],
        "to_id": ["L1", "L2", "L1", "L2", "L3"],
        "time_min": [5.0, 8.0, 12.0, 9.0, 25.0],
    }
)


def test_closure_impact_by_group():
    out = closure_impact(RESIDENTS, OD, closed=["L1"], within_min=15, groups=["children"])
    pop = out.set_index("group").loc["population"]
    # within 15 min before: a, b, c; after L1 closes, b (only L1) loses access; a keeps L2
    assert pop["within_before"] == 600.0
    assert pop["within_after"] == 400.0
    assert pop["lose_access"] == 200.0
    assert pop["share_losing"] == pytest.approx(200 / 1000)
    assert out.set_index("group").loc["children", "lose_access"] == 50.0


def test_closure_of_unknown_library():
    with pytest.raises(DataError, match="'L9' does not appear"):
        closure_impact(RESIDENTS, OD, closed=["L9"], within_min=15)
    with pytest.raises(MissingColumnError, match="older"):
        closure_impact(RESIDENTS, OD, closed=["L1"], within_min=15, groups=["older"])


def test_supply_change_closed_form():
    libraries = pd.DataFrame({"id": ["L1", "L2", "L3"], "hours_per_week": [40.0, 40.0, 40.0]})
    out = supply_change(
        RESIDENTS, libraries, OD, library="L3", hours_factor=1.5, catchment_min=30
    ).set_index("id")
    # d reaches only L3, and L3 only serves d: A_d = S_3 f(t) / (P_d f(t)) = S_3 / P_d
    assert out.loc["d", "access_before"] == pytest.approx(1.0 / 400.0)
    assert out.loc["d", "access_after"] == pytest.approx(1.5 / 400.0)
    assert (out.drop(index="d")["change"] == 0).all()
    same = supply_change(RESIDENTS, libraries, OD, library="L1", catchment_min=30)
    assert (same["change"] == 0).all()


def test_mobile_stops_match_brute_force():
    rng = np.random.default_rng(3)
    n, k = 30, 6
    residents = pd.DataFrame({"id": range(n), "population": rng.integers(1, 100, n)})
    lib = pd.DataFrame({"from_id": range(n), "to_id": "L", "time_min": rng.uniform(0, 40, n)})
    t = rng.uniform(0, 30, (n, k))
    stops = pd.DataFrame(
        [(i, f"s{j}", t[i, j]) for i in range(n) for j in range(k)],
        columns=["from_id", "to_id", "time_min"],
    )
    model = mobile_stops(residents, lib, stops, n_stops=2, within_min=10)
    far = lib["time_min"].to_numpy() > 10
    w = residents["population"].to_numpy(float) * far
    best = max(
        w[(t[:, list(c)] <= 10).any(axis=1)].sum() for c in itertools.combinations(range(k), 2)
    )
    assert model.result.value == pytest.approx(best)
    assert model.result.proven_optimal


def test_need_weights():
    w = need_weights(RESIDENTS, groups={"children": 2.0})
    assert w.tolist() == [110.0, 250.0, 300.0, 500.0]
    with pytest.raises(DataError, match=">= 1"):
        need_weights(RESIDENTS, groups={"children": 0.5})
