"""Programmes in the web app: list, look up, create and edit."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, defer

from libpolis.errors import DataError
from libpolis.store.tables import Library, Programme, User
from libpolis.web import authz
from libpolis.web.crud._common import (
    WEB_SOURCE,
    _add_audited,
    _apply,
    _audit_update,
    _get,
    _now,
    paginate,
    text_match,
)
from libpolis.web.schemas import ProgrammeCreate, ProgrammeUpdate

__all__ = [
    "create_programme",
    "get_programme",
    "list_programmes",
    "programme_system_id",
    "update_programme",
]


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
        stmt = stmt.where(text_match(q, Programme.title, Programme.description))
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
        # a person's choice: the import's name matching no longer decides this programme
        row.attrs = {k: v for k, v in (row.attrs or {}).items() if k != "library_link"}
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
