"""The evidence and the map layers the dashboard shows, cached until the store changes.

The figures come from :func:`libpolis.evidence.assemble_evidence`, the same function the brief
uses, so the dashboard and the brief never disagree. Assembling reads whole tables, so the
result is kept until the store revision (:mod:`libpolis.store.revision`) moves; then a cheap
fingerprint of what the evidence reads (newest run, newest dataset, number of libraries and
venues) decides whether to rebuild it.
"""

from __future__ import annotations

import hashlib
import json
import math
import threading
from typing import Any

import pandas as pd
from shapely import wkt
from shapely.geometry import mapping
from sqlalchemy import Engine, func, select

from libpolis.evidence import Evidence, Figure, assemble_evidence
from libpolis.store import read_revision, read_table, side_engine
from libpolis.store.revision import ANY, note_read
from libpolis.store.tables import Dataset, Library, Run, Venue

__all__ = ["HEADLINE", "LiveEvidence", "display_value"]

HEADLINE = (
    "libraries",
    "venues",
    "residents",
    "coverage_500m",
    "coverage_1000m",
    "mean_dist_m",
    "share_nearest_culture_library",
)
"""The figures shown at the top of the dashboard (the brief's headline, in its order)."""


def display_value(f: Figure) -> str:
    """A figure's value as the brief prints it (English), so both read the same."""
    try:
        from libpolis.report.document import display_value as report_display
        from libpolis.report.i18n import get_lang

        return report_display(get_lang("en"), f)
    except ImportError:  # an older report module: the same rules, written here
        if f.value is None:
            return "–"
        v = float(f.value)
        if f.unit == "share":
            return f"{100 * v:.1f} %"
        if f.unit == "m":
            return f"{v:,.0f} m"
        return f"{v:,.0f}"


def headline_keys(ev: Evidence) -> list[str]:
    """The brief's headline figures (the report module decides), else :data:`HEADLINE`."""
    try:
        from libpolis.report.document import headline_keys as report_headline
    except ImportError:
        return [k for k in HEADLINE if k in ev.figures]
    return report_headline(ev)


def _district_rows(frame: pd.DataFrame | None) -> list[dict[str, Any]]:
    """District access rows with fixed keys (``residents``, ``mean_dist_m``, ``within_<t>m``)
    whatever the evidence names its columns (``mean`` or ``mean_dist_m``, ``within_500`` or
    ``within_500m``)."""
    if frame is None or not len(frame):
        return []
    out = []
    for r in frame.sort_values("district").to_dict("records"):
        row: dict[str, Any] = {
            "district": r["district"],
            "residents": _num(r.get("residents")),
            "mean_dist_m": _num(r.get("mean_dist_m", r.get("mean"))),
        }
        for t in (250, 500, 1000):
            row[f"within_{t}m"] = _num(r.get(f"within_{t}m", r.get(f"within_{t}")))
        out.append(row)
    return out


def _num(v: Any) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def _plain(d: dict[str, Any]) -> dict[str, Any]:
    """JSON-ready copy of a figure: numpy numbers become Python numbers, tuples lists."""
    out = {}
    for k, v in d.items():
        if hasattr(v, "item"):
            v = v.item()
        elif isinstance(v, tuple):
            v = list(v)
        if isinstance(v, float) and math.isnan(v):
            v = None
        out[k] = v
    return out


def _point(lon: Any, lat: Any) -> dict[str, Any] | None:
    x, y = _num(lon), _num(lat)
    return {"type": "Point", "coordinates": [x, y]} if x is not None and y is not None else None


class LiveEvidence:
    """Evidence and map layers of one store, rebuilt when the store changes."""

    def __init__(self, engine: Engine) -> None:
        # a pool of its own: a rebuild holds the lock while request threads, each perhaps
        # holding one of the app's pooled connections, wait for it
        self.engine = side_engine(engine, pool_size=2)
        self._lock = threading.Lock()
        self._revision: int | None = None
        self._fingerprint: tuple | None = None
        self._evidence: Evidence | None = None
        self._view: dict[str, Any] = {}
        self._map: dict[str, Any] = {}
        self._map_json = b"{}"
        self._etag = '""'

    def _current_fingerprint(self) -> tuple:
        stmt = select(
            select(func.max(Run.id)).scalar_subquery(),
            select(func.max(Dataset.imported_at)).scalar_subquery(),
            select(func.count()).select_from(Library).scalar_subquery(),
            select(func.max(Library.updated_at)).scalar_subquery(),
            select(func.count()).select_from(Venue).scalar_subquery(),
        )
        with self.engine.connect() as conn:
            return tuple(conn.execute(stmt).one())

    def _refresh(self) -> None:
        # what is built here is served from memory, so the SQL of a request using it does not
        # show what it depends on: every write (see libpolis.web.cache)
        note_read(ANY)
        revision = read_revision(self.engine)
        if revision == self._revision and self._evidence is not None:
            return
        with self._lock:
            if revision == self._revision and self._evidence is not None:
                return
            fp = self._current_fingerprint()
            if fp != self._fingerprint or self._evidence is None:
                ev = assemble_evidence(self.engine)
                self._view = self._build_view(ev)
                self._map = self._build_map(ev)
                self._map_json = json.dumps(self._map, separators=(",", ":")).encode()
                self._evidence = ev
                self._fingerprint = fp
                digest = hashlib.sha256(repr(fp).encode()).hexdigest()[:20]
                self._etag = f'"ev-{digest}"'
            self._revision = revision

    @property
    def fingerprint(self) -> tuple | None:
        """The store fingerprint the cached evidence was built from."""
        return self._fingerprint

    def evidence(self) -> Evidence:
        self._refresh()
        assert self._evidence is not None
        return self._evidence

    def view(self) -> dict[str, Any]:
        """Figures (with display strings), districts and missing steps for the dashboard."""
        self._refresh()
        return self._view

    def map_layers(self) -> dict[str, Any]:
        """GeoJSON FeatureCollections: ``districts``, ``units``, ``libraries``, ``venues``."""
        self._refresh()
        return self._map

    def map_json(self) -> tuple[str, bytes]:
        """:meth:`map_layers` serialised once per rebuild (the layers are large), with an
        HTTP entity tag that changes when they do; both from one check of the store."""
        self._refresh()
        return self._etag, self._map_json

    @staticmethod
    def _build_view(ev: Evidence) -> dict[str, Any]:
        figs = {
            k: {**_plain(f.as_dict()), "display": display_value(f)} for k, f in ev.figures.items()
        }
        return {
            "figures": figs,
            "headline": [figs[k] for k in headline_keys(ev) if k in figs],
            "districts": _district_rows(ev.tables.get("districts")),
            "missing": dict(ev.missing),
            "sources": [_plain(r) for r in ev.sources.astype(object).to_dict("records")],
        }

    def _build_map(self, ev: Evidence) -> dict[str, Any]:
        libs = read_table(self.engine, "library")
        venues = read_table(self.engine, "venue")
        areas = read_table(self.engine, "area")
        cover = {r["district"]: r for r in _district_rows(ev.tables.get("districts"))}

        def fc(features: list[dict[str, Any]]) -> dict[str, Any]:
            return {"type": "FeatureCollection", "features": features}

        lib_f = [
            {
                "type": "Feature",
                "geometry": _point(r["lon"], r["lat"]),
                "properties": {"id": int(r["id"]), "name": r["name"], "kind": r["kind"]},
            }
            for r in libs.to_dict("records")
            if _point(r["lon"], r["lat"])
        ]
        ven_f = [
            {
                "type": "Feature",
                "geometry": _point(r["lon"], r["lat"]),
                "properties": {"name": r["name"], "kind": r["kind"]},
            }
            for r in venues.to_dict("records")
            if _point(r["lon"], r["lat"])
        ]
        area_f = []
        for r in areas.to_dict("records"):
            if r["kind"] != "district" or not r["geometry_wkt"]:
                continue
            geom = wkt.loads(r["geometry_wkt"]).simplify(0.0003, preserve_topology=True)
            c = cover.get(r["name"], {})
            area_f.append(
                {
                    "type": "Feature",
                    "geometry": mapping(geom),
                    "properties": {
                        "name": r["name"],
                        "residents": _num(c.get("residents")),
                        "mean_dist_m": _num(c.get("mean_dist_m")),
                        "within_500m": _num(c.get("within_500m")),
                        "within_1000m": _num(c.get("within_1000m")),
                    },
                }
            )
        units = ev.tables.get("access_units", pd.DataFrame())
        unit_f = []
        if len(units) and {"lon", "lat", "dist_m"} <= set(units.columns):
            for r in units[["lon", "lat", "dist_m", "population"]].to_dict("records"):
                if _point(r["lon"], r["lat"]):
                    unit_f.append(
                        {
                            "type": "Feature",
                            "geometry": _point(r["lon"], r["lat"]),
                            "properties": {
                                "dist_m": round(float(r["dist_m"]), 1),
                                "population": _num(r["population"]),
                            },
                        }
                    )
        return {
            "districts": fc(area_f),
            "units": fc(unit_f),
            "libraries": fc(lib_f),
            "venues": fc(ven_f),
        }
