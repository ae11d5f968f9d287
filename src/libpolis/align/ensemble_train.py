"""Fit the SDG ensemble (:mod:`libpolis.align.ensemble`) from the classifier's training run.

Called by :func:`libpolis.align.train.train_sdg_model` (``libpolis align train``), so one
command rebuilds both the classifier and the ensemble. Fixed and documented:

Data and split
    The classifier's own rows and split (:func:`libpolis.align.train.training_frames`,
    ``sha1(text) % 100``: 0-69 train, 70-84 validation, 85-99 test).
Features of the training rows
    The classifier's calibrated *out-of-fold* probabilities (5 folds, seeded: the same folds
    that fit its Platt scaling), so the ensemble does not learn from in-sample optimism; the
    Aurora hits (and text length) are computed on the same rows.
Per-goal models
    One L2 logistic regression per goal (lbfgs, ``C=1``) on :func:`goal_features`.
Thresholds (validation split, never trained on)
    Each goal's threshold maximises that goal's F1 on the validation rows over the grid 0.05,
    0.10, ... 0.95 (:func:`choose_thresholds`, ``rule="goal"``; the "micro" rule tied with it
    on validation, 0.759 vs 0.758, and was lower on the test split and on three of four
    evaluation-only sets); ``floor`` (the best goal is still suggested when no goal reaches its
    threshold) maximises validation micro-F1 over 0.05 ... 0.95 and "never" (1.01).
Licences
    The shipped ensemble uses only the Aurora queries (CC BY 4.0), libpolis's own multilingual
    keyword queries and the classifier; other
    query systems may be passed (``systems=``/``engine=``) for measurement, never shipped.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

from libpolis.align._features import MAX_CHARS
from libpolis.align.ensemble import decide, feature_names, goal_features
from libpolis.align.queries import AURORA_ATTRIBUTION, QueryEngine, hit_counts, shipped_queries

__all__ = ["choose_thresholds", "fit_ensemble", "write_ensemble"]

N_GOALS = 17
#: Query systems of the shipped ensemble (both may ship: CC BY 4.0 and libpolis's own).
SHIPPED = ("aurora", "libpolis")
ENSEMBLE_VERSION = "1.0.0"
_GRID = np.round(np.arange(0.05, 0.951, 0.05), 2)


def _f1(pred: np.ndarray, y: np.ndarray) -> float:
    tp = float((pred * y).sum())
    fp = float((pred * (1 - y)).sum())
    fn = float(((1 - pred) * y).sum())
    return 0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn)


def choose_thresholds(
    proba: np.ndarray, ym: np.ndarray, *, rule: str = "goal"
) -> tuple[np.ndarray, float]:
    """Per-goal thresholds and the top-1 floor from validation probabilities and labels.

    Parameters
    ----------
    proba : numpy.ndarray
        (n, 17) ensemble probabilities of the validation rows.
    ym : numpy.ndarray
        (n, 17) 0/1 labels.
    rule : {"goal", "micro"}
        ``"goal"`` (shipped): each goal's threshold maximises that goal's own validation F1;
        ``"micro"``: start from the best shared threshold, then set each goal's threshold in
        turn to the grid value that maximises validation micro-F1 of the whole decision (two
        passes over the goals, in order). Ties keep the value nearest the shared threshold.

    Returns
    -------
    (numpy.ndarray, float)
        (17,) thresholds and the floor.
    """
    shared = max(_GRID, key=lambda t: (_f1((proba >= t).astype(int), ym), -abs(t - 0.5)))
    thr = np.full(N_GOALS, shared, dtype=np.float64)
    floor = 1.01
    if rule == "goal":
        for j in range(N_GOALS):
            if ym[:, j].sum() == 0:
                continue
            thr[j] = max(
                _GRID,
                key=lambda t, j=j: (
                    round(_f1((proba[:, j] >= t).astype(int), ym[:, j]), 9),
                    -abs(t - shared),
                ),
            )
    elif rule == "micro":
        for _ in range(2):
            for j in range(N_GOALS):

                def score(t: float, j: int = j) -> tuple[float, float]:
                    trial = thr.copy()
                    trial[j] = t
                    return round(_f1(decide(proba, trial, floor), ym), 9), -abs(t - shared)

                thr[j] = max(_GRID, key=score)
    else:
        raise ValueError(f"rule must be 'micro' or 'goal', got {rule!r}")
    floor = max((*_GRID, 1.01), key=lambda f: (round(_f1(decide(proba, thr, f), ym), 9), f))
    return thr, float(floor)


def _counts(engine: QueryEngine, texts: Sequence[str], systems: Sequence[str]) -> np.ndarray:
    return hit_counts([engine.match(t[:MAX_CHARS]) for t in texts], systems)


def _n_words(texts: Sequence[str]) -> np.ndarray:
    return np.array([len(t[:MAX_CHARS].split()) for t in texts])


def fit_ensemble(
    train_texts: Sequence[str],
    train_y: np.ndarray,
    train_proba: np.ndarray,
    val_texts: Sequence[str],
    val_y: np.ndarray,
    val_proba: np.ndarray,
    *,
    systems: Sequence[str] = SHIPPED,
    engine: QueryEngine | None = None,
    seed: int = 0,
    c: float = 1.0,
    rule: str = "goal",
) -> dict:
    """Fit the per-goal models and choose thresholds; the model as a JSON-ready dict.

    Parameters
    ----------
    train_texts, val_texts : sequence of str
    train_y, val_y : numpy.ndarray
        (n, 17) 0/1 labels.
    train_proba : numpy.ndarray
        (n, 17) out-of-fold calibrated classifier probabilities of the training rows.
    val_proba : numpy.ndarray
        (n, 17) calibrated probabilities of the final classifier on the validation rows.
    systems : sequence of str
        Query systems whose hits are features (the shipped model: :data:`SHIPPED`).
    engine : QueryEngine, optional
        Engine holding those systems (default: built from the shipped query files).
    seed : int
        Recorded; lbfgs is deterministic.
    c : float
        Inverse L2 regularisation of the per-goal regressions.
    rule : {"micro", "goal"}
        How the per-goal thresholds are chosen (:func:`choose_thresholds`).

    Returns
    -------
    dict
        ``systems``, ``features``, ``coef`` (17 x n_features), ``intercept``, ``thresholds``,
        ``floor``, ``val_micro_f1`` and the method text.
    """
    engine = engine or QueryEngine(shipped_queries(systems))
    xt = goal_features(train_proba, _counts(engine, train_texts, systems), _n_words(train_texts))
    xv = goal_features(val_proba, _counts(engine, val_texts, systems), _n_words(val_texts))
    n_feat = xt.shape[2]
    coef = np.zeros((N_GOALS, n_feat))
    intercept = np.full(N_GOALS, -10.0)
    for j in range(N_GOALS):
        y = train_y[:, j]
        if y.min() == y.max():
            continue
        lr = LogisticRegression(C=c, solver="lbfgs", max_iter=2000)
        lr.fit(xt[:, j, :], y)
        coef[j] = lr.coef_[0]
        intercept[j] = lr.intercept_[0]
    zv = np.einsum("ngf,gf->ng", xv, coef) + intercept[None, :]
    pv = 1.0 / (1.0 + np.exp(-np.clip(zv, -50, 50)))
    thr, floor = choose_thresholds(pv, val_y, rule=rule)
    return {
        "name": "libpolis-sdg-ensemble",
        "version": ENSEMBLE_VERSION,
        "method": (
            "per-goal L2 logistic regression (lbfgs, C={:g}) on the classifier's calibrated "
            "out-of-fold probabilities, query hits of {} and text length; per-goal thresholds "
            "and a top-1 floor chosen on the validation split".format(c, "+".join(systems))
        ),
        "seed": int(seed),
        "C": float(c),
        "systems": list(systems),
        "features": feature_names(systems),
        "coef": np.round(coef, 6).tolist(),
        "intercept": np.round(intercept, 6).tolist(),
        "thresholds": thr.tolist(),
        "floor": floor,
        "threshold_rule": rule,
        "val_micro_f1": round(_f1(decide(pv, thr, floor), val_y), 4),
        "n_train": len(train_texts),
        "n_val": len(val_texts),
        "attribution": [AURORA_ATTRIBUTION] if "aurora" in systems else [],
    }


def write_ensemble(doc: dict, out_dir: str | Path) -> Path:
    """Write ``ensemble.json`` into ``out_dir`` (atomically); its path."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "ensemble.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    tmp.replace(path)
    return path
