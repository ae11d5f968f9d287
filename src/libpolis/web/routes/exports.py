"""CSV and GeoJSON exports of each list, with the same filters as the list itself."""

from __future__ import annotations

import json
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response
from shapely import wkt
from shapely.geometry import mapping
from sqlalchemy import select
from sqlalchemy.orm import Session

from libpolis.store.tables import Area, Framework, Goal, Library, Partner, Venue
from libpolis.web import crud
from libpolis.web.deps import Db, MaybeUser
from libpolis.web.exports import rows_to_csv, rows_to_geojson

__all__ = ["router"]

router = APIRouter(prefix="/api/export", tags=["exports"])

_MAX_ROWS = 1_000_000


class Resource(StrEnum):
    libraries = "libraries"
    venues = "venues"
    programmes = "programmes"
    partners = "partners"
    partnerships = "partnerships"
    goals = "goals"


class Fmt(StrEnum):
    csv = "csv"
    geojson = "geojson"


def _point(lon: Any, lat: Any) -> dict | None:
    if lon is None or lat is None:
        return None
    return {"type": "Point", "coordinates": [float(lon), float(lat)]}


def _plain(v: Any) -> Any:
    return v.isoformat() if isinstance(v, date | datetime) else v


def _rows(db: Session, resource: Resource, user: Any, f: dict[str, Any]):
    """Columns, rows (dicts) and geometries of one list."""
    if resource is Resource.libraries:
        cols = [
            "id",
            "name",
            "kind",
            "address",
            "city",
            "lon",
            "lat",
            "hours_per_year",
            "floor_area_m2",
            "source",
            "source_id",
        ]
        stmt = select(Library).order_by(Library.id)
        if f["q"]:
            stmt = stmt.where(crud.text_match(f["q"], Library.name))
        objs = db.scalars(stmt).all()
        return cols, objs, [_point(o.lon, o.lat) for o in objs]
    if resource is Resource.venues:
        cols = ["id", "name", "kind", "lon", "lat", "n_events", "source", "source_id"]
        stmt = select(Venue).order_by(Venue.id)
        if f["q"]:
            stmt = stmt.where(crud.text_match(f["q"], Venue.name))
        objs = db.scalars(stmt).all()
        return cols, objs, [_point(o.lon, o.lat) for o in objs]
    if resource is Resource.programmes:
        cols = [
            "id",
            "title",
            "library_id",
            "library_name",
            "audience",
            "language",
            "start_date",
            "end_date",
            "attendance",
            "partners",
            "description",
            "source",
            "source_id",
        ]
        objs, _ = crud.list_programmes(
            db, q=f["q"], library_id=f["library_id"], page=1, per_page=_MAX_ROWS
        )
        objs = list(reversed(objs))
        where = {i: (x, y) for i, x, y in db.execute(select(Library.id, Library.lon, Library.lat))}
        return cols, objs, [_point(*where.get(o.library_id, (None, None))) for o in objs]
    if resource is Resource.partners:
        cols = ["id", "name", "kind", "source", "source_id"]
        objs, _ = crud.list_partners(db, q=f["q"], page=1, per_page=_MAX_ROWS)
        return cols, objs, [None] * len(objs)
    if resource is Resource.goals:
        cols = ["id", "framework", "code", "title", "text"]
        stmt = select(Goal, Framework.key).join(Framework, Framework.id == Goal.framework_id)
        if f["framework"]:
            stmt = stmt.where(Framework.key == f["framework"])
        if f["q"]:
            stmt = stmt.where(crud.text_match(f["q"], Goal.title, Goal.text))
        rows = [
            {"id": g.id, "framework": k, "code": g.code, "title": g.title, "text": g.text}
            for g, k in db.execute(stmt.order_by(Framework.key, Goal.code)).all()
        ]
        return cols, rows, [None] * len(rows)
    cols = [
        "id",
        "title",
        "status",
        "purpose",
        "partner_id",
        "partner_name",
        "library_system_id",
        "district",
        "goal_ids",
        "published",
    ]
    objs, _ = crud.list_partnerships(
        db,
        user=user,
        status=f["status"],
        goal_id=f["goal_id"],
        district=f["district"],
        q=f["q"],
        page=1,
        per_page=_MAX_ROWS,
    )
    objs = list(reversed(objs))
    partners = dict(db.execute(select(Partner.id, Partner.name)).all())
    areas = {
        n: w
        for n, w in db.execute(
            select(Area.name, Area.geometry_wkt).where(Area.kind == "district")
        ).all()
        if w
    }
    goals = crud.goal_ids_of(db, partnership_ids=[o.id for o in objs])
    rows, geoms = [], []
    for o in objs:
        rows.append(
            {c: getattr(o, c, None) for c in cols}
            | {
                "partner_name": partners.get(o.partner_id),
                "goal_ids": goals[o.id],
            }
        )
        w = areas.get(o.district or "")
        geoms.append(mapping(wkt.loads(w)) if w else None)
    return cols, rows, geoms


@router.get(
    "/{resource}.{fmt}", responses={200: {"content": {"text/csv": {}, "application/geo+json": {}}}}
)
def export(
    resource: Resource,
    fmt: Fmt,
    db: Db,
    user: MaybeUser,
    q: Annotated[str | None, Query(max_length=200)] = None,
    status: Annotated[
        str | None, Query(pattern="^(idea|proposed|agreed|active|evaluated)$")
    ] = None,
    goal_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    district: Annotated[str | None, Query(max_length=200)] = None,
    library_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    framework: Annotated[str | None, Query(max_length=100)] = None,
) -> Response:
    """The whole list (not one page) as CSV or GeoJSON (WGS84); partnerships only those the
    caller may see."""
    f = {
        "q": q,
        "status": status,
        "goal_id": goal_id,
        "district": district,
        "library_id": library_id,
        "framework": framework,
    }
    cols, objs, geoms = _rows(db, resource, user, f)
    rows = [
        {c: _plain(o.get(c) if isinstance(o, dict) else getattr(o, c, None)) for c in cols}
        for o in objs
    ]
    name = f"{resource.value}.{fmt.value}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    if fmt is Fmt.csv:
        return Response(
            rows_to_csv(rows, cols), media_type="text/csv; charset=utf-8", headers=headers
        )
    body = json.dumps(rows_to_geojson(rows, cols, geoms), ensure_ascii=False, default=str)
    return Response(body, media_type="application/geo+json", headers=headers)
