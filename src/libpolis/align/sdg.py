"""SDG classifier: which of the 17 Sustainable Development Goals a text serves.

The shipped model (``libpolis/data/models/sdg/``) is a word + character TF-IDF
representation with one calibrated logistic regression per goal; it is trained by
:func:`libpolis.align.train.train_sdg_model` (method, data, split and seed in its
docstring and in ``MODEL_CARD.md`` beside the model). It is stored as JSON + NPZ
(no pickle) and needs only numpy, scipy and scikit-learn at run time.

Inputs: any ``str``. Texts are NFKC-normalised, white space collapsed and cut to
the first 20,000 characters (``MAX_CHARS``; about 3,000 words). An empty or
blank text gets all-zero probabilities and no goal. French and Spanish work
through the official target texts in those languages (trained on) and the
character n-grams; see ``benchmarks/align_report.md`` for measured figures.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

import numpy as np

from libpolis.align._features import MAX_CHARS, TextFeatures, clean
from libpolis.errors import DataError, NotFoundError

__all__ = ["GOALS", "MAX_CHARS", "SdgClassifier"]

#: The goal numbers, in the column order of :meth:`SdgClassifier.predict_proba`.
GOALS: tuple[int, ...] = tuple(range(1, 18))

_SENT_SPLIT = re.compile(r"(?<=[.!?;:])\s+|\n+|\s+[•·▪-]\s+")


def _default_dir() -> Path:
    return Path(str(resources.files("libpolis") / "data" / "models" / "sdg"))


def _check_texts(texts: Sequence[str]) -> list[str]:
    if isinstance(texts, str):
        raise DataError("texts must be a sequence of str, got one str; wrap it in a list")
    try:
        items = list(texts)
    except TypeError as exc:
        raise DataError(f"texts must be a sequence of str, got {type(texts).__name__}") from exc
    for i, t in enumerate(items):
        if not isinstance(t, str):
            raise DataError(f"texts[{i}] is {type(t).__name__}, expected str")
    return items


def _sentences(text: str) -> list[str]:
    parts = [p.strip() for p in _SENT_SPLIT.split(clean(text))]
    return [p for p in parts if len(p) > 1]


class SdgClassifier:
    """Multi-label SDG classifier with calibrated per-goal probabilities.

    Use :meth:`load` to get the shipped model. Columns of every probability array
    are goals 1..17; each column is an independent calibrated probability (the
    rows need not sum to 1).

    Attributes
    ----------
    meta : dict
        ``name``, ``version``, ``method``, ``seed``, ``training_data_sha256``,
        ``split``, sources and licences of the training data, validation figures.
    thresholds : numpy.ndarray
        (17,) default decision threshold per goal (chosen on the validation split).
    floor : float
        When no goal reaches its threshold, the best goal is still returned if its
        probability is at least ``floor``.
    """

    def __init__(
        self,
        features: TextFeatures,
        coef: np.ndarray,
        intercept: np.ndarray,
        platt: np.ndarray,
        thresholds: np.ndarray,
        floor: float,
        meta: dict,
        targets: list[dict],
    ) -> None:
        self._features = features
        self._coef_t = np.ascontiguousarray(coef.T, dtype=np.float32)
        self._intercept = intercept.astype(np.float64)
        self._platt = platt.astype(np.float64)
        self.thresholds = thresholds.astype(np.float64)
        self.floor = float(floor)
        self.meta = meta
        self._targets = targets
        self._target_matrix = None

    # ------------------------------------------------------------------ loading
    @classmethod
    def load(cls, path: str | Path | None = None) -> SdgClassifier:
        """Load a model folder (default: the model shipped with libpolis).

        Parameters
        ----------
        path : str or Path, optional
            Folder with ``model.json``, ``weights.npz`` and ``targets.json`` as
            written by :func:`libpolis.align.train.train_sdg_model`.

        Raises
        ------
        NotFoundError
            If the folder or one of its files is missing.
        DataError
            If the files are not a model of this format.
        """
        folder = Path(path) if path is not None else _default_dir()
        files = {n: folder / n for n in ("model.json", "weights.npz", "targets.json")}
        missing = [n for n, p in files.items() if not p.is_file()]
        if missing:
            raise NotFoundError(f"SDG model folder {str(folder)!r} lacks {', '.join(missing)}")
        try:
            doc = json.loads(files["model.json"].read_text(encoding="utf-8"))
            with np.load(files["weights.npz"], allow_pickle=False) as z:
                arrays = {k: z[k] for k in z.files}
            targets = json.loads(files["targets.json"].read_text(encoding="utf-8"))
            features = TextFeatures.from_data(doc.pop("features"), arrays)
            coef = arrays["coef"].astype(np.float32)
        except (KeyError, ValueError, OSError) as exc:
            raise DataError(f"{str(folder)!r} is not a libpolis SDG model: {exc}") from exc
        if coef.shape != (len(GOALS), features.n_features):
            raise DataError(
                f"{str(folder)!r}: weights have shape {coef.shape}, expected "
                f"({len(GOALS)}, {features.n_features})"
            )
        return cls(
            features,
            coef,
            arrays["intercept"],
            arrays["platt"],
            arrays["thresholds"],
            doc.get("floor", 1.01),
            doc,
            targets,
        )

    # ------------------------------------------------------------------ scoring
    def _scores(self, texts: list[str]) -> np.ndarray:
        xm = self._features.transform(texts)
        return np.asarray(xm @ self._coef_t, dtype=np.float64) + self._intercept

    def _calibrate(self, scores: np.ndarray) -> np.ndarray:
        z = self._platt[:, 0] * scores + self._platt[:, 1]
        return 1.0 / (1.0 + np.exp(np.clip(z, -50.0, 50.0)))

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Calibrated probability that each text serves each goal.

        Parameters
        ----------
        texts : sequence of str
            Programme descriptions or any other texts (en, es, fr).

        Returns
        -------
        numpy.ndarray
            (n, 17) float64 in [0, 1], column ``j`` is goal ``j + 1``. Rows of empty
            or blank texts are all zero.

        Raises
        ------
        DataError
            If ``texts`` is a single str or holds anything that is not a str.
        """
        items = _check_texts(texts)
        out = np.zeros((len(items), len(GOALS)), dtype=np.float64)
        idx = [i for i, t in enumerate(items) if t.strip()]
        if idx:
            out[idx] = self._calibrate(self._scores([items[i] for i in idx]))
        return out

    def predict(self, texts: Sequence[str], threshold: float | None = None) -> list[list[int]]:
        """Goals served by each text.

        Parameters
        ----------
        texts : sequence of str
        threshold : float, optional
            One probability threshold for all goals (every goal at or over it).
            Default: the best goal when its probability reaches :attr:`floor`, plus
            any other goal reaching its entry in :attr:`thresholds` (both chosen on
            the validation split; most texts serve one main goal).

        Returns
        -------
        list of list of int
            Goal numbers (1-17), ascending, per text; empty when none applies.
        """
        proba = self.predict_proba(texts)
        if threshold is not None:
            if not 0.0 <= float(threshold) <= 1.0:
                raise DataError(f"threshold must be in [0, 1], got {threshold}")
            pred = proba >= float(threshold)
        else:
            pred = proba >= self.thresholds[None, :]
            best = proba.argmax(axis=1)
            top = proba.max(axis=1)
            pred[top < self.floor] = False
            rows = np.flatnonzero((top >= self.floor) & (top > 0))
            pred[rows, best[rows]] = True
        return [[GOALS[j] for j in np.flatnonzero(row)] for row in pred]

    # ------------------------------------------------------------------ explanation
    def _targets_matrix(self):
        if self._target_matrix is None:
            self._target_matrix = self._features.transform([t["text"] for t in self._targets])
        return self._target_matrix

    def explain(self, text: str, goal: int) -> dict:
        """Why ``text`` is (or is not) linked to ``goal``.

        Parameters
        ----------
        text : str
        goal : int
            1-17.

        Returns
        -------
        dict
            ``goal``, ``probability`` (of the whole text), ``sentence`` (the sentence
            of the text with the highest score for the goal; ``None`` for an empty
            text), ``sentence_probability``, ``target`` (code such as ``"4.6"`` of the
            goal's target whose text is most similar to that sentence, by cosine of
            the TF-IDF features), ``target_text`` (in the language that matched
            best: en, es or fr), ``target_lang`` and ``target_similarity`` (0-1).
        """
        if not isinstance(text, str):
            raise DataError(f"text is {type(text).__name__}, expected str")
        if isinstance(goal, bool) or not isinstance(goal, (int, np.integer)) or goal not in GOALS:
            raise DataError(f"goal must be an int from 1 to 17, got {goal!r}")
        j = int(goal) - 1
        result: dict = {
            "goal": int(goal),
            "probability": 0.0,
            "sentence": None,
            "sentence_probability": 0.0,
            "target": None,
            "target_text": None,
            "target_lang": None,
            "target_similarity": 0.0,
        }
        if not text.strip():
            return result
        result["probability"] = float(self.predict_proba([text])[0, j])
        sents = _sentences(text) or [clean(text)]
        xm = self._features.transform(sents)
        scores = np.asarray(xm @ self._coef_t[:, j], dtype=np.float64) + self._intercept[j]
        best = int(np.argmax(scores))  # first of equals: deterministic
        result["sentence"] = sents[best]
        result["sentence_probability"] = float(
            self._calibrate(np.tile(scores[best], (1, len(GOALS))))[0, j]
        )
        cand = [i for i, t in enumerate(self._targets) if t["goal"] == goal]
        tm = self._targets_matrix()[cand]
        x = xm[best]
        sims = np.asarray((tm @ x.T).todense()).ravel()
        norms = np.sqrt(np.asarray(tm.multiply(tm).sum(axis=1)).ravel()) * np.sqrt(
            x.multiply(x).sum()
        )
        sims = np.divide(sims, norms, out=np.zeros_like(sims), where=norms > 0)
        k = int(np.argmax(sims))
        tgt = self._targets[cand[k]]
        result.update(
            target=tgt["code"],
            target_text=tgt["text"],
            target_lang=tgt["lang"],
            target_similarity=float(sims[k]),
        )
        return result
