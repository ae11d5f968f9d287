"""City strategy goals matched by shared terms: the cosine of a programme's and a goal's sets
of content words, with the shared words (as the programme writes them) as the explanation.

Used for the goals a city officer types into the register (framework ``city``), which are
too short for the similarity matcher of :mod:`libpolis.align.match`.
"""

from __future__ import annotations

import html
import math
import re
from typing import Any

__all__ = ["CITY_METHOD", "CITY_THRESHOLD", "city_goal_matches", "content_terms"]

CITY_METHOD = ("web.shared-terms", "1")
CITY_THRESHOLD = 0.12
"""Minimum cosine of the two term sets for a city-goal suggestion (and two shared terms)."""

_TAG = re.compile(r"<[^>]+>")
_WORD = re.compile(r"[^\W\d_]{4,}", re.UNICODE)
_STOP = frozenset(
    [
        "this",
        "that",
        "with",
        "from",
        "they",
        "their",
        "there",
        "will",
        "have",
        "been",
        "were",
        "what",
        "when",
        "which",
        "while",
        "your",
        "into",
        "also",
        "more",
        "most",
        "such",
        "than",
        "then",
        "them",
        "these",
        "those",
        "about",
        "after",
        "before",
        "over",
        "under",
        "each",
        "other",
        "some",
        "only",
        "very",
        "just",
        "like",
        "come",
        "join",
        "free",
        "open",
        "please",
        "here",
        "where",
        "every",
        "city",
        "goal",
        "goals",
        "library",
        "libraries",
        "programme",
        "programmes",
    ]
)


def _stems(text: str) -> dict[str, str]:
    """``{stem: first word seen}`` of the content words of ``text``."""
    plain = html.unescape(_TAG.sub(" ", text or ""))
    out: dict[str, str] = {}
    for word in _WORD.findall(plain.lower()):
        if word in _STOP:
            continue
        stem = word
        for suffix in ("ing", "es", "s"):
            if word.endswith(suffix) and len(word) - len(suffix) >= 4:
                stem = word[: -len(suffix)]
                break
        out.setdefault(stem, word)
    return out


def content_terms(text: str) -> set[str]:
    """Lower-case words of four or more letters, HTML and stop words removed, crude stems."""
    return set(_stems(text))


def city_goal_matches(
    text: str, goals: list[tuple[str, str]], *, threshold: float = CITY_THRESHOLD
) -> list[dict[str, Any]]:
    """Goals (``(code, goal text)``) that share enough content words with ``text``.

    Returns dicts ``{"code", "score", "terms"}`` best first; ``score`` is the cosine
    ``|A ∩ B| / sqrt(|A| |B|)`` of the two sets of stems, ``terms`` the shared words as the
    text writes them.
    """
    surface = _stems(text)
    terms = set(surface)
    out = []
    for code, goal_text in goals:
        g = content_terms(goal_text)
        shared = terms & g
        if len(shared) < 2:
            continue
        score = len(shared) / math.sqrt(len(terms) * len(g))
        if score >= threshold:
            words = sorted(surface[t] for t in shared)
            out.append({"code": code, "score": round(score, 4), "terms": words})
    return sorted(out, key=lambda m: (-m["score"], m["code"]))
