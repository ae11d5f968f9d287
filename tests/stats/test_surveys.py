"""Survey aggregation against hand-computed figures and an independent oracle (scipy's
Wilson interval)."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import binomtest

from libpolis.errors import DataError
from libpolis.stats.surveys import (
    DIMENSIONS,
    aggregate,
    open_answers,
    survey_templates,
    validate_response,
    wilson_interval,
)


def test_wilson_by_hand() -> None:
    # k = 2, n = 4: p = 0.5, z^2 = 3.8415; centre 0.5, half-width
    # 1.96 * sqrt(0.0625 + 3.8415/64) / (1 + 3.8415/4) = 0.34996
    lo, hi = wilson_interval(2, 4)
    assert lo == pytest.approx(0.15004, abs=1e-4) and hi == pytest.approx(0.84996, abs=1e-4)
    assert wilson_interval(0, 5)[0] == 0.0 and wilson_interval(5, 5)[1] == 1.0
    assert all(math.isnan(v) for v in wilson_interval(0, 0))


@given(st.integers(1, 400).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_wilson_matches_scipy(kn: tuple[int, int]) -> None:
    k, n = kn
    ci = binomtest(k, n).proportion_ci(method="wilson")
    lo, hi = wilson_interval(k, n)
    assert lo == pytest.approx(ci.low, abs=1e-9) and hi == pytest.approx(ci.high, abs=1e-9)


def test_aggregate_by_hand() -> None:
    df = pd.DataFrame(
        {
            "programme": ["A", "A", "A", "A", "A", "B"],
            "knowledge": [5, 4, 2, None, 3, 1],
            "confidence": [None] * 6,
            "application": [4, 4, 4, 4, 4, 5],
            "awareness": [1, 2, 3, 4, 5, None],
        }
    )
    agg = aggregate(df, "programme").set_index(["group", "dimension"])
    a = agg.loc[("A", "knowledge")]
    assert (a["responses"], a["n"], a["agree"]) == (5, 4, 2)
    assert a["mean"] == pytest.approx(3.5) and a["share_agree"] == pytest.approx(0.5)
    assert a["ci_low"] == pytest.approx(0.15004, abs=1e-4)
    c = agg.loc[("A", "confidence")]
    assert c["n"] == 0 and pd.isna(c["mean"]) and pd.isna(c["ci_low"])
    ap = agg.loc[("A", "application")]
    assert ap["n"] == 5 and ap["share_agree"] == 1.0 and ap["ci_high"] == 1.0
    assert agg.loc[("A", "awareness")]["mean"] == pytest.approx(3.0)
    b = agg.loc[("B", "knowledge")]
    assert (b["n"], b["agree"], b["share_agree"]) == (1, 0, 0.0)


def test_open_answers_share_of_those_who_answered() -> None:
    df = pd.DataFrame({"open_gain": ["Rhymes", "rhymes ", "New books", None, "", "Rhymes"]})
    out = open_answers(df, "open_gain")
    assert out.iloc[0].to_dict() == {"answer": "Rhymes", "count": 3, "n": 4, "share": 0.75}
    assert out.iloc[1]["answer"] == "New books" and out.iloc[1]["share"] == 0.25


def test_templates_and_validation() -> None:
    t = survey_templates()
    assert len(t["areas"]) >= 6
    for area in t["areas"].values():
        assert set(area["questions"]) == set(DIMENSIONS)
    assert validate_response("health", {"knowledge": "5", "open_gain": " x "}) == {
        "knowledge": 5,
        "open_gain": "x",
    }
    for bad in ({"knowledge": "6"}, {"knowledge": "many"}, {}):
        with pytest.raises(DataError):
            validate_response("health", bad)
    with pytest.raises(DataError):
        validate_response("astrology", {"knowledge": 3})
