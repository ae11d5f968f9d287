"""Culture 21 Actions self-assessment of a city's library services: the questionnaire, the
scores per commitment and year, and the change from one assessed year to the next.

The questionnaire is ``data/frameworks/culture21_actions.json``: the 9 commitments (titles as
published by UCLG in ``culture21.json``) and, per commitment, the actions a library service
rates itself on, each on the scale 1–9 in three stages (1–3 emerging, 4–6 developing, 7–9
advanced). The score of a commitment in a year is the mean level of its rated actions
(1–9, unrated actions left out), with the count of rated actions beside it.

Pure functions over plain rows and DataFrames: nothing here reads or writes the store.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from itertools import pairwise
from typing import Any

import pandas as pd

from libpolis.errors import DataError

__all__ = [
    "SCALE_MAX",
    "SCALE_MIN",
    "Action",
    "Commitment",
    "commitments",
    "stage_of",
    "validate_answer",
    "year_on_year",
    "yearly_scores",
]

SCALE_MIN = 1
SCALE_MAX = 9


@dataclass(frozen=True)
class Action:
    """One action of the questionnaire: ``code`` ("6.1") and its wording (libpolis's own)."""

    code: str
    commitment: str
    text: str


@dataclass(frozen=True)
class Commitment:
    """A Culture 21 Actions commitment: its code ("1".."9"), titles per language, actions and
    the kinds of evidence libpolis can suggest for it (``access``, ``culture``, ...)."""

    code: str
    titles: dict[str, str]
    actions: tuple[Action, ...]
    hints: tuple[str, ...]

    def title(self, lang: str = "en") -> str:
        return self.titles.get(lang) or self.titles["en"]


def _read(name: str) -> dict[str, Any]:
    path = resources.files("libpolis") / "data" / "frameworks" / name
    return dict(json.loads(path.read_text(encoding="utf-8")))


@lru_cache(maxsize=1)
def commitments() -> tuple[Commitment, ...]:
    """The 9 commitments with their actions, in order."""
    titles = {str(g["code"]): g["title"] for g in _read("culture21.json")["goals"]}
    data = _read("culture21_actions.json")
    out = []
    for code in sorted(titles, key=int):
        actions = tuple(
            Action(str(a["code"]), code, str(a["text"])) for a in data["actions"].get(code, [])
        )
        hints = tuple(data.get("evidence_hints", {}).get(code, []))
        out.append(Commitment(code, dict(titles[code]), actions, hints))
    return tuple(out)


def _action_codes() -> dict[str, str]:
    return {a.code: c.code for c in commitments() for a in c.actions}


def stage_of(level: float | None) -> str | None:
    """The stage of a level or score on the 1–9 scale: emerging, developing or advanced."""
    if level is None or pd.isna(level):
        return None
    if level < 3.5:
        return "emerging"
    return "developing" if level < 6.5 else "advanced"


def validate_answer(action: str, level: Any, year: Any) -> tuple[str, int, int]:
    """Check one answer; return ``(action, level, year)`` or raise :class:`DataError`."""
    if str(action) not in _action_codes():
        raise DataError(f"unknown Culture 21 action {action!r}: codes are 1.1 to 9.5")
    try:
        lvl, yr = int(level), int(year)
    except (TypeError, ValueError):
        raise DataError(
            f"action {action}: level {level!r} and year {year!r} must be whole numbers"
        ) from None
    if not SCALE_MIN <= lvl <= SCALE_MAX:
        raise DataError(f"action {action}: level {lvl} is outside the scale 1–9")
    if not 1990 <= yr <= 2100:
        raise DataError(f"year {yr} is outside 1990–2100")
    return str(action), lvl, yr


def yearly_scores(answers: pd.DataFrame) -> pd.DataFrame:
    """Scores per commitment and year from answers with columns ``year``, ``action``, ``level``.

    Returns one row per (year, commitment) for every year present and all 9 commitments:
    ``score`` (mean level of the rated actions, 1–9; None when none is rated), ``rated``
    (actions rated), ``actions`` (actions in the commitment) and ``stage``.
    """
    codes = _action_codes()
    cols = ["year", "commitment", "score", "rated", "actions", "stage"]
    if answers.empty:
        return pd.DataFrame(columns=cols)
    a = answers[["year", "action", "level"]].copy()
    a["commitment"] = a["action"].astype(str).map(codes)
    unknown = a.loc[a["commitment"].isna(), "action"].tolist()
    if unknown:
        raise DataError(f"unknown Culture 21 action(s) {unknown[:3]}")
    rows = []
    for year in sorted(a["year"].astype(int).unique()):
        part = a[a["year"].astype(int) == year]
        for c in commitments():
            lv = part.loc[part["commitment"] == c.code, "level"].astype(float)
            score = float(lv.mean()) if len(lv) else None
            rows.append(
                {
                    "year": int(year),
                    "commitment": c.code,
                    "score": score,
                    "rated": len(lv),
                    "actions": len(c.actions),
                    "stage": stage_of(score),
                }
            )
    return pd.DataFrame(rows, columns=cols)


def year_on_year(scores: pd.DataFrame) -> pd.DataFrame:
    """The change of each commitment's score from the previous assessed year.

    Returns ``commitment``, ``year``, ``previous_year``, ``score``, ``previous`` and
    ``change`` (score minus previous, in levels of the 1–9 scale; None where either is
    unrated) for every assessed year after the first.
    """
    cols = ["commitment", "year", "previous_year", "score", "previous", "change"]
    years = sorted(scores["year"].unique()) if len(scores) else []
    rows = []
    for prev, cur in pairwise(years):
        a = scores[scores["year"] == prev].set_index("commitment")["score"]
        b = scores[scores["year"] == cur].set_index("commitment")["score"]
        for c in commitments():
            p, s = a.get(c.code), b.get(c.code)
            p = None if p is None or pd.isna(p) else float(p)
            s = None if s is None or pd.isna(s) else float(s)
            rows.append(
                {
                    "commitment": c.code,
                    "year": int(cur),
                    "previous_year": int(prev),
                    "score": s,
                    "previous": p,
                    "change": None if p is None or s is None else s - p,
                }
            )
    return pd.DataFrame(rows, columns=cols)
