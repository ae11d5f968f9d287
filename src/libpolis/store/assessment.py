"""The Culture 21 Actions self-assessment as stored: one answer (level and evidence) per city,
year and action.

A workspace is usually one city, but the city is part of the key so that a network's
workspace can hold the assessments of several. Levels are on the 1–9 scale of the
self-assessment (checked by :mod:`libpolis.stats.culture21` before a write).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from libpolis.store.tables import Base, _now

__all__ = ["AssessmentAnswer"]


class AssessmentAnswer(Base):
    """The level (1–9) a city's library services give themselves on one Culture 21 action in
    one year, with the evidence for it, and who last changed it."""

    __tablename__ = "assessment_answer"
    __table_args__ = (UniqueConstraint("city", "year", "action"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    city: Mapped[str] = mapped_column(String(200), index=True)
    year: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(10))
    level: Mapped[int] = mapped_column(Integer)
    evidence: Mapped[str] = mapped_column(Text, default="")
    updated_by: Mapped[str | None] = mapped_column(String(320))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
