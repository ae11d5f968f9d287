"""The outcome survey step: create a survey link for a programme session, record an anonymous
response, and aggregate the results per programme, goal and district (through
:mod:`libpolis.stats.surveys`).

The web app calls these inside its request transaction (a :class:`Session`).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from libpolis.errors import DataError, NotFoundError
from libpolis.goal_names import short_name
from libpolis.stats.surveys import (
    DIMENSIONS,
    OPEN_QUESTIONS,
    aggregate,
    open_answers,
    survey_templates,
    validate_response,
)
from libpolis.store.surveys import SurveyResponse, SurveySession
from libpolis.store.tables import Alignment, Framework, Goal, Programme

__all__ = [
    "DIMENSIONS",
    "OPEN_QUESTIONS",
    "SurveyResults",
    "create_survey",
    "open_survey",
    "submit_response",
    "survey_results",
    "survey_templates",
]

_NO_DISTRICT = "district not recorded"
_NO_GOAL = "no goal aligned"


def create_survey(
    session: Session,
    *,
    programme_id: int,
    area: str,
    label: str = "",
    district: str | None = None,
    held_on: date | None = None,
    who: str | None = None,
) -> SurveySession:
    """A new survey link (a 256-bit random token) for one session of a programme."""
    if area not in survey_templates()["areas"]:
        raise DataError(
            f"unknown service area {area!r}; choose one of "
            + ", ".join(survey_templates()["areas"]),
            where="area",
        )
    if session.get(Programme, programme_id) is None:
        raise NotFoundError(f"no programme {programme_id}")
    row = SurveySession(
        token=secrets.token_urlsafe(32),
        programme_id=programme_id,
        area=area,
        label=(label or "").strip()[:200],
        district=(district or "").strip()[:200] or None,
        held_on=held_on,
        created_by=who,
    )
    session.add(row)
    session.flush()
    return row


def open_survey(session: Session, token: str) -> tuple[SurveySession, Programme]:
    """The open survey of ``token`` and its programme; :class:`NotFoundError` otherwise."""
    row = session.scalar(select(SurveySession).where(SurveySession.token == token))
    if row is None or not row.is_open:
        raise NotFoundError("no open survey at this address")
    prog = session.get(Programme, row.programme_id)
    if prog is None:
        raise NotFoundError("no open survey at this address")
    return row, prog


def submit_response(
    session: Session, survey: SurveySession, form: dict[str, Any]
) -> SurveyResponse:
    """Record one response; the e-mail is kept only when ``consent`` is ticked."""
    answers = validate_response(survey.area, form)
    consent = str(form.get("consent", "")).lower() in {"on", "1", "true", "yes"}
    email = str(form.get("email") or "").strip()
    if email and (len(email) > 320 or "@" not in email):
        raise DataError("email: not an e-mail address", where="email")
    row = SurveyResponse(
        session_id=survey.id,
        answers=answers,
        email=email if consent and email else None,
        consent=bool(consent and email),
    )
    session.add(row)
    session.flush()
    return row


@dataclass
class SurveyResults:
    """Aggregates per ``programme``, ``goal`` and ``district`` (see
    :func:`libpolis.stats.surveys.aggregate`), the open answers per question and programme,
    and the survey links."""

    by: dict[str, pd.DataFrame] = field(default_factory=dict)
    open: dict[str, pd.DataFrame] = field(default_factory=dict)
    sessions: list[dict[str, Any]] = field(default_factory=list)
    responses: int = 0


def _goals(session: Session, programme_ids: list[int]) -> dict[int, list[str]]:
    rows = session.execute(
        select(Alignment.programme_id, Framework.key, Goal.code, Goal.title)
        .join(Goal, Goal.id == Alignment.goal_id)
        .join(Framework, Framework.id == Goal.framework_id)
        .where(Alignment.programme_id.in_(programme_ids), Alignment.status != "rejected")
    ).all()
    out: dict[int, list[str]] = {}
    for pid, key, code, title in rows:
        name = short_name(key, code) or title
        out.setdefault(pid, []).append(f"{key} {code}: {name}")
    return out


def survey_results(session: Session) -> SurveyResults:
    """Every survey link with its response count, and the aggregates of all responses."""
    surveys = session.scalars(select(SurveySession).order_by(SurveySession.id)).all()
    progs = {
        p.id: p.title
        for p in session.scalars(
            select(Programme).where(Programme.id.in_([s.programme_id for s in surveys]))
        )
    }
    res = SurveyResults()
    rows = []
    counts: dict[int, int] = {}
    for r in session.scalars(select(SurveyResponse)):
        counts[r.session_id] = counts.get(r.session_id, 0) + 1
        rows.append({"session_id": r.session_id, **(r.answers or {})})
    for s in surveys:
        res.sessions.append(
            {
                "id": s.id,
                "token": s.token,
                "programme": progs.get(s.programme_id, ""),
                "area": s.area,
                "label": s.label,
                "district": s.district,
                "held_on": s.held_on,
                "is_open": s.is_open,
                "responses": counts.get(s.id, 0),
            }
        )
    res.responses = len(rows)
    if not rows:
        return res
    df = pd.DataFrame(rows)
    for c in (*DIMENSIONS, *OPEN_QUESTIONS):
        if c not in df:
            df[c] = None
    meta = {s.id: s for s in surveys}
    df["programme"] = [progs.get(meta[i].programme_id, "") for i in df["session_id"]]
    df["district"] = [meta[i].district or _NO_DISTRICT for i in df["session_id"]]
    goals = _goals(session, list({meta[i].programme_id for i in df["session_id"]}))
    df["goal"] = [goals.get(meta[i].programme_id) or [_NO_GOAL] for i in df["session_id"]]
    res.by["programme"] = aggregate(df, "programme")
    res.by["goal"] = aggregate(df.explode("goal"), "goal")
    res.by["district"] = aggregate(df, "district")
    for q in OPEN_QUESTIONS:  # per programme: the share is of that programme's respondents
        cols = ["programme", "answer", "count", "n", "share"]
        parts = [
            open_answers(part, q).assign(programme=name)[cols]
            for name, part in df.groupby("programme", sort=True)
        ]
        parts = [p for p in parts if len(p)]
        res.open[q] = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=cols)
    return res
