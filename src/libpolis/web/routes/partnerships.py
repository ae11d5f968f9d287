"""Partnerships: purpose, goals, life-cycle status with dated changes, indicators with targets
and measured values, documents and notes. Lists filter by status, goal and district."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import FileResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from libpolis.errors import DataError, LibpolisError
from libpolis.goal_names import code_key
from libpolis.store.tables import Area, Framework, Goal, LibrarySystem, Partner, Partnership, User
from libpolis.web import authz, crud
from libpolis.web.deps import (
    CurrentUser,
    Db,
    MaybeUser,
    Paging,
    PathId,
    WebConfig,
    Writer,
    page_dict,
)
from libpolis.web.routes._common import form_model, pager, redirect, render
from libpolis.web.routes.goals import goal_public
from libpolis.web.schemas import (
    STATUSES,
    DocumentPublic,
    IndicatorCreate,
    IndicatorPublic,
    IndicatorUpdate,
    NoteCreate,
    NotePublic,
    Page,
    PartnershipCreate,
    PartnershipDetail,
    PartnershipPublic,
    PartnershipUpdate,
    StatusChange,
    StatusChangePublic,
)
from libpolis.web.visibility import visible_partnerships

__all__ = ["pages", "partnership_public", "router"]

router = APIRouter(prefix="/api", tags=["partnerships"])
pages = APIRouter(include_in_schema=False)


class PayloadTooLargeError(LibpolisError):
    """An upload is larger than the configured limit."""

    status = 413


StatusQ = Annotated[
    str | None,
    Query(pattern="^(idea|proposed|agreed|active|evaluated)$", description="Life-cycle status"),
]
GoalQ = Annotated[int | None, Query(ge=1, le=2**31 - 1, description="Works towards this goal")]
DistrictQ = Annotated[str | None, Query(max_length=200)]
Q = Annotated[str | None, Query(max_length=200, description="Text in the title or purpose")]


def partnerships_public(db: Session, rows: list[Partnership]) -> list[PartnershipPublic]:
    """Public views of many partnerships with two extra queries (goals, partner names)."""
    goals = crud.goal_ids_of(db, partnership_ids=[r.id for r in rows])
    names = crud.partner_names(db, partner_ids=[r.partner_id for r in rows])
    return [_public(r, goals[r.id], names.get(r.partner_id or -1)) for r in rows]


def partnership_public(db: Session, row: Partnership) -> PartnershipPublic:
    return partnerships_public(db, [row])[0]


def _public(row: Partnership, goal_ids: list[int], partner_name: str | None) -> PartnershipPublic:
    return PartnershipPublic.model_validate(
        {
            **{
                c: getattr(row, c)
                for c in (
                    "id",
                    "title",
                    "purpose",
                    "status",
                    "partner_id",
                    "library_system_id",
                    "district",
                    "published",
                )
            },
            "goal_ids": goal_ids,
            "partner_name": partner_name,
        }
    )


def _detail(db: Session, row: Partnership) -> PartnershipDetail:
    d = crud.partnership_details(db, partnership_id=row.id)
    return PartnershipDetail(
        **partnership_public(db, row).model_dump(),
        history=[StatusChangePublic.model_validate(x) for x in d["history"]],
        indicators=[IndicatorPublic.model_validate(x) for x in d["indicators"]],
        notes=[NotePublic.model_validate(x) for x in d["notes"]],
        documents=[DocumentPublic.model_validate(x) for x in d["documents"]],
        goals=[goal_public(g, k) for g, k in d["goals"]],
    )


def _list(db: Session, user: User | None, p: Any, **filters: Any) -> tuple[list, int]:
    return crud.list_partnerships(db, user=user, page=p.page, per_page=p.per_page, **filters)


async def _read_upload(request: Request, file: UploadFile) -> bytes:
    cfg: WebConfig = request.app.state.config
    data = await file.read(cfg.max_upload_bytes + 1)
    if len(data) > cfg.max_upload_bytes:
        raise PayloadTooLargeError(
            f"{file.filename} is larger than the limit of {cfg.max_upload_bytes:,} bytes"
        )
    return data


# -- API ------------------------------------------------------------------------------------


@router.get("/partnerships", response_model=Page[PartnershipPublic])
def api_list(
    db: Db,
    p: Paging,
    user: MaybeUser,
    status: StatusQ = None,
    goal_id: GoalQ = None,
    district: DistrictQ = None,
    q: Q = None,
) -> dict:
    """Partnerships the caller may see (published ones for the public), newest first."""
    rows, total = _list(db, user, p, status=status, goal_id=goal_id, district=district, q=q)
    return page_dict(partnerships_public(db, rows), total, p)


@router.post("/partnerships", response_model=PartnershipDetail, status_code=201)
def api_create(data: PartnershipCreate, db: Db, user: Writer) -> PartnershipDetail:
    """Record a partnership; it starts as an idea."""
    return _detail(db, crud.create_partnership(db, data=data, user=user))


@router.get("/partnerships/{partnership_id}", response_model=PartnershipDetail)
def api_get(partnership_id: PathId, db: Db, user: MaybeUser) -> PartnershipDetail:
    return _detail(db, crud.get_partnership(db, partnership_id=partnership_id, user=user))


@router.patch("/partnerships/{partnership_id}", response_model=PartnershipDetail)
def api_update(
    partnership_id: PathId, data: PartnershipUpdate, db: Db, user: Writer
) -> PartnershipDetail:
    return _detail(
        db, crud.update_partnership(db, partnership_id=partnership_id, data=data, user=user)
    )


@router.post("/partnerships/{partnership_id}/status", response_model=PartnershipDetail)
def api_status(
    partnership_id: PathId, data: StatusChange, db: Db, user: Writer
) -> PartnershipDetail:
    """Move the partnership one step along idea → proposed → agreed → active → evaluated."""
    return _detail(
        db, crud.change_status(db, partnership_id=partnership_id, status=data.status, user=user)
    )


@router.post(
    "/partnerships/{partnership_id}/indicators", response_model=IndicatorPublic, status_code=201
)
def api_add_indicator(
    partnership_id: PathId, data: IndicatorCreate, db: Db, user: Writer
) -> IndicatorPublic:
    row = crud.add_indicator(db, partnership_id=partnership_id, data=data, user=user)
    return IndicatorPublic.model_validate(row)


@router.patch("/indicators/{indicator_id}", response_model=IndicatorPublic)
def api_update_indicator(
    indicator_id: PathId, data: IndicatorUpdate, db: Db, user: Writer
) -> IndicatorPublic:
    row = crud.update_indicator(db, indicator_id=indicator_id, data=data, user=user)
    return IndicatorPublic.model_validate(row)


@router.post("/partnerships/{partnership_id}/notes", response_model=NotePublic, status_code=201)
def api_add_note(partnership_id: PathId, data: NoteCreate, db: Db, user: Writer) -> NotePublic:
    row = crud.add_note(db, partnership_id=partnership_id, body=data.body, user=user)
    return NotePublic.model_validate(row)


@router.post(
    "/partnerships/{partnership_id}/documents", response_model=DocumentPublic, status_code=201
)
async def api_add_document(
    request: Request,
    partnership_id: PathId,
    db: Db,
    user: Writer,
    file: Annotated[UploadFile, File(description="The document (size-limited)")],
    title: Annotated[str, Form(max_length=300)] = "",
) -> DocumentPublic:
    """Upload a document; its metadata is recorded and the file kept under the workspace."""
    data = await _read_upload(request, file)
    cfg: WebConfig = request.app.state.config
    row = crud.add_document(
        db,
        partnership_id=partnership_id,
        title=title,
        filename=file.filename or "document",
        content_type=file.content_type or "",
        data=data,
        user=user,
        storage=cfg.documents_dir,
    )
    return DocumentPublic.model_validate(row)


def _download(request: Request, db: Session, document_id: PathId, user: User | None) -> Response:
    row = crud.get_document(db, document_id=document_id, user=user)
    cfg: WebConfig = request.app.state.config
    path = (cfg.documents_dir / row.stored_as).resolve()
    if cfg.documents_dir.resolve() not in path.parents or not path.is_file():
        raise DataError(f"the file of document {document_id} is missing from the store")
    return FileResponse(
        path,
        media_type="application/octet-stream",
        filename=row.filename,
        content_disposition_type="attachment",
    )


@router.get(
    "/documents/{document_id}",
    response_class=FileResponse,
    responses={200: {"content": {"application/octet-stream": {}}}},
)
def api_document(request: Request, document_id: PathId, db: Db, user: MaybeUser) -> Response:
    """Download a document (as an attachment)."""
    return _download(request, db, document_id, user)


# -- pages ----------------------------------------------------------------------------------


def _choices(db: Session, user: User | None) -> dict[str, Any]:
    """Options of the filter and form selects: plain rows of the columns shown (no ORM
    entities; the goal list alone can hold a few hundred)."""
    goals = db.execute(
        select(Goal.id, Goal.code, Goal.title, Framework.key)
        .join(Framework, Framework.id == Goal.framework_id)
        .order_by(Framework.key, Goal.code)
        .limit(500)
    ).all()
    districts = sorted(
        set(db.scalars(select(Area.name).where(Area.kind == "district")).all())
        | {
            d
            for d in db.scalars(
                visible_partnerships(select(Partnership.district).distinct(), user)
            ).all()
            if d
        }
    )
    return {
        "partners": db.execute(
            select(Partner.id, Partner.name).order_by(Partner.name).limit(1000)
        ).all(),
        "systems": db.execute(
            select(LibrarySystem.id, LibrarySystem.name).order_by(LibrarySystem.name)
        ).all(),
        "goals": [(g, g.key) for g in sorted(goals, key=lambda g: (g.key, code_key(g.code)))],
        "districts": districts,
        "statuses": STATUSES,
    }


@pages.get("/partnerships")
def list_page(
    request: Request,
    db: Db,
    user: MaybeUser,
    p: Paging,
    status: StatusQ = None,
    goal_id: GoalQ = None,
    district: DistrictQ = None,
    q: Q = None,
) -> Response:
    rows, total = _list(db, user, p, status=status, goal_id=goal_id, district=district, q=q)
    return render(
        request,
        "partnerships.html",
        rows=partnerships_public(db, rows),
        f={"status": status or "", "goal_id": goal_id, "district": district or "", "q": q or ""},
        pager=pager(request, total, p),
        **_choices(db, user),
    )


async def _partnership_form(request: Request) -> dict[str, Any]:
    form = await request.form()
    values: dict[str, Any] = {
        k: form.get(k)
        for k in ("title", "purpose", "partner_id", "library_system_id", "district")
        if k in form
    }
    values["published"] = form.get("published") == "on"
    values["goal_ids"] = [int(g) for g in form.getlist("goal_ids") if str(g).isdigit()]
    return values


@pages.get("/partnerships/new")
def new_page(request: Request, db: Db, user: CurrentUser) -> Response:
    return render(request, "partnership_form.html", item=None, goal_ids=[], **_choices(db, user))


@pages.post("/partnerships/new")
async def create_submit(request: Request, db: Db, user: Writer) -> Response:
    data = form_model(PartnershipCreate, await _partnership_form(request))
    row = crud.create_partnership(db, data=data, user=user)
    return redirect(f"/partnerships/{row.id}")


@pages.get("/partnerships/{partnership_id}")
def detail_page(request: Request, partnership_id: PathId, db: Db, user: MaybeUser) -> Response:
    row = crud.get_partnership(db, partnership_id=partnership_id, user=user)
    can_edit = False
    if user is not None:
        try:
            authz.require_partnership_editor(user, row.library_system_id, "edit")
            can_edit = True
        except PermissionError:
            pass
    i = STATUSES.index(row.status)
    return render(
        request,
        "partnership.html",
        item=_detail(db, row),
        can_edit=can_edit,
        next_status=STATUSES[i + 1] if i + 1 < len(STATUSES) else None,
        prev_status=STATUSES[i - 1] if i > 0 else None,
        statuses=STATUSES,
    )


@pages.get("/partnerships/{partnership_id}/edit")
def edit_page(request: Request, partnership_id: PathId, db: Db, user: CurrentUser) -> Response:
    row = crud.get_partnership(db, partnership_id=partnership_id, user=user)
    goal_ids = [g.id for g, _ in crud.goals_of(db, partnership_id=row.id)]
    return render(
        request, "partnership_form.html", item=row, goal_ids=goal_ids, **_choices(db, user)
    )


@pages.post("/partnerships/{partnership_id}/edit")
async def edit_submit(request: Request, partnership_id: PathId, db: Db, user: Writer) -> Response:
    data = form_model(PartnershipUpdate, await _partnership_form(request), partial=True)
    crud.update_partnership(db, partnership_id=partnership_id, data=data, user=user)
    return redirect(f"/partnerships/{partnership_id}")


@pages.post("/partnerships/{partnership_id}/status")
def status_submit(
    partnership_id: PathId, db: Db, user: Writer, status: Annotated[str, Form(max_length=20)]
) -> Response:
    crud.change_status(db, partnership_id=partnership_id, status=status, user=user)
    return redirect(f"/partnerships/{partnership_id}")


@pages.post("/partnerships/{partnership_id}/indicators")
async def indicator_submit(
    request: Request, partnership_id: PathId, db: Db, user: Writer
) -> Response:
    form = await request.form()
    data = form_model(
        IndicatorCreate,
        {
            k: form.get(k)
            for k in ("name", "unit", "target", "measured", "measured_on")
            if k in form
        },
    )
    crud.add_indicator(db, partnership_id=partnership_id, data=data, user=user)
    return redirect(f"/partnerships/{partnership_id}#indicators")


@pages.post("/indicators/{indicator_id}")
async def indicator_update_submit(
    request: Request, indicator_id: PathId, db: Db, user: Writer
) -> Response:
    form = await request.form()
    data = form_model(
        IndicatorUpdate,
        {k: form.get(k) for k in ("measured", "measured_on") if k in form},
        partial=True,
    )
    row = crud.update_indicator(db, indicator_id=indicator_id, data=data, user=user)
    return redirect(f"/partnerships/{row.partnership_id}#indicators")


@pages.post("/partnerships/{partnership_id}/notes")
def note_submit(
    partnership_id: PathId,
    db: Db,
    user: Writer,
    body: Annotated[str, Form(min_length=1, max_length=20_000)],
) -> Response:
    crud.add_note(db, partnership_id=partnership_id, body=body, user=user)
    return redirect(f"/partnerships/{partnership_id}#notes")


@pages.post("/partnerships/{partnership_id}/documents")
async def document_submit(
    request: Request,
    partnership_id: PathId,
    db: Db,
    user: Writer,
    file: Annotated[UploadFile, File()],
    title: Annotated[str, Form(max_length=300)] = "",
) -> Response:
    data = await _read_upload(request, file)
    cfg: WebConfig = request.app.state.config
    crud.add_document(
        db,
        partnership_id=partnership_id,
        title=title,
        filename=file.filename or "document",
        content_type=file.content_type or "",
        data=data,
        user=user,
        storage=cfg.documents_dir,
    )
    return redirect(f"/partnerships/{partnership_id}#documents")


@pages.get("/documents/{document_id}")
def document_page(request: Request, document_id: PathId, db: Db, user: MaybeUser) -> Response:
    return _download(request, db, document_id, user)
