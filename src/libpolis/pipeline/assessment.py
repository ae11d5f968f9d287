"""The Culture 21 Actions self-assessment step: read and save the answers of a city, and score
them (through :mod:`libpolis.stats.culture21`).

The web app and the CLI call these; nothing else reads or writes ``assessment_answer``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pandas as pd
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from libpolis.stats.culture21 import (
    SCALE_MAX,
    SCALE_MIN,
    Commitment,
    commitments,
    stage_of,
    validate_answer,
    year_on_year,
    yearly_scores,
)
from libpolis.store import session_scope, workspace_name
from libpolis.store.assessment import AssessmentAnswer

__all__ = [
    "SCALE_MAX",
    "SCALE_MIN",
    "AssessmentResult",
    "Commitment",
    "answers_csv",
    "assessment_city",
    "assessment_result",
    "commitments",
    "read_answers",
    "save_answers",
    "stage_of",
]

_COLS = ["city", "year", "action", "level", "evidence", "updated_by", "updated_at"]


@dataclass
class AssessmentResult:
    """A city's answers, scores per commitment and year, and the year-on-year change."""

    city: str
    answers: pd.DataFrame
    scores: pd.DataFrame
    change: pd.DataFrame

    @property
    def years(self) -> list[int]:
        return sorted(int(y) for y in self.answers["year"].unique()) if len(self.answers) else []


def assessment_city(engine: Engine) -> str:
    """The city an assessment in this workspace is about: the workspace's name, else
    ``"workspace"``."""
    return workspace_name(engine) or "workspace"


def read_answers(session: Session, *, city: str) -> pd.DataFrame:
    """All answers of ``city`` (columns ``city, year, action, level, evidence, updated_by,
    updated_at``), ordered by year and action."""
    rows = session.scalars(
        select(AssessmentAnswer).where(AssessmentAnswer.city == city)
    ).all()
    df = pd.DataFrame([{c: getattr(r, c) for c in _COLS} for r in rows], columns=_COLS)
    if len(df):
        key = df["action"].map(lambda a: tuple(int(p) for p in str(a).split(".")))
        df = df.assign(_k=key).sort_values(["year", "_k"]).drop(columns="_k")
    return df.reset_index(drop=True)


def save_answers(
    session: Session,
    *,
    city: str,
    year: int,
    answers: Iterable[tuple[str, Any, str]],
    who: str | None,
) -> dict[str, dict[str, Any]]:
    """Create or update the answers ``(action, level, evidence)`` of ``city`` in ``year`` in
    the caller's transaction; every answer is checked first, so a bad one changes nothing.
    A level of None or "" leaves that action unrated (an existing answer is removed).

    Returns the changes per action (``{"level": new, "evidence": new}``).
    """
    checked: list[tuple[str, int | None, str]] = []
    for action, level, evidence in answers:
        if level is None or (isinstance(level, str) and not level.strip()):
            a, _, year = validate_answer(action, SCALE_MIN, year)
            checked.append((a, None, ""))
            continue
        a, lvl, year = validate_answer(action, level, year)
        checked.append((a, lvl, (evidence or "").strip()[:5000]))
    existing = {
        r.action: r
        for r in session.scalars(
            select(AssessmentAnswer).where(
                AssessmentAnswer.city == city, AssessmentAnswer.year == year
            )
        )
    }
    changed: dict[str, dict[str, Any]] = {}
    now = datetime.now(UTC)
    for action, lvl, evidence in checked:
        row = existing.get(action)
        if lvl is None:
            if row is not None:
                session.delete(row)
                changed[action] = {"level": None}
            continue
        if row is None:
            session.add(
                AssessmentAnswer(
                    city=city,
                    year=year,
                    action=action,
                    level=lvl,
                    evidence=evidence,
                    updated_by=who,
                    updated_at=now,
                )
            )
            changed[action] = {"level": lvl, "evidence": evidence}
        elif row.level != lvl or row.evidence != evidence:
            row.level, row.evidence, row.updated_by, row.updated_at = lvl, evidence, who, now
            changed[action] = {"level": lvl, "evidence": evidence}
    session.flush()
    return changed


def assessment_result(source: Engine | Session, *, city: str) -> AssessmentResult:
    """The answers of ``city`` with their scores and year-on-year change."""
    if isinstance(source, Session):
        answers = read_answers(source, city=city)
    else:
        with session_scope(source) as s:
            answers = read_answers(s, city=city)
    scores = yearly_scores(answers)
    return AssessmentResult(city, answers, scores, year_on_year(scores))


def answers_csv(res: AssessmentResult) -> str:
    """The answers of an assessment as CSV (also written by ``libpolis assess export``)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["city", "year", "commitment", "action", "level", "stage", "evidence"])
    for r in res.answers.itertuples():
        w.writerow(
            [r.city, r.year, str(r.action).split(".")[0], r.action, r.level,
             stage_of(r.level), r.evidence]
        )
    return buf.getvalue()
