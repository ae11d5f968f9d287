"""Similarity matching for rights, Culture 21 and city goals: results, explanations, edge cases."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction.text import TfidfVectorizer

from libpolis.align._text import detect_language, split_sentences, tokens
from libpolis.align.frameworks import load_framework
from libpolis.align.match import (
    METHOD,
    VERSION,
    Match,
    default_threshold,
    match_texts,
    score_texts,
)
from libpolis.align.strategy import strategy_from_text
from libpolis.errors import DataError

# Texts written for these tests (not in the calibration set).
JOBS_EN = "Every Monday the careers adviser helps job seekers polish their CV and rehearse job interviews."
MEDIA_FR = "Atelier pour adolescents : comment vérifier une information et repérer la désinformation en ligne."
STORY_ES = "Cuentacuentos para familias con bebés: rimas, canciones y libros ilustrados."
MIXED = (
    "Bilingual storytime for toddlers with picture books. "
    "Después, hora del cuento en español con canciones."
)


def _codes(matches: list[Match]) -> list[str]:
    return [m.code for m in matches]


@pytest.mark.parametrize(
    ("text", "framework", "expected"),
    [
        (JOBS_EN, "udhr", "23"),
        (JOBS_EN, "culture21", "5"),
        (MEDIA_FR, "udhr", "19"),
        (MEDIA_FR, "culture21", "8"),
        (STORY_ES, "udhr", "26"),
        (STORY_ES, "culture21", "3"),
    ],
)
def test_clear_cases_in_three_languages(text: str, framework: str, expected: str) -> None:
    (matches,) = match_texts([text], framework)
    assert expected in _codes(matches)[:2]


def test_explanations_come_from_the_text_and_the_goal() -> None:
    fw = load_framework("culture21")
    text = "Our library is open late. " + JOBS_EN + " Coffee is served."
    (matches,) = match_texts([text], fw)
    assert matches
    for m in matches:
        assert m.framework == "culture21"
        assert m.sentence == JOBS_EN  # the sentence that drove it, verbatim
        goal = fw.goal(m.code)
        goal_strings = [*goal.titles.values(), *goal.texts.values(), *goal.descriptions.values()]
        assert any(m.goal_text in s for s in goal_strings)
        assert m.terms
        sent_tokens = set(tokens(m.sentence))
        assert set(m.terms) <= sent_tokens
        assert 0 < m.score <= 1
        assert m.to_dict()["sentence"] == JOBS_EN
    assert METHOD and VERSION


def test_titles_follow_the_language_of_the_text() -> None:
    # the short names of the commitments (data/frameworks/short_names.json) in the text's language
    (fr,) = match_texts([MEDIA_FR], "culture21")
    assert fr[0].title == "Information ouverte, savoir partagé"
    (es,) = match_texts([STORY_ES], "culture21")
    assert es[0].title == "Aprender con la cultura"


def test_mixed_language_text() -> None:
    (matches,) = match_texts([MIXED], "culture21")
    assert "3" in _codes(matches)
    assert matches[0].sentence in split_sentences(MIXED)


def test_empty_and_whitespace_texts_give_no_match() -> None:
    assert match_texts(["", "   \n\t", "!!! ???"], "udhr") == [[], [], []]
    assert match_texts([], "udhr") == []
    assert score_texts([""], "udhr").shape == (1, 30)
    assert not score_texts([""], "udhr").any()


def test_very_long_text() -> None:
    filler = "The weather was pleasant and the afternoon was calm. " * 900
    text = filler + JOBS_EN + " " + filler
    text = (text + "Calm. " * 2000)[:100_000]
    assert len(text) == 100_000
    (matches,) = match_texts([text], "culture21")
    assert _codes(matches) == ["5"]
    assert matches[0].sentence == JOBS_EN
    one_block = "x" * 100_000  # no spaces: cut into 400-character pieces
    assert match_texts([one_block], "udhr") == [[]]


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("a single string", "found a single str"),
        (b"bytes", "found a single bytes"),
        ([JOBS_EN, None], r"text #1 is a NoneType"),
        ([3.5], r"text #0 is a float"),
        (42, "found int"),
    ],
)
def test_non_text_input_is_a_clear_error(bad: object, message: str) -> None:
    with pytest.raises(DataError, match=message):
        match_texts(bad, "udhr")  # type: ignore[arg-type]


def test_determinism_and_batch_independence() -> None:
    texts = [JOBS_EN, MEDIA_FR, STORY_ES, MIXED]
    first = match_texts(texts, "udhr")
    assert match_texts(texts, "udhr") == first
    assert [match_texts([t], "udhr")[0] for t in texts] == first
    assert np.array_equal(score_texts(texts, "udhr"), score_texts(texts, "udhr"))


def test_thresholds_relative_and_top_k() -> None:
    scores = score_texts([JOBS_EN], "udhr")[0]
    (all_pos,) = match_texts([JOBS_EN], "udhr", threshold=0.0, relative=0.0)
    assert len(all_pos) == int((scores > 0).sum())
    got = [m.score for m in all_pos]
    assert got == sorted(got, reverse=True)
    assert np.allclose(sorted(got, reverse=True), np.sort(scores[scores > 0])[::-1])
    (top2,) = match_texts([JOBS_EN], "udhr", threshold=0.0, relative=0.0, top_k=2)
    assert top2 == all_pos[:2]
    (strict,) = match_texts([JOBS_EN], "udhr", threshold=1.01)
    assert strict == []
    with pytest.raises(DataError, match="top_k"):
        match_texts([JOBS_EN], "udhr", top_k=0)


def test_calibrated_thresholds_are_shipped() -> None:
    for name in ("udhr", "culture21", "a-city-strategy"):
        thr, rel, k = default_threshold(name)
        assert 0 < thr < 1
        assert 0 <= rel <= 1
        assert k is None or k >= 1


def test_document_score_matches_an_independent_tfidf() -> None:
    """With the passage weight removed, a one-sentence score equals sklearn's cosine."""
    import libpolis.align.match as m

    fw = load_framework("culture21")
    docs = [
        " \n ".join([*g.titles.values(), *g.texts.values(), *g.descriptions.values()])
        for g in fw.goals
    ]
    vec = TfidfVectorizer(analyzer=tokens, sublinear_tf=True).fit(docs)
    expected = (vec.transform([JOBS_EN]) @ vec.transform(docs).T).toarray()[0]
    old = m._DOC_WEIGHT
    try:
        m._DOC_WEIGHT = 1.0
        got = score_texts([JOBS_EN], fw)[0]
    finally:
        m._DOC_WEIGHT = old
    assert np.allclose(got, expected)


def test_city_strategy_goals() -> None:
    fw = strategy_from_text(
        "# Plan\n## 1. Reading city\nMore children read books; storytimes in every district.\n"
        "## 2. Jobs and skills\nResidents find work: CV help, job interviews, digital skills.\n",
        name="plan",
    )
    out = match_texts([JOBS_EN, STORY_ES, "Weather report."], fw)
    assert _codes(out[0])[0] == "2"
    assert out[2] == []


def test_language_guess() -> None:
    assert detect_language(MEDIA_FR) == "fr"
    assert detect_language(STORY_ES) == "es"
    assert detect_language(JOBS_EN) == "en"
    assert detect_language("1234 !!") == "und"


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(max_size=300), max_size=4))
def test_any_text_gives_bounded_deterministic_scores(texts: list[str]) -> None:
    s = score_texts(texts, "culture21")
    assert s.shape == (len(texts), 9)
    assert np.all(s >= 0)
    assert np.all(s <= 1 + 1e-9)
    assert match_texts(texts, "culture21") == match_texts(texts, "culture21")


def test_html_descriptions_are_read_as_text() -> None:
    html = (
        "<p>Weekly&nbsp;<strong>job club</strong>: help with your CV and job interviews.</p>"
        '<p>More at <a href="https://example.org/jobs">our site</a> &amp; www.example.org</p>'
    )
    (matches,) = match_texts([html], "culture21")
    assert matches[0].code == "5"
    assert matches[0].sentence == "Weekly job club : help with your CV and job interviews."
    assert split_sentences(html)[1] == "More at our site &"
    assert not {"nbsp", "strong", "href", "http"} & set(tokens(" ".join(split_sentences(html))))
