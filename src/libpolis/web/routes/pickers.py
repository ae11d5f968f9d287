"""Searchable pickers of the forms: goals, programmes and libraries matching what a person
types, as a fragment of option buttons htmx swaps into the form (``GET /pickers/<kind>``).

Goals sort by framework and then by code as numbers (1, 2, … 10), never as text. The same
options feed the plain ``<select multiple>`` a form shows when scripts are off.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from libpolis.goal_names import goal_label, goal_order
from libpolis.store.tables import Framework, Goal, Library, Programme
from libpolis.web import crud
from libpolis.web.deps import Db
from libpolis.web.routes._common import render

__all__ = ["Kind", "options", "pages"]

pages = APIRouter(include_in_schema=False)

_LIMIT = 30  # options shown at once: a person narrows them by typing


class Kind(StrEnum):
    goals = "goals"
    programmes = "programmes"
    libraries = "libraries"


FIELD = {Kind.goals: "goal_ids", Kind.programmes: "programme_ids", Kind.libraries: "library_ids"}


def options(
    db: Session,
    kind: Kind,
    *,
    q: str | None = None,
    ids: list[int] | None = None,
    limit: int | None = _LIMIT,
) -> list[tuple[int, str]]:
    """``(id, label)`` of the records of ``kind`` matching ``q`` (or with the given ``ids``),
    in reading order: goals by framework and numeric code, the others by name."""
    if kind is Kind.goals:
        stmt = select(Goal.id, Goal.code, Goal.title, Framework.key).join(
            Framework, Framework.id == Goal.framework_id
        )
        if ids is not None:
            stmt = stmt.where(Goal.id.in_(ids))
        rows = sorted(db.execute(stmt.limit(5_000)).all(), key=lambda r: goal_order(r.key, r.code))
        found = [(r.id, goal_label(r.key, r.code, r.title)) for r in rows]
        if q:  # every word typed, in the label as read ("sdg 4.1", "culture 21 education")
            words = q.casefold().split()
            found = [(i, t) for i, t in found if all(w in t.casefold() for w in words)]
        found = [(i, _short(t)) for i, t in found]
        return found[:limit] if limit else found
    table, name = (Programme, Programme.title) if kind is Kind.programmes else (Library, Library.name)
    stmt = select(table.id, name).order_by(name, table.id)
    if q:
        stmt = stmt.where(crud.text_match(q, name))
    if ids is not None:
        stmt = stmt.where(table.id.in_(ids))
    if limit:
        stmt = stmt.limit(limit)
    return [(i, n) for i, n in db.execute(stmt).all()]


def _short(text: str, n: int = 90) -> str:
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


@pages.get("/pickers/{kind}")
def picker(
    request: Request,
    kind: Kind,
    db: Db,
    q: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    """The options matching ``q`` as a fragment of the form's picker."""
    found = options(db, kind, q=(q or "").strip() or None)
    return render(request, "_picker_options.html", kind=kind.value, field=FIELD[kind], found=found)
