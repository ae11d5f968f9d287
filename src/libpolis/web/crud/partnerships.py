"""Partnerships in the web app: who may see them, their goals, libraries, programmes and
responsible people, and their life cycle.

A partnership moves idea → proposed → agreed → active → evaluated → ended (and may end early);
its indicators, measurements, notes and documents are in
:mod:`~libpolis.web.crud.partnership_records`.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, defer

from libpolis.errors import DataError, NotFoundError
from libpolis.store.tables import (
    Framework,
    Goal,
    Indicator,
    Library,
    LibrarySystem,
    Partner,
    Partnership,
    PartnershipContact,
    PartnershipDocument,
    PartnershipGoal,
    PartnershipLibrary,
    PartnershipNote,
    PartnershipProgramme,
    PartnershipStatusChange,
    Programme,
    User,
)
from libpolis.web import authz
from libpolis.web.crud._common import (
    WEB_SOURCE,
    _apply,
    _audit_update,
    _now,
    audit,
    paginate,
    text_match,
)
from libpolis.web.schemas import STATUSES, PartnershipCreate, PartnershipUpdate
from libpolis.web.visibility import may_see_partnership, visible_partnerships

__all__ = [
    "change_status",
    "create_partnership",
    "get_partnership",
    "goal_ids_of",
    "goals_of",
    "links_of",
    "list_partnerships",
    "next_statuses",
    "partner_names",
    "partnership_details",
    "partnership_status_counts",
    "update_partnership",
]


def list_partnerships(
    session: Session,
    *,
    user: User | None,
    status: str | None = None,
    goal_id: int | None = None,
    district: str | None = None,
    q: str | None = None,
    page: int = 1,
    per_page: int = 50,
) -> tuple[list[Partnership], int]:
    """Partnerships the user may see, filtered by status, goal, district and text."""
    stmt = (
        visible_partnerships(select(Partnership), user)
        .options(defer(Partnership.attrs))
        .order_by(Partnership.id.desc())
    )
    if status:
        if status not in STATUSES:
            raise DataError(f"status must be one of {', '.join(STATUSES)}, not {status!r}")
        stmt = stmt.where(Partnership.status == status)
    if goal_id is not None:
        stmt = stmt.where(
            Partnership.id.in_(
                select(PartnershipGoal.partnership_id).where(PartnershipGoal.goal_id == goal_id)
            )
        )
    if district:
        stmt = stmt.where(Partnership.district == district)
    if q:
        stmt = stmt.where(text_match(q, Partnership.title, Partnership.purpose))
    return paginate(session, stmt, page=page, per_page=per_page)


def partnership_status_counts(session: Session, *, user: User | None) -> dict[str, int]:
    """How many partnerships the user may see are in each status."""
    stmt = visible_partnerships(select(Partnership.status, func.count()), user).group_by(
        Partnership.status
    )
    return {str(k): int(n) for k, n in session.execute(stmt).all()}


def get_partnership(session: Session, *, partnership_id: int, user: User | None) -> Partnership:
    row = session.get(Partnership, partnership_id)
    if row is None or not may_see_partnership(
        user, published=row.published, system_id=row.library_system_id
    ):
        raise NotFoundError(f"no partnership with id {partnership_id}")
    return row


def goals_of(session: Session, *, partnership_id: int) -> list[tuple[Goal, str]]:
    stmt = (
        select(Goal, Framework.key)
        .join(PartnershipGoal, PartnershipGoal.goal_id == Goal.id)
        .join(Framework, Framework.id == Goal.framework_id)
        .where(PartnershipGoal.partnership_id == partnership_id)
        .order_by(Framework.key, Goal.code)
    )
    return [(g, k) for g, k in session.execute(stmt).all()]


def goal_ids_of(session: Session, *, partnership_ids: Sequence[int]) -> dict[int, list[int]]:
    """Goal ids of many partnerships in one query: ``{partnership id: [goal ids]}``."""
    out: dict[int, list[int]] = {pid: [] for pid in partnership_ids}
    if partnership_ids:
        rows = session.execute(
            select(PartnershipGoal.partnership_id, PartnershipGoal.goal_id)
            .where(PartnershipGoal.partnership_id.in_(list(partnership_ids)))
            .order_by(PartnershipGoal.goal_id)
        ).all()
        for pid, gid in rows:
            out[pid].append(gid)
    return out


def links_of(session: Session, *, partnership_ids: Sequence[int]) -> dict[int, dict[str, list]]:
    """Libraries, programmes and responsible people of many partnerships in three queries:
    ``{partnership id: {"libraries": [(id, name)], "programmes": [(id, title)], "contacts":
    [PartnershipContact]}}``."""
    ids = list(partnership_ids)
    out: dict[int, dict[str, list]] = {
        pid: {"libraries": [], "programmes": [], "contacts": []} for pid in ids
    }
    if not ids:
        return out
    for pid, lid, name in session.execute(
        select(PartnershipLibrary.partnership_id, Library.id, Library.name)
        .join(Library, Library.id == PartnershipLibrary.library_id)
        .where(PartnershipLibrary.partnership_id.in_(ids))
        .order_by(Library.name, Library.id)
    ).all():
        out[pid]["libraries"].append((lid, name))
    for pid, prid, title in session.execute(
        select(PartnershipProgramme.partnership_id, Programme.id, Programme.title)
        .join(Programme, Programme.id == PartnershipProgramme.programme_id)
        .where(PartnershipProgramme.partnership_id.in_(ids))
        .order_by(Programme.title, Programme.id)
    ).all():
        out[pid]["programmes"].append((prid, title))
    for c in session.scalars(
        select(PartnershipContact)
        .where(PartnershipContact.partnership_id.in_(ids))
        .order_by(PartnershipContact.id)
    ).all():
        out[c.partnership_id]["contacts"].append(c)
    return out


def partner_names(session: Session, *, partner_ids: Sequence[int | None]) -> dict[int, str]:
    """Names of many partners in one query."""
    ids = sorted({i for i in partner_ids if i is not None})
    if not ids:
        return {}
    return dict(session.execute(select(Partner.id, Partner.name).where(Partner.id.in_(ids))).all())


def partnership_details(session: Session, *, partnership_id: int) -> dict[str, list]:
    """History, indicators, notes, documents and goals of one partnership."""

    def rows(table: type, order: Any) -> list:
        return list(
            session.scalars(
                select(table).where(table.partnership_id == partnership_id).order_by(order)
            ).all()
        )

    return {
        "history": rows(PartnershipStatusChange, PartnershipStatusChange.id),
        "indicators": rows(Indicator, Indicator.id),
        "notes": rows(PartnershipNote, PartnershipNote.id.desc()),
        "documents": rows(PartnershipDocument, PartnershipDocument.id),
        "goals": goals_of(session, partnership_id=partnership_id),
    }


def _check_refs(session: Session, values: dict[str, Any]) -> None:
    if values.get("partner_id") is not None and session.get(Partner, values["partner_id"]) is None:
        raise DataError(f"no partner with id {values['partner_id']}", where="partner_id")
    sid = values.get("library_system_id")
    if sid is not None and session.get(LibrarySystem, sid) is None:
        raise DataError(f"no library system with id {sid}", where="library_system_id")


def _set_links(
    session: Session, pid: int, table: type, column: str, target: type, wanted_ids: Sequence[int]
) -> list[int]:
    """Make the links of partnership ``pid`` in ``table`` exactly ``wanted_ids`` (checked to
    exist in ``target``); returns them sorted."""
    wanted = sorted(set(wanted_ids))
    what = target.__tablename__
    if wanted:
        found = set(session.scalars(select(target.id).where(target.id.in_(wanted))).all())
        missing = [i for i in wanted if i not in found]
        if missing:
            raise DataError(f"no {what} with id {missing[0]}", where=f"{what}_ids")
    col = getattr(table, column)
    current = set(
        session.scalars(select(col).where(table.partnership_id == pid)).all()  # type: ignore[attr-defined]
    )
    for i in current - set(wanted):
        session.delete(session.get(table, (pid, i)))
    for i in wanted:
        if i not in current:
            session.add(table(partnership_id=pid, **{column: i}))
    return wanted


def _set_contacts(session: Session, pid: int, contacts: Sequence[dict[str, Any]]) -> list:
    """Replace the responsible people of partnership ``pid``; returns them as dicts."""
    for c in session.scalars(
        select(PartnershipContact).where(PartnershipContact.partnership_id == pid)
    ).all():
        session.delete(c)
    rows = [
        {k: c.get(k) or "" for k in ("side", "name", "role", "email")} for c in contacts
    ]
    for r in rows:
        session.add(PartnershipContact(partnership_id=pid, **r))
    return rows


def _set_related(session: Session, pid: int, related: dict[str, Any]) -> dict[str, Any]:
    """Set those of libraries, programmes and contacts given (None: unchanged)."""
    done: dict[str, Any] = {}
    if related.get("library_ids") is not None:
        done["library_ids"] = _set_links(
            session, pid, PartnershipLibrary, "library_id", Library, related["library_ids"]
        )
    if related.get("programme_ids") is not None:
        done["programme_ids"] = _set_links(
            session, pid, PartnershipProgramme, "programme_id", Programme, related["programme_ids"]
        )
    if related.get("contacts") is not None:
        done["contacts"] = _set_contacts(session, pid, related["contacts"])
    return done


def _set_goals(session: Session, partnership_id: int, goal_ids: Sequence[int]) -> list[int]:
    wanted = sorted(set(goal_ids))
    if wanted:
        found = set(session.scalars(select(Goal.id).where(Goal.id.in_(wanted))).all())
        missing = [g for g in wanted if g not in found]
        if missing:
            raise DataError(f"no goal with id {missing[0]}", where="goal_ids")
    current = {
        pg.goal_id: pg
        for pg in session.scalars(
            select(PartnershipGoal).where(PartnershipGoal.partnership_id == partnership_id)
        ).all()
    }
    for gid, pg in current.items():
        if gid not in wanted:
            session.delete(pg)
    for gid in wanted:
        if gid not in current:
            session.add(PartnershipGoal(partnership_id=partnership_id, goal_id=gid))
    return wanted


def create_partnership(session: Session, *, data: PartnershipCreate, user: User) -> Partnership:
    values = data.model_dump()
    goal_ids = values.pop("goal_ids")
    related = {k: values.pop(k) for k in ("library_ids", "programme_ids", "contacts")}
    authz.require_partnership_editor(
        user, values["library_system_id"], "add partnerships for this library system"
    )
    _check_refs(session, values)
    row = Partnership(
        source=WEB_SOURCE, source_id=uuid.uuid4().hex, attrs={}, status="idea", **values
    )
    session.add(row)
    session.flush()
    _set_goals(session, row.id, goal_ids)
    linked = _set_related(session, row.id, related)
    session.add(
        PartnershipStatusChange(
            partnership_id=row.id, from_status=None, to_status="idea", changed_by=user.email
        )
    )
    audit(
        session,
        user=user,
        action="create",
        entity="partnership",
        entity_id=row.id,
        changes={"title": row.title, "goal_ids": goal_ids, **linked},
    )
    return row


def update_partnership(
    session: Session, *, partnership_id: int, data: PartnershipUpdate, user: User
) -> Partnership:
    row = get_partnership(session, partnership_id=partnership_id, user=user)
    authz.require_partnership_editor(user, row.library_system_id, "edit this partnership")
    values = data.model_dump(exclude_unset=True)
    goal_ids = values.pop("goal_ids", None)
    related = {k: values.pop(k, None) for k in ("library_ids", "programme_ids", "contacts")}
    for key in ("title", "published"):
        if key in values and values[key] is None:
            raise DataError(f"{key} may not be empty", where=key)
    if values.get("purpose", "") is None:
        values["purpose"] = ""
    if "library_system_id" in values:
        authz.require_partnership_editor(
            user, values["library_system_id"], "move the partnership to this library system"
        )
    _check_refs(session, values)
    changed = _apply(row, values)
    if goal_ids is not None:
        before = sorted(g.id for g, _ in goals_of(session, partnership_id=row.id))
        after = _set_goals(session, row.id, goal_ids)
        if before != after:
            changed["goal_ids"] = [before, after]
    changed.update({k: [None, v] for k, v in _set_related(session, row.id, related).items()})
    if changed:
        row.updated_at = _now()
    _audit_update(session, row, changed, user=user, entity="partnership")
    return row


def next_statuses(session: Session, row: Partnership) -> dict[str, str | None]:
    """Where a partnership may move from its status: ``next`` one step on, ``back`` one step
    back (from ``ended``: the status it ended from) and ``end`` (any status but ``ended``)."""
    if row.status == "ended":
        last = session.scalars(
            select(PartnershipStatusChange.from_status)
            .where(PartnershipStatusChange.partnership_id == row.id)
            .order_by(PartnershipStatusChange.id.desc())
            .limit(1)
        ).first()
        return {"next": None, "back": last or "evaluated", "end": None}
    i = STATUSES.index(row.status)
    return {
        "next": STATUSES[i + 1],
        "back": STATUSES[i - 1] if i > 0 else None,
        "end": "ended" if STATUSES[i + 1] != "ended" else None,
    }


def change_status(session: Session, *, partnership_id: int, status: str, user: User) -> Partnership:
    """Move a partnership one step along idea → proposed → agreed → active → evaluated → ended.

    One step back is allowed too (to correct a mistake), and a partnership may end from any
    status; every change is dated and names who made it.
    """
    row = get_partnership(session, partnership_id=partnership_id, user=user)
    authz.require_partnership_editor(user, row.library_system_id, "change this partnership")
    if status not in STATUSES:
        raise DataError(f"status must be one of {', '.join(STATUSES)}, not {status!r}")
    allowed = next_statuses(session, row)
    if status not in allowed.values():
        raise DataError(
            f"a partnership moves one step at a time; from {row.status!r} the next is "
            f"{allowed['next']!r}, not {status!r}"
        )
    session.add(
        PartnershipStatusChange(
            partnership_id=row.id, from_status=row.status, to_status=status, changed_by=user.email
        )
    )
    audit(
        session,
        user=user,
        action="status",
        entity="partnership",
        entity_id=row.id,
        changes={"status": [row.status, status]},
    )
    row.status = status
    row.updated_at = _now()
    return row
