"""Goals in the web app: every framework's goals listed; the city's own strategy goals edited."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from libpolis.errors import DataError
from libpolis.goal_names import code_key
from libpolis.store.tables import Framework, Goal, User
from libpolis.web import authz
from libpolis.web.crud._common import (
    CITY_FRAMEWORK,
    WEB_SOURCE,
    _add_audited,
    _apply,
    _audit_update,
    _get,
)
from libpolis.web.schemas import GoalCreate, GoalUpdate

__all__ = ["create_goal", "get_goal", "list_goals", "update_goal"]


def _city_framework(session: Session) -> Framework:
    fw = session.scalar(select(Framework).where(Framework.key == CITY_FRAMEWORK))
    if fw is None:
        fw = Framework(
            source=WEB_SOURCE,
            source_id=CITY_FRAMEWORK,
            key=CITY_FRAMEWORK,
            name="City strategy goals",
            attrs={},
        )
        session.add(fw)
        session.flush()
    return fw


def list_goals(
    session: Session, *, framework: str | None = None, page: int = 1, per_page: int = 100
) -> tuple[list[tuple[Goal, str]], int]:
    stmt = select(Goal, Framework.key).join(Framework, Framework.id == Goal.framework_id)
    if framework:
        stmt = stmt.where(Framework.key == framework)
    # codes sort as numbers (1, 2, ... 10, 4.a), which SQL cannot do portably: frameworks
    # hold a few hundred goals at most, so the page is cut after sorting them here
    rows = session.execute(stmt).all()
    rows.sort(key=lambda r: (r[1], code_key(r[0].code), r[0].id))
    start = (page - 1) * per_page
    return [(g, k) for g, k in rows[start : start + per_page]], len(rows)


def get_goal(session: Session, *, goal_id: int) -> tuple[Goal, str]:
    goal = _get(session, Goal, goal_id, "goal")
    key = session.scalar(select(Framework.key).where(Framework.id == goal.framework_id))
    return goal, str(key)


def create_goal(session: Session, *, data: GoalCreate, user: User) -> Goal:
    authz.require_goal_editor(user, "add city goals")
    fw = _city_framework(session)
    exists = session.scalar(
        select(Goal.id).where(Goal.framework_id == fw.id, Goal.code == data.code)
    )
    if exists is not None:
        raise DataError(f"a city goal with code {data.code!r} exists already", where="code")
    row = Goal(
        source=WEB_SOURCE,
        source_id=f"{CITY_FRAMEWORK}:{uuid.uuid4().hex}",
        framework_id=fw.id,
        attrs={},
        **data.model_dump(),
    )
    _add_audited(
        session, row, user=user, entity="goal", changes={"code": row.code, "title": row.title}
    )
    return row


def update_goal(session: Session, *, goal_id: int, data: GoalUpdate, user: User) -> Goal:
    authz.require_goal_editor(user, "edit city goals")
    goal, key = get_goal(session, goal_id=goal_id)
    if key != CITY_FRAMEWORK:
        raise DataError(f"goal {goal_id} belongs to framework {key!r}; only city goals are edited")
    values = {k: v for k, v in data.model_dump(exclude_unset=True).items() if v is not None}
    changed = _apply(goal, values)
    _audit_update(session, goal, changed, user=user, entity="goal")
    return goal
