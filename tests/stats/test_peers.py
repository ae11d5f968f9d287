"""Peer groups and percentiles against a small case computed by hand, and against
scipy.stats.percentileofscore and numpy.percentile as oracles."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import percentileofscore

from libpolis.errors import DataError
from libpolis.stats.peers import PeerRule, benchmark, peer_group, per_capita, percentile_rank


def _systems() -> pd.DataFrame:
    # id, population, locale, visits, loans, programmes, attendance, expenditure
    rows = [
        ("S", 10_000, 21, 40_000, 60_000, 200, 3_000, 400_000),  # the subject
        ("A", 6_000, 22, 18_000, 30_000, 60, 1_200, 180_000),  # suburb, pop x0.6
        ("B", 19_000, 21, 95_000, 95_000, 380, 7_600, 950_000),  # suburb, pop x1.9
        ("C", 12_000, 11, 24_000, 24_000, 120, 1_200, 240_000),  # city: other locale family
        ("D", 25_000, 23, 50_000, 150_000, 250, 5_000, 500_000),  # pop x2.5: too large
        ("E", 5_000, 21, 20_000, -1, 50, 500, 250_000),  # pop x0.5 exactly; loans missing
        ("F", 8_000, 21, 40_000, 40_000, -3, 400, 80_000),  # programmes coded
    ]
    f = pd.DataFrame(rows, columns=["system_id", "population", "locale", "visits", "loans",
                                    "programmes", "attendance", "expenditure"])  # fmt: skip
    # codes become NaN before peers are built (as system_indicators does)
    for c in ("loans", "programmes"):
        f[c] = f[c].astype(float).where(f[c] >= 0)
    return f


def test_peer_group_by_hand() -> None:
    got = peer_group(_systems(), "S", PeerRule(population_factor=2, locale="group"))
    # population in [5,000, 20,000] and locale 2x: A, B, E, F (C is a city, D too large)
    assert sorted(got["system_id"]) == ["A", "B", "E", "F"]
    exact = peer_group(_systems(), "S", PeerRule(population_factor=2, locale="exact"))
    assert sorted(exact["system_id"]) == ["B", "E", "F"]
    anyloc = peer_group(_systems(), "S", PeerRule(population_factor=0, locale="any"))
    assert sorted(anyloc["system_id"]) == ["A", "B", "C", "D", "E", "F"]
    # budget per capita: S 40; A 30, B 50, E 50, F 10 -> x1.5 keeps [26.7, 60]: A, B, E
    budget = peer_group(_systems(), "S", PeerRule(population_factor=2, budget_factor=1.5))
    assert sorted(budget["system_id"]) == ["A", "B", "E"]


def test_percentiles_by_hand() -> None:
    res = benchmark(_systems(), "S", PeerRule()).set_index("measure")
    # visits per capita: S 4.0; peers A 3, B 5, E 4, F 5 -> below 1, equal 1 -> (1 + .5)/4
    v = res.loc["visits_per_capita"]
    assert v["value"] == 4.0 and v["peers"] == 4 and v["peers_reporting"] == 4
    assert v["percentile"] == pytest.approx(37.5)
    assert v["peer_median"] == pytest.approx(4.5)  # 3, 4, 5, 5
    assert v["peer_p25"] == pytest.approx(3.75) and v["peer_p75"] == pytest.approx(5.0)
    assert v["rank"] == 3  # B and F are higher
    # loans per capita: S 6; A 5, B 5, F 5 (E missing) -> 3 below of 3
    lo = res.loc["loans_per_capita"]
    assert lo["peers_reporting"] == 3 and lo["percentile"] == pytest.approx(100.0)
    # programmes per 1,000: S 20; A 10, B 20, E 10 (F coded) -> (2 + .5) / 3
    pr = res.loc["programmes_per_1000"]
    assert pr["peers_reporting"] == 3
    assert pr["percentile"] == pytest.approx(250 / 3)


def test_percentiles_match_scipy_and_numpy() -> None:
    data = per_capita(_systems())
    peers = peer_group(data, "S", PeerRule())
    res = benchmark(_systems(), "S", PeerRule()).set_index("measure")
    me = data[data["system_id"] == "S"].iloc[0]
    for m in res.index:
        vals = peers[m].dropna().to_numpy()
        assert res.loc[m, "percentile"] == pytest.approx(
            percentileofscore(vals, me[m], kind="mean")
        )
        assert res.loc[m, "peer_median"] == pytest.approx(np.percentile(vals, 50))


@settings(deadline=None)  # a shared machine: no timing in tests
@given(
    st.lists(st.integers(-50, 50), min_size=1, max_size=40),
    st.integers(-60, 60),
)
def test_percentile_rank_is_scipys_mean_kind(values: list[int], score: int) -> None:
    assert percentile_rank(values, score) == pytest.approx(
        percentileofscore(values, score, kind="mean")
    )


def test_bad_rules_and_subjects_are_refused() -> None:
    with pytest.raises(DataError, match="locale rule"):
        PeerRule(locale="nearby")
    with pytest.raises(DataError, match="at least 1"):
        PeerRule(population_factor=0.5)
    with pytest.raises(DataError, match="not in the table"):
        peer_group(_systems(), "ZZ", PeerRule())
    f = _systems()
    f.loc[0, "expenditure"] = np.nan
    with pytest.raises(DataError, match="budget-factor 0"):
        peer_group(f, "S", PeerRule(budget_factor=2))


def test_rule_is_described() -> None:
    text = PeerRule(population_factor=1.5, locale="exact", budget_factor=2).describe()
    assert "x1.5" in text and "same locale code" in text and "x2" in text
    assert PeerRule(population_factor=0, locale="any").describe() == "every other system"
