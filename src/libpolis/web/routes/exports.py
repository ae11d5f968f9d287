"""CSV, XLSX and GeoJSON exports of each list, with the same filters as the list itself.

Goals are written as a readable list (``"SDG 4.1 Quality education; UDHR 27 …"``) next to
their ids (``"4; 11; 44"``); indicators come one row per measurement.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response
from shapely import wkt
from shapely.geometry import mapping
from sqlalchemy import select
from sqlalchemy.orm import Session

from libpolis.goal_names import goal_label, goal_order
from libpolis.store.tables import (
    Alignment,
    Area,
    Framework,
    Goal,
    Indicator,
    Library,
    LibrarySystem,
    Partner,
    Venue,
)
from libpolis.web import crud
from libpolis.web.deps import Db, MaybeUser
from libpolis.web.exports import XLSX_TYPE, rows_to_csv, rows_to_geojson, rows_to_xlsx
from libpolis.web.schemas import STATUS_PATTERN

__all__ = ["router"]

router = APIRouter(prefix="/api/export", tags=["exports"])

_MAX_ROWS = 1_000_000


class Resource(StrEnum):
    libraries = "libraries"
    venues = "venues"
    programmes = "programmes"
    partners = "partners"
    partnerships = "partnerships"
    indicators = "indicators"
    goals = "goals"


class Fmt(StrEnum):
    csv = "csv"
    xlsx = "xlsx"
    geojson = "geojson"


_LABEL_CHARS = 80  # a goal's label in an export: "SDG 4.1 By 2030, ensure that all girls…"


def _point(lon: Any, lat: Any) -> dict | None:
    if lon is None or lat is None:
        return None
    return {"type": "Point", "coordinates": [float(lon), float(lat)]}


def _goal_labels(db: Session, goal_ids: Sequence[int]) -> dict[int, tuple[tuple, str]]:
    """``{goal id: (sort key, readable label)}`` of the given goals."""
    if not goal_ids:
        return {}
    rows = db.execute(
        select(Goal.id, Goal.code, Goal.title, Framework.key)
        .join(Framework, Framework.id == Goal.framework_id)
        .where(Goal.id.in_(sorted(set(goal_ids))))
    ).all()
    return {
        r.id: (goal_order(r.key, r.code), goal_label(r.key, r.code, r.title, max_chars=_LABEL_CHARS))
        for r in rows
    }


def _goal_cells(labels: dict[int, tuple[tuple, str]], ids: Sequence[int]) -> dict[str, Any]:
    """The ``goals`` (readable, in framework and numeric order) and ``goal_ids`` cells."""
    ordered = sorted((labels[i] for i in ids if i in labels), key=lambda t: t[0])
    return {"goals": [t[1] for t in ordered], "goal_ids": sorted(ids)}


def _programme_goals(db: Session, programme_ids: Sequence[int]) -> dict[int, list[int]]:
    """Goals of each programme's confirmed alignments."""
    out: dict[int, list[int]] = {}
    for pid, gid in db.execute(
        select(Alignment.programme_id, Alignment.goal_id).where(Alignment.status == "confirmed")
    ).all():
        out.setdefault(pid, []).append(gid)
    wanted = set(programme_ids)
    return {k: v for k, v in out.items() if k in wanted}


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
            "goals",
            "goal_ids",
            "description",
            "source",
            "source_id",
        ]
        objs, _ = crud.list_programmes(
            db, q=f["q"], library_id=f["library_id"], page=1, per_page=_MAX_ROWS
        )
        objs = list(reversed(objs))
        where = {i: (x, y) for i, x, y in db.execute(select(Library.id, Library.lon, Library.lat))}
        names = dict(db.execute(select(Library.id, Library.name)).all())
        pgoals = _programme_goals(db, [o.id for o in objs])
        labels = _goal_labels(db, [g for gs in pgoals.values() for g in gs])
        rows = [
            {c: getattr(o, c, None) for c in cols}
            | {"library_name": o.library_name or names.get(o.library_id)}
            | _goal_cells(labels, pgoals.get(o.id, []))
            for o in objs
        ]
        return cols, rows, [_point(*where.get(o.library_id, (None, None))) for o in objs]
    if resource is Resource.partners:
        cols = [
            "id",
            "name",
            "kind",
            "contact_name",
            "email",
            "phone",
            "website",
            "address",
            "source",
            "source_id",
        ]
        objs, _ = crud.list_partners(db, q=f["q"], page=1, per_page=_MAX_ROWS)
        return cols, objs, [None] * len(objs)
    if resource is Resource.goals:
        cols = ["id", "framework", "code", "title", "text"]
        stmt = select(Goal, Framework.key).join(Framework, Framework.id == Goal.framework_id)
        if f["framework"]:
            stmt = stmt.where(Framework.key == f["framework"])
        if f["q"]:
            stmt = stmt.where(crud.text_match(f["q"], Goal.title, Goal.text))
        found = sorted(db.execute(stmt).all(), key=lambda gk: goal_order(gk[1], gk[0].code))
        rows = [
            {"id": g.id, "framework": k, "code": g.code, "title": g.title, "text": g.text}
            for g, k in found
        ]
        return cols, rows, [None] * len(rows)
    if resource is Resource.indicators:
        return _indicator_rows(db, user, f)
    return _partnership_rows(db, user, f)


_PARTNERSHIP_COLUMNS = [
    "id",
    "title",
    "status",
    "purpose",
    "partner_id",
    "partner_name",
    "library_system_id",
    "library_system",
    "libraries",
    "programmes",
    "district",
    "start_date",
    "end_date",
    "review_date",
    "budget",
    "funding_source",
    "contacts",
    "goals",
    "goal_ids",
    "published",
]


def _visible(db: Session, user: Any, f: dict[str, Any]) -> list:
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
    return list(reversed(objs))


def _partnership_rows(db: Session, user: Any, f: dict[str, Any]):
    """Partnerships the caller may see, one row each, with their people and goals readable."""
    cols = _PARTNERSHIP_COLUMNS
    objs = _visible(db, user, f)
    ids = [o.id for o in objs]
    partners = dict(db.execute(select(Partner.id, Partner.name)).all())
    systems = dict(db.execute(select(LibrarySystem.id, LibrarySystem.name)).all())
    areas = {
        n: w
        for n, w in db.execute(
            select(Area.name, Area.geometry_wkt).where(Area.kind == "district")
        ).all()
        if w
    }
    goals = crud.goal_ids_of(db, partnership_ids=ids)
    labels = _goal_labels(db, [g for gs in goals.values() for g in gs])
    links = crud.links_of(db, partnership_ids=ids)
    rows, geoms = [], []
    for o in objs:
        link = links[o.id]
        rows.append(
            {c: getattr(o, c, None) for c in cols}
            | {
                "partner_name": partners.get(o.partner_id),
                "library_system": systems.get(o.library_system_id),
                "libraries": [n for _, n in link["libraries"]],
                "programmes": [n for _, n in link["programmes"]],
                "contacts": [_contact(c) for c in link["contacts"]],
            }
            | _goal_cells(labels, goals[o.id])
        )
        w = areas.get(o.district or "")
        geoms.append(mapping(wkt.loads(w)) if w else None)
    return cols, rows, geoms


def _contact(c: Any) -> str:
    """``"Aino Virtanen (librarian, aino@example.org), library"``."""
    extra = ", ".join(x for x in (c.role, c.email) if x)
    return f"{c.name}{f' ({extra})' if extra else ''}, {c.side}"


_INDICATOR_COLUMNS = [
    "partnership_id",
    "partnership",
    "indicator_id",
    "indicator",
    "unit",
    "baseline",
    "target",
    "latest",
    "measured_on",
    "value",
    "source",
    "recorded_by",
]


def _indicator_rows(db: Session, user: Any, f: dict[str, Any]):
    """Indicators of the partnerships the caller may see: one row per measurement (one row
    with empty measurement cells for an indicator not measured yet)."""
    objs = {o.id: o for o in _visible(db, user, f)}
    inds = (
        db.scalars(
            select(Indicator)
            .where(Indicator.partnership_id.in_(list(objs)))
            .order_by(Indicator.partnership_id, Indicator.id)
        ).all()
        if objs
        else []
    )
    found = crud.measurements_of(db, indicator_ids=[i.id for i in inds])
    rows = []
    for i in inds:
        base = {
            "partnership_id": i.partnership_id,
            "partnership": objs[i.partnership_id].title,
            "indicator_id": i.id,
            "indicator": i.name,
            "unit": i.unit,
            "baseline": i.baseline,
            "target": i.target,
            "latest": i.measured,
        }
        for m in found[i.id] or [None]:
            rows.append(
                base
                | (
                    {
                        "measured_on": m.measured_on,
                        "value": m.value,
                        "source": m.source,
                        "recorded_by": m.recorded_by,
                    }
                    if m is not None
                    else {}
                )
            )
    return _INDICATOR_COLUMNS, rows, [None] * len(rows)


def _one_column_per_goal(
    db: Session, cols: list[str], rows: list[dict[str, Any]]
) -> tuple[list[str], list[dict[str, Any]]]:
    """The ``goals`` column replaced by one column per goal served by any row, named by the
    goal (``"SDG 4.1 Quality education"``), holding 1 where the row serves it."""
    labels = _goal_labels(db, [g for r in rows for g in r.get("goal_ids") or []])
    order = sorted(labels, key=lambda g: labels[g][0])
    names: dict[int, str] = {}
    for g in order:
        name = labels[g][1]
        names[g] = name if name not in names.values() and name not in cols else f"{name} ({g})"
    at = cols.index("goals")
    new_cols = cols[:at] + [names[g] for g in order] + cols[at + 1 :]
    out = []
    for r in rows:
        served = set(r.get("goal_ids") or [])
        out.append(
            {k: v for k, v in r.items() if k != "goals"}
            | {names[g]: (1 if g in served else None) for g in order}
        )
    return new_cols, out


@router.get(
    "/{resource}.{fmt}",
    responses={
        200: {"content": {"text/csv": {}, XLSX_TYPE: {}, "application/geo+json": {}}}
    },
)
def export(
    resource: Resource,
    fmt: Fmt,
    db: Db,
    user: MaybeUser,
    q: Annotated[str | None, Query(max_length=200)] = None,
    status: Annotated[str | None, Query(pattern=STATUS_PATTERN)] = None,
    goal_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    district: Annotated[str | None, Query(max_length=200)] = None,
    library_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    framework: Annotated[str | None, Query(max_length=100)] = None,
    goal_columns: Annotated[
        bool,
        Query(description="Partnerships and programmes: one column per goal (1 where it serves "
        "it) in place of the readable list"),
    ] = False,
) -> Response:
    """The whole list (not one page) as CSV, XLSX or GeoJSON (WGS84); partnerships and their
    indicators only those the caller may see."""
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
        {c: o.get(c) if isinstance(o, dict) else getattr(o, c, None) for c in cols} for o in objs
    ]
    if goal_columns and "goals" in cols:
        cols, rows = _one_column_per_goal(db, cols, rows)
    name = f"{resource.value}.{fmt.value}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    if fmt is Fmt.csv:
        return Response(
            rows_to_csv(rows, cols), media_type="text/csv; charset=utf-8", headers=headers
        )
    if fmt is Fmt.xlsx:
        return Response(
            rows_to_xlsx(rows, cols, resource.value), media_type=XLSX_TYPE, headers=headers
        )
    body = json.dumps(rows_to_geojson(rows, cols, geoms), ensure_ascii=False, default=str)
    return Response(body, media_type="application/geo+json", headers=headers)
