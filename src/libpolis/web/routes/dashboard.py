"""The city dashboard, the evidence and map layers behind it, and the brief for download."""

from __future__ import annotations

import inspect
import threading
from pathlib import Path
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response
from sqlalchemy import func, select

from libpolis.errors import NotFoundError
from libpolis.store.tables import Alignment, Partnership, Programme
from libpolis.web.deps import Db, MaybeUser, WebConfig
from libpolis.web.live import LiveEvidence
from libpolis.web.routes._common import render

__all__ = ["pages", "router"]

router = APIRouter(prefix="/api", tags=["evidence"])
pages = APIRouter(include_in_schema=False)

_brief_lock = threading.Lock()
_MEDIA = {"html": "text/html; charset=utf-8", "pdf": "application/pdf"}


@router.get("/evidence")
def api_evidence(request: Request) -> dict[str, Any]:
    """Every figure of the workspace with value, unit, sources, method and command — the same
    figures the brief prints."""
    live: LiveEvidence = request.app.state.live
    view = live.view()
    return {
        "figures": view["figures"],
        "headline": [f["key"] for f in view["headline"]],
        "districts": view["districts"],
        "missing": view["missing"],
        "sources": view["sources"],
    }


@router.get("/map", response_class=Response, responses={200: {"content": {"application/json": {}}}})
def api_map(request: Request) -> Response:
    """GeoJSON FeatureCollections of the dashboard map, as one object with keys
    ``districts`` (with access by district), ``units`` (population units with the distance
    to the nearest library, m), ``libraries`` and ``venues``."""
    live: LiveEvidence = request.app.state.live
    return Response(live.map_json(), media_type="application/json")


def _brief_fingerprint(request: Request, db: Any) -> tuple:
    live: LiveEvidence = request.app.state.live
    live.view()
    decided = db.execute(
        select(func.count(), func.max(Alignment.decided_at)).where(Alignment.status == "confirmed")
    ).one()
    return (live.fingerprint, tuple(decided))


def _write_brief(request: Request, db: Any, fmt: str) -> Path:
    """The brief in ``fmt``, rewritten only when the evidence or the alignments changed."""
    from libpolis.report import brief as report

    cfg: WebConfig = request.app.state.config
    engine = request.app.state.engine
    fp = _brief_fingerprint(request, db)
    cache: dict[str, Any] = request.app.state.__dict__.setdefault("_brief_cache", {})
    with _brief_lock:
        hit = cache.get(fmt)
        if hit and hit[0] == fp and Path(hit[1]).exists():
            return Path(hit[1])
        params = inspect.signature(report.write_brief).parameters
        if "formats" in params:
            out = report.write_brief(engine, cfg.brief_dir, formats=(fmt,))
        elif fmt == "html":
            out = report.write_brief(
                engine,
                cfg.brief_dir,
                title="Libraries and the city",
                subtitle="Evidence from the libpolis workspace",
            )
        else:
            out = {}
        path = out.get(fmt)
        if not path:
            raise NotFoundError(f"the installed report module cannot write the brief as {fmt}")
        cache[fmt] = (fp, str(path))
        return Path(path)


@router.get(
    "/brief.{fmt}",
    response_class=FileResponse,
    responses={200: {"content": {"text/html": {}, "application/pdf": {}}}},
)
def api_brief(fmt: Literal["html", "pdf"], request: Request, db: Db) -> FileResponse:
    """The city brief (HTML or PDF) written from the current evidence, for download."""
    path = _write_brief(request, db, fmt)
    return FileResponse(path, media_type=_MEDIA[fmt], filename=f"brief.{fmt}")


@pages.get("/")
def dashboard(request: Request, db: Db, user: MaybeUser) -> Response:
    live: LiveEvidence = request.app.state.live
    counts = {
        "programmes": db.scalar(select(func.count()).select_from(Programme)) or 0,
        "partnerships": db.scalar(select(func.count()).select_from(Partnership)) or 0,
        "confirmed": db.scalar(
            select(func.count()).select_from(Alignment).where(Alignment.status == "confirmed")
        )
        or 0,
    }
    by_status = dict(
        db.execute(select(Partnership.status, func.count()).group_by(Partnership.status)).all()
    )
    return render(request, "dashboard.html", ev=live.view(), counts=counts, by_status=by_status)
