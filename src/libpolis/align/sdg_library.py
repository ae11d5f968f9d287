"""SDG scores for library programme texts: the classifier plus a library-context prior.

The SDG classifier (:mod:`libpolis.align.sdg`) is trained on research sentences, abstracts and
the UN target texts; it is strong there but weak on the short texts of library programme
listings ("Open storytime", "Repair café"), whose words it rarely saw. This module adds what a
library programme says about the goals it serves:

* the **library prior** ``s`` is the similarity (0..1, :func:`libpolis.align.match.score_texts`)
  of the text to each goal described in library terms: the official SDG titles and goal texts
  (en, fr, es) plus keyword descriptions written by the libpolis authors in English, French,
  Spanish and Finnish (``data/frameworks/descriptions/sdg_library.json``: story time, homework
  help and coding club for goal 4, job club and CV clinic for goal 8, repair café and seed
  library for goal 12...; Finnish compounds such as "iltasatutuokio" meet "satutuokio" through
  :func:`libpolis.align._text.tokens`);
* the **combined probability** of goal ``g`` is a logistic blend
  ``sigmoid(a * logit(p_g) + b * s_g + c)`` of the classifier's calibrated probability ``p_g``
  (clipped to [1e-4, 1 - 1e-4]) and the prior, with ``a, b, c`` fitted by logistic regression on
  the calibration rows of ``data/frameworks/calibration/sdg_library.csv``;
* a text gets its best goal when its combined probability reaches ``floor`` and every other goal
  reaching ``threshold`` (both chosen on the same calibration rows);
* **gate**: the prior is applied only to texts that look like programme listings and on
  which the classifier is unsure. A small logistic-regression *programme gate* (character
  3-4-grams and words, :class:`ProgrammeGate`; fitted on the calibration programme texts
  against the classifier's validation split and the official target texts) must accept the
  text, the classifier's best probability must stay below ``confident``, and (optionally) the
  text must have at most ``max_words`` words. Other texts (research sentences, abstracts,
  reports) keep the classifier's probabilities and decision rule unchanged, which keeps the
  classifier's own evaluation figures (``benchmarks/align_library.md`` section 2).

The fitted numbers live in ``data/frameworks/calibration/sdg_library_params.json``; they are
written by ``benchmarks/align_library.py --write``, which also reports the held-out figures
(``benchmarks/align_library.md``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from libpolis.align.frameworks import Framework, framework_from_dict
from libpolis.align.match import _check_texts, _explain_many, _get_index, _score
from libpolis.errors import DataError

__all__ = [
    "METHOD_SUFFIX",
    "VERSION",
    "Combined",
    "LibraryParams",
    "ProgrammeGate",
    "combine",
    "explain_prior",
    "fit_gate",
    "library_framework",
    "library_params",
    "library_similarity",
    "predict_combined",
    "programme_gate",
    "programme_like",
]

#: Appended to the classifier's method name when the library prior is used.
METHOD_SUFFIX = "+library-prior-v1"
#: Version of the library descriptions, the blend and its fitted parameters.
VERSION = "1"

_WORD = re.compile(r"\w+", re.UNICODE)
_EPS = 1e-4


def _base() -> Any:
    return resources.files("libpolis") / "data" / "frameworks"


@lru_cache(maxsize=1)
def library_framework() -> Framework:
    """The 17 SDGs with their official titles and goal texts and the library descriptions.

    Returns
    -------
    Framework
        Named ``"sdg_library"``; goal codes ``"1"`` .. ``"17"`` in order.
    """
    base = _base()
    data = json.loads((base / "sdg.json").read_text(encoding="utf-8"))
    raw = json.loads((base / "descriptions" / "sdg_library.json").read_text(encoding="utf-8"))
    desc = {k: v for k, v in raw.items() if not k.startswith("_")}
    return framework_from_dict({**data, "name": "sdg_library"}, desc)


@dataclass(frozen=True)
class LibraryParams:
    """Fitted parameters of the blend (see the module docstring).

    Attributes
    ----------
    a, b, c : float
        Weight of the classifier's logit, weight of the prior similarity, intercept.
    threshold : float
        Combined probability at which any goal is suggested.
    floor : float
        Combined probability at which the best goal is suggested.
    max_words : int or None
        Texts with more words keep the classifier alone (None: no word limit).
    confident : float
        Texts whose best classifier probability reaches this keep the classifier alone.
    """

    a: float
    b: float
    c: float
    threshold: float
    floor: float
    max_words: int | None
    confident: float = 1.01


@lru_cache(maxsize=1)
def library_params() -> LibraryParams:
    """The shipped fitted parameters (``calibration/sdg_library_params.json``)."""
    path = _base() / "calibration" / "sdg_library_params.json"
    if not path.is_file():
        raise DataError("the library prior parameters are missing", where=str(path))
    raw = json.loads(path.read_text(encoding="utf-8"))
    mw = raw.get("max_words")
    return LibraryParams(
        a=float(raw["a"]),
        b=float(raw["b"]),
        c=float(raw["c"]),
        threshold=float(raw["threshold"]),
        floor=float(raw["floor"]),
        max_words=None if mw is None else int(mw),
        confident=float(raw.get("confident", 1.01)),
    )


# ----------------------------------------------------------------------------- programme gate
_GATE_VECTORS = {
    "char": {"analyzer": "char_wb", "ngram_range": (3, 4), "max_features": 4000, "min_df": 2},
    "word": {"analyzer": "word", "ngram_range": (1, 1), "max_features": 3000, "min_df": 1},
}


class ProgrammeGate:
    """Tells programme-listing texts from research and policy prose.

    A logistic regression over character 3-4-grams and words (TF-IDF, sublinear, l2 per
    block), fitted by :func:`fit_gate`; stored as JSON (vocabularies, IDF weights,
    coefficients) in ``data/frameworks/calibration/sdg_library_gate.json``.
    """

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self._vecs = []
        for name, kw in _GATE_VECTORS.items():
            block = spec[name]
            vec = TfidfVectorizer(
                analyzer=kw["analyzer"],
                ngram_range=kw["ngram_range"],
                sublinear_tf=True,
                vocabulary={t: i for i, t in enumerate(block["vocab"])},
                dtype=np.float64,
            )
            vec.fit([" ".join(block["vocab"][:1])])
            vec.idf_ = np.asarray(block["idf"], dtype=np.float64)
            self._vecs.append(vec)
        self.coef = np.asarray(spec["coef"], dtype=np.float64)
        self.intercept = float(spec["intercept"])
        self.threshold = float(spec.get("threshold", 0.5))

    def proba(self, texts: Sequence[str]) -> np.ndarray:
        """Probability (0..1) that each text is a programme listing."""
        items = _check_texts(texts)
        if not items:
            return np.zeros(0)
        xm = sparse.hstack([v.transform(items) for v in self._vecs]).tocsr()
        z = np.asarray(xm @ self.coef).ravel() + self.intercept
        return 1.0 / (1.0 + np.exp(-np.clip(z, -50.0, 50.0)))


def fit_gate(
    programmes: Sequence[str], others: Sequence[str], *, threshold: float = 0.5
) -> dict[str, Any]:
    """Fit the programme gate: ``programmes`` are positives, ``others`` negatives.

    Classes are balanced by weight; ``C = 1``; lbfgs, deterministic (no randomness).
    Returns the JSON-ready specification read by :class:`ProgrammeGate`.
    """
    pos, neg = _check_texts(programmes), _check_texts(others)
    if not pos or not neg:
        raise DataError(f"the gate needs both classes, found {len(pos)} and {len(neg)} texts")
    texts = pos + neg
    y = np.r_[np.ones(len(pos)), np.zeros(len(neg))]
    spec: dict[str, Any] = {}
    blocks = []
    for name, kw in _GATE_VECTORS.items():
        vec = TfidfVectorizer(sublinear_tf=True, dtype=np.float64, **kw)
        blocks.append(vec.fit_transform(texts))
        vocab = vec.get_feature_names_out().tolist()
        spec[name] = {"vocab": vocab, "idf": [round(float(v), 6) for v in vec.idf_]}
    xm = sparse.hstack(blocks).tocsr()
    lr = LogisticRegression(C=1.0, class_weight="balanced", max_iter=5000).fit(xm, y)
    spec["coef"] = [round(float(v), 6) for v in lr.coef_[0]]
    spec["intercept"] = round(float(lr.intercept_[0]), 6)
    spec["threshold"] = threshold
    return spec


@lru_cache(maxsize=1)
def programme_gate() -> ProgrammeGate:
    """The shipped gate (``calibration/sdg_library_gate.json``)."""
    path = _base() / "calibration" / "sdg_library_gate.json"
    if not path.is_file():
        raise DataError("the programme gate is missing", where=str(path))
    return ProgrammeGate(json.loads(path.read_text(encoding="utf-8")))


def programme_like(texts: Sequence[str], max_words: int | None) -> np.ndarray:
    """Which texts get the library prior.

    A text qualifies when it is not blank, has at most ``max_words`` words (None: any length)
    and the programme gate (:func:`programme_gate`) gives it a probability of at least its
    threshold (0.5).

    Returns
    -------
    numpy.ndarray
        (n,) bool.
    """
    items = _check_texts(texts)
    n_words = np.array([len(_WORD.findall(t)) for t in items], dtype=np.int64)
    ok = n_words > 0
    if max_words is not None:
        ok &= n_words <= max_words
    idx = np.flatnonzero(ok)
    if len(idx):
        gate = programme_gate()
        ok[idx] = gate.proba([items[i] for i in idx]) >= gate.threshold
    return ok


def library_similarity(texts: Sequence[str]) -> np.ndarray:
    """Similarity 0..1 of each text to each goal described in library terms.

    Returns
    -------
    numpy.ndarray
        (n, 17) float64, column ``j`` is goal ``j + 1``.
    """
    items = _check_texts(texts)
    return _score(items, _get_index(library_framework())).scores


def combine(proba: np.ndarray, similarity: np.ndarray, params: LibraryParams) -> np.ndarray:
    """Logistic blend of calibrated probabilities and library similarities.

    Parameters
    ----------
    proba : numpy.ndarray
        (n, 17) classifier probabilities in [0, 1].
    similarity : numpy.ndarray
        (n, 17) library similarities in [0, 1].
    params : LibraryParams

    Returns
    -------
    numpy.ndarray
        (n, 17) combined probabilities in (0, 1).
    """
    p = np.clip(np.asarray(proba, dtype=np.float64), _EPS, 1.0 - _EPS)
    z = params.a * np.log(p / (1.0 - p)) + params.b * np.asarray(similarity) + params.c
    return 1.0 / (1.0 + np.exp(-np.clip(z, -50.0, 50.0)))


def _decide(scores: np.ndarray, threshold: float, floor: float) -> np.ndarray:
    pred = scores >= threshold
    best = scores.argmax(axis=1)
    top = scores.max(axis=1)
    rows = np.flatnonzero((top >= floor) & (top > 0))
    pred[top < floor] = False
    pred[rows, best[rows]] = True
    return pred


@dataclass(frozen=True)
class Combined:
    """Result of :func:`predict_combined` (arrays have one row per text)."""

    proba: np.ndarray  # (n, 17) scores used for the decision
    labels: list[list[int]]  # goals per text, ascending
    prior_used: np.ndarray  # (n,) bool
    similarity: np.ndarray  # (n, 17), zeros where the prior was not used


def predict_combined(
    texts: Sequence[str],
    classifier: Any,
    *,
    params: LibraryParams | None = None,
    threshold: float | None = None,
) -> Combined:
    """Goals and scores of each text: the blend for programme-like texts, else the classifier.

    Parameters
    ----------
    texts : sequence of str
    classifier : SdgClassifier
        Provides ``predict_proba`` and ``predict`` (its own rule for texts outside the gate).
    params : LibraryParams, optional
        Default: :func:`library_params`.
    threshold : float, optional
        One threshold for all goals and texts (overrides both calibrated rules).

    Returns
    -------
    Combined
    """
    items = _check_texts(texts)
    prm = params or library_params()
    if threshold is not None and not 0.0 <= float(threshold) <= 1.0:
        raise DataError(f"threshold must be in [0, 1], got {threshold}")
    proba = np.asarray(classifier.predict_proba(items), dtype=np.float64)
    gate = programme_like(items, prm.max_words) & (proba.max(axis=1) < prm.confident)
    sim = np.zeros_like(proba)
    scores = proba.copy()
    idx = np.flatnonzero(gate)
    if len(idx):
        sim[idx] = library_similarity([items[i] for i in idx])
        scores[idx] = combine(proba[idx], sim[idx], prm)
    if threshold is not None:
        pred = scores >= float(threshold)
        pred[~np.array([bool(t.strip()) for t in items], dtype=bool)] = False
    else:
        pred = np.zeros_like(scores, dtype=bool)
        if len(idx):
            pred[idx] = _decide(scores[idx], prm.threshold, prm.floor)
        rest = np.flatnonzero(~gate)
        if len(rest):
            own = classifier.predict([items[i] for i in rest])
            for k, i in enumerate(rest):
                pred[i, [g - 1 for g in own[k]]] = True
    labels = [[int(j) + 1 for j in np.flatnonzero(row)] for row in pred]
    return Combined(proba=scores, labels=labels, prior_used=gate, similarity=sim)


def explain_prior(texts: Sequence[str], goals: Sequence[int]) -> list[dict[str, Any]]:
    """Sentence, library passage and shared terms behind the prior of each (text, goal) pair.

    Parameters
    ----------
    texts : sequence of str
        One text per pair.
    goals : sequence of int
        One goal (1-17) per pair.

    Returns
    -------
    list of dict
        ``{"similarity", "sentence", "goal_text", "terms"}`` per pair (``sentence`` None when
        no sentence shares a word with the goal).
    """
    items = _check_texts(texts)
    if len(items) != len(goals):
        raise DataError(f"{len(items)} texts but {len(goals)} goals")
    if not items:
        return []
    index = _get_index(library_framework())
    uniq = sorted(set(items))
    pos = {t: k for k, t in enumerate(uniq)}
    scored = _score(uniq, index)
    t = np.array([pos[x] for x in items], dtype=np.int64)
    g = np.asarray([int(x) - 1 for x in goals], dtype=np.int64)
    best = scored.best_sentence[t, g]
    out: list[dict[str, Any]] = [
        {
            "similarity": float(scored.scores[t[i], g[i]]),
            "sentence": None,
            "goal_text": None,
            "terms": [],
        }
        for i in range(len(items))
    ]
    ok = np.flatnonzero(best >= 0)
    if len(ok):
        rows = scored.offsets[t[ok]] + best[ok]
        explained = _explain_many(index, scored.sent_matrix[rows], g[ok])
        for k, i in enumerate(ok):
            passage, terms = explained[k]
            out[i].update(
                sentence=scored.sentences[t[i]][int(best[i])],
                goal_text=passage,
                terms=list(terms),
            )
    return out
