"""Outcome surveys as stored: a survey link per programme session, and the anonymous
responses to it.

A :class:`SurveySession` has an unguessable ``token`` (the public link ``/s/<token>``), the
programme and service area it is about and the district where the session took place. A
:class:`SurveyResponse` keeps the answers only: no address, no user agent, and an e-mail
address only when the respondent ticked the consent box next to it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from libpolis.store.tables import Base, _now

__all__ = ["SurveyResponse", "SurveySession"]


class SurveySession(Base):
    """One programme session's survey link."""

    __tablename__ = "survey_session"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programme.id", ondelete="CASCADE"), index=True
    )
    area: Mapped[str] = mapped_column(String(50))
    label: Mapped[str] = mapped_column(String(200), default="")
    district: Mapped[str | None] = mapped_column(String(200))
    held_on: Mapped[date | None] = mapped_column(Date)
    is_open: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    created_by: Mapped[str | None] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class SurveyResponse(Base):
    """One anonymous response: the answers (dimensions 1–5, open texts) and, only with
    consent, an e-mail address."""

    __tablename__ = "survey_response"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("survey_session.id", ondelete="CASCADE"), index=True
    )
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    email: Mapped[str | None] = mapped_column(String(320))
    consent: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
