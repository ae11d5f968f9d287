"""A light basemap from the workspace's own OpenStreetMap file: streets and water as vectors.

Maps (the web dashboard, a library's page, the brief) show where people are with the city's
streets and water drawn under the data, without online tiles: the geometry comes from the same
``.osm.pbf`` the street network was imported from. Only what helps people find their way is
kept: roads a map would name (motorways to residential streets, pedestrian streets; no
footways, service roads or tracks), water areas (lakes, rivers' banks, reservoirs, the sea
where mapped as an area) and water lines (rivers, canals, the coastline). Geometries are
clipped to the area of interest, simplified (about 4 m) and merged into one multi-geometry per
class, with coordinates rounded to 5 decimals (about 1 m), so a city centre weighs a few
hundred kilobytes of GeoJSON.

The file is read once per content and area (kept in memory while the process lives): about
1 s for a 1 MB city extract (Porto Alegre), 0.1-0.2 s for Helsinki's and Monaco's; files larger
than :data:`MAX_FILE_BYTES` are not read.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any

import osmium
import pandas as pd
import shapely
from shapely.geometry import LineString, Polygon, box
from shapely.geometry.base import BaseGeometry

__all__ = ["BASEMAP_COLUMNS", "MAJOR_ROADS", "MAX_FILE_BYTES", "MINOR_ROADS", "basemap_from_pbf"]

#: Roads drawn thicker (a map names them first).
MAJOR_ROADS = frozenset(
    {"motorway", "trunk", "primary", "secondary", "tertiary"}
    | {"motorway_link", "trunk_link", "primary_link", "secondary_link", "tertiary_link"}
)
#: Streets drawn thinner.
MINOR_ROADS = frozenset({"unclassified", "residential", "living_street", "pedestrian"})
_WATER_LINES = frozenset({"river", "canal", "stream"})
_WATER_AREAS_LANDUSE = frozenset({"reservoir", "basin"})
#: Columns of the frame :func:`basemap_from_pbf` returns.
BASEMAP_COLUMNS = ("layer", "geometry_wkt")
_TOLERANCE_DEG = 0.00004  # about 4 m: below what a city map at street level shows
_MAX_SIDE_DEG = 1.0  # a larger area would be a region map; streets would not be legible
#: Files larger than this are not read for a basemap (reading is about 1 s per MB of .pbf, and it
#: happens when the evidence is built): a national extract gives maps without streets.
MAX_FILE_BYTES = 64 * 1024 * 1024


class _Collect(osmium.SimpleHandler):  # type: ignore[misc]
    """Road and water-line ways (as lines), water areas (closed ways and multipolygons)."""

    def __init__(self, area: BaseGeometry) -> None:
        super().__init__()
        minx, miny, maxx, maxy = area.bounds
        self._bounds = (minx, miny, maxx, maxy)
        self.lines: dict[str, list[LineString]] = {"major": [], "minor": [], "waterway": []}
        self.water: list[Polygon] = []

    def _inside(self, xs: list[float], ys: list[float]) -> bool:
        minx, miny, maxx, maxy = self._bounds
        return not (max(xs) < minx or min(xs) > maxx or max(ys) < miny or min(ys) > maxy)

    def way(self, w: Any) -> None:
        tags = w.tags
        hw, ww = tags.get("highway"), tags.get("waterway")
        if hw in MAJOR_ROADS:
            layer = "major"
        elif hw in MINOR_ROADS:
            layer = "minor"
        elif ww in _WATER_LINES or tags.get("natural") == "coastline":
            layer = "waterway"
        else:
            return
        try:
            xs = [n.lon for n in w.nodes]
            ys = [n.lat for n in w.nodes]
        except osmium.InvalidLocationError:
            return  # a node outside the extract
        if len(xs) >= 2 and self._inside(xs, ys):
            self.lines[layer].append(LineString(list(zip(xs, ys, strict=True))))

    def area(self, a: Any) -> None:
        tags = a.tags
        if not (
            tags.get("natural") == "water"
            or tags.get("waterway") == "riverbank"
            or tags.get("landuse") in _WATER_AREAS_LANDUSE
        ):
            return
        try:
            for outer in a.outer_rings():
                ring = [(n.lon, n.lat) for n in outer]
                holes = [[(n.lon, n.lat) for n in inner] for inner in a.inner_rings(outer)]
                if len(ring) >= 4:
                    xs, ys = zip(*ring, strict=True)
                    if self._inside(list(xs), list(ys)):
                        self.water.append(Polygon(ring, holes))
        except (osmium.InvalidLocationError, ValueError):
            return


def _clip(geoms: list[BaseGeometry], area: BaseGeometry) -> BaseGeometry | None:
    if not geoms:
        return None
    merged = shapely.union_all([g.buffer(0) if g.geom_type == "Polygon" else g for g in geoms])
    if merged.geom_type in {"MultiLineString", "LineString"}:
        merged = shapely.line_merge(merged)
    clipped = shapely.intersection(merged, area)
    if clipped.is_empty:
        return None
    simple = shapely.simplify(clipped, _TOLERANCE_DEG, preserve_topology=True)
    return shapely.set_precision(simple, 1e-5)


@lru_cache(maxsize=4)
def _cached(path: str, mtime_ns: int, size: int, bounds: tuple[float, ...]) -> pd.DataFrame:
    area = box(*bounds)
    h = _Collect(area)
    h.apply_file(path, locations=True)
    rows = []
    for layer in ("water", "waterway", "minor", "major"):  # drawing order: bottom first
        geoms = h.water if layer == "water" else h.lines[layer]
        g = _clip(list(geoms), area)
        if g is not None and not g.is_empty:
            rows.append({"layer": layer, "geometry_wkt": g.wkt})
    return pd.DataFrame(rows, columns=list(BASEMAP_COLUMNS))


def basemap_from_pbf(
    path: str | os.PathLike[str], bounds: tuple[float, float, float, float]
) -> pd.DataFrame:
    """Streets and water of an OpenStreetMap file within ``bounds``.

    Parameters
    ----------
    path : path-like
        The ``.osm.pbf`` (or any file libosmium reads).
    bounds : (min_lon, min_lat, max_lon, max_lat)
        The area of interest, in degrees (WGS84); at most 1 degree on a side.

    Returns
    -------
    pandas.DataFrame
        One row per layer present, in drawing order: ``water`` (areas), ``waterway`` (rivers,
        canals, coastline), ``minor`` and ``major`` (streets); ``geometry_wkt`` in WGS84. Empty
        when the file has none of them in ``bounds``, the area is too large for streets, or
        the file is larger than :data:`MAX_FILE_BYTES`.
    """
    p = Path(path)
    minx, miny, maxx, maxy = (float(b) for b in bounds)
    if not (maxx > minx and maxy > miny) or max(maxx - minx, maxy - miny) > _MAX_SIDE_DEG:
        return pd.DataFrame(columns=list(BASEMAP_COLUMNS))
    st = p.stat()
    if st.st_size > MAX_FILE_BYTES:
        return pd.DataFrame(columns=list(BASEMAP_COLUMNS))
    key = tuple(round(b, 4) for b in (minx, miny, maxx, maxy))
    return _cached(str(p.resolve()), st.st_mtime_ns, st.st_size, key).copy()
