"""Keyword-only store functions of the web app: reads, and writes that check and audit.

Every write takes the acting ``user``, checks :mod:`libpolis.web.authz` before touching the
store and records an :class:`~libpolis.store.tables.AuditEntry` in the same transaction.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, defer

from libpolis.errors import DataError, NotFoundError
from libpolis.store.tables import (
    Alignment,
    AuditEntry,
    Framework,
    Goal,
    Indicator,
    Library,
    LibrarySystem,
    Partner,
    Partnership,
    PartnershipDocument,
    PartnershipGoal,
    PartnershipNote,
    PartnershipStatusChange,
    Programme,
    Statistic,
    User,
)
from libpolis.web import authz
from libpolis.web.schemas import (
    STATUSES,
    GoalCreate,
    GoalUpdate,
    IndicatorCreate,
    IndicatorUpdate,
    PartnerCreate,
    PartnershipCreate,
    PartnershipUpdate,
    PartnerUpdate,
    ProgrammeCreate,
    ProgrammeUpdate,
    UserCreate,
    UserUpdate,
)
from libpolis.web.security import hash_password

__all__ = [
    "CITY_FRAMEWORK",
    "WEB_SOURCE",
    "add_document",
    "add_indicator",
    "add_note",
    "alignments_of",
    "audit",
    "change_status",
    "create_goal",
    "create_partner",
    "create_partnership",
    "create_programme",
    "create_user",
    "decide_alignment",
    "get_document",
    "get_goal",
    "get_library",
    "get_partner",
    "get_partnership",
    "get_programme",
    "get_user",
    "goal_ids_of",
    "goals_of",
    "library_statistics",
    "list_audit",
    "list_goals",
    "list_libraries",
    "list_partners",
    "list_partnerships",
    "list_programmes",
    "list_users",
    "paginate",
    "partner_names",
    "partnership_details",
    "partnership_status_counts",
    "programme_system_id",
    "update_goal",
    "update_indicator",
    "update_partner",
    "update_partnership",
    "update_programme",
    "update_user",
]

WEB_SOURCE = "web"
"""``source`` of every record created through the web app or API."""
CITY_FRAMEWORK = "city"
"""Key of the framework that holds the city's own strategy goals."""


def _now() -> datetime:
    return datetime.now(UTC)


def _jsonable(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def _add_audited(
    session: Session, row: Any, *, user: User | None, entity: str, changes: dict[str, Any]
) -> None:
    """Add a new record, give it its id, and record its creation in the audit log."""
    session.add(row)
    session.flush()
    audit(session, user=user, action="create", entity=entity, entity_id=row.id, changes=changes)


def _audit_update(
    session: Session, row: Any, changed: dict[str, Any], *, user: User | None, entity: str
) -> None:
    """Record an edit of ``row`` in the audit log, if it changed anything."""
    if changed:
        audit(session, user=user, action="update", entity=entity, entity_id=row.id, changes=changed)


def audit(
    session: Session,
    *,
    user: User | None,
    action: str,
    entity: str,
    entity_id: int | None,
    changes: dict[str, Any] | None = None,
) -> None:
    """Record who did what to which record, in the caller's transaction."""
    session.add(
        AuditEntry(
            user_id=user.id if user else None,
            user_email=user.email if user else None,
            action=action,
            entity=entity,
            entity_id=entity_id,
            changes={k: _jsonable(v) for k, v in (changes or {}).items()},
        )
    )


def _apply(row: Any, values: dict[str, Any]) -> dict[str, Any]:
    """Set ``values`` on ``row``; return ``{field: [old, new]}`` for what changed."""
    changed = {}
    for key, new in values.items():
        old = getattr(row, key)
        if old != new:
            changed[key] = [_jsonable(old), _jsonable(new)]
            setattr(row, key, new)
    return changed


def paginate(session: Session, stmt: Select, *, page: int, per_page: int) -> tuple[list, int]:
    """One page of ``stmt`` (1-based ``page``) and the total number of rows it matches."""
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)).all()
    return list(rows), int(total)


def _get(session: Session, table: type, pk: int, what: str) -> Any:
    row = session.get(table, pk)
    if row is None:
        raise NotFoundError(f"no {what} with id {pk}")
    return row


# -- libraries ------------------------------------------------------------------------------


def list_libraries(
    session: Session, *, q: str | None = None, page: int = 1, per_page: int = 50
) -> tuple[list[Library], int]:
    stmt = select(Library).order_by(Library.name, Library.id)
    if q:
        stmt = stmt.where(Library.name.ilike(f"%{q}%"))
    return paginate(session, stmt, page=page, per_page=per_page)


def get_library(session: Session, *, library_id: int) -> Library:
    return _get(session, Library, library_id, "library")


def library_statistics(session: Session, *, library: Library) -> list[Statistic]:
    """Statistics about the library itself and about its library system, by name and year."""
    conds = [
        (Statistic.subject_type == "library") & (Statistic.subject_source_id == library.source_id)
    ]
    if library.system_id is not None:
        system = session.get(LibrarySystem, library.system_id)
        if system is not None:
            conds.append(
                (Statistic.subject_type == "library_system")
                & (Statistic.subject_source_id == system.source_id)
            )
    stmt = select(Statistic).where(or_(*conds)).order_by(Statistic.name, Statistic.year)
    return list(session.scalars(stmt).all())


# -- programmes -----------------------------------------------------------------------------


def programme_system_id(session: Session, programme: Programme) -> int | None:
    """The library system a programme belongs to (through its library), if known."""
    if programme.library_id is None:
        return None
    return session.scalar(select(Library.system_id).where(Library.id == programme.library_id))


def _library_fields(session: Session, library_id: int | None) -> dict[str, Any]:
    if library_id is None:
        return {"library_id": None, "library_name": None}
    lib = session.get(Library, library_id)
    if lib is None:
        raise DataError(f"no library with id {library_id}", where="library_id")
    return {"library_id": lib.id, "library_name": lib.name}


def _check_dates(start: date | None, end: date | None) -> None:
    if start and end and end < start:
        raise DataError(f"end date {end} is before start date {start}", where="end_date")


def list_programmes(
    session: Session,
    *,
    q: str | None = None,
    library_id: int | None = None,
    page: int = 1,
    per_page: int = 50,
) -> tuple[list[Programme], int]:
    stmt = select(Programme).options(defer(Programme.attrs)).order_by(Programme.id.desc())
    if q:
        like = f"%{q}%"
        stmt = stmt.where(or_(Programme.title.ilike(like), Programme.description.ilike(like)))
    if library_id is not None:
        stmt = stmt.where(Programme.library_id == library_id)
    return paginate(session, stmt, page=page, per_page=per_page)


def get_programme(session: Session, *, programme_id: int) -> Programme:
    return _get(session, Programme, programme_id, "programme")


def create_programme(session: Session, *, data: ProgrammeCreate, user: User) -> Programme:
    values = data.model_dump()
    values.update(_library_fields(session, values.pop("library_id")))
    system_id = (
        session.scalar(select(Library.system_id).where(Library.id == values["library_id"]))
        if values["library_id"]
        else None
    )
    authz.require_programme_editor(user, system_id, "add programmes to this library")
    _check_dates(values["start_date"], values["end_date"])
    row = Programme(source=WEB_SOURCE, source_id=uuid.uuid4().hex, attrs={}, **values)
    _add_audited(session, row, user=user, entity="programme", changes={"title": row.title})
    return row


def update_programme(
    session: Session, *, programme_id: int, data: ProgrammeUpdate, user: User
) -> Programme:
    row = get_programme(session, programme_id=programme_id)
    authz.require_programme_editor(user, programme_system_id(session, row), "edit this programme")
    values = data.model_dump(exclude_unset=True)
    if "library_id" in values:
        values.update(_library_fields(session, values["library_id"]))
        new_system = (
            session.scalar(select(Library.system_id).where(Library.id == values["library_id"]))
            if values["library_id"]
            else None
        )
        authz.require_programme_editor(user, new_system, "move the programme to this library")
    if "title" in values and values["title"] is None:
        raise DataError("title may not be empty", where="title")
    if "description" in values and values["description"] is None:
        values["description"] = ""
    _check_dates(values.get("start_date", row.start_date), values.get("end_date", row.end_date))
    changed = _apply(row, values)
    if changed:
        row.updated_at = _now()
    _audit_update(session, row, changed, user=user, entity="programme")
    return row


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


# -- goals ----------------------------------------------------------------------------------


def _city_framework(session: Session) -> Framework:
    fw = session.scalar(select(Framework).where(Framework.key == CITY_FRAMEWORK))
    if fw is None:
        fw = Framework(
            source=WEB_SOURCE,
            source_id=CITY_FRAMEWORK,
            key=CITY_FRAMEWORK,
            name="City strategy goals",
            attrs={},
        )
        session.add(fw)
        session.flush()
    return fw


def list_goals(
    session: Session, *, framework: str | None = None, page: int = 1, per_page: int = 100
) -> tuple[list[tuple[Goal, str]], int]:
    stmt = select(Goal, Framework.key).join(Framework, Framework.id == Goal.framework_id)
    if framework:
        stmt = stmt.where(Framework.key == framework)
    stmt = stmt.order_by(Framework.key, Goal.code, Goal.id)
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = session.execute(stmt.limit(per_page).offset((page - 1) * per_page)).all()
    return [(g, k) for g, k in rows], int(total)


def get_goal(session: Session, *, goal_id: int) -> tuple[Goal, str]:
    goal = _get(session, Goal, goal_id, "goal")
    key = session.scalar(select(Framework.key).where(Framework.id == goal.framework_id))
    return goal, str(key)


def create_goal(session: Session, *, data: GoalCreate, user: User) -> Goal:
    authz.require_goal_editor(user, "add city goals")
    fw = _city_framework(session)
    exists = session.scalar(
        select(Goal.id).where(Goal.framework_id == fw.id, Goal.code == data.code)
    )
    if exists is not None:
        raise DataError(f"a city goal with code {data.code!r} exists already", where="code")
    row = Goal(
        source=WEB_SOURCE,
        source_id=f"{CITY_FRAMEWORK}:{uuid.uuid4().hex}",
        framework_id=fw.id,
        attrs={},
        **data.model_dump(),
    )
    _add_audited(
        session, row, user=user, entity="goal", changes={"code": row.code, "title": row.title}
    )
    return row


def update_goal(session: Session, *, goal_id: int, data: GoalUpdate, user: User) -> Goal:
    authz.require_goal_editor(user, "edit city goals")
    goal, key = get_goal(session, goal_id=goal_id)
    if key != CITY_FRAMEWORK:
        raise DataError(f"goal {goal_id} belongs to framework {key!r}; only city goals are edited")
    values = {k: v for k, v in data.model_dump(exclude_unset=True).items() if v is not None}
    changed = _apply(goal, values)
    _audit_update(session, goal, changed, user=user, entity="goal")
    return goal


# -- partners -------------------------------------------------------------------------------


def list_partners(
    session: Session,
    *,
    q: str | None = None,
    kind: str | None = None,
    page: int = 1,
    per_page: int = 50,
) -> tuple[list[Partner], int]:
    stmt = select(Partner).order_by(Partner.name, Partner.id)
    if q:
        stmt = stmt.where(Partner.name.ilike(f"%{q}%"))
    if kind:
        stmt = stmt.where(Partner.kind == kind)
    return paginate(session, stmt, page=page, per_page=per_page)


def get_partner(session: Session, *, partner_id: int) -> Partner:
    return _get(session, Partner, partner_id, "partner")


def create_partner(session: Session, *, data: PartnerCreate, user: User) -> Partner:
    authz.require_partner_editor(user, "add partners")
    row = Partner(source=WEB_SOURCE, source_id=uuid.uuid4().hex, attrs={}, **data.model_dump())
    _add_audited(session, row, user=user, entity="partner", changes={"name": row.name})
    return row


def update_partner(
    session: Session, *, partner_id: int, data: PartnerUpdate, user: User
) -> Partner:
    authz.require_partner_editor(user, "edit partners")
    row = get_partner(session, partner_id=partner_id)
    values = data.model_dump(exclude_unset=True)
    if values.get("name", "x") is None:
        raise DataError("name may not be empty", where="name")
    changed = _apply(row, values)
    _audit_update(session, row, changed, user=user, entity="partner")
    return row


# -- partnerships ---------------------------------------------------------------------------


def _visible(stmt: Select, user: User | None) -> Select:
    if user is not None and user.role in {"admin", "officer"}:
        return stmt
    if user is not None and user.role == "staff" and user.library_system_id is not None:
        return stmt.where(
            or_(
                Partnership.published.is_(True),
                Partnership.library_system_id == user.library_system_id,
            )
        )
    return stmt.where(Partnership.published.is_(True))


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
        _visible(select(Partnership), user)
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
        like = f"%{q}%"
        stmt = stmt.where(or_(Partnership.title.ilike(like), Partnership.purpose.ilike(like)))
    return paginate(session, stmt, page=page, per_page=per_page)


def partnership_status_counts(session: Session, *, user: User | None) -> dict[str, int]:
    """How many partnerships the user may see are in each status."""
    stmt = _visible(select(Partnership.status, func.count()), user).group_by(Partnership.status)
    return {str(k): int(n) for k, n in session.execute(stmt).all()}


def get_partnership(session: Session, *, partnership_id: int, user: User | None) -> Partnership:
    row = session.get(Partnership, partnership_id)
    if row is None or not (row.published or authz.can_see_unpublished(user, row.library_system_id)):
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
        changes={"title": row.title, "goal_ids": goal_ids},
    )
    return row


def update_partnership(
    session: Session, *, partnership_id: int, data: PartnershipUpdate, user: User
) -> Partnership:
    row = get_partnership(session, partnership_id=partnership_id, user=user)
    authz.require_partnership_editor(user, row.library_system_id, "edit this partnership")
    values = data.model_dump(exclude_unset=True)
    goal_ids = values.pop("goal_ids", None)
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
    if changed:
        row.updated_at = _now()
    _audit_update(session, row, changed, user=user, entity="partnership")
    return row


def change_status(session: Session, *, partnership_id: int, status: str, user: User) -> Partnership:
    """Move a partnership one step along idea → proposed → agreed → active → evaluated.

    One step back is allowed too (to correct a mistake); every change is dated.
    """
    row = get_partnership(session, partnership_id=partnership_id, user=user)
    authz.require_partnership_editor(user, row.library_system_id, "change this partnership")
    if status not in STATUSES:
        raise DataError(f"status must be one of {', '.join(STATUSES)}, not {status!r}")
    old, new = STATUSES.index(row.status), STATUSES.index(status)
    if abs(new - old) != 1:
        nxt = STATUSES[old + 1] if old + 1 < len(STATUSES) else None
        raise DataError(
            f"a partnership moves one step at a time; from {row.status!r} the next is "
            f"{nxt!r}, not {status!r}"
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


def _editable_partnership(
    session: Session, partnership_id: int, user: User, what: str
) -> Partnership:
    row = get_partnership(session, partnership_id=partnership_id, user=user)
    authz.require_partnership_editor(user, row.library_system_id, what)
    return row


def add_indicator(
    session: Session, *, partnership_id: int, data: IndicatorCreate, user: User
) -> Indicator:
    _editable_partnership(session, partnership_id, user, "add indicators to this partnership")
    row = Indicator(partnership_id=partnership_id, **data.model_dump())
    _add_audited(
        session,
        row,
        user=user,
        entity="indicator",
        changes={"partnership_id": partnership_id, "name": row.name},
    )
    return row


def update_indicator(
    session: Session, *, indicator_id: int, data: IndicatorUpdate, user: User
) -> Indicator:
    row = _get(session, Indicator, indicator_id, "indicator")
    _editable_partnership(session, row.partnership_id, user, "edit indicators of this partnership")
    values = data.model_dump(exclude_unset=True)
    for key in ("name", "unit"):
        if key in values and values[key] is None:
            raise DataError(f"{key} may not be empty", where=key)
    changed = _apply(row, values)
    _audit_update(session, row, changed, user=user, entity="indicator")
    return row


def add_note(session: Session, *, partnership_id: int, body: str, user: User) -> PartnershipNote:
    _editable_partnership(session, partnership_id, user, "add notes to this partnership")
    row = PartnershipNote(partnership_id=partnership_id, body=body, author=user.email)
    _add_audited(session, row, user=user, entity="note", changes={"partnership_id": partnership_id})
    return row


_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def add_document(
    session: Session,
    *,
    partnership_id: int,
    title: str,
    filename: str,
    content_type: str,
    data: bytes,
    user: User,
    storage: Path,
) -> PartnershipDocument:
    """Store an uploaded file under ``storage/<partnership id>/`` and record its metadata."""
    _editable_partnership(session, partnership_id, user, "add documents to this partnership")
    if not data:
        raise DataError("the uploaded file is empty", where="file")
    name = _SAFE.sub("_", Path(filename or "document").name).strip("._") or "document"
    stored_as = f"{partnership_id}/{uuid.uuid4().hex}_{name[-120:]}"
    target = storage / stored_as
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    row = PartnershipDocument(
        partnership_id=partnership_id,
        title=title.strip() or name,
        filename=name,
        content_type=(content_type or "application/octet-stream")[:200],
        size_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        stored_as=stored_as,
        uploaded_by=user.email,
    )
    session.add(row)
    session.flush()
    audit(
        session,
        user=user,
        action="upload",
        entity="document",
        entity_id=row.id,
        changes={"partnership_id": partnership_id, "filename": name, "size_bytes": len(data)},
    )
    return row


def get_document(session: Session, *, document_id: int, user: User | None) -> PartnershipDocument:
    row = _get(session, PartnershipDocument, document_id, "document")
    get_partnership(session, partnership_id=row.partnership_id, user=user)
    return row


# -- users and audit ------------------------------------------------------------------------


def list_users(session: Session, *, page: int = 1, per_page: int = 100) -> tuple[list[User], int]:
    return paginate(session, select(User).order_by(User.email), page=page, per_page=per_page)


def get_user(session: Session, *, user_id: int) -> User:
    return _get(session, User, user_id, "user")


def _check_user_fields(session: Session, role: str, system_id: int | None) -> None:
    if system_id is not None and session.get(LibrarySystem, system_id) is None:
        raise DataError(f"no library system with id {system_id}", where="library_system_id")
    if role == "staff" and system_id is None:
        raise DataError("library staff need a library_system_id", where="library_system_id")


def create_user(session: Session, *, data: UserCreate, user: User | None) -> User:
    """Add a user; ``user=None`` only from the command line (which creates the first admin)."""
    if user is not None:
        authz.require_admin(user, "add users")
    email = data.email.strip().lower()
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise DataError(f"a user with e-mail {email} exists already", where="email")
    _check_user_fields(session, data.role, data.library_system_id)
    row = User(
        email=email,
        name=data.name,
        role=data.role,
        library_system_id=data.library_system_id,
        password_hash=hash_password(data.password),
        is_active=True,
    )
    _add_audited(
        session, row, user=user, entity="user", changes={"email": email, "role": data.role}
    )
    return row


def update_user(session: Session, *, user_id: int, data: UserUpdate, user: User) -> User:
    authz.require_admin(user, "edit users")
    row = get_user(session, user_id=user_id)
    values = data.model_dump(exclude_unset=True)
    password = values.pop("password", None)
    for key in ("role", "is_active"):
        if key in values and values[key] is None:
            raise DataError(f"{key} may not be empty", where=key)
    if "name" in values and values["name"] is None:
        values["name"] = ""
    _check_user_fields(
        session,
        values.get("role", row.role),
        values.get("library_system_id", row.library_system_id),
    )
    if row.id == user.id and (
        values.get("role", "admin") != "admin" or values.get("is_active", True) is False
    ):
        raise DataError("an admin may not demote or deactivate themselves")
    changed = _apply(row, values)
    if password:
        row.password_hash = hash_password(password)
        changed["password"] = ["***", "***"]
    _audit_update(session, row, changed, user=user, entity="user")
    return row


def list_audit(
    session: Session, *, entity: str | None = None, page: int = 1, per_page: int = 100
) -> tuple[list[AuditEntry], int]:
    stmt = select(AuditEntry).order_by(AuditEntry.id.desc())
    if entity:
        stmt = stmt.where(AuditEntry.entity == entity)
    return paginate(session, stmt, page=page, per_page=per_page)
