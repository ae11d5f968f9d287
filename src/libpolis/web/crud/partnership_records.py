"""The records of a partnership in the web app: its indicators, notes and documents."""

from __future__ import annotations

import hashlib
import re
import uuid
from pathlib import Path

from sqlalchemy.orm import Session

from libpolis.errors import DataError
from libpolis.store.tables import Indicator, Partnership, PartnershipDocument, PartnershipNote, User
from libpolis.web import authz
from libpolis.web.crud._common import _add_audited, _apply, _audit_update, _get, audit
from libpolis.web.crud.partnerships import get_partnership
from libpolis.web.schemas import IndicatorCreate, IndicatorUpdate

__all__ = ["add_document", "add_indicator", "add_note", "get_document", "update_indicator"]


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
