"""Query engine: hand-made closed-form cases, published files, hypothesis properties."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from libpolis.align.queries import (
    Query,
    QueryEngine,
    aurora_queries,
    hit_counts,
    own_queries,
    parse_query,
    text2sdg_queries,
)
from libpolis.align.queries._parse import And, AndNot, Near, Or, Term
from libpolis.errors import DataError

SHARED = next(
    (
        p / "shared" / "data" / "sdg-query-systems"
        for p in Path(__file__).resolve().parents
        if (p / "shared" / "data" / "sdg-query-systems").is_dir()
    ),
    Path("/nonexistent"),
)


def _hits(query: str, text: str, syntax: str = "scopus") -> list[tuple[str, ...]]:
    eng = QueryEngine([Query("t", 1, None, "q", query, syntax)])
    return [h.words for h in eng.match(text)]


# ------------------------------------------------------------------ parser


def test_scopus_precedence_or_binds_tighter_than_and() -> None:
    # Scopus: OR, then W/n, then PRE/n, then AND, then AND NOT
    tree = parse_query('"a" AND "b" OR "c"')
    assert tree == And((Term(("a",), True), Or((Term(("b",), True), Term(("c",), True)))))
    tree = parse_query('"a" W/3 "b" OR "c" AND NOT "d"')
    assert isinstance(tree, AndNot) and isinstance(tree.keep, Near)
    assert tree.keep.n == 3 and not tree.keep.ordered
    assert isinstance(tree.keep.right, Or)


def test_text2sdg_precedence_and_binds_tighter_than_or() -> None:
    tree = parse_query("a AND b OR c", "text2sdg")
    assert tree == Or((And((Term(("a",)), Term(("b",)))), Term(("c",))))
    assert parse_query("a NOT b", "text2sdg") == AndNot(Term(("a",)), Term(("b",)))


@pytest.mark.parametrize(
    ("query", "col"),
    [('("poverty" OR "hunger"', None), ('"poverty" AND', None), ('"a" ) "b"', 5), ('""', 1)],
)
def test_bad_queries_say_where(query: str, col: int | None) -> None:
    with pytest.raises(DataError) as err:
        parse_query(query)
    if col is not None:
        assert f"column {col}" in str(err.value)


# ------------------------------------------------------------------ matcher, closed form


def test_phrases_words_and_plurals() -> None:
    assert _hits('"food bank"', "The Food-Bank opens") == [("Food-Bank",)]
    assert _hits('"food bank"', "food for the bank") == []
    # Scopus loose phrases match plurals; exact {} phrases and text2sdg words do not
    assert _hits('"food bank"', "two food banks") == [("food banks",)]
    assert _hits('"policy"', "new policies") == [("policies",)]
    assert _hits("{food bank}", "two food banks") == []
    assert _hits('"food bank"', "two food banks", "text2sdg") == []


def test_wildcards() -> None:
    assert _hits('"eradicat*"', "to eradicate it") == [("eradicate",)]
    assert _hits('"eradicat*"', "eradicat") == [("eradicat",)]
    assert _hits('"eradicat*"', "radicate") == []
    assert _hits('"wom?n"', "women and woman") == [("women", "woman")]
    assert _hits('"wom?n"', "womn") == []
    assert _hits('"behavio*r"', "behaviour behavior") == [("behaviour", "behavior")]
    assert _hits('"poverty line*"', "above the poverty lines") == [("poverty lines",)]


@pytest.mark.parametrize(
    ("text", "n", "match"),
    [
        ("poverty reduction", 0, True),  # adjacent: W/0
        ("reduction of poverty", 0, False),  # one word between
        ("reduction of poverty", 1, True),
        ("reduction of the extreme poverty", 2, False),  # three words between
        ("reduction of the extreme poverty", 3, True),
        ("poverty", 5, False),  # both operands needed
    ],
)
def test_within_counts_words_between(text: str, n: int, match: bool) -> None:
    assert bool(_hits(f'"poverty" W/{n} "reduc*"', text)) is match


def test_pre_is_ordered_and_w_is_not() -> None:
    assert _hits('"poverty" PRE/2 "reduc*"', "poverty was reduced") == [("poverty", "reduced")]
    assert _hits('"poverty" PRE/2 "reduc*"', "reduced poverty") == []
    assert _hits('"poverty" W/2 "reduc*"', "reduced poverty") == [("reduced", "poverty")]


def test_negation() -> None:
    q = '"library" AND NOT "school library"'
    assert _hits(q, "the public library") == [("library",)]
    assert _hits(q, "the school library") == []
    assert _hits("library NOT school", "the library of the school", "text2sdg") == []
    assert _hits("library NOT school", "the library", "text2sdg") == [("library",)]


def test_and_or_and_explanation() -> None:
    q = '("water" OR "sanitation") AND ("access*" OR "safe")'
    text = "Safe drinking water for every household."
    eng = QueryEngine([Query("aurora", 6, "6.1", "6.1#1", q)])
    (hit,) = eng.match(text)
    assert hit.words == ("Safe", "water")
    assert [text[a:b] for a, b in hit.spans] == ["Safe", "water"]
    d = hit.to_dict()
    assert d["sdg"] == 6 and d["target"] == "6.1" and d["query"] == q
    assert eng.match("Water for every household.") == []


def test_accents_and_case_fold() -> None:
    assert _hits('"educación"', "EDUCACION para todos") == [("EDUCACION",)]
    assert _hits('"education"', "l'éducation") == [("éducation",)]  # accents folded
    assert _hits('"niño"', "el Niño") == [("Niño",)]


def test_empty_long_and_bad_inputs() -> None:
    eng = QueryEngine([Query("t", 4, None, "q", '"library"')])
    assert eng.match("") == []
    assert eng.match("   \n") == []
    long = ("word " * 20_000) + "library"
    assert len(long) > 100_000
    assert [h.words for h in eng.match(long)] == [("library",)]
    with pytest.raises(DataError):
        eng.match(None)  # type: ignore[arg-type]


def test_invalid_queries_raise_or_are_skipped() -> None:
    qs = [Query("t", 1, None, "ok", '"a"'), Query("t", 2, None, "bad", '("a"')]
    with pytest.raises(DataError, match="query bad"):
        QueryEngine(qs)
    eng = QueryEngine(qs, skip_invalid=True)
    assert [q.query_id for q, _ in eng.skipped] == ["bad"]


def test_hit_counts() -> None:
    eng = QueryEngine(
        [
            Query("a", 4, None, "1", '"school"'),
            Query("a", 4, None, "2", '"pupil*"'),
            Query("b", 1, None, "3", '"poverty"'),
        ]
    )
    hits = eng.match_many(["school pupils", "poverty", ""])
    counts = hit_counts(hits, ["a", "b"])
    assert counts.shape == (3, 2, 17)
    assert counts[0, 0, 3] == 2 and counts[1, 1, 0] == 1 and counts.sum() == 3


# ------------------------------------------------------------------ published files


def test_shipped_aurora_queries_all_parse() -> None:
    qs = aurora_queries()
    assert {q.sdg for q in qs} == set(range(1, 18))
    assert all(q.target and q.target.split(".")[0] == str(q.sdg) for q in qs)
    eng = QueryEngine(qs)
    assert not eng.skipped and len(eng.queries) == len(qs) > 300
    hits = eng.match("Ending extreme poverty and reducing income inequality.")
    assert {h.query.target for h in hits} >= {"1.1"}


def test_own_multilingual_queries() -> None:
    qs = own_queries()
    assert {q.sdg for q in qs} == set(range(1, 18))
    assert {q.query_id.split("-")[1] for q in qs} == {"fr", "es", "pt"}
    eng = QueryEngine(qs)
    got = {
        text: sorted({h.query.sdg for h in eng.match(text)})
        for text in (
            "Hora do conto para crianças na biblioteca",
            "Heure du conte, mercredi",  # "mer" must not match "mercredi"
            "Taller de búsqueda de empleo",
            "Fermeture exceptionnelle lundi",
        )
    }
    assert list(got.values()) == [[4], [4], [8], []]


@pytest.mark.skipif(not SHARED.is_dir(), reason="shared data not present")
def test_text2sdg_tables_parse() -> None:
    for name in ("elsevier", "siris", "auckland", "sdsn", "sdgo"):
        qs = text2sdg_queries(SHARED / "text2sdg-1.1.1" / f"{name}_queries.csv")
        eng = QueryEngine(qs)
        assert len(eng.queries) == len(qs) > 10, name


# ------------------------------------------------------------------ properties

_words = st.sampled_from(["water", "poverty", "school", "library", "energy", "the", "of"])


@settings(max_examples=60, deadline=None)
@given(st.lists(_words, max_size=30), st.integers(0, 5))
def test_within_agrees_with_brute_force(words: list[str], n: int) -> None:
    text = " ".join(words)
    want = any(
        a == "water" and b == "poverty" and abs(i - j) - 1 <= n
        for i, a in enumerate(words)
        for j, b in enumerate(words)
        if i != j
    )
    assert bool(_hits(f'"water" W/{n} "poverty"', text)) is want
    ordered = any(
        a == "water" and b == "poverty" and 0 <= j - i - 1 <= n
        for i, a in enumerate(words)
        for j, b in enumerate(words)
    )
    assert bool(_hits(f'"water" PRE/{n} "poverty"', text)) is ordered


@settings(max_examples=60, deadline=None)
@given(st.lists(_words, max_size=20))
def test_boolean_laws(words: list[str]) -> None:
    text = " ".join(words)
    have = set(words)
    assert bool(_hits('"water" AND "school"', text)) is ({"water", "school"} <= have)
    assert bool(_hits('"water" OR "school"', text)) is bool({"water", "school"} & have)
    assert bool(_hits('"water" AND NOT "school"', text)) is (
        "water" in have and "school" not in have
    )
    # matching is independent of the other queries compiled with it
    alone = _hits('"water" W/2 "energy"', text)
    eng = QueryEngine(
        [
            Query("t", 1, None, "x", '"water" W/2 "energy"'),
            Query("t", 2, None, "y", '"the" OR "of"'),
        ]
    )
    assert [h.words for h in eng.match(text) if h.query.query_id == "x"] == alone
