"""Users (admins only) and the audit log of who changed what and when."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy import select

from libpolis.store.tables import LibrarySystem
from libpolis.web import crud
from libpolis.web.deps import Admin, CurrentUser, Db, Paging, PathId, page_dict
from libpolis.web.routes._common import form_model, pager, redirect, render
from libpolis.web.schemas import ROLES, AuditPublic, Page, UserCreate, UserPublic, UserUpdate

__all__ = ["pages", "router"]

router = APIRouter(prefix="/api", tags=["users"])
pages = APIRouter(include_in_schema=False)

Entity = Annotated[str | None, Query(max_length=50)]


def _require_admin(user) -> None:
    from libpolis.web import authz

    authz.require_admin(user, "see users and the audit log")


@router.get("/users", response_model=Page[UserPublic])
def api_list(db: Db, p: Paging, user: CurrentUser) -> dict:
    _require_admin(user)
    rows, total = crud.list_users(db, page=p.page, per_page=p.per_page)
    return page_dict(rows, total, p)


@router.post("/users", response_model=UserPublic, status_code=201)
def api_create(data: UserCreate, db: Db, user: Admin) -> UserPublic:
    return UserPublic.model_validate(crud.create_user(db, data=data, user=user))


@router.patch("/users/{user_id}", response_model=UserPublic)
def api_update(user_id: PathId, data: UserUpdate, db: Db, user: Admin) -> UserPublic:
    return UserPublic.model_validate(crud.update_user(db, user_id=user_id, data=data, user=user))


@router.get("/audit", response_model=Page[AuditPublic])
def api_audit(db: Db, p: Paging, user: CurrentUser, entity: Entity = None) -> dict:
    """The audit log, newest first (admins)."""
    _require_admin(user)
    rows, total = crud.list_audit(db, entity=entity, page=p.page, per_page=p.per_page)
    return page_dict(rows, total, p)


@pages.get("/users")
def users_page(request: Request, db: Db, user: CurrentUser, p: Paging) -> Response:
    _require_admin(user)
    rows, total = crud.list_users(db, page=p.page, per_page=p.per_page)
    systems = list(db.scalars(select(LibrarySystem).order_by(LibrarySystem.name)).all())
    return render(
        request,
        "users.html",
        rows=rows,
        roles=ROLES,
        systems=systems,
        pager=pager(request, total, p),
    )


@pages.post("/users/new")
async def create_submit(request: Request, db: Db, user: Admin) -> Response:
    form = await request.form()
    data = form_model(
        UserCreate,
        {
            k: form.get(k)
            for k in ("email", "name", "role", "library_system_id", "password")
            if k in form
        },
    )
    crud.create_user(db, data=data, user=user)
    return redirect("/users")


@pages.post("/users/{user_id}")
async def update_submit(request: Request, user_id: PathId, db: Db, user: Admin) -> Response:
    form = await request.form()
    values = {k: form.get(k) for k in ("role", "library_system_id", "password") if k in form}
    values["is_active"] = form.get("is_active") == "on"
    data = form_model(UserUpdate, values, partial=True)
    if not data.password:
        data = data.model_copy(update={"password": None})
        data.model_fields_set.discard("password")
    crud.update_user(db, user_id=user_id, data=data, user=user)
    return redirect("/users")


@pages.get("/audit")
def audit_page(
    request: Request, db: Db, user: CurrentUser, p: Paging, entity: Entity = None
) -> Response:
    _require_admin(user)
    rows, total = crud.list_audit(db, entity=entity, page=p.page, per_page=p.per_page)
    return render(
        request, "audit.html", rows=rows, entity=entity or "", pager=pager(request, total, p)
    )
