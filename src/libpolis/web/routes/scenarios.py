"""Scenarios for city officers: what a closure costs, what longer hours change, where mobile
stops help. ``POST /api/scenarios`` runs one through :func:`libpolis.pipeline.run_scenario`
(stored as ``scenario_<label>_*``, as ``libpolis plan closure | hours | mobile`` does);
``GET /api/scenarios`` lists the stored ones and ``GET /api/scenarios/{label}`` shows one.
Admins and city officers only."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from libpolis.errors import PermissionDeniedError
from libpolis.model import TravelMode
from libpolis.pipeline import ScenarioKind
from libpolis.web.crud import audit
from libpolis.web.deps import CurrentUser, Db, Writer

__all__ = ["ScenarioIn", "router"]

router = APIRouter(prefix="/api", tags=["scenarios"])


class ScenarioIn(BaseModel):
    """One scenario: ``closure`` (``libraries`` close; none = each in turn, ranked),
    ``hours`` (one library opens ``factor`` times as long) or ``mobile`` (``stops`` stops
    among the OpenStreetMap candidate sites). ``within`` is metres in a straight line or
    minutes on the street network."""

    kind: ScenarioKind
    libraries: list[str] = Field(default_factory=list, max_length=1000)
    factor: float = Field(1.0, ge=0)
    floor_area_factor: float = Field(1.0, ge=0)
    stops: int = Field(3, ge=1, le=10_000)
    within: float | None = Field(None, gt=0)
    mode: TravelMode = TravelMode.STRAIGHT
    catchment_min: float = Field(30.0, gt=0)
    population_source: str | None = Field(None, max_length=200)
    label: str | None = Field(None, max_length=24)


def _officer(user: Any, what: str) -> None:
    if user.role not in {"admin", "officer"}:
        raise PermissionDeniedError(f"{user.email} ({user.role}) may not {what}")


@router.get("/scenarios")
def api_list(request: Request, user: CurrentUser) -> dict[str, Any]:
    """The stored scenarios, newest first."""
    from libpolis.pipeline import list_items
    from libpolis.pipeline.outputs import records

    _officer(user, "see scenarios")
    return {"items": records(list_items(request.app.state.engine, "scenarios"))}


@router.get("/scenarios/{label}")
def api_show(label: str, request: Request, user: CurrentUser) -> dict[str, Any]:
    """One stored scenario: its parameters, before/after figures and tables."""
    from libpolis.pipeline import show_item

    _officer(user, "see scenarios")
    return show_item(request.app.state.engine, "scenario", label)


@router.post("/scenarios", status_code=201)
def api_run(data: ScenarioIn, request: Request, db: Db, user: Writer) -> dict[str, Any]:
    """Run a scenario on the workspace and store it (admins and city officers); the run is
    recorded in the audit log."""
    from libpolis.pipeline import ScenarioRequest, run_scenario
    from libpolis.pipeline.outputs import jsonable

    _officer(user, "run scenarios")
    req = ScenarioRequest(
        **data.model_dump(exclude={"libraries"}), libraries=tuple(data.libraries),
        command=f"web: {user.email} POST /api/scenarios {data.model_dump_json()}",
    )  # fmt: skip
    res = run_scenario(request.app.state.engine, req)
    audit(db, user=user, action="run", entity="scenario", entity_id=res.run_id,
          changes=data.model_dump(mode="json"))  # fmt: skip
    return {"run_id": res.run_id, "summary": jsonable(res.summary), "tables": list(res.tables)}
