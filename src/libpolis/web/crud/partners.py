"""Partners of libraries in the web app: list, look up, create and edit."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from libpolis.errors import DataError
from libpolis.store.tables import Partner, User
from libpolis.web import authz
from libpolis.web.crud._common import (
    WEB_SOURCE,
    _add_audited,
    _apply,
    _audit_update,
    _get,
    paginate,
    text_match,
)
from libpolis.web.schemas import PartnerCreate, PartnerUpdate

__all__ = ["create_partner", "get_partner", "list_partners", "update_partner"]


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
        stmt = stmt.where(text_match(q, Partner.name))
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
