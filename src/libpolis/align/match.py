"""Match programme texts to the goals of a framework by lexical-semantic similarity.

For frameworks without training data (UDHR articles, Culture 21 Actions commitments, a city's
own strategy) libpolis scores every programme sentence against every goal:

* each goal is represented by one document: its titles and official texts in every language
  shipped, plus the keyword description the libpolis authors wrote for it in English, French,
  Spanish and Finnish (``data/frameworks/descriptions``);
* documents and sentences become TF-IDF vectors of accent-stripped, plural-folded content words
  and word bigrams (stop words of en/fr/es/fi/sv/de removed), plus the words of the Finnish
  descriptions that a Finnish compound or inflected word holds ("iltasatutuokioihin" holds
  "satutuokio", :mod:`libpolis.align._finnish`); the IDF weights come from the framework's own
  goal documents, so a word shared by every goal counts little;
* the score of a sentence for a goal is ``0.7 * cos(sentence, goal document) + 0.3 *
  max cos(sentence, passage of the goal)``, a passage being the goal's title, one sentence of its
  official text or one phrase of its description; the score of a goal for a text is the highest
  score of its sentences (0..1). The sentence that reaches it is the explanation, together with
  the goal passage closest to it and the terms they share;
* a goal is suggested when its score reaches the framework's threshold, when it is at least
  ``relative`` times the text's best score, and when it ranks within ``top_k``; the three are
  calibrated on the labelled set in ``data/frameworks/calibration`` (see
  ``benchmarks/align_frameworks.md``).

Programme suggestions stored in a workspace also pass the evidence rule of
:mod:`libpolis.align.rights_evidence` (UDHR and Culture 21: practical sentences removed, one
generic word is not enough). No model is downloaded or loaded: the index is built from the
framework texts in milliseconds.
The SDGs are better served by the trained classifier (``align_texts(..., "sdg")``); matching
``"sdg"`` or ``"sdg_targets"`` here works but uses the uncalibrated ``default`` thresholds and
only the official texts (no libpolis descriptions).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from libpolis.align._text import detect_language, split_sentences, tokens
from libpolis.align.frameworks import Framework, load_framework
from libpolis.errors import DataError

__all__ = ["METHOD", "VERSION", "Match", "default_threshold", "match_texts", "score_texts"]

#: Name of the method, recorded with every stored suggestion.
METHOD = "tfidf-sentence-goal-passage"
#: Version of the method and of the shipped descriptions/thresholds.
VERSION = "1"

_FALLBACK = {"threshold": 0.2, "relative": 0.5}
#: Weight of the whole-goal-document similarity; the rest goes to the best single passage.
#: Chosen on the calibration rows (benchmarks/align_frameworks.py prints the grid).
_DOC_WEIGHT = 0.7
_CHUNK = 2048  # sentences scored at once (bounds memory for very long texts)


@dataclass(frozen=True)
class Match:
    """One suggested goal for one text, with its explanation.

    Attributes
    ----------
    framework : str
        Framework name.
    code : str
        Goal code (``"19"``, ``"8"``...).
    title : str
        Goal title (in the language of the text when the framework has it).
    score : float
        Similarity 0..1 of the best sentence to the goal (see the module docstring).
    sentence : str
        The sentence of the programme text that drove the match.
    goal_text : str
        The passage of the goal (official text sentence or description phrase) closest to it.
    terms : tuple[str, ...]
        Content terms shared by the sentence and the goal document, strongest first.
    """

    framework: str
    code: str
    title: str
    score: float
    sentence: str
    goal_text: str
    terms: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary."""
        return {
            "code": self.code,
            "title": self.title,
            "score": round(self.score, 4),
            "sentence": self.sentence,
            "goal_text": self.goal_text,
            "terms": list(self.terms),
        }


class _Index:
    """TF-IDF index of one framework's goals (documents and explanation passages)."""

    def __init__(self, fw: Framework) -> None:
        self.framework = fw
        docs: list[str] = []
        passages: list[str] = []
        owner: list[int] = []
        for i, g in enumerate(fw.goals):
            parts = [*g.titles.values(), *g.texts.values(), *g.descriptions.values()]
            docs.append(" \n ".join(parts))
            goal_passages = [t for t in g.titles.values() if t.strip()] or [g.code]
            for text in g.texts.values():
                goal_passages.extend(split_sentences(text))
            for desc in g.descriptions.values():
                goal_passages.extend(p.strip() for p in desc.split(",") if p.strip())
            passages.extend(goal_passages)
            owner.extend([i] * len(goal_passages))
        self.vectorizer = TfidfVectorizer(
            analyzer=tokens, sublinear_tf=True, norm="l2", smooth_idf=True, dtype=np.float64
        )
        self.goal_matrix = self.vectorizer.fit_transform(docs).tocsr()
        if self.goal_matrix.shape[1] == 0:
            raise DataError(f"framework {fw.name!r} has no words to match against")
        self.passages = passages
        self.passage_owner = np.asarray(owner, dtype=np.int64)
        self.passage_matrix = self.vectorizer.transform(passages).tocsr()
        self.vocab = np.asarray(self.vectorizer.get_feature_names_out())
        self.goal_dense = self.goal_matrix.toarray()
        # passages are grouped by goal, in goal order: start of each goal's block
        self.passage_starts = np.searchsorted(self.passage_owner, np.arange(len(fw.goals)))


@lru_cache(maxsize=32)
def _index_for(fw: Framework) -> _Index:
    return _Index(fw)


def _get_index(fw: Framework) -> _Index:
    try:
        return _index_for(fw)
    except TypeError:  # unhashable (mapping fields built by hand): no cache
        return _Index(fw)


@lru_cache(maxsize=1)
def _thresholds() -> dict[str, dict[str, float]]:
    path = resources.files("libpolis") / "data" / "frameworks" / "calibration" / "thresholds.json"
    if not path.is_file():
        return {}
    raw = json.loads(path.read_text(encoding="utf-8"))
    return {k: v for k, v in raw.items() if not k.startswith("_")}


def default_threshold(framework: str | Framework) -> tuple[float, float, int | None]:
    """Calibrated ``(threshold, relative, top_k)`` of a framework (strategies: ``default``).

    Returns
    -------
    tuple
        Absolute score threshold (0..1), the minimum ratio to the text's best score, and the
        maximum number of goals per text (None: no limit).
    """
    name = framework.name if isinstance(framework, Framework) else str(framework)
    table = _thresholds()
    entry = table.get(name) or table.get("default") or _FALLBACK
    k = entry.get("top_k")
    return (
        float(entry["threshold"]),
        float(entry.get("relative", 0.0)),
        None if k is None else int(k),
    )


def _check_texts(texts: Sequence[str]) -> list[str]:
    if isinstance(texts, str | bytes):
        raise DataError(
            f"texts must be a list of strings, found a single {type(texts).__name__}; "
            "wrap it in a list"
        )
    try:
        items = list(texts)
    except TypeError:
        raise DataError(f"texts must be a list of strings, found {type(texts).__name__}") from None
    for i, t in enumerate(items):
        if not isinstance(t, str):
            raise DataError(
                f"text #{i} is a {type(t).__name__}, not a string ({str(t)[:40]!r})",
                where="texts",
            )
    return items


@dataclass(frozen=True)
class _Scored:
    scores: np.ndarray  # (n_texts, n_goals)
    best_sentence: np.ndarray  # (n_texts, n_goals) index into sentences, -1 if none
    sentences: list[list[str]]
    sent_matrix: Any  # csr, rows = all sentences in order
    offsets: np.ndarray  # start row of each text in sent_matrix


def _score(texts: list[str], index: _Index) -> _Scored:
    sentences = [split_sentences(t) for t in texts]
    flat = [s for ss in sentences for s in ss]
    n_goals = index.goal_matrix.shape[0]
    offsets = np.zeros(len(texts) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum([len(ss) for ss in sentences])
    scores = np.zeros((len(texts), n_goals))
    best = np.full((len(texts), n_goals), -1, dtype=np.int64)
    if not flat:
        return _Scored(scores, best, sentences, sparse.csr_matrix((0, 0)), offsets)
    sm = index.vectorizer.transform(flat).tocsr()
    sim = np.empty((len(flat), n_goals))
    for a in range(0, len(flat), _CHUNK):
        rows = sm[a : a + _CHUNK]
        doc = np.asarray((rows @ index.goal_matrix.T).todense())
        psg = np.asarray((rows @ index.passage_matrix.T).todense())
        best_psg = np.maximum.reduceat(psg, index.passage_starts, axis=1)
        sim[a : a + _CHUNK] = _DOC_WEIGHT * doc + (1.0 - _DOC_WEIGHT) * best_psg
    for t in range(len(texts)):
        a, b = offsets[t], offsets[t + 1]
        if b > a:
            block = sim[a:b]
            arg = block.argmax(axis=0)
            scores[t] = block[arg, np.arange(n_goals)]
            best[t] = np.where(scores[t] > 0, arg, -1)
    return _Scored(scores, best, sentences, sm, offsets)


def score_texts(texts: Sequence[str], framework: str | Framework) -> np.ndarray:
    """Similarity of every text to every goal.

    Parameters
    ----------
    texts : sequence of str
        Programme descriptions in any of the framework's languages.
    framework : str or Framework
        A name accepted by :func:`load_framework` or a Framework.

    Returns
    -------
    numpy.ndarray
        ``(len(texts), n_goals)`` scores in 0..1, goals in framework order.
    """
    items = _check_texts(texts)
    index = _get_index(load_framework(framework))
    return _score(items, index).scores


def _explain_many(
    index: _Index, sent_rows: Any, goals: np.ndarray
) -> list[tuple[str, tuple[str, ...]]]:
    """Closest goal passage and shared terms for each (sentence vector, goal) pair."""
    out: list[tuple[str, tuple[str, ...]]] = []
    chunk = 1024
    for a in range(0, len(goals), chunk):
        rows = sent_rows[a : a + chunk]
        gs = goals[a : a + chunk]
        sims = np.asarray((rows @ index.passage_matrix.T).todense())
        own = index.passage_owner[None, :] == gs[:, None]
        sims = np.where(own, sims, -1.0)
        best = sims.argmax(axis=1)
        for i, g in enumerate(gs):
            lo, hi = rows.indptr[i], rows.indptr[i + 1]
            cols = rows.indices[lo:hi]
            contrib = rows.data[lo:hi] * index.goal_dense[g, cols]
            order = np.lexsort((cols, -contrib))
            terms = tuple(str(index.vocab[cols[k]]) for k in order[:8] if contrib[k] > 0)
            passage = index.passages[best[i]] if own[i].any() else ""
            out.append((passage, terms))
    return out


def match_texts(
    texts: Sequence[str],
    framework: str | Framework,
    *,
    threshold: float | None = None,
    relative: float | None = None,
    top_k: int | None = None,
    language: str = "en",
) -> list[list[Match]]:
    """Suggest the goals of ``framework`` that each text serves, each with its explanation.

    Parameters
    ----------
    texts : sequence of str
        Programme descriptions (English, French, Spanish or Finnish for the shipped frameworks;
        a city strategy in the language it was written in). Empty texts give no match.
    framework : str or Framework
        ``"udhr"``, ``"culture21"``, ``"sdg"``, ``"sdg_targets"``, a strategy path or a Framework.
    threshold : float, optional
        Minimum score (cosine 0..1). Default: the calibrated one (:func:`default_threshold`).
    relative : float, optional
        Minimum ratio of a goal's score to the text's best score. Default: calibrated.
    top_k : int, optional
        Keep at most this many matches per text. Default: the calibrated limit, applied only
        when neither ``threshold`` nor ``relative`` is given.
    language : str
        Language for goal titles when the text's language cannot be told (default English).

    Returns
    -------
    list of list of Match
        One list per text, best score first (ties broken by framework order).

    Raises
    ------
    DataError
        ``texts`` is not a list of strings.
    """
    items = _check_texts(texts)
    fw = load_framework(framework)
    index = _get_index(fw)
    thr0, rel0, k0 = default_threshold(fw)
    thr = thr0 if threshold is None else float(threshold)
    rel = rel0 if relative is None else float(relative)
    if top_k is None and threshold is None and relative is None:
        top_k = k0
    if top_k is not None and top_k < 1:
        raise DataError(f"top_k must be at least 1, found {top_k}")
    scored = _score(items, index)
    kept: list[np.ndarray] = []
    for t in range(len(items)):
        row = scored.scores[t]
        top = float(row.max()) if row.size else 0.0
        keep = np.flatnonzero((row >= thr) & (row > 0) & (row >= rel * top))
        keep = keep[np.lexsort((keep, -row[keep]))]
        kept.append(keep[:top_k] if top_k is not None else keep)
    pair_text = np.repeat(np.arange(len(items)), [len(k) for k in kept])
    pair_goal = np.concatenate(kept) if kept else np.zeros(0, dtype=np.int64)
    pair_row = scored.offsets[pair_text] + scored.best_sentence[pair_text, pair_goal]
    explained = (
        _explain_many(index, scored.sent_matrix[pair_row], pair_goal) if len(pair_goal) else []
    )
    out: list[list[Match]] = []
    k = 0
    for t, keep in enumerate(kept):
        lang = detect_language(items[t], fw.languages) if len(keep) else language
        lang = language if lang == "und" else lang
        matches = []
        for g in keep:
            passage, terms = explained[k]
            k += 1
            goal = fw.goals[int(g)]
            matches.append(
                Match(
                    framework=fw.name,
                    code=goal.code,
                    title=goal.label_in(lang),
                    score=float(scored.scores[t, g]),
                    sentence=scored.sentences[t][int(scored.best_sentence[t, g])],
                    goal_text=passage,
                    terms=terms,
                )
            )
        out.append(matches)
    return out
