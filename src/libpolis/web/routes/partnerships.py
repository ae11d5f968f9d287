"""Partnerships: purpose, dates, budget, responsible people, libraries and programmes
involved, goals, and the life cycle with dated changes. Lists filter by status, goal and
district. Their indicators, measurements, notes and documents are in
:mod:`~libpolis.web.routes.partnership_records`; the form's pickers in
:mod:`~libpolis.web.routes.pickers`."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from libpolis.errors import DataError
from libpolis.goal_names import goal_order
from libpolis.store.tables import Area, Framework, Goal, LibrarySystem, Partner, Partnership, User
from libpolis.web import authz, crud
from libpolis.web.charts import trend_svg
from libpolis.web.deps import CurrentUser, Db, MaybeUser, Paging, PathId, Writer, page_dict
from libpolis.web.routes._common import pager, redirect, render, validate_form
from libpolis.web.routes.goals import goal_public
from libpolis.web.routes.partnership_records import indicator_public
from libpolis.web.routes.pickers import FIELD, Kind, options
from libpolis.web.schemas import (
    STATUS_PATTERN,
    STATUSES,
    ContactPublic,
    DocumentPublic,
    LinkPublic,
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


StatusQ = Annotated[
    str | None,
    Query(pattern=STATUS_PATTERN, description="Life-cycle status"),
]
GoalQ = Annotated[int | None, Query(ge=1, le=2**31 - 1, description="Works towards this goal")]
DistrictQ = Annotated[str | None, Query(max_length=200)]
Q = Annotated[str | None, Query(max_length=200, description="Text in the title or purpose")]


_COLUMNS = (
    "id",
    "title",
    "purpose",
    "status",
    "partner_id",
    "library_system_id",
    "district",
    "published",
    "start_date",
    "end_date",
    "review_date",
    "budget",
    "funding_source",
)


def partnerships_public(db: Session, rows: list[Partnership]) -> list[PartnershipPublic]:
    """Public views of many partnerships with three extra queries (goals, partner names,
    linked libraries, programmes and people)."""
    ids = [r.id for r in rows]
    goals = crud.goal_ids_of(db, partnership_ids=ids)
    names = crud.partner_names(db, partner_ids=[r.partner_id for r in rows])
    links = crud.links_of(db, partnership_ids=ids)
    return [
        PartnershipPublic.model_validate(
            {c: getattr(r, c) for c in _COLUMNS}
            | {
                "goal_ids": goals[r.id],
                "partner_name": names.get(r.partner_id or -1),
                "library_ids": [i for i, _ in links[r.id]["libraries"]],
                "programme_ids": [i for i, _ in links[r.id]["programmes"]],
                "contacts": [ContactPublic.model_validate(c) for c in links[r.id]["contacts"]],
            }
        )
        for r in rows
    ]


def partnership_public(db: Session, row: Partnership) -> PartnershipPublic:
    return partnerships_public(db, [row])[0]


def _detail(db: Session, row: Partnership) -> PartnershipDetail:
    d = crud.partnership_details(db, partnership_id=row.id)
    links = crud.links_of(db, partnership_ids=[row.id])[row.id]
    return PartnershipDetail(
        **partnership_public(db, row).model_dump(exclude={"contacts"}),
        history=[StatusChangePublic.model_validate(x) for x in d["history"]],
        indicators=indicator_public(db, d["indicators"]),
        notes=[NotePublic.model_validate(x) for x in d["notes"]],
        documents=[DocumentPublic.model_validate(x) for x in d["documents"]],
        goals=[goal_public(g, k) for g, k in sorted(d["goals"], key=_goal_key)],
        contacts=[ContactPublic.model_validate(c) for c in links["contacts"]],
        libraries=[LinkPublic(id=i, name=n) for i, n in links["libraries"]],
        programmes=[LinkPublic(id=i, name=n) for i, n in links["programmes"]],
    )


def _goal_key(gk: tuple[Goal, str]) -> tuple:
    return goal_order(gk[1], gk[0].code)


def _list(db: Session, user: User | None, p: Any, **filters: Any) -> tuple[list, int]:
    return crud.list_partnerships(db, user=user, page=p.page, per_page=p.per_page, **filters)


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


# -- pages ----------------------------------------------------------------------------------


def _choices(db: Session, user: User | None) -> dict[str, Any]:
    """Options of the filter and form selects: plain rows of the columns shown (no ORM
    entities; the goal list alone can hold a few hundred)."""
    goals = db.execute(
        select(Goal.id, Goal.code, Goal.title, Framework.key)
        .join(Framework, Framework.id == Goal.framework_id)
        .limit(2_000)
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
        "goals": [(g, g.key) for g in sorted(goals, key=lambda g: goal_order(g.key, g.code))],
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


_FORM_FIELDS = (
    "title",
    "purpose",
    "partner_id",
    "library_system_id",
    "district",
    "start_date",
    "end_date",
    "review_date",
    "budget",
    "funding_source",
)
_BLANK_CONTACTS = [
    {"side": "library", "name": "", "role": "", "email": ""},
    {"side": "partner", "name": "", "role": "", "email": ""},
]


async def _partnership_form(request: Request) -> dict[str, Any]:
    """The fields of the partnership form as the schemas take them (ids as numbers, one
    contact per row with a name)."""
    form = await request.form()
    values: dict[str, Any] = {k: form.get(k) for k in _FORM_FIELDS if k in form}
    values["published"] = form.get("published") == "on"
    for field in FIELD.values():
        values[field] = [int(g) for g in form.getlist(field) if str(g).isdigit()]
    rows = zip(
        form.getlist("contact_side"),
        form.getlist("contact_name"),
        form.getlist("contact_role"),
        form.getlist("contact_email"),
        strict=False,
    )
    values["contacts"] = [
        {"side": side, "name": str(name).strip(), "role": str(role).strip(), "email": str(email).strip()}
        for side, name, role, email in rows
        if str(name).strip()
    ]
    return values


def _form_page(
    request: Request,
    db: Session,
    user: User,
    *,
    item: Partnership | None,
    v: dict[str, Any],
    errors: dict[str, str] | None = None,
) -> Response:
    """The partnership form with the values ``v`` and a message next to each wrong field
    (status 422 when there are any)."""
    chosen = {f: options(db, k, ids=list(v.get(f) or []), limit=None) for k, f in FIELD.items()}
    # without scripts: every goal (a few hundred), the first 300 programmes and libraries
    fallback = {
        f: options(db, k, limit=None if k is Kind.goals else 300) for k, f in FIELD.items()
    }
    contacts = list(v.get("contacts") or []) + _BLANK_CONTACTS
    return render(
        request,
        "partnership_form.html",
        status_code=422 if errors else 200,
        item=item,
        v=v,
        errors=errors or {},
        chosen=chosen,
        fallback=fallback,
        contacts=contacts,
        **_choices(db, user),
    )


def _values_of(db: Session, row: Partnership) -> dict[str, Any]:
    pub = partnership_public(db, row)
    return pub.model_dump() | {"contacts": [c.model_dump() for c in pub.contacts]}


def _save(
    request: Request, db: Session, user: User, values: dict[str, Any], item: Partnership | None
) -> Response:
    schema = PartnershipUpdate if item else PartnershipCreate
    data, errors = validate_form(schema, values, partial=item is not None)
    if data is not None:
        try:
            if item is None:
                item = crud.create_partnership(db, data=data, user=user)  # type: ignore[arg-type]
            else:
                crud.update_partnership(db, partnership_id=item.id, data=data, user=user)  # type: ignore[arg-type]
            return redirect(f"/partnerships/{item.id}")
        except DataError as exc:
            if exc.where is None:
                raise
            db.rollback()
            errors = {exc.where: str(exc).removeprefix(f"{exc.where}: ")}
    return _form_page(request, db, user, item=item, v=values, errors=errors)


@pages.get("/partnerships/new")
def new_page(request: Request, db: Db, user: CurrentUser) -> Response:
    v = {"library_system_id": user.library_system_id, "contacts": []}
    return _form_page(request, db, user, item=None, v=v)


@pages.post("/partnerships/new")
async def create_submit(request: Request, db: Db, user: Writer) -> Response:
    values = await _partnership_form(request)
    sid = str(values.get("library_system_id") or "").strip()
    # who may add one is known before the fields are checked: no form errors for a viewer
    authz.require_partnership_editor(
        user, int(sid) if sid.isdigit() else None, "add partnerships for this library system"
    )
    return _save(request, db, user, values, None)


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
    item = _detail(db, row)
    return render(
        request,
        "partnership.html",
        item=item,
        can_edit=can_edit,
        moves=crud.next_statuses(db, row),
        statuses=STATUSES,
        points={i.id: [(m.measured_on, m.value) for m in i.measurements] for i in item.indicators},
        trend_svg=trend_svg,
        max_upload=request.app.state.config.max_upload_bytes,
        today=date.today(),
    )


@pages.get("/partnerships/{partnership_id}/edit")
def edit_page(request: Request, partnership_id: PathId, db: Db, user: CurrentUser) -> Response:
    row = crud.get_partnership(db, partnership_id=partnership_id, user=user)
    return _form_page(request, db, user, item=row, v=_values_of(db, row))


@pages.post("/partnerships/{partnership_id}/edit")
async def edit_submit(request: Request, partnership_id: PathId, db: Db, user: Writer) -> Response:
    row = crud.get_partnership(db, partnership_id=partnership_id, user=user)
    authz.require_partnership_editor(user, row.library_system_id, "edit this partnership")
    return _save(request, db, user, await _partnership_form(request), row)


@pages.post("/partnerships/{partnership_id}/status")
def status_submit(
    partnership_id: PathId, db: Db, user: Writer, status: Annotated[str, Form(max_length=20)]
) -> Response:
    crud.change_status(db, partnership_id=partnership_id, status=status, user=user)
    return redirect(f"/partnerships/{partnership_id}")
