"""The city dashboard, the evidence and map layers behind it, and the brief for download."""

from __future__ import annotations

import threading
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, Response
from sqlalchemy import func, select

from libpolis.errors import NotFoundError
from libpolis.store.tables import Alignment, Programme
from libpolis.web import crud
from libpolis.web.deps import Db, MaybeUser, WebConfig
from libpolis.web.live import LiveEvidence, figure_view
from libpolis.web.routes._common import render
from libpolis.web.visibility import audience_of, evidence_for, figures_for, register_fingerprint

__all__ = ["pages", "router"]

router = APIRouter(prefix="/api", tags=["evidence"])
pages = APIRouter(include_in_schema=False)

_brief_lock = threading.Lock()


class BriefLanguage(StrEnum):
    """The languages the brief is written in (those of :mod:`libpolis.report.i18n`)."""

    en = "en"
    fr = "fr"
    es = "es"
    pt = "pt"


_MEDIA = {"html": "text/html; charset=utf-8", "pdf": "application/pdf"}


@router.get("/evidence")
def api_evidence(request: Request, db: Db, user: MaybeUser) -> dict[str, Any]:
    """Every figure of the workspace with value, unit, sources, method and command — the same
    figures the brief prints; the register's count only the partnerships the caller may see."""
    live: LiveEvidence = request.app.state.live
    view = live.view()
    return {
        "place": view["place"],
        "mode": view["mode"],
        "unit": view["unit"],
        "figures": figures_for(db, live.evidence(), view["figures"], user, figure_view),
        "headline": [f["key"] for f in view["headline"]],
        "equity": [f["key"] for f in view["equity"]],
        "districts": view["districts"],
        "missing": view["missing"],
        "sources": view["sources"],
    }


@router.get("/map", response_class=Response, responses={200: {"content": {"application/json": {}}}})
def api_map(request: Request) -> Response:
    """GeoJSON FeatureCollections of the dashboard map, as one object with keys
    ``districts`` (share of residents within the main standard, ``within_main``), ``units``
    (population units with ``value``: the headline distance in m or travel time in min),
    ``libraries``, ``venues`` and ``basemap`` (streets and water from the workspace's own
    OpenStreetMap file, drawn under the data); ``legend`` gives the unit and the colour breaks."""
    live: LiveEvidence = request.app.state.live
    tag, body = live.map_json()
    # browsers may keep it and revalidate: 304 while the evidence is unchanged
    headers = {"ETag": tag, "Cache-Control": "no-cache"}
    if tag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)


def _brief_fingerprint(request: Request, db: Any, user: Any) -> tuple:
    live: LiveEvidence = request.app.state.live
    live.view()
    decided = db.execute(
        select(func.count(), func.max(Alignment.decided_at)).where(Alignment.status == "confirmed")
    ).one()
    return (live.fingerprint, tuple(decided), register_fingerprint(db, user))


def _write_brief(request: Request, db: Any, user: Any, fmt: str, lang: str = "en") -> Path:
    """The brief in ``fmt`` for ``user``'s eyes (:mod:`libpolis.web.visibility`), rewritten
    only when the evidence, the alignments or the register as they see it changed; it renders
    the same evidence the dashboard shows."""
    from libpolis.pipeline import ReportRequest, run_report

    cfg: WebConfig = request.app.state.config
    engine = request.app.state.engine
    fp = _brief_fingerprint(request, db, user)
    audience = audience_of(user).key
    cache: dict[str, Any] = request.app.state.__dict__.setdefault("_brief_cache", {})
    with _brief_lock:
        hit = cache.get((fmt, lang, audience))
        if hit and hit[0] == fp and Path(hit[1]).exists():
            return Path(hit[1])
        live: LiveEvidence = request.app.state.live
        out = cfg.brief_dir / audience.replace(":", "-")
        req = ReportRequest(out=out, formats=(fmt,), lang=lang)
        files = run_report(engine, req, evidence=evidence_for(db, live.evidence(), user)).files
        if fmt not in files:
            raise NotFoundError(f"the brief could not be written as {fmt} in {lang}")
        cache[(fmt, lang, audience)] = (fp, files[fmt])
        return Path(files[fmt])


@router.get(
    "/brief.{fmt}",
    response_class=FileResponse,
    responses={200: {"content": {"text/html": {}, "application/pdf": {}}}},
)
def api_brief(
    fmt: Literal["html", "pdf"],
    request: Request,
    db: Db,
    user: MaybeUser,
    lang: Annotated[BriefLanguage, Query(description="Language of the brief")] = BriefLanguage.en,
) -> FileResponse:
    """The city brief (HTML or PDF) written from the current evidence, for download.

    Its partnership register lists and counts only the partnerships the caller may see: the
    published ones, and for library staff their own system's, for officers and admins all."""
    path = _write_brief(request, db, user, fmt, lang.value)
    name = "brief" if lang is BriefLanguage.en else f"brief.{lang.value}"
    return FileResponse(path, media_type=_MEDIA[fmt], filename=f"{name}.{fmt}")


@pages.get("/")
def dashboard(request: Request, db: Db, user: MaybeUser) -> Response:
    live: LiveEvidence = request.app.state.live
    by_status = crud.partnership_status_counts(db, user=user)
    counts = {
        "programmes": db.scalar(select(func.count()).select_from(Programme)) or 0,
        "partnerships": sum(by_status.values()),
        "confirmed": db.scalar(
            select(func.count()).select_from(Alignment).where(Alignment.status == "confirmed")
        )
        or 0,
    }
    view = live.view()
    figures = figures_for(db, live.evidence(), view["figures"], user, figure_view)
    return render(
        request,
        "dashboard.html",
        ev={**view, "figures": figures},
        counts=counts,
        by_status=by_status,
    )


@pages.get("/api/docs")
def api_docs(request: Request, user: MaybeUser) -> Response:
    """A readable list of the API's operations, rendered from the OpenAPI document."""
    spec = request.app.openapi()
    ops = []
    for path, methods in spec.get("paths", {}).items():
        for method, op in methods.items():
            params = [
                {"name": p["name"], "in": p["in"], "required": p.get("required", False)}
                for p in op.get("parameters", [])
            ]
            body = op.get("requestBody", {}).get("content", {})
            ops.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "tag": (op.get("tags") or [""])[0],
                    "summary": op.get("summary", ""),
                    "description": op.get("description", ""),
                    "params": params,
                    "body": ", ".join(body),
                }
            )
    return render(request, "api_docs.html", ops=ops, title=spec["info"]["title"])
