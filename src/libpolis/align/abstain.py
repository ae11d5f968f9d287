"""Abstention for programme suggestions: no evidence in the text, no goal suggested.

A library listing such as "Children's Friday movie" says nothing about any Sustainable
Development Goal; a model that must rank the 17 goals still finds one that scores highest, and
the suggestion then rests on the title alone. This rule runs after the model, on the
programme suggestion path (:func:`libpolis.pipeline.align` calls :func:`keep_supported` on the
SDG results of programme texts), and keeps a suggested goal only when one of these holds:

* **a phrase of the goal is in the text**, in the text's own language: the library
  vocabulary of the goal (``data/frameworks/descriptions/sdg_library.json``, en/fr/es/fi, minus
  the generic words listed in ``data/frameworks/sdg_evidence.json``, plus that file's
  Portuguese phrases, European and Brazilian, and its further French and Spanish forms,
  Latin American ones included), matched as whole words after case and accent folding, with a
  plural ``s`` allowed ("story time", "homework help", "vaccination", "hora do conto"). Finnish
  phrases match inside compounds and before endings: each phrase word of six letters or more
  may be any part of a text word ("satutuokio" is found in "iltasatutuokioihin", "kierrätys"
  in "kirjakierrätyspiste", "lukukoira" in "lukukoiralle"); shorter ones match whole words
  (:mod:`libpolis.align._finnish`);
* **the model names words of the text**: its explanation lists query hits (``hits``,
  ``queries`` or ``matches``, as a model built on Boolean query systems gives them).

A probability is not evidence: on listings the classifier gave "Family Bingo" SDG 3 at 0.80
and a children's theatre studio SDG 16 at 0.62 (``benchmarks/align_programmes.md``).

The text's own words behind the phrases found are added to the explanation (``"evidence"``,
as written there: "Contação de histórias", not the folded ``contacao de historias`` the
vocabulary is matched in), so the reason a person reads is a phrase of their own text. The
model's own list is kept in ``raw_sdgs`` so benchmarks can show the rule's effect
(``benchmarks/align_programmes.py``).

The text can also **add** a goal the model did not name, on stronger evidence than keeping one
needs, since the model's vote is missing: a phrase of two words or more ("hora do conto",
"homework help") or two distinct phrases of the goal. One single word ("energy" in "full of
energy", "niñas") adds nothing. Such a goal's explanation says so (``"basis": "phrases"``) and
its score is the model's own probability for it, however low. This is what gives French,
Spanish and Portuguese listings their goals where the classifier, trained mostly on English
research text, names none (``benchmarks/align_programmes.md``, session 7).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from importlib import resources
from typing import Any

from libpolis.align._finnish import find_phrases
from libpolis.align._text import normalize, word_spans
from libpolis.errors import DataError

__all__ = ["evidence_phrases", "goals_from_phrases", "keep_supported", "supported_goals"]

_LANGS = ("en", "fr", "es", "pt", "fi")
# Words that mark a language and (almost) no other of the five, to pick the phrase lists.
# Finnish: conjunctions, "klo" (o'clock) and words of nearly every Finnish listing; not "on"
# (also English) nor "se" (also Spanish).
_MARKERS = {
    "en": "the and with for you your our this are will from they children",
    "fr": "le les des et avec pour vous nous une est sont enfants aux du",
    "es": "el los las con para usted nosotros una del es son ninos por y",
    "pt": "o os as com para voce nos uma do da dos das e sao criancas pelo na no",
    "fi": "ja tai seka myos etta kanssa klo joka jotka ovat tule tervetuloa voit lapsille "
    "aikuisille nuorille kirjaston kirjastossa ei",
}
_MARKER_SETS = {k: set(v.split()) for k, v in _MARKERS.items()}


@lru_cache(maxsize=1)
def _index() -> dict[str, list[tuple[int, str, tuple[str, ...]]]]:
    """Every evidence phrase, by its first word: ``{word: [(goal, lang, phrase words)]}``."""
    base = resources.files("libpolis") / "data" / "frameworks"
    lib = json.loads((base / "descriptions" / "sdg_library.json").read_text(encoding="utf-8"))
    spec = json.loads((base / "sdg_evidence.json").read_text(encoding="utf-8"))
    exclude = {normalize(w) for w in spec.get("exclude", [])}
    index: dict[str, list[tuple[int, str, tuple[str, ...]]]] = {}
    for goal in range(1, 18):
        by_lang: dict[str, str] = {**lib.get(str(goal), {})}
        for lang, text in spec.get("extra", {}).get(str(goal), {}).items():
            by_lang[lang] = f"{by_lang.get(lang, '')}, {text}"
        for lang, text in by_lang.items():
            found = {normalize(p) for p in re.split(r"[,;]", text)}
            for p in sorted(found - exclude):
                if p and not p.isdigit():
                    words = tuple(p.split())
                    index.setdefault(words[0], []).append((goal, lang, words))
    return index


def _languages(words: Sequence[str]) -> tuple[str, ...]:
    """The phrase lists to use: every language of the five whose marker words make up at least
    a third of the best one's count (mixed English/Spanish or Finnish/English listings use
    both); all five when no marker word is found (titles, single words)."""
    counts = {k: sum(1 for w in words if w in s) for k, s in _MARKER_SETS.items()}
    best = max(counts.values())
    if best == 0:
        return _LANGS
    return tuple(k for k in _LANGS if counts[k] > 0 and counts[k] * 3 >= best)


def _bases(word: str) -> tuple[str, ...]:
    """The forms a phrase word may have for ``word`` to match it: itself, or without a plural
    ``s`` / ``es``."""
    out = [word]
    if len(word) > 3 and word.endswith("s"):
        out.append(word[:-1])
        if word.endswith("es"):
            out.append(word[:-2])
    return tuple(out)


def _scan_spans(text: str) -> dict[int, dict[str, tuple[int, int, str]]]:
    """``{goal: {phrase: (start, end, the text's own words)}}`` found in ``text``, in the
    text's language(s), one pass over it: each vocabulary phrase (folded) with where it first
    stands in the text and the words there, as written ("Contação de histórias" for
    ``contacao de historias``)."""
    spans = word_spans(text)
    if not spans:
        return {}
    words = [w for w, _, _ in spans]
    langs = set(_languages(words))
    index = _index()
    bases = [_bases(w) for w in words]
    found: dict[int, dict[str, tuple[int, int, str]]] = {}

    def add(goal: int, phrase: tuple[str, ...], i: int) -> None:
        start, end = spans[i][1], spans[i + len(phrase) - 1][2]
        found.setdefault(goal, {}).setdefault(" ".join(phrase), (start, end, text[start:end]))

    for i, forms in enumerate(bases):
        for form in forms:
            for goal, lang, phrase in index.get(form, ()):
                if lang == "fi" or lang not in langs or i + len(phrase) > len(words):
                    continue
                if all(p in bases[i + k] for k, p in enumerate(phrase[1:], start=1)):
                    add(goal, phrase, i)
    if "fi" in langs:

        def finnish(first: str) -> list[tuple[int, tuple[str, ...]]]:
            return [(goal, phrase) for goal, lang, phrase in index.get(first, ()) if lang == "fi"]

        # each phrase word is held by the text word at its place (compounds, endings)
        for i, goal, phrase in find_phrases(words, finnish):
            add(goal, phrase, i)
    return {g: dict(sorted(v.items())) for g, v in found.items()}


def _scan(text: str) -> dict[int, list[str]]:
    """``{goal: phrases}`` (folded vocabulary phrases, sorted) found in ``text``."""
    return {g: list(v) for g, v in _scan_spans(text).items()}


def _own_words(found: Mapping[str, tuple[int, int, str]]) -> list[str]:
    """The text's own words behind the phrases ``found`` (one goal of :func:`_scan_spans`), in
    the text's order, each once; a phrase that stands inside a longer one found ("conto" in
    "Hora do conto") is not repeated."""
    places = sorted(set(found.values()))
    return list(
        dict.fromkeys(
            own
            for s, e, own in places
            if not any(s2 <= s and e <= e2 and (s2, e2) != (s, e) for s2, e2, _ in places)
        )
    )


def evidence_phrases(text: str, goal: int) -> list[str]:
    """Phrases of ``goal``'s vocabulary found in ``text`` (in the text's language).

    Parameters
    ----------
    text : str
        A programme title and description.
    goal : int
        SDG number, 1-17.

    Returns
    -------
    list of str
        The phrases, as written in the vocabulary after folding ("story time"); empty when the
        text gives no evidence for the goal.

    Examples
    --------
    >>> evidence_phrases("Toddler story time with rhymes", 4)
    ['story time']
    >>> evidence_phrases("Children's Friday movie", 3)
    []
    """
    if not 1 <= int(goal) <= 17:
        return []
    return _scan(text).get(int(goal), [])


def _model_says(explanation: Mapping[str, Any] | None) -> bool:
    if not explanation:
        return False
    return any(explanation.get(k) for k in ("hits", "queries", "matches"))


def supported_goals(
    text: str, goals: Sequence[int], explanations: Mapping[str, Any] | None = None
) -> dict[int, list[str]]:
    """The goals of ``goals`` that ``text`` gives evidence for, with the phrases found.

    Parameters
    ----------
    text : str
    goals : sequence of int
        Goals a model suggested.
    explanations : Mapping, optional
        The model's explanation per goal (``{"4": {...}}``), as :func:`libpolis.align.api.
        align_texts` returns them.

    Returns
    -------
    dict
        ``{goal: the text's own words behind its phrases}`` for each goal kept (empty when the
        model's own evidence keeps it), in the order of ``goals``.
    """
    return _supported(_scan_spans(text) if goals else {}, goals, explanations)


def _supported(
    found: Mapping[int, Mapping[str, tuple[int, int, str]]],
    goals: Sequence[int],
    explanations: Mapping[str, Any] | None,
) -> dict[int, list[str]]:
    """:func:`supported_goals` on the phrases ``found`` in the text (:func:`_scan_spans`)."""
    out: dict[int, list[str]] = {}
    for g in goals:
        phrases = found.get(int(g), {})
        if phrases or _model_says((explanations or {}).get(str(g))):
            out[int(g)] = _own_words(phrases)
    return out


def _named(found: Mapping[int, Mapping[str, tuple[int, int, str]]]) -> dict[int, list[str]]:
    """The goals of ``found`` (:func:`_scan_spans`) with evidence enough to be added though the
    model did not name them: a phrase of two words or more, or two phrases; with the text's
    own words behind them."""
    return {
        g: _own_words(ph)
        for g, ph in sorted(found.items())
        if len(ph) >= 2 or any(" " in p for p in ph)
    }


def goals_from_phrases(text: str) -> dict[int, list[str]]:
    """Goals ``text`` names on its own (a phrase of two words or more, or two phrases), with
    the phrases found; the goals :func:`keep_supported` adds to a model's list.

    Examples
    --------
    >>> goals_from_phrases("Hora do conto: lemos histórias às crianças.")
    {4: ['Hora do conto']}
    >>> goals_from_phrases("A morning full of energy for the whole family")
    {}
    """
    return _named(_scan_spans(text))


def keep_supported(texts: Sequence[str], results: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Drop the SDG suggestions the text gives no evidence for (see the module docstring).

    Parameters
    ----------
    texts : sequence of str
        The programme texts.
    results : sequence of dict
        ``align_texts(texts, "sdg")``, one per text.

    Returns
    -------
    list of dict
        New result dictionaries: ``sdgs``, ``scores`` and ``explanations`` keep the supported
        goals only (each explanation gains ``"evidence"``: the text's own words behind the
        phrases found), then the goals the text names on its own (:func:`goals_from_phrases`,
        explanation ``"basis": "phrases"``, score the model's probability from
        ``all_scores``, 0 without it); ``raw_sdgs`` holds the model's list.
    """
    if len(texts) != len(results):
        raise DataError(f"{len(texts)} texts but {len(results)} results")
    out = []
    for text, res in zip(texts, results, strict=True):
        goals = [int(g) for g in res.get("sdgs", [])]
        expl = res.get("explanations", {}) or {}
        found = _scan_spans(text)  # one scan: the goals kept and the goals the text adds
        kept = _supported(found, goals, expl)
        new = dict(res)
        new["raw_sdgs"] = [int(g) for g in res.get("raw_sdgs", goals)]  # the model's own list
        new["sdgs"] = list(kept)
        new["scores"] = {k: v for k, v in (res.get("scores") or {}).items() if int(k) in kept}
        new["explanations"] = {
            str(g): {**dict(expl.get(str(g), {})), "evidence": kept[g]} for g in kept
        }
        every = res.get("all_scores") or {}
        for g, phrases in _named(found).items():
            if g in kept:
                continue
            score = float(every.get(str(g), 0.0))
            new["sdgs"].append(g)
            new["scores"][str(g)] = score
            new["explanations"][str(g)] = {"evidence": phrases, "basis": "phrases", "score": score}
        out.append(new)
    return out
