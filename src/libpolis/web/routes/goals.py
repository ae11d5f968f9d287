"""Goals of every framework (read) and the city's own strategy goals (edited by officers)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from libpolis.goal_names import short_name
from libpolis.web import crud
from libpolis.web.deps import CurrentUser, Db, MaybeUser, Paging, PathId, Writer, page_dict
from libpolis.web.routes._common import form_model, pager, redirect, render
from libpolis.web.schemas import GoalCreate, GoalPublic, GoalUpdate, Page

__all__ = ["goal_public", "pages", "router"]

router = APIRouter(prefix="/api", tags=["goals"])
pages = APIRouter(include_in_schema=False)

FrameworkQ = Annotated[
    str | None, Query(max_length=100, description="Framework key: city, sdg, udhr, culture21…")
]


def goal_public(goal, key: str) -> GoalPublic:
    return GoalPublic.model_validate(
        {
            "id": goal.id,
            "code": goal.code,
            "title": short_name(key, goal.code) or goal.title,
            "text": goal.text,
            "framework": key,
        }
    )


@router.get("/goals", response_model=Page[GoalPublic])
def api_list(db: Db, p: Paging, framework: FrameworkQ = None) -> dict:
    rows, total = crud.list_goals(db, framework=framework, page=p.page, per_page=p.per_page)
    return page_dict([goal_public(g, k) for g, k in rows], total, p)


@router.post("/goals", response_model=GoalPublic, status_code=201)
def api_create(data: GoalCreate, db: Db, user: Writer) -> GoalPublic:
    """Add a city strategy goal (admins and city officers)."""
    return goal_public(crud.create_goal(db, data=data, user=user), crud.CITY_FRAMEWORK)


@router.patch("/goals/{goal_id}", response_model=GoalPublic)
def api_update(goal_id: PathId, data: GoalUpdate, db: Db, user: Writer) -> GoalPublic:
    return goal_public(
        crud.update_goal(db, goal_id=goal_id, data=data, user=user), crud.CITY_FRAMEWORK
    )


@pages.get("/goals")
def list_page(
    request: Request, db: Db, user: MaybeUser, p: Paging, framework: FrameworkQ = None
) -> Response:
    rows, total = crud.list_goals(db, framework=framework, page=p.page, per_page=p.per_page)
    return render(
        request, "goals.html", rows=rows, framework=framework or "", pager=pager(request, total, p)
    )


@pages.get("/goals/new")
def new_page(request: Request, user: CurrentUser) -> Response:
    return render(request, "goal_form.html", item=None)


@pages.post("/goals/new")
async def create_submit(request: Request, db: Db, user: Writer) -> Response:
    form = await request.form()
    data = form_model(GoalCreate, {k: form.get(k) for k in ("code", "title", "text") if k in form})
    crud.create_goal(db, data=data, user=user)
    return redirect("/goals?framework=city")


@pages.get("/goals/{goal_id}/edit")
def edit_page(request: Request, goal_id: PathId, db: Db, user: CurrentUser) -> Response:
    goal, _ = crud.get_goal(db, goal_id=goal_id)
    return render(request, "goal_form.html", item=goal)


@pages.post("/goals/{goal_id}/edit")
async def edit_submit(request: Request, goal_id: PathId, db: Db, user: Writer) -> Response:
    form = await request.form()
    data = form_model(
        GoalUpdate, {k: form.get(k) for k in ("code", "title", "text") if k in form}, partial=True
    )
    crud.update_goal(db, goal_id=goal_id, data=data, user=user)
    return redirect("/goals?framework=city")
