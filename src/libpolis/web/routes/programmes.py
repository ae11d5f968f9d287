"""Programmes: list, search, create and edit; alignment suggestions that people decide."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from libpolis.goal_names import short_name
from libpolis.pipeline import suggest_for_programme
from libpolis.store.tables import Alignment, Library, Programme
from libpolis.web import crud
from libpolis.web.deps import CurrentUser, Db, MaybeUser, Paging, PathId, Writer, page_dict
from libpolis.web.routes._common import form_model, is_htmx, pager, redirect, render
from libpolis.web.schemas import (
    AlignmentDecision,
    AlignmentPublic,
    Page,
    ProgrammeCreate,
    ProgrammeDetail,
    ProgrammePublic,
    ProgrammeUpdate,
)

__all__ = ["alignment_public", "pages", "programme_detail", "router"]

router = APIRouter(prefix="/api", tags=["programmes"])
pages = APIRouter(include_in_schema=False)

Q = Annotated[str | None, Query(max_length=200, description="Text in the title or description")]
LibraryId = Annotated[int | None, Query(ge=1, le=2**31 - 1)]
_FIELDS = (
    "title",
    "description",
    "audience",
    "language",
    "start_date",
    "end_date",
    "attendance",
    "partners",
    "library_id",
)


def alignment_public(a: Alignment, goal: Any, key: str) -> AlignmentPublic:
    return AlignmentPublic.model_validate(
        {
            **{c: getattr(a, c) for c in AlignmentPublic.model_fields if hasattr(a, c)},
            "framework": key,
            "goal_code": goal.code,
            "goal_title": short_name(key, goal.code) or goal.title,
        }
    )


def programme_detail(db: Session, row: Programme) -> ProgrammeDetail:
    base = ProgrammePublic.model_validate(row).model_dump()
    als = [alignment_public(a, g, k) for a, g, k in crud.alignments_of(db, programme_id=row.id)]
    return ProgrammeDetail(**base, alignments=als)


@router.get("/programmes", response_model=Page[ProgrammePublic])
def api_list(db: Db, p: Paging, q: Q = None, library_id: LibraryId = None) -> dict:
    """Programmes, newest first; ``q`` searches title and description."""
    rows, total = crud.list_programmes(
        db, q=q, library_id=library_id, page=p.page, per_page=p.per_page
    )
    return page_dict(rows, total, p)


@router.post("/programmes", response_model=ProgrammeDetail, status_code=201)
def api_create(data: ProgrammeCreate, db: Db, user: Writer) -> ProgrammeDetail:
    """Add a programme (admins; staff for libraries of their own system); alignments are
    suggested at once."""
    row = crud.create_programme(db, data=data, user=user)
    suggest_for_programme(db, row)
    return programme_detail(db, row)


@router.get("/programmes/{programme_id}", response_model=ProgrammeDetail)
def api_get(programme_id: PathId, db: Db) -> ProgrammeDetail:
    return programme_detail(db, crud.get_programme(db, programme_id=programme_id))


@router.patch("/programmes/{programme_id}", response_model=ProgrammeDetail)
def api_update(
    programme_id: PathId, data: ProgrammeUpdate, db: Db, user: Writer
) -> ProgrammeDetail:
    """Edit a programme; a changed title or description refreshes the suggestions."""
    row = crud.update_programme(db, programme_id=programme_id, data=data, user=user)
    if {"title", "description"} & data.model_fields_set:
        suggest_for_programme(db, row)
    return programme_detail(db, row)


@router.get("/programmes/{programme_id}/alignments", response_model=list[AlignmentPublic])
def api_alignments(programme_id: PathId, db: Db) -> list[AlignmentPublic]:
    crud.get_programme(db, programme_id=programme_id)
    return [
        alignment_public(a, g, k) for a, g, k in crud.alignments_of(db, programme_id=programme_id)
    ]


@router.patch("/alignments/{alignment_id}", response_model=AlignmentPublic)
def api_decide(
    alignment_id: PathId, data: AlignmentDecision, db: Db, user: Writer
) -> AlignmentPublic:
    """Confirm or reject a suggested alignment (or reset it to suggested)."""
    a = crud.decide_alignment(db, alignment_id=alignment_id, status=data.status, user=user)
    goal, key = crud.get_goal(db, goal_id=a.goal_id)
    return alignment_public(a, goal, key)


# -- pages ----------------------------------------------------------------------------------


def _libraries(db: Session) -> list[Library]:
    return list(db.scalars(select(Library).order_by(Library.name)).all())


@pages.get("/programmes")
def list_page(
    request: Request, db: Db, user: MaybeUser, p: Paging, q: Q = None, library_id: LibraryId = None
) -> Response:
    rows, total = crud.list_programmes(
        db, q=q, library_id=library_id, page=p.page, per_page=p.per_page
    )
    return render(
        request,
        "programmes.html",
        rows=rows,
        q=q or "",
        library_id=library_id,
        pager=pager(request, total, p),
    )


@pages.get("/programmes/new")
def new_page(request: Request, db: Db, user: CurrentUser) -> Response:
    return render(request, "programme_form.html", item=None, libraries=_libraries(db))


async def _form(request: Request) -> dict[str, Any]:
    form = await request.form()
    return {k: form.get(k) for k in (*_FIELDS, "csrf_token") if k in form}


@pages.post("/programmes/new")
async def create_submit(request: Request, db: Db, user: Writer) -> Response:
    data = form_model(ProgrammeCreate, await _form(request))
    row = crud.create_programme(db, data=data, user=user)
    suggest_for_programme(db, row)
    return redirect(f"/programmes/{row.id}")


@pages.get("/programmes/{programme_id}")
def detail_page(request: Request, programme_id: PathId, db: Db, user: MaybeUser) -> Response:
    row = crud.get_programme(db, programme_id=programme_id)
    lib = db.get(Library, row.library_id) if row.library_id else None
    return render(
        request,
        "programme.html",
        item=programme_detail(db, row),
        library_name=(lib.name if lib is not None else None) or row.library_name,
        can_edit=_can_edit(db, user, row),
        can_decide=_can_decide(db, user, row),
    )


def _can_edit(db: Session, user: Any, row: Programme) -> bool:
    from libpolis.web import authz

    if user is None:
        return False
    try:
        authz.require_programme_editor(user, crud.programme_system_id(db, row), "edit")
    except PermissionError:
        return False
    return True


def _can_decide(db: Session, user: Any, row: Programme) -> bool:
    from libpolis.web import authz

    if user is None:
        return False
    try:
        authz.require_alignment_decider(user, crud.programme_system_id(db, row), "decide")
    except PermissionError:
        return False
    return True


@pages.get("/programmes/{programme_id}/edit")
def edit_page(request: Request, programme_id: PathId, db: Db, user: CurrentUser) -> Response:
    row = crud.get_programme(db, programme_id=programme_id)
    return render(request, "programme_form.html", item=row, libraries=_libraries(db))


@pages.post("/programmes/{programme_id}/edit")
async def edit_submit(request: Request, programme_id: PathId, db: Db, user: Writer) -> Response:
    form = await _form(request)
    data = form_model(ProgrammeUpdate, form, partial=True)
    row = crud.update_programme(db, programme_id=programme_id, data=data, user=user)
    suggest_for_programme(db, row)
    return redirect(f"/programmes/{row.id}")


@pages.post("/alignments/{alignment_id}")
async def decide_submit(request: Request, alignment_id: PathId, db: Db, user: Writer) -> Response:
    form = await request.form()
    status = str(form.get("status", ""))
    a = crud.decide_alignment(db, alignment_id=alignment_id, status=status, user=user)
    if is_htmx(request):
        goal, key = crud.get_goal(db, goal_id=a.goal_id)
        return render(request, "_alignment.html", a=alignment_public(a, goal, key), can_decide=True)
    return redirect(f"/programmes/{a.programme_id}")
