"""Library profiles: location, hours and services (from ``attrs``), statistics over the years."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy import select

from libpolis.report.i18n import N_
from libpolis.store.tables import Library, LibrarySystem, Programme
from libpolis.web import crud
from libpolis.web.deps import Db, MaybeUser, Paging, PathId, page_dict
from libpolis.web.routes._common import pager, render
from libpolis.web.schemas import LibraryPublic, Page, ProgrammePublic, StatisticPublic

__all__ = ["pages", "profile", "router"]

router = APIRouter(prefix="/api", tags=["libraries"])
pages = APIRouter(include_in_schema=False)

Q = Annotated[str | None, Query(max_length=200, description="Text in the name")]

_FLAG_LABELS = {
    "open_saturdays": N_("Open on Saturdays"),
    "open_sundays": N_("Open on Sundays"),
    "self_service_hours": N_("Self-service hours"),
    "has_computers": N_("Computers"),
    "has_3d_printer": N_("3D printer"),
    "has_sewing_machine": N_("Sewing machine"),
    "has_meeting_or_group_room": N_("Meeting or group room"),
    "has_studio_or_music_room": N_("Studio or music room"),
    "has_maker_equipment": N_("Maker equipment"),
    "has_game_consoles": N_("Game consoles"),
}


def profile(db: Any, library: Library) -> dict[str, Any]:
    """Everything a library profile shows, as plain data."""
    attrs = dict(library.attrs or {})
    services, flags, other = [], [], {}
    for key, value in attrs.items():
        if key in _FLAG_LABELS:
            on = str(value).strip().lower() in {"1", "true", "yes", "y"}
            (services if key.startswith("has_") else flags).append(
                {"key": key, "label": _FLAG_LABELS[key], "on": on}
            )
        elif key.startswith("has_"):
            services.append(
                {
                    "key": key,
                    "label": key[4:].replace("_", " ").capitalize(),
                    "on": str(value).strip().lower() in {"1", "true", "yes"},
                }
            )
        else:
            other[key] = value
    stats = crud.library_statistics(db, library=library)
    years = sorted({s.year for s in stats if s.year is not None})
    table: dict[str, dict[int, float | None]] = {}
    units: dict[str, str | None] = {}
    for s in stats:
        table.setdefault(s.name, {})[s.year] = s.value
        units[s.name] = s.unit
    system = db.get(LibrarySystem, library.system_id) if library.system_id else None
    return {
        "library": library,
        "system": system,
        "services": services,
        "flags": flags,
        "other": other,
        "statistics": stats,
        "years": years,
        "stat_table": [{"name": n, "unit": units[n], "values": v} for n, v in table.items()],
    }


@router.get("/libraries", response_model=Page[LibraryPublic])
def api_libraries(db: Db, p: Paging, q: Q = None) -> dict:
    """Library service points (paginated)."""
    rows, total = crud.list_libraries(db, q=q, page=p.page, per_page=p.per_page)
    return page_dict(rows, total, p)


@router.get("/libraries/{library_id}")
def api_library(library_id: PathId, db: Db) -> dict[str, Any]:
    """A library profile: the library, its services and its statistics by year."""
    lib = crud.get_library(db, library_id=library_id)
    pr = profile(db, lib)
    return {
        "library": LibraryPublic.model_validate(lib).model_dump(mode="json"),
        "services": pr["services"],
        "opening": pr["flags"],
        "statistics": [
            StatisticPublic.model_validate(s).model_dump(mode="json") for s in pr["statistics"]
        ],
    }


@pages.get("/libraries")
def libraries_page(request: Request, db: Db, user: MaybeUser, p: Paging, q: Q = None) -> Response:
    rows, total = crud.list_libraries(db, q=q, page=p.page, per_page=p.per_page)
    return render(request, "libraries.html", rows=rows, q=q or "", pager=pager(request, total, p))


@pages.get("/libraries/{library_id}")
def library_page(request: Request, library_id: PathId, db: Db, user: MaybeUser) -> Response:
    lib = crud.get_library(db, library_id=library_id)
    progs = db.scalars(
        select(Programme)
        .where(Programme.library_id == lib.id)
        .order_by(Programme.id.desc())
        .limit(20)
    ).all()
    return render(
        request,
        "library.html",
        **profile(db, lib),
        programmes=[ProgrammePublic.model_validate(x) for x in progs],
    )
