"""Pure pieces of the web package: term matching, exports, passwords, sessions, rate limit."""

from __future__ import annotations

import csv
import io
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from libpolis.align.terms import city_goal_matches, content_terms
from libpolis.web.exports import rows_to_csv, rows_to_geojson
from libpolis.web.security import LoginRateLimiter, SessionCodec, TooManyAttemptsError


def test_city_goal_score_is_the_cosine_of_term_sets() -> None:
    text = "Reading club for children and families"
    goal = "Reading and literacy for children"
    (m,) = city_goal_matches(text, [("G", goal)], threshold=0.0)
    a, b = content_terms(text), content_terms(goal)
    assert a == {"read", "club", "children", "famili"} and b == {"read", "literacy", "children"}
    assert math.isclose(m["score"], round(2 / math.sqrt(4 * 3), 4))
    assert m["terms"] == ["children", "reading"]
    assert city_goal_matches("Chess tournament", [("G", goal)], threshold=0.0) == []


def test_html_and_stop_words_are_ignored() -> None:
    assert content_terms("<p>Come&nbsp;and <b>join</b> the <i>library</i> reading</p>") == {"read"}


@given(
    st.lists(
        st.dictionaries(
            st.sampled_from(["a", "b", "c"]),
            st.one_of(st.none(), st.text(max_size=20), st.integers(), st.floats(allow_nan=False)),
        ),
        max_size=20,
    )
)
def test_csv_round_trips_and_defuses_formulas(rows) -> None:
    text = rows_to_csv(rows, ["a", "b", "c"])
    back = list(csv.DictReader(io.StringIO(text, newline="")))
    assert len(back) == len(rows)
    for got in back:
        for v in got.values():
            if v and v[0] in "=+-@\t\r":
                float(v)  # only plain numbers may start like a formula


def test_geojson_keeps_rows_without_a_place() -> None:
    fc = rows_to_geojson(
        [{"id": 1}, {"id": 2}], ["id"], [{"type": "Point", "coordinates": [1.0, 2.0]}, None]
    )
    assert [f["geometry"] for f in fc["features"]] == [
        {"type": "Point", "coordinates": [1.0, 2.0]},
        None,
    ]
    assert [f["properties"]["id"] for f in fc["features"]] == [1, 2]


def test_sessions_are_signed() -> None:
    codec = SessionCodec("k" * 32)
    cookie = codec.dump_session({"uid": 3, "csrf": "t"})
    assert codec.load_session(cookie) == {"uid": 3, "csrf": "t"}
    tampered = cookie[:-2] + ("A" if cookie[-2] != "A" else "B") + cookie[-1]
    assert codec.load_session(tampered) is None
    assert SessionCodec("other" * 8).load_session(cookie) is None
    assert codec.load_token(codec.dump_token(7, 3)) == (7, 3)
    assert codec.load_token(cookie) is None  # a session cookie is not an API token


def test_rate_limiter_counts_failures_per_key() -> None:
    lim = LoginRateLimiter(max_failures=2, window_s=60)
    lim.failed("ip:a", "email:x")
    lim.check("ip:a")
    lim.failed("ip:a")
    with pytest.raises(TooManyAttemptsError) as err:
        lim.check("ip:a")
    assert err.value.status == 429
    lim.check("ip:b", "email:y")
    lim.succeeded("ip:a")
    lim.check("ip:a")
