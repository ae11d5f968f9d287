"""Shared plumbing of the web store functions: the audit log, audited writes, pages, lookups.

Every write takes the acting ``user``, checks :mod:`libpolis.web.authz` before touching the store
and records an :class:`~libpolis.store.tables.AuditEntry` in the same transaction; these are
the helpers that record it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session

from libpolis.errors import NotFoundError
from libpolis.model import CITY_FRAMEWORK
from libpolis.store.tables import AuditEntry, User

__all__ = ["CITY_FRAMEWORK", "WEB_SOURCE", "audit", "paginate", "text_match"]


WEB_SOURCE = "web"
"""``source`` of every record created through the web app or API."""


def text_match(q: str, *columns: Any) -> ColumnElement[bool]:
    """Rows where any of ``columns`` contains ``q`` (case-insensitive) as typed: ``%``, ``_``
    and the escape character in ``q`` match themselves, not any text."""
    return or_(*(col.icontains(q, autoescape=True) for col in columns))


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
