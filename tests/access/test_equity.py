"""Equity: Gini and concentration index against closed forms and brute-force definitions."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from libpolis.access.coverage import income_quantiles
from libpolis.access.equity import (
    concentration_index,
    gini,
    lorenz_curve,
    mean_by_income_quantile,
    underserved_districts,
)
from libpolis.errors import DataError


def _gini_double_sum(x: np.ndarray, w: np.ndarray) -> float:
    """The textbook definition, O(n^2): sum w_i w_j |x_i - x_j| / (2 W^2 mu)."""
    total = w.sum()
    mu = np.sum(w * x) / total
    return float(np.sum(w[:, None] * w[None, :] * np.abs(x[:, None] - x[None, :]))) / (
        2 * total**2 * mu
    )


samples = st.lists(
    st.tuples(st.floats(0.01, 1000), st.integers(0, 50)), min_size=1, max_size=40
).filter(lambda rows: sum(w for _, w in rows) > 0)


def test_gini_closed_forms() -> None:
    # 1..n with equal weights: G = (n - 1) / (3 n)
    for n in (1, 2, 10, 1000):
        assert gini(np.arange(1.0, n + 1)) == pytest.approx((n - 1) / (3 * n), abs=1e-12)
    # a share p of residents at time 0, the rest at any a > 0: G = p
    assert gini([0.0, 7.0], [30, 70]) == pytest.approx(0.3)
    # everyone equally far (also everyone at 0): no inequality
    assert gini([12.0] * 5, [1, 2, 3, 4, 5]) == 0.0
    assert gini([0.0, 0.0], [1, 1]) == 0.0


def test_gini_on_a_grid_with_one_library() -> None:
    # (2n+1)^2 cells, Manhattan distance to the centre: k occurs 4k times (k >= 1), 0 once
    n = 30
    x, y = np.meshgrid(np.arange(-n, n + 1), np.arange(-n, n + 1))
    t = (np.abs(x) + np.abs(y)).ravel().astype(float)
    t = t[t <= n]  # the diamond: closed form over k = 0..n with multiplicity 4k
    k = np.arange(0, n + 1, dtype=float)
    mult = np.where(k == 0, 1.0, 4 * k)
    assert gini(t) == pytest.approx(_gini_double_sum(k, mult), rel=1e-12)


@settings(max_examples=80, deadline=None)
@given(rows=samples, scale=st.floats(0.1, 100))
def test_gini_equals_double_sum_and_invariances(rows, scale) -> None:
    x = np.array([r[0] for r in rows])
    w = np.array([r[1] for r in rows], dtype=float)
    g = gini(x, w)
    assert g == pytest.approx(_gini_double_sum(x, w), abs=1e-9)
    assert 0.0 <= g < 1.0
    assert gini(x * scale, w) == pytest.approx(g, abs=1e-9)  # scale-free (minutes or hours)
    assert gini(np.repeat(x, w.astype(int))) == pytest.approx(g, abs=1e-9)  # replication
    # Gini = 1 - 2 * area under the Lorenz curve
    lc = lorenz_curve(x, w)
    area = np.trapezoid(lc["value_share"], lc["pop_share"])
    assert g == pytest.approx(1 - 2 * area, abs=1e-9)


def test_unreachable_left_out_of_gini_and_lorenz() -> None:
    assert gini([1.0, 3.0, np.inf, np.nan], [1, 1, 5, 5]) == pytest.approx(gini([1.0, 3.0]))
    lc = lorenz_curve([4.0, 1.0, np.inf])
    assert lc["pop_share"].tolist() == [0.0, 0.5, 1.0]
    assert lc["value_share"].tolist() == [0.0, 0.2, 1.0]
    with pytest.raises(DataError, match="no resident can reach"):
        gini([np.inf, np.nan])


def test_lorenz_shape() -> None:
    rng = np.random.default_rng(2)
    lc = lorenz_curve(rng.exponential(10, 200), rng.integers(0, 50, 200))
    assert lc.iloc[0].tolist() == [0.0, 0.0] and lc.iloc[-1].tolist() == [1.0, 1.0]
    assert (np.diff(lc["pop_share"]) >= 0).all() and (np.diff(lc["value_share"]) >= 0).all()
    assert (lc["value_share"] <= lc["pop_share"] + 1e-12).all()


def test_concentration_index_closed_forms() -> None:
    n = 1000
    income = np.arange(n, dtype=float)
    # outcome equal to the fractional rank: C = (n^2 - 1) / (3 n^2)
    rank = (np.arange(n) + 0.5) / n
    assert concentration_index(rank, income) == pytest.approx((n * n - 1) / (3 * n * n))
    # binary outcome held by the richest share mu: C = 1 - mu; Wagstaff-normalised C = 1
    outcome = (income >= 900).astype(float)
    assert concentration_index(outcome, income) == pytest.approx(0.9)
    assert concentration_index(outcome, income, kind="wagstaff") == pytest.approx(1.0)
    # ... and by the poorest share: C = -(1 - mu), Wagstaff -1
    assert concentration_index(outcome[::-1], income, kind="wagstaff") == pytest.approx(-1.0)
    # unrelated to income (constant): 0
    assert concentration_index(np.full(n, 5.0), income) == pytest.approx(0.0, abs=1e-12)


@settings(max_examples=80, deadline=None)
@given(rows=samples)
def test_concentration_equals_gini_when_ranked_by_the_outcome(rows) -> None:
    # if travel time rises with income, C is the Gini; if it falls, C is minus the Gini
    x = np.array([r[0] for r in rows])
    w = np.array([r[1] for r in rows], dtype=float)
    order = np.argsort(x, kind="stable")
    income = np.empty_like(x)
    income[order] = np.arange(x.size, dtype=float)
    assert concentration_index(x, income, w) == pytest.approx(gini(x, w), abs=1e-9)
    assert concentration_index(x, -income, w) == pytest.approx(-gini(x, w), abs=1e-9)
    # only the income ranking matters
    assert concentration_index(x, np.exp(income / 10), w) == pytest.approx(
        concentration_index(x, income, w), abs=1e-12
    )


def test_concentration_index_left_out_and_errors() -> None:
    c = concentration_index([1.0, 2.0, np.inf, 3.0], [1.0, 2.0, 3.0, np.nan])
    assert c == pytest.approx(concentration_index([1.0, 2.0], [1.0, 2.0]))
    with pytest.raises(DataError, match="wagstaff"):
        concentration_index([0.5, 2.0], [1.0, 2.0], kind="wagstaff")
    with pytest.raises(DataError, match="mean value is 0"):
        concentration_index([0.0, 0.0], [1.0, 2.0])
    with pytest.raises(DataError, match="one entry per value"):
        concentration_index([1.0, 2.0], [1.0])
    with pytest.raises(DataError, match="kind"):
        concentration_index([1.0, 2.0], [1.0, 2.0], kind="other")  # type: ignore[arg-type]


def test_mean_by_income_quintile() -> None:
    # 5 x 20 units; the poorest fifth travels 10 min, each richer fifth 2 min less
    income = np.arange(100, dtype=float)
    t = np.repeat([10.0, 8.0, 6.0, 4.0, 2.0], 20)
    t[0] = np.inf
    table = mean_by_income_quantile(t, income, np.full(100, 10.0), threshold=5)
    assert table["quantile"].tolist() == [1, 2, 3, 4, 5]
    assert table["mean_time_min"].tolist() == [10.0, 8.0, 6.0, 4.0, 2.0]
    assert table["population"].tolist() == [200.0] * 5
    assert table["unreachable_pop"].tolist() == [10.0, 0, 0, 0, 0]
    assert table["share_not_covered"].tolist() == [1.0, 1.0, 1.0, 0.0, 0.0]
    assert table.loc[0, "income_min"] == 0 and table.loc[4, "income_max"] == 99
    metres = mean_by_income_quantile(t * 80, income, q=4, unit="m")
    assert "mean_dist_m" in metres.columns and len(metres) == 4
    assert "share_not_covered" not in metres.columns


def test_underserved_districts_ranking() -> None:
    t = np.array([5.0, 6.0, 25.0, 40.0, np.inf, 12.0, 14.0])
    pop = np.array([100, 100, 100, 100, 50, 100, 100])
    district = ["A", "A", "B", "B", "C", "D", "D"]
    by_share = underserved_districts(t, pop, district, threshold=15)
    assert by_share["district"].tolist() == ["C", "B", "D", "A"]
    assert by_share["rank"].tolist() == [1, 2, 3, 4]
    c = by_share.iloc[0]
    assert c["share_not_covered"] == 1.0 and c["unreachable_pop"] == 50
    assert np.isnan(c["mean_time_min"])
    b = by_share.iloc[1]
    assert b["mean_time_min"] == pytest.approx(32.5) and b["share_not_covered"] == 1.0
    by_mean = underserved_districts(t, pop, district, threshold=15, by="mean", top=2)
    assert by_mean["district"].tolist() == ["C", "B"]  # all-unreachable counts as worst
    with pytest.raises(DataError, match="by must be"):
        underserved_districts(t, pop, district, threshold=15, by="median")  # type: ignore[arg-type]
    with pytest.raises(DataError, match="threshold"):
        underserved_districts(t, pop, district, threshold=np.inf)


def test_underserved_districts_deterministic_ties() -> None:
    t = np.array([20.0, 20.0, 20.0])
    first = underserved_districts(t, None, ["z", "x", "y"], threshold=10)
    assert first["district"].tolist() == ["x", "y", "z"]
    pd.testing.assert_frame_equal(
        first, underserved_districts(t, None, ["z", "x", "y"], threshold=10)
    )


# --- real income data: Belo Horizonte (IPEA Access to Opportunities) ---------------------------

DATA = Path(__file__).resolve().parents[1] / "data" / "access"


def _belo_horizonte() -> pd.DataFrame:
    cells = pd.read_csv(DATA / "equity_bh_land_use_data.csv")
    times = pd.read_csv(DATA / "equity_bh_nearest_school_transit.csv")
    return cells.merge(times, on="id", how="left", validate="one_to_one")


def test_income_deciles_agree_with_ipea() -> None:
    """IPEA's published ``income_decile`` (its own population-weighted deciles) against ours."""
    bh = _belo_horizonte()
    ours = income_quantiles(bh["income_per_capita"], bh["population"], q=10)
    known = bh["income_decile"].notna().to_numpy()
    assert ours.isna().to_numpy().tolist() == (~known).tolist()
    diff = ours[known].astype(int).to_numpy() - bh.loc[known, "income_decile"].astype(int)
    # the two rules differ only for cells straddling a decile boundary: off by one at most
    assert np.abs(diff).max() <= 1
    assert (diff == 0).mean() >= 0.99


def test_belo_horizonte_school_access_by_income() -> None:
    bh = _belo_horizonte()
    t = bh["time_min_school"].to_numpy()  # NaN: no school within the 120-min matrix
    pop = bh["population"].to_numpy(dtype=float)
    income = bh["income_per_capita"].to_numpy()
    assert np.isnan(t).sum() == 35

    table = mean_by_income_quantile(t, income, pop, q=5, threshold=15)
    # brute force over the same groups
    group = income_quantiles(income, pop, q=5)
    for row in table.itertuples():
        m = (group == row.quantile).fillna(False).to_numpy()
        ok = m & np.isfinite(t)
        assert row.population == pytest.approx(pop[m].sum())
        assert row.mean_time_min == pytest.approx(np.average(t[ok], weights=pop[ok]))
        assert row.unreachable_pop == pytest.approx(pop[m & np.isnan(t)].sum())
        covered = pop[m & (t <= 15)].sum()
        assert row.share_not_covered == pytest.approx(1 - covered / pop[m].sum())

    # the concentration index equals Kakwani et al.'s "convenient regression": weighted OLS of
    # 2 var(R) h / mu on the fractional rank R; the slope is C
    ok = np.isfinite(t) & np.isfinite(income)
    h, w, inc = t[ok], pop[ok], income[ok]
    # fractional rank: residents below the income plus half of those at it (ties share it)
    block = pd.Series(w).groupby(inc).sum().sort_index()
    mid = (block.cumsum() - block / 2) / w.sum()
    rank = mid.reindex(inc).to_numpy()
    assert len(block) < len(inc)  # the data do have tied incomes
    mu = np.average(h, weights=w)
    var_r = np.average((rank - np.average(rank, weights=w)) ** 2, weights=w)
    design = np.column_stack([np.ones_like(rank), rank]) * np.sqrt(w)[:, None]
    slope = np.linalg.lstsq(design, 2 * var_r * h / mu * np.sqrt(w), rcond=None)[0][1]
    c = concentration_index(t, income, pop)
    assert c == pytest.approx(slope, rel=1e-9)
    assert -1 < c < 1
    assert gini(t, pop) == pytest.approx(
        _gini_double_sum(t[np.isfinite(t)], pop[np.isfinite(t)]), rel=1e-9
    )


@given(
    st.lists(
        st.tuples(
            st.one_of(st.floats(0, 50), st.just(float("inf"))),
            st.floats(0, 500),
            st.sampled_from(["A", "B", "C"]),
        ),
        min_size=1,
        max_size=40,
    )
)
@settings(max_examples=60, deadline=None)
def test_district_summary_matches_a_direct_groupby(rows) -> None:
    from libpolis.access.equity import district_summary

    v = np.array([r[0] for r in rows])
    w = np.array([r[1] for r in rows])
    d = np.array([r[2] for r in rows], dtype=object)
    assume(w.sum() > 0)  # no residents at all is a DataError, tested with the other functions
    got = district_summary(v, w, d, (5.0, 15.0), main=15.0, unit="min").set_index("district")
    for name in set(d):
        m = d == name
        tot = w[m].sum()
        assert got.loc[name, "residents"] == pytest.approx(tot)
        assert got.loc[name, "unserved"] == pytest.approx(w[m & ~(v <= 15.0)].sum())
        for t in (5.0, 15.0):
            want = w[m & (v <= t)].sum() / tot if tot > 0 else np.nan
            assert got.loc[name, f"within_{t:g}"] == pytest.approx(want, nan_ok=True)
        ok = m & np.isfinite(v)
        mean = np.average(v[ok], weights=w[ok]) if w[ok].sum() > 0 else np.nan
        assert got.loc[name, "mean_time_min"] == pytest.approx(mean, nan_ok=True)
    # most residents beyond the standard first
    assert list(got["unserved"]) == sorted(got["unserved"], reverse=True)
