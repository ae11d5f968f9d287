"""SDG ensemble: the classifier's calibrated scores and Aurora query hits, one decision per goal.

For each text and goal ``g`` the features (:func:`goal_features`) are

- ``logit_p``: logit of the classifier's calibrated probability ``p_g``
  (:class:`~libpolis.align.sdg.SdgClassifier`), clipped to [1e-4, 1 - 1e-4];
- ``is_top``: 1 when ``g`` is the classifier's best goal;
- ``logit_other``: logit of the best probability among the other goals;
- for every query system used (the shipped model: ``aurora``, the Aurora SDG queries v5.0,
  CC BY 4.0, and ``libpolis``, the authors' own French/Spanish/Portuguese keyword queries):
  ``<system>_hits`` = log(1 + queries of goal ``g`` matched), ``<system>_top`` = 1 when ``g``
  has the most hits of that system (and at least one), ``<system>_all`` = log(1 + hits of the
  system over all goals);
- ``log_words``: log(1 + number of words).

One logistic regression per goal turns them into a calibrated probability; a goal is suggested
when its probability reaches its own threshold (chosen on a validation split held out from
training), and when no goal does, the best goal is still suggested if it reaches ``floor``.
Training (data, split, seed) is in :mod:`libpolis.align.ensemble_train`; the shipped model is
``libpolis/data/models/sdg/ensemble.json`` beside the classifier (plain JSON, a few kB).

Every suggested goal keeps its query hits (query, target, matched words) as its explanation.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

from libpolis.align._features import MAX_CHARS
from libpolis.align.queries import Hit, QueryEngine, hit_counts, shipped_queries
from libpolis.align.sdg import GOALS, SdgClassifier, _check_texts
from libpolis.errors import DataError, NotFoundError

__all__ = ["EnsembleResult", "SdgEnsemble", "decide", "feature_names", "goal_features"]

_EPS = 1e-4


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, _EPS, 1 - _EPS)
    return np.log(p / (1 - p))


def feature_names(systems: Sequence[str]) -> list[str]:
    """Names of the per-goal features, in column order."""
    names = ["logit_p", "is_top", "logit_other"]
    for s in systems:
        names += [f"{s}_hits", f"{s}_top", f"{s}_all"]
    return [*names, "log_words"]


def goal_features(proba: np.ndarray, counts: np.ndarray, n_words: np.ndarray) -> np.ndarray:
    """Per-goal features of the ensemble.

    Parameters
    ----------
    proba : numpy.ndarray
        (n, 17) calibrated classifier probabilities.
    counts : numpy.ndarray
        (n, n_systems, 17) query hits per system and goal (:func:`hit_counts`).
    n_words : numpy.ndarray
        (n,) number of words of each text.

    Returns
    -------
    numpy.ndarray
        (n, 17, n_features) float64, columns as :func:`feature_names`.
    """
    n = proba.shape[0]
    k = len(GOALS)
    lp = _logit(proba)
    top = proba.argmax(axis=1) if n else np.zeros(0, dtype=int)
    is_top = np.zeros((n, k))
    is_top[np.arange(n), top] = (proba.max(axis=1) > 0) if n else 0
    srt = np.sort(proba, axis=1)
    best, second = (srt[:, -1], srt[:, -2]) if n else (np.zeros(0), np.zeros(0))
    other = np.where(is_top > 0, second[:, None], best[:, None])
    cols = [lp, is_top, _logit(other)]
    for s in range(counts.shape[1]):
        c = counts[:, s, :].astype(np.float64)
        cmax = c.max(axis=1, keepdims=True) if n else np.zeros((0, 1))
        cols += [
            np.log1p(c),
            ((c == cmax) & (c > 0)).astype(np.float64),
            np.repeat(np.log1p(c.sum(axis=1, keepdims=True)), k, axis=1),
        ]
    cols.append(np.repeat(np.log1p(n_words.astype(np.float64))[:, None], k, axis=1))
    return np.stack(cols, axis=2)


def decide(proba: np.ndarray, thresholds: np.ndarray, floor: float) -> np.ndarray:
    """0/1 (n, 17): every goal reaching its threshold; else the best goal if >= ``floor``."""
    pred = (proba >= thresholds[None, :]).astype(np.int8)
    if proba.shape[0]:
        none = pred.sum(axis=1) == 0
        best = proba.argmax(axis=1)
        ok = none & (proba.max(axis=1) >= floor) & (proba.max(axis=1) > 0)
        pred[np.flatnonzero(ok), best[ok]] = 1
    return pred


@dataclass(frozen=True)
class EnsembleResult:
    """What :meth:`SdgEnsemble.analyse` returns.

    Attributes
    ----------
    proba : numpy.ndarray
        (n, 17) ensemble probabilities.
    labels : list of list of int
        Suggested goals per text, best first.
    hits : list of list of Hit
        Query hits per text (all goals).
    classifier_proba : numpy.ndarray
        (n, 17) the classifier's own probabilities.
    """

    proba: np.ndarray
    labels: list[list[int]]
    hits: list[list[Hit]]
    classifier_proba: np.ndarray


def _default_dir() -> Path:
    return Path(str(resources.files("libpolis") / "data" / "models" / "sdg"))


class SdgEnsemble:
    """The shipped SDG decision: classifier + Aurora query hits, per-goal thresholds.

    Use :meth:`load`. ``classifier`` and ``engine`` may be given to share loaded parts.
    """

    def __init__(
        self,
        doc: dict,
        classifier: SdgClassifier,
        engine: QueryEngine,
    ) -> None:
        self.meta = {k: v for k, v in doc.items() if k not in ("coef", "intercept")}
        self.systems: tuple[str, ...] = tuple(doc["systems"])
        self.coef = np.asarray(doc["coef"], dtype=np.float64)
        self.intercept = np.asarray(doc["intercept"], dtype=np.float64)
        self.thresholds = np.asarray(doc["thresholds"], dtype=np.float64)
        self.floor = float(doc["floor"])
        n_feat = len(feature_names(self.systems))
        if self.coef.shape != (len(GOALS), n_feat) or self.intercept.shape != (len(GOALS),):
            raise DataError(
                f"ensemble weights have shape {self.coef.shape}, expected (17, {n_feat})"
            )
        missing = set(self.systems) - set(engine.systems)
        if missing:
            raise DataError(f"the query engine lacks the systems {sorted(missing)}")
        self.classifier = classifier
        self.engine = engine

    @classmethod
    def load(
        cls,
        path: str | Path | None = None,
        *,
        classifier: SdgClassifier | None = None,
        engine: QueryEngine | None = None,
    ) -> SdgEnsemble:
        """Load ``ensemble.json`` from the folder ``path`` (default: the shipped model folder,
        whose classifier is used unless ``classifier`` is given).

        Raises
        ------
        NotFoundError
            The model file is missing.
        DataError
            The file is not an ensemble model.
        """
        folder = Path(path) if path is not None else _default_dir()
        file = folder / "ensemble.json"
        if not file.is_file():
            raise NotFoundError(f"SDG ensemble {str(file)!r} is missing")
        try:
            doc = json.loads(file.read_text(encoding="utf-8"))
            systems = doc["systems"]
        except (ValueError, KeyError) as exc:
            raise DataError(f"{str(file)!r} is not a libpolis SDG ensemble: {exc}") from None
        if engine is None:
            engine = QueryEngine(shipped_queries(systems))
        return cls(doc, classifier or SdgClassifier.load(folder), engine)

    def features(
        self, texts: Sequence[str], classifier_proba: np.ndarray, hits: Sequence[Sequence[Hit]]
    ) -> np.ndarray:
        """(n, 17, n_features) features of :func:`goal_features` for this model's systems."""
        n_words = np.array([len(t[:MAX_CHARS].split()) for t in texts])
        return goal_features(classifier_proba, hit_counts(hits, self.systems), n_words)

    def proba_from_features(self, x: np.ndarray) -> np.ndarray:
        """(n, 17) ensemble probabilities from :meth:`features`."""
        z = np.einsum("ngf,gf->ng", x, self.coef) + self.intercept[None, :]
        return 1.0 / (1.0 + np.exp(-np.clip(z, -50, 50)))

    def analyse(
        self, texts: Sequence[str], classifier_proba: np.ndarray | None = None
    ) -> EnsembleResult:
        """Probabilities, suggested goals and query hits of each text.

        Parameters
        ----------
        texts : sequence of str
        classifier_proba : numpy.ndarray, optional
            (n, 17) the classifier's probabilities of ``texts`` when already computed.

        Returns
        -------
        EnsembleResult
            Empty or blank texts get all-zero probabilities, no goal and no hit.
        """
        items = _check_texts(texts)
        n = len(items)
        if classifier_proba is None:
            cp = self.classifier.predict_proba(items)
        else:
            cp = np.asarray(classifier_proba, dtype=np.float64)
            if cp.shape != (n, len(GOALS)):
                raise DataError(f"classifier_proba has shape {cp.shape}, expected ({n}, 17)")
        hits = [self.engine.match(t[:MAX_CHARS]) if t.strip() else [] for t in items]
        proba = np.zeros((n, len(GOALS)))
        idx = [i for i, t in enumerate(items) if t.strip()]
        if idx:
            x = self.features([items[i] for i in idx], cp[idx], [hits[i] for i in idx])
            proba[idx] = self.proba_from_features(x)
        pred = decide(proba, self.thresholds, self.floor)
        labels = [
            sorted(
                (GOALS[j] for j in np.flatnonzero(row)), key=lambda g, r=r: (-proba[r, g - 1], g)
            )
            for r, row in enumerate(pred)
        ]
        return EnsembleResult(proba, labels, hits, cp)

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """(n, 17) ensemble probabilities."""
        return self.analyse(texts).proba

    def predict(self, texts: Sequence[str]) -> list[list[int]]:
        """Suggested goals per text, ascending."""
        return [sorted(ls) for ls in self.analyse(texts).labels]
