"""The evidence and the map layers the dashboard shows, cached until the store changes.

The figures come from :func:`libpolis.pipeline.evidence_of`, the same evidence the brief
renders, formatted by the same :func:`libpolis.evidence.display_value`, so the dashboard and
the brief never disagree. The web renders only evidence: it reads no result table itself. Assembling reads whole tables, so the
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

from libpolis.evidence import Evidence, NumberFormat, display_value, headline_keys
from libpolis.pipeline import evidence_of
from libpolis.store import read_revision, side_engine
from libpolis.store.revision import ANY, note_read
from libpolis.store.tables import Dataset, Library, Run, Venue

__all__ = ["EQUITY_KEYS", "LiveEvidence", "district_table", "figure_view", "map_legend"]

#: The inequality and capacity figures the dashboard shows beside the headline, in order.
EQUITY_KEYS = (
    "gini",
    "concentration_index",
    "e2sfca_median",
    "e2sfca_p10",
    "e2sfca_p90",
    "e2sfca_residents_zero",
)


def _within_label(t: float, unit: str) -> str:
    if unit == "m" and t >= 1000:
        return f"Within {t / 1000:g} km"
    return f"Within {t:g} {unit}"


def district_table(ev: Evidence) -> dict[str, Any]:
    """The access-by-district table in the headline mode: column headings with their unit, and
    one row per district with raw values and the strings shown (the brief's formats)."""
    frame = ev.tables.get("districts")
    unit = ev.headline_unit or "m"
    ts = [float(t) for t in ev.facts.get("thresholds", [])]
    what = "travel time" if unit == "min" else "distance"
    columns = [
        {"key": "residents", "label": "Residents"},
        {"key": "mean", "label": f"Mean {what} ({unit})"},
        *({"key": f"within_{t:g}", "label": _within_label(t, unit), "t": t} for t in ts),
    ]
    rows: list[dict[str, Any]] = []
    if frame is not None and len(frame):
        nf = NumberFormat("en")
        for r in frame.sort_values("district").to_dict("records"):
            values = {c["key"]: _num(r.get(c["key"])) for c in columns}
            shown = [
                nf.int(values["residents"]),
                nf.cost(values["mean"], unit),
                *(nf.pct(values[c["key"]]) for c in columns[2:]),
            ]
            rows.append({"district": str(r["district"]), **values, "cells": shown})
    return {"mode": ev.headline_mode, "unit": unit, "columns": columns, "rows": rows}


def map_legend(ev: Evidence) -> dict[str, Any]:
    """How the map colours residents: by the headline value, green up to the threshold below
    the main standard, orange up to the standard, red beyond."""
    unit = ev.headline_unit or "m"
    main = ev.facts.get("main_threshold")
    ts = sorted(float(t) for t in ev.facts.get("thresholds", []))
    if main is None:
        return {"unit": unit, "breaks": [], "mode": ev.headline_mode}
    lower = [t for t in ts if t < float(main)]
    breaks = [lower[-1] if lower else float(main) / 2, float(main)]
    return {"unit": unit, "breaks": breaks, "mode": ev.headline_mode}


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


def figure_view(f: Any) -> dict[str, Any]:
    """A figure as the dashboard and ``/api/evidence`` show it (with its display string)."""
    return {**_plain(f.as_dict()), "display": display_value(f, "en")}


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
                ev = evidence_of(self.engine)
                self._view = self._build_view(ev)
                self._map = self._build_map(ev, self._view)
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
        figs = {k: figure_view(f) for k, f in ev.figures.items()}
        return {
            "place": ev.place_name,
            "mode": ev.headline_mode,
            "unit": ev.headline_unit,
            "figures": figs,
            "headline": [figs[k] for k in headline_keys(ev) if k in figs],
            "equity": [figs[k] for k in EQUITY_KEYS if k in figs],
            "partial": ev.facts.get("headline_partial"),
            "districts": district_table(ev),
            "legend": map_legend(ev),
            "missing": dict(ev.missing),
            "sources": [_plain(r) for r in ev.sources.astype(object).to_dict("records")],
        }

    @staticmethod
    def _build_map(ev: Evidence, view: dict[str, Any]) -> dict[str, Any]:
        """GeoJSON layers from the evidence alone: districts (with access in the headline mode),
        residents (the headline value), libraries, venues, and the basemap (streets and water
        of the workspace's OpenStreetMap file, ``properties.layer`` one of ``water``,
        ``waterway``, ``minor``, ``major``)."""
        table, legend = view["districts"], view["legend"]  # built once, with the view
        main = legend["breaks"][-1] if legend["breaks"] else None
        main_key = f"within_{main:g}" if main is not None else None
        cover = {r["district"]: r for r in table["rows"]}

        def fc(features: list[dict[str, Any]]) -> dict[str, Any]:
            return {"type": "FeatureCollection", "features": features}

        def point(props: dict[str, Any], lon: Any, lat: Any) -> dict[str, Any] | None:
            g = _point(lon, lat)
            return {"type": "Feature", "geometry": g, "properties": props} if g else None

        libs = ev.tables.get("library_points", pd.DataFrame(columns=["id", "name", "kind"]))
        lib_f = [
            point({"id": int(r["id"]), "name": r["name"], "kind": r["kind"]}, r["lon"], r["lat"])
            for r in libs.to_dict("records")
        ]
        venues = ev.tables.get("venue_points", pd.DataFrame(columns=["name", "kind"]))
        ven_f = [
            point({"name": r["name"], "kind": r["kind"]}, r["lon"], r["lat"])
            for r in venues.to_dict("records")
        ]
        area_f = []
        for r in ev.tables.get("district_areas", pd.DataFrame()).to_dict("records"):
            geom = wkt.loads(r["geometry_wkt"]).simplify(0.0003, preserve_topology=True)
            c = cover.get(r["name"], {})
            area_f.append(
                {
                    "type": "Feature",
                    "geometry": mapping(geom),
                    "properties": {
                        "name": r["name"],
                        "residents": c.get("residents"),
                        "within_main": c.get(main_key) if main_key else None,
                    },
                }
            )
        units = ev.tables.get("access_units", pd.DataFrame())
        col = "time_min" if table["unit"] == "min" else "dist_m"
        unit_f = []
        if len(units) and {"lon", "lat", col} <= set(units.columns):
            shaped = "shape_wkt" in units and units["shape_wkt"].notna().all()
            cols = ["lon", "lat", col, "population", *(["shape_wkt"] if shaped else [])]
            for r in units[cols].to_dict("records"):
                v = _num(r[col])
                props = {"value": None if v is None else round(v, 1),
                         "population": _num(r["population"])}  # fmt: skip
                if shaped:  # cells with a shape (H3 hexagons) are drawn as that shape
                    geom = mapping(wkt.loads(r["shape_wkt"]))
                    unit_f.append({"type": "Feature", "geometry": geom, "properties": props})
                else:
                    unit_f.append(point(props, r["lon"], r["lat"]))
        base = ev.tables.get("basemap", pd.DataFrame(columns=["layer", "geometry_wkt"]))
        base_f = [
            {
                "type": "Feature",
                "geometry": mapping(wkt.loads(r["geometry_wkt"])),
                "properties": {"layer": r["layer"]},
            }
            for r in base.to_dict("records")
        ]
        return {
            "legend": {**legend, "main": main},
            "basemap": fc(base_f),
            "districts": fc(area_f),
            "units": fc([f for f in unit_f if f]),
            "libraries": fc([f for f in lib_f if f]),
            "venues": fc([f for f in ven_f if f]),
        }
