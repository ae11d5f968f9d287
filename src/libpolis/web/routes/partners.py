"""Partners: the organisations libraries work with (council departments, schools, NGOs…)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from libpolis.web import crud
from libpolis.web.deps import CurrentUser, Db, MaybeUser, Paging, PathId, Writer, page_dict
from libpolis.web.routes._common import form_model, pager, redirect, render
from libpolis.web.schemas import Page, PartnerCreate, PartnerPublic, PartnerUpdate

_FIELDS = ("name", "kind", "contact_name", "email", "phone", "website", "address")

__all__ = ["pages", "router"]

router = APIRouter(prefix="/api", tags=["partners"])
pages = APIRouter(include_in_schema=False)

Q = Annotated[str | None, Query(max_length=200, description="Text in the name")]
Kind = Annotated[str | None, Query(max_length=100)]
KINDS = ("council department", "school", "health service", "NGO", "university", "business", "other")


@router.get("/partners", response_model=Page[PartnerPublic])
def api_list(db: Db, p: Paging, q: Q = None, kind: Kind = None) -> dict:
    rows, total = crud.list_partners(db, q=q, kind=kind, page=p.page, per_page=p.per_page)
    return page_dict(rows, total, p)


@router.post("/partners", response_model=PartnerPublic, status_code=201)
def api_create(data: PartnerCreate, db: Db, user: Writer) -> PartnerPublic:
    return PartnerPublic.model_validate(crud.create_partner(db, data=data, user=user))


@router.get("/partners/{partner_id}", response_model=PartnerPublic)
def api_get(partner_id: PathId, db: Db) -> PartnerPublic:
    return PartnerPublic.model_validate(crud.get_partner(db, partner_id=partner_id))


@router.patch("/partners/{partner_id}", response_model=PartnerPublic)
def api_update(partner_id: PathId, data: PartnerUpdate, db: Db, user: Writer) -> PartnerPublic:
    row = crud.update_partner(db, partner_id=partner_id, data=data, user=user)
    return PartnerPublic.model_validate(row)


@pages.get("/partners")
def list_page(
    request: Request, db: Db, user: MaybeUser, p: Paging, q: Q = None, kind: Kind = None
) -> Response:
    rows, total = crud.list_partners(db, q=q, kind=kind, page=p.page, per_page=p.per_page)
    return render(
        request,
        "partners.html",
        rows=rows,
        q=q or "",
        kind=kind or "",
        kinds=KINDS,
        pager=pager(request, total, p),
    )


@pages.get("/partners/new")
def new_page(request: Request, user: CurrentUser) -> Response:
    return render(request, "partner_form.html", item=None, kinds=KINDS)


@pages.post("/partners/new")
async def create_submit(request: Request, db: Db, user: Writer) -> Response:
    form = await request.form()
    data = form_model(PartnerCreate, {k: form.get(k) for k in _FIELDS if k in form})
    crud.create_partner(db, data=data, user=user)
    return redirect("/partners")


@pages.get("/partners/{partner_id}/edit")
def edit_page(request: Request, partner_id: PathId, db: Db, user: CurrentUser) -> Response:
    return render(
        request, "partner_form.html", item=crud.get_partner(db, partner_id=partner_id), kinds=KINDS
    )


@pages.post("/partners/{partner_id}/edit")
async def edit_submit(request: Request, partner_id: PathId, db: Db, user: Writer) -> Response:
    form = await request.form()
    data = form_model(
        PartnerUpdate, {k: form.get(k) for k in _FIELDS if k in form}, partial=True
    )
    crud.update_partner(db, partner_id=partner_id, data=data, user=user)
    return redirect("/partners")
