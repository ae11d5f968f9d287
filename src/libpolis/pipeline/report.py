"""The report step: the evidence read from the workspace, rendered as the city brief."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from libpolis.errors import LibpolisError
from libpolis.evidence import Evidence, assemble_evidence
from libpolis.pipeline.inputs import street_network
from libpolis.pipeline.requests import ReportRequest, ReportResult
from libpolis.report import brief
from libpolis.sources.basemap import basemap_from_pbf

__all__ = ["evidence_of", "run_report"]


def evidence_of(engine: Engine, *, area: str | None = None) -> Evidence:
    """Every figure the workspace supports, as the brief, the dashboard and the API show it;
    with ``tables["basemap"]`` (streets and water of the workspace's OpenStreetMap file around
    the populated cells and the libraries) when the workspace has a street network."""
    ev = assemble_evidence(engine, area=area)
    ev.tables["basemap"] = _basemap(engine, ev)
    return ev


def _extent(ev: Evidence) -> tuple[float, float, float, float] | None:
    """The area the maps frame: the populated cells, else the libraries and the venues; with
    a 10 % margin."""
    for names in (("access_units",), ("library_points", "venue_points")):
        lon_parts, lat_parts = [], []
        for name in names:
            t = ev.tables.get(name)
            if t is not None and len(t) and {"lon", "lat"} <= set(t.columns):
                lon_parts.append(pd.to_numeric(t["lon"], errors="coerce").to_numpy(float))
                lat_parts.append(pd.to_numeric(t["lat"], errors="coerce").to_numpy(float))
        if not lon_parts:
            continue
        lon, lat = np.concatenate(lon_parts), np.concatenate(lat_parts)
        ok = np.isfinite(lon) & np.isfinite(lat)
        if ok.any():
            x0, x1, y0, y1 = lon[ok].min(), lon[ok].max(), lat[ok].min(), lat[ok].max()
            dx, dy = (x1 - x0) * 0.1 + 0.003, (y1 - y0) * 0.1 + 0.003
            return (float(x0 - dx), float(y0 - dy), float(x1 + dx), float(y1 + dy))
    return None


def _basemap(engine: Engine, ev: Evidence) -> pd.DataFrame:
    empty = pd.DataFrame(columns=["layer", "geometry_wkt"])
    bounds = _extent(ev)
    if bounds is None:
        return empty
    try:
        path, _ = street_network(engine)
    except LibpolisError:
        return empty  # no street network: the maps show the data alone
    return basemap_from_pbf(path, bounds)

def run_report(
    engine: Engine, request: ReportRequest | None = None, *, evidence: Evidence | None = None
) -> ReportResult:
    """Write the brief (``brief[.<lang>].html`` / ``.pdf``) into ``request.out``."""
    req = request or ReportRequest()
    ev = evidence if evidence is not None else evidence_of(engine, area=req.area)
    out = brief.render_brief(ev, req.out, lang=req.lang, formats=req.formats, today=req.today)
    files = {k: str(out[k]) for k in ("html", "pdf") if k in out}
    summary = {k: v for k, v in out.items() if k not in files}
    return ReportResult(None, summary, files=files)
