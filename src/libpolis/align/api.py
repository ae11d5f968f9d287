"""One function to align any texts with any framework: :func:`align_texts`.

``framework="sdg"`` uses the trained SDG classifier (:mod:`libpolis.align.sdg`); every other
framework (``"udhr"``, ``"culture21"``, ``"sdg_targets"``, a city strategy path or a
:class:`~libpolis.align.frameworks.Framework`) uses the similarity matcher
(:mod:`libpolis.align.match`). Results are plain JSON-ready dictionaries, one per text.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any, NamedTuple

import numpy as np

from libpolis.align._features import MAX_CHARS
from libpolis.align._sdg_explain import explain_many
from libpolis.align.frameworks import Framework, load_framework
from libpolis.align.match import METHOD, VERSION, _check_texts, match_texts
from libpolis.errors import NotFoundError

__all__ = ["MAX_HITS", "SdgDecisions", "align_texts", "method_of", "sdg_decisions"]

#: Query hits shown per suggested goal (the explanation of the ensemble's query evidence).
MAX_HITS = 5


@lru_cache(maxsize=1)
def _sdg_classifier() -> Any:
    try:
        from libpolis.align.sdg import SdgClassifier
    except ImportError as exc:  # the classifier module ships separately
        raise NotFoundError(f"the SDG classifier is not available ({exc})") from None
    return SdgClassifier.load()


@lru_cache(maxsize=1)
def _sdg_ensemble_for(clf: Any) -> Any:
    from libpolis.align.ensemble import SdgEnsemble
    from libpolis.align.sdg import SdgClassifier

    if not isinstance(clf, SdgClassifier):  # a stand-in classifier: no ensemble
        return None
    try:
        return SdgEnsemble.load(classifier=clf)
    except NotFoundError:  # a model folder without the ensemble: the classifier decides
        return None


def _sdg_ensemble() -> Any:
    return _sdg_ensemble_for(_sdg_classifier())


def method_of(framework: str | Framework) -> tuple[str, str]:
    """``(method, version)`` that :func:`align_texts` records for ``framework``."""
    if isinstance(framework, str) and framework == "sdg":
        meta = dict(getattr(_sdg_classifier(), "meta", {}) or {})
        # the store keeps a short method name (100 characters); the model's "method" may be a
        # sentence describing it, so its "name" comes first
        name = meta.get("name") or meta.get("method") or "sdg-classifier"
        # the library prior (libpolis.align.sdg_library) is part of the method: its suffix
        # carries the prior's version and is kept when the name is cut to 100 characters
        from libpolis.align.sdg_library import METHOD_SUFFIX

        version = str(meta.get("version", ""))
        ens = _sdg_ensemble()
        if ens is not None:  # the ensemble's decision is part of the method
            version += f"+ensemble-{ens.meta.get('version', '')}"
        return str(name)[: 100 - len(METHOD_SUFFIX)] + METHOD_SUFFIX, version[:50]
    return METHOD, VERSION


class SdgDecisions(NamedTuple):
    """What :func:`sdg_decisions` decided, one row per text."""

    proba: np.ndarray  # (n, 17) scores behind the decision
    labels: list[list[int]]  # goals per text, after the evidence rule where the prior decided
    hits: list[list[Any]]  # query hits per text
    prior_used: np.ndarray  # (n,) bool: the library prior decided
    raw_labels: list[list[int]]  # goals per text before the evidence rule
    evidence: list[dict[int, list[str]] | None]  # where the prior decided: phrases per goal


def sdg_decisions(
    texts: list[str], clf: Any, ens: Any, threshold: float | None = None
) -> SdgDecisions:
    """The SDG decision of :func:`align_texts` without the explanations (non-blank texts).

    Programme-like texts on which the classifier is unsure get the library prior
    (:func:`libpolis.align.sdg_library.predict_combined`); every other text gets the ensemble
    (:class:`libpolis.align.ensemble.SdgEnsemble`, when ``ens`` is given), unless one
    ``threshold`` is forced. Every text gets its query hits. Where the library prior decided
    (a programme listing the classifier is unsure of), a goal stays only with evidence in the
    text (:func:`libpolis.align.abstain.supported_goals`: a phrase of the goal, or a query
    hit), as on the programme path: the prior ranks all 17 goals and would otherwise name one
    for a film night. Texts the ensemble decides keep its goals (applied to every text the
    gate takes for a listing, the rule also removed right goals from short UN indicator texts
    in French and Spanish: `benchmarks/align.py`). A forced ``threshold`` shows the scores
    unfiltered.
    """
    from libpolis.align import sdg_library
    from libpolis.align.abstain import supported_goals

    res = sdg_library.predict_combined(texts, clf, threshold=threshold)
    proba = np.array(res.proba, dtype=np.float64)
    labels = [list(ls) for ls in res.labels]
    hits: list[list[Any]] = [[] for _ in texts]
    if ens is not None:
        rest = [k for k in range(len(texts)) if not res.prior_used[k]] if threshold is None else []
        if rest:
            er = ens.analyse([texts[k] for k in rest], classifier_proba=proba[rest])
            for r, k in enumerate(rest):
                proba[k], labels[k], hits[k] = er.proba[r], er.labels[r], er.hits[r]
        for k in sorted(set(range(len(texts))) - set(rest)):
            hits[k] = ens.engine.match(texts[k][:MAX_CHARS])
    raw = [list(ls) for ls in labels]
    evidence: list[dict[int, list[str]] | None] = [None] * len(texts)
    if threshold is None:
        for k in np.flatnonzero(res.prior_used):
            said = {str(h.query.sdg): {"queries": [h]} for h in hits[k]}
            kept = supported_goals(texts[k], labels[k], said)
            evidence[k] = kept
            labels[k] = [g for g in labels[k] if g in kept]
    return SdgDecisions(proba, labels, hits, np.asarray(res.prior_used, dtype=bool), raw, evidence)


def _align_sdg(texts: list[str], threshold: float | None) -> list[dict[str, Any]]:
    from libpolis.align import sdg_library

    clf = _sdg_classifier()
    method, version = method_of("sdg")
    out: list[dict[str, Any]] = [
        {
            "framework": "sdg",
            "sdgs": [],
            "scores": {},
            "explanations": {},
            "method": method,
            "version": version,
        }
        for _ in texts
    ]
    idx = [i for i, t in enumerate(texts) if t.strip()]
    if not idx:
        return out
    sub = [texts[i] for i in idx]
    ens = _sdg_ensemble()
    dec = sdg_decisions(sub, clf, ens, threshold)
    proba, hits, prior_used = dec.proba, dec.hits, dec.prior_used
    pairs: list[tuple[int, int]] = []
    for k, i in enumerate(idx):
        goals = sorted(dec.labels[k], key=lambda g: (-float(proba[k][g - 1]), g))
        out[i]["sdgs"] = goals
        every = {str(g): round(float(proba[k][g - 1]), 4) for g in range(1, 18)}
        out[i]["scores"] = {str(g): every[str(g)] for g in goals}
        out[i]["all_scores"] = every
        if dec.evidence[k] is not None:  # the prior decided: its list before the rule
            out[i]["raw_sdgs"] = sorted(dec.raw_labels[k], key=lambda g: (-proba[k][g - 1], g))
        pairs.extend((k, g) for g in goals)
    explained = explain_many(clf, sub, pairs)
    prior_pairs = [(k, g) for k, g in pairs if prior_used[k]]
    priors = dict(
        zip(
            prior_pairs,
            sdg_library.explain_prior(
                [sub[k] for k, _ in prior_pairs], [g for _, g in prior_pairs]
            ),
            strict=True,
        )
    )
    for (k, g), ex in zip(pairs, explained, strict=True):
        ex = dict(ex)
        ex.setdefault("score", out[idx[k]]["scores"][str(g)])
        if (k, g) in priors:
            ex["library"] = priors[(k, g)]
        if ens is not None:
            ex["queries"] = [h.to_dict() for h in hits[k] if h.query.sdg == g][:MAX_HITS]
        found = dec.evidence[k]
        if found is not None:
            ex["evidence"] = found[g]
        out[idx[k]]["explanations"][str(g)] = ex
    return out


def align_texts(
    texts: Sequence[str],
    framework: str | Framework = "sdg",
    *,
    threshold: float | None = None,
    top_k: int | None = None,
) -> list[dict[str, Any]]:
    """Align each text with the goals of a framework, with scores and explanations.

    Parameters
    ----------
    texts : sequence of str
        Programme descriptions (English first; French, Spanish, Portuguese and Finnish work
        too).
    framework : str or Framework
        ``"sdg"`` (trained classifier), ``"udhr"``, ``"culture21"``, ``"sdg_targets"``, the path
        of a strategy file, or a Framework.
    threshold : float, optional
        Override the calibrated threshold (a probability for ``"sdg"``, a similarity otherwise).
    top_k : int, optional
        At most this many goals per text (similarity frameworks only).

    Returns
    -------
    list of dict
        One per text. For ``"sdg"``: ``{"sdgs": [4, 10], "scores": {"4": 0.91, ...},
        "explanations": {"4": {"sentence", "target", "target_text", "score", "queries"}, ...}}``
        (``queries``: the Aurora query hits of the goal, each with ``system``, ``target``,
        ``query`` and the matched ``words``, when the ensemble is installed); for the
        others: ``{"goals": ["19", "26"], "scores": {"19": 0.31, ...}, "explanations": {"19":
        {"title", "sentence", "goal_text", "terms", "score"}, ...}}``. Both also carry
        ``framework``, ``method`` and ``version``. Goals are listed best first; an empty text
        gives empty lists.

    Raises
    ------
    DataError
        ``texts`` is not a list of strings.
    NotFoundError
        Unknown framework, or the SDG classifier is not installed.
    """
    items = _check_texts(texts)
    if isinstance(framework, str) and framework == "sdg":
        return _align_sdg(items, threshold)
    fw = load_framework(framework)
    out = []
    for matches in match_texts(items, fw, threshold=threshold, top_k=top_k):
        out.append(
            {
                "framework": fw.name,
                "goals": [m.code for m in matches],
                "scores": {m.code: round(m.score, 4) for m in matches},
                "explanations": {
                    m.code: {k: v for k, v in m.to_dict().items() if k != "code"} for m in matches
                },
                "method": METHOD,
                "version": VERSION,
            }
        )
    return out
