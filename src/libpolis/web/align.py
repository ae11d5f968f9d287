"""Alignment suggestions for a programme when it is saved.

Two sources of suggestions, both stored in ``alignment`` with status ``suggested`` until a
person confirms or rejects them:

* the SDGs, human rights (UDHR) and Culture 21 Actions through
  :func:`libpolis.align.api.align_texts` when that module is installed;
* the city's own strategy goals (framework ``city``, edited in the web app) by shared terms:
  the cosine of the programme's and the goal's sets of content words, with the shared words as
  the explanation.

A decided alignment (confirmed or rejected) is never changed by a new suggestion run; a
suggestion that no longer applies after an edit is removed.
"""

from __future__ import annotations

import html
import importlib
import math
import re
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from libpolis.errors import LibpolisError
from libpolis.store.tables import Alignment, Framework, Goal, Programme
from libpolis.web.crud import CITY_FRAMEWORK

__all__ = [
    "CITY_METHOD",
    "CITY_THRESHOLD",
    "FRAMEWORKS",
    "city_goal_matches",
    "content_terms",
    "suggest_alignments",
]

FRAMEWORKS: tuple[str, ...] = ("sdg", "udhr", "culture21")
"""Frameworks asked of :func:`libpolis.align.api.align_texts` (when installed)."""
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


def _align_texts() -> Callable[..., list[dict[str, Any]]] | None:
    try:
        return importlib.import_module("libpolis.align.api").align_texts
    except ImportError:
        return None


def _framework(session: Session, key: str) -> Framework:
    fw = session.scalar(select(Framework).where(Framework.key == key))
    if fw is None:
        fw = Framework(source="libpolis.align", source_id=key, key=key, name=key, attrs={})
        session.add(fw)
        session.flush()
    return fw


def _goal(session: Session, fw: Framework, code: str, title: str) -> Goal:
    goal = session.scalar(select(Goal).where(Goal.framework_id == fw.id, Goal.code == code))
    if goal is None:
        goal = Goal(
            source="libpolis.align",
            source_id=f"{fw.key}:{code}",
            framework_id=fw.id,
            code=code,
            title=title,
            text="",
            attrs={},
        )
        session.add(goal)
        session.flush()
    return goal


def _framework_suggestions(session: Session, text: str) -> list[tuple[Goal, float, str, str, dict]]:
    align_texts = _align_texts()
    if align_texts is None:
        return []
    out = []
    for key in FRAMEWORKS:
        try:
            (res,) = align_texts([text], key)
        except LibpolisError:
            continue  # e.g. the SDG classifier is not installed
        fw = _framework(session, key)
        codes = [str(c) for c in res.get("sdgs", res.get("goals", []))]
        for code in codes:
            expl = dict(res.get("explanations", {}).get(code, {}))
            title = str(expl.get("title") or (f"SDG {code}" if key == "sdg" else code))
            goal = _goal(session, fw, code, title)
            score = float(res.get("scores", {}).get(code, 0.0))
            out.append((goal, score, str(res.get("method", "")), str(res.get("version", "")), expl))
    return out


def _city_suggestions(session: Session, text: str) -> list[tuple[Goal, float, str, str, dict]]:
    goals = session.scalars(
        select(Goal)
        .join(Framework, Framework.id == Goal.framework_id)
        .where(Framework.key == CITY_FRAMEWORK)
    ).all()
    by_code = {g.code: g for g in goals}
    matches = city_goal_matches(text, [(g.code, f"{g.title}. {g.text}") for g in goals])
    return [
        (
            by_code[m["code"]],
            m["score"],
            *CITY_METHOD,
            {"terms": m["terms"], "goal_text": by_code[m["code"]].title},
        )
        for m in matches
    ]


def suggest_alignments(session: Session, *, programme: Programme) -> list[Alignment]:
    """Refresh the suggested alignments of ``programme``; return all its alignments."""
    text = f"{programme.title}. {programme.description or ''}"
    found = _framework_suggestions(session, text) + _city_suggestions(session, text)
    existing = {
        a.goal_id: a
        for a in session.scalars(
            select(Alignment).where(Alignment.programme_id == programme.id)
        ).all()
    }
    keep: set[int] = set()
    for goal, score, method, version, expl in found:
        keep.add(goal.id)
        row = existing.get(goal.id)
        if row is None:
            row = Alignment(
                programme_id=programme.id,
                goal_id=goal.id,
                score=score,
                method=method,
                method_version=version,
                explanation=expl,
                status="suggested",
            )
            session.add(row)
            existing[goal.id] = row
        elif row.status == "suggested":
            row.score, row.method, row.method_version, row.explanation = (
                score,
                method,
                version,
                expl,
            )
    for gid, row in list(existing.items()):
        if gid not in keep and row.status == "suggested" and row.id is not None:
            session.delete(row)
            del existing[gid]
    session.flush()
    return list(existing.values())
