"""Batched :meth:`SdgClassifier.explain`: the same dictionaries for many (text, goal) pairs.

``SdgClassifier.explain`` featurises one text's sentences per call; aligning thousands of
programme texts calls it once per suggested goal. This helper featurises every sentence of
every text once and reuses it for all pairs, giving the same result (tested against
``explain`` in ``tests/align/test_sdg_library.py``). Classifiers without the internals of
:class:`~libpolis.align.sdg.SdgClassifier` fall back to their own ``explain``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from libpolis.align._features import clean
from libpolis.align.sdg import GOALS, _sentences

__all__ = ["explain_many"]

_NEEDED = ("_features", "_coef_t", "_intercept", "_calibrate", "_targets", "_targets_matrix")


def explain_many(
    classifier: Any, texts: Sequence[str], pairs: Sequence[tuple[int, int]]
) -> list[dict]:
    """``classifier.explain(texts[t], goal)`` for each ``(t, goal)`` of ``pairs``, batched.

    Parameters
    ----------
    classifier : SdgClassifier
    texts : sequence of str
        Non-blank texts.
    pairs : sequence of (int, int)
        Index into ``texts`` and goal 1-17.

    Returns
    -------
    list of dict
        One explanation per pair, as :meth:`SdgClassifier.explain` returns it.
    """
    if not all(hasattr(classifier, n) for n in _NEEDED):
        return [dict(classifier.explain(texts[t], g)) for t, g in pairs]
    if not pairs:
        return []
    used = sorted({t for t, _ in pairs})
    proba = classifier.predict_proba([texts[t] for t in used])
    row_of = {t: k for k, t in enumerate(used)}
    sents: list[list[str]] = [_sentences(texts[t]) or [clean(texts[t])] for t in used]
    offsets = np.zeros(len(used) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum([len(s) for s in sents])
    xm = classifier._features.transform([s for ss in sents for s in ss]).tocsr()
    scores = np.asarray(xm @ classifier._coef_t, dtype=np.float64) + classifier._intercept
    tm = classifier._targets_matrix()
    tnorm = np.sqrt(np.asarray(tm.multiply(tm).sum(axis=1)).ravel())
    goal_of = np.array([t["goal"] for t in classifier._targets])
    out = []
    for t, goal in pairs:
        k = row_of[t]
        j = int(goal) - 1
        a, b = offsets[k], offsets[k + 1]
        best = int(a + np.argmax(scores[a:b, j]))
        sent_p = classifier._calibrate(np.tile(scores[best, j], (1, len(GOALS))))[0, j]
        cand = np.flatnonzero(goal_of == goal)
        x = xm[best]
        sims = np.asarray((tm[cand] @ x.T).todense()).ravel()
        norms = tnorm[cand] * np.sqrt(x.multiply(x).sum())
        sims = np.divide(sims, norms, out=np.zeros_like(sims), where=norms > 0)
        m = int(np.argmax(sims))
        tgt = classifier._targets[int(cand[m])]
        out.append(
            {
                "goal": int(goal),
                "probability": float(proba[k, j]),
                "sentence": sents[k][best - a],
                "sentence_probability": float(sent_p),
                "target": tgt["code"],
                "target_text": tgt["text"],
                "target_lang": tgt["lang"],
                "target_similarity": float(sims[m]),
            }
        )
    return out
