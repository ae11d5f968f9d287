"""The records of a partnership in the web app: its indicators and their measurements over
time, notes, and documents (PDF only, recognised by their first bytes, not their name)."""

from __future__ import annotations

import hashlib
import os
import re
import uuid
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from libpolis.errors import DataError
from libpolis.store.tables import (
    Indicator,
    Measurement,
    Partnership,
    PartnershipDocument,
    PartnershipNote,
    User,
)
from libpolis.web import authz
from libpolis.web.crud._common import _add_audited, _apply, _audit_update, _get, audit
from libpolis.web.crud.partnerships import get_partnership
from libpolis.web.schemas import IndicatorCreate, IndicatorUpdate, MeasurementCreate

__all__ = [
    "PDF_MAGIC",
    "UnsupportedDocumentError",
    "add_document",
    "add_indicator",
    "add_measurement",
    "add_note",
    "get_document",
    "measurements_of",
    "update_indicator",
]

PDF_MAGIC = b"%PDF-"
"""The first bytes of every PDF file (ISO 32000-1, 7.5.2)."""


class UnsupportedDocumentError(DataError):
    """An upload that is not a PDF (whatever its name or declared type says)."""

    status = 415


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
    values = data.model_dump()
    measured, measured_on = values.pop("measured"), values.pop("measured_on")
    row = Indicator(partnership_id=partnership_id, **values)
    _add_audited(
        session,
        row,
        user=user,
        entity="indicator",
        changes={"partnership_id": partnership_id, "name": row.name},
    )
    if measured is not None:
        _measure(session, row, value=measured, measured_on=measured_on, source="", user=user)
    return row


def _measure(
    session: Session,
    row: Indicator,
    *,
    value: float,
    measured_on: date | None,
    source: str,
    user: User,
) -> Measurement:
    """Record a measurement (dated today if no date is given); the indicator's ``measured``
    and ``measured_on`` show the latest by date."""
    m = Measurement(
        indicator_id=row.id,
        value=value,
        measured_on=measured_on or date.today(),
        source=source,
        recorded_by=user.email,
    )
    _add_audited(
        session,
        m,
        user=user,
        entity="measurement",
        changes={"indicator_id": row.id, "value": value, "measured_on": m.measured_on},
    )
    if row.measured_on is None or m.measured_on >= row.measured_on:
        row.measured, row.measured_on = value, m.measured_on
    return m


def add_measurement(
    session: Session, *, indicator_id: int, data: MeasurementCreate, user: User
) -> Measurement:
    """Record one measured value of an indicator."""
    row = _get(session, Indicator, indicator_id, "indicator")
    _editable_partnership(session, row.partnership_id, user, "measure indicators of this partnership")
    return _measure(
        session,
        row,
        value=data.value,
        measured_on=data.measured_on,
        source=data.source,
        user=user,
    )


def measurements_of(
    session: Session, *, indicator_ids: Sequence[int]
) -> dict[int, list[Measurement]]:
    """Measurements of many indicators in one query, oldest first."""
    out: dict[int, list[Measurement]] = {i: [] for i in indicator_ids}
    if out:
        for m in session.scalars(
            select(Measurement)
            .where(Measurement.indicator_id.in_(list(out)))
            .order_by(Measurement.measured_on, Measurement.id)
        ).all():
            out[m.indicator_id].append(m)
    return out


def update_indicator(
    session: Session, *, indicator_id: int, data: IndicatorUpdate, user: User
) -> Indicator:
    row = _get(session, Indicator, indicator_id, "indicator")
    _editable_partnership(session, row.partnership_id, user, "edit indicators of this partnership")
    values = data.model_dump(exclude_unset=True)
    for key in ("name", "unit"):
        if key in values and values[key] is None:
            raise DataError(f"{key} may not be empty", where=key)
    measured, measured_on = values.pop("measured", None), values.pop("measured_on", None)
    changed = _apply(row, values)
    _audit_update(session, row, changed, user=user, entity="indicator")
    if measured is not None:  # a new measured value is a measurement (dated today if undated)
        _measure(session, row, value=measured, measured_on=measured_on, source="", user=user)
    elif measured_on is not None:
        raise DataError("a measurement date needs a measured value", where="measured")
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
    """Store an uploaded PDF under ``storage/<partnership id>/`` and record its metadata.

    The file must begin with ``%PDF-`` (its name and declared type are not trusted); it is
    stored under a random name (written to a temporary file, then renamed) and always served
    back as a download.
    """
    _editable_partnership(session, partnership_id, user, "add documents to this partnership")
    if not data:
        raise DataError("the uploaded file is empty", where="file")
    if not data.startswith(PDF_MAGIC):
        raise UnsupportedDocumentError(
            f"{Path(filename or 'the file').name[:100]} is not a PDF (it does not begin with "
            "%PDF-); attach agreements and reports as PDF",
            where="file",
        )
    stem = _SAFE.sub("_", Path(filename or "document").stem).strip("._") or "document"
    name = f"{stem[:120]}.pdf"
    stored_as = f"{partnership_id}/{uuid.uuid4().hex}_{name}"
    target = storage / stored_as
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_name(target.name + ".part")
    part.write_bytes(data)
    os.replace(part, target)
    row = PartnershipDocument(
        partnership_id=partnership_id,
        title=title.strip() or name,
        filename=name,
        content_type="application/pdf",
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
