"""Alignments in the web app: a programme's suggested links to goals, and people's decisions."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from libpolis.errors import DataError
from libpolis.store.tables import Alignment, Framework, Goal, User
from libpolis.web import authz
from libpolis.web.crud._common import _get, _now, audit
from libpolis.web.crud.programmes import get_programme, programme_system_id

__all__ = ["alignments_of", "decide_alignment"]


def alignments_of(session: Session, *, programme_id: int) -> list[tuple[Alignment, Goal, str]]:
    """The alignments of a programme with their goal and framework key, best score first."""
    stmt = (
        select(Alignment, Goal, Framework.key)
        .join(Goal, Goal.id == Alignment.goal_id)
        .join(Framework, Framework.id == Goal.framework_id)
        .where(Alignment.programme_id == programme_id)
        .order_by(Alignment.score.desc(), Alignment.id)
    )
    return [(a, g, k) for a, g, k in session.execute(stmt).all()]


def decide_alignment(session: Session, *, alignment_id: int, status: str, user: User) -> Alignment:
    """A person confirms, rejects (or resets to suggested) an alignment."""
    if status not in {"confirmed", "rejected", "suggested"}:
        raise DataError(f"status must be confirmed, rejected or suggested, not {status!r}")
    row = _get(session, Alignment, alignment_id, "alignment")
    programme = get_programme(session, programme_id=row.programme_id)
    authz.require_alignment_decider(
        user, programme_system_id(session, programme), "decide alignments of this programme"
    )
    old = row.status
    row.status = status
    row.decided_by = user.email if status != "suggested" else None
    row.decided_at = _now() if status != "suggested" else None
    audit(
        session,
        user=user,
        action="decide",
        entity="alignment",
        entity_id=row.id,
        changes={"status": [old, status], "programme_id": row.programme_id},
    )
    return row
