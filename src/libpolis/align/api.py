"""One function to align any texts with any framework: :func:`align_texts`.

``framework="sdg"`` uses the trained SDG classifier (:mod:`libpolis.align.sdg`); every other
framework (``"udhr"``, ``"culture21"``, ``"sdg_targets"``, a city strategy path or a
:class:`~libpolis.align.frameworks.Framework`) uses the similarity matcher
(:mod:`libpolis.align.match`). Results are plain JSON-ready dictionaries, one per text.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from libpolis.align.frameworks import Framework, load_framework
from libpolis.align.match import METHOD, VERSION, _check_texts, match_texts
from libpolis.errors import NotFoundError

__all__ = ["align_texts", "method_of"]


@lru_cache(maxsize=1)
def _sdg_classifier() -> Any:
    try:
        from libpolis.align.sdg import SdgClassifier
    except ImportError as exc:  # the classifier module ships separately
        raise NotFoundError(f"the SDG classifier is not available ({exc})") from None
    return SdgClassifier.load()


def method_of(framework: str | Framework) -> tuple[str, str]:
    """``(method, version)`` that :func:`align_texts` records for ``framework``."""
    if isinstance(framework, str) and framework == "sdg":
        meta = dict(getattr(_sdg_classifier(), "meta", {}) or {})
        # the store keeps a short method name (100 characters); the model's "method" may be a
        # sentence describing it, so its "name" comes first
        name = meta.get("name") or meta.get("method") or "sdg-classifier"
        return str(name)[:100], str(meta.get("version", ""))[:50]
    return METHOD, VERSION


def _align_sdg(texts: list[str], threshold: float | None) -> list[dict[str, Any]]:
    clf = _sdg_classifier()
    method, version = method_of("sdg")
    idx = [i for i, t in enumerate(texts) if t.strip()]
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
    if not idx:
        return out
    sub = [texts[i] for i in idx]
    proba = clf.predict_proba(sub)
    labels = clf.predict(sub, threshold=threshold)
    for k, i in enumerate(idx):
        goals = sorted(int(g) for g in labels[k])
        goals.sort(key=lambda g: -float(proba[k][g - 1]))
        out[i]["sdgs"] = goals
        out[i]["scores"] = {str(g): round(float(proba[k][g - 1]), 4) for g in goals}
        for g in goals:
            ex = dict(clf.explain(texts[i], g))
            ex.setdefault("score", out[i]["scores"][str(g)])
            out[i]["explanations"][str(g)] = ex
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
        Programme descriptions (English first; French and Spanish work too).
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
        "explanations": {"4": {"sentence", "target", "target_text", "score"}, ...}}``; for the
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
