"""The polygon an OpenStreetMap import is cut to: a bounding box, a boundary file, or a
place's administrative boundary from the same OSM file.

- ``--bbox W,S,E,N``: WGS84 degrees, west < east, south < north, longitudes in [-180, 180]
  and latitudes in [-90, 90] (:func:`bbox_polygon`).
- ``--boundary FILE``: the union of the polygons of a GeoJSON, GeoPackage or other file
  GDAL reads, in WGS84 (:func:`read_boundary`).
- ``--place NAME``: the ``boundary=administrative`` relation or closed way with that
  ``name`` (or ``name:xx``; case and accents ignored), assembled into a multipolygon by
  osmium's area handler; when several share the name, the lowest ``admin_level`` (the
  largest unit) wins (:func:`read_osm_boundary`).

A feature is inside when its point (a node's location, a way's centroid) is covered by the
polygon.
"""

from __future__ import annotations

import math
from pathlib import Path

import osmium
from shapely import wkt
from shapely.geometry import box
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union

from libpolis.errors import DataError
from libpolis.sources._validate import require_file
from libpolis.sources.osm import normalise_name

__all__ = ["bbox_polygon", "osm_boundary_names", "read_boundary", "read_osm_boundary"]


def bbox_polygon(bbox: str | tuple[float, ...] | list[float]) -> BaseGeometry:
    """The rectangle of ``W,S,E,N`` (text or four numbers), or a :class:`DataError` that names
    ``--bbox`` and what is wrong."""
    parts = bbox.split(",") if isinstance(bbox, str) else list(bbox)
    try:
        w, s, e, n = (float(v) for v in parts)
    except (TypeError, ValueError):
        raise DataError(
            f"--bbox must be four numbers W,S,E,N in degrees (e.g. 7.40,43.72,7.44,43.76), "
            f"not {bbox!r}"
        ) from None
    if not all(math.isfinite(v) for v in (w, s, e, n)):
        raise DataError(f"--bbox must be finite numbers, not {bbox!r}")
    if not (-180 <= w <= 180 and -180 <= e <= 180):
        raise DataError(f"--bbox longitudes must lie in [-180, 180]: west {w:g}, east {e:g}")
    if not (-90 <= s <= 90 and -90 <= n <= 90):
        raise DataError(f"--bbox latitudes must lie in [-90, 90]: south {s:g}, north {n:g}")
    if w >= e:
        raise DataError(f"--bbox west ({w:g}) must be less than east ({e:g}); the order is W,S,E,N")
    if s >= n:
        raise DataError(
            f"--bbox south ({s:g}) must be less than north ({n:g}); the order is W,S,E,N"
        )
    return box(w, s, e, n)


def read_boundary(path: Path, layer: str | None = None) -> BaseGeometry:
    """The union of the polygons of a boundary file, in WGS84 (``--boundary``)."""
    import geopandas as gpd

    path = require_file(Path(path))
    try:
        frame = gpd.read_file(path, layer=layer)
    except Exception as exc:  # pyogrio raises its own errors for unreadable files
        raise DataError(f"--boundary {path}: cannot read as a GeoJSON/GeoPackage ({exc})") from exc
    if frame.crs is None:
        raise DataError(f"--boundary {path}: the file has no CRS; save it with one (EPSG:4326)")
    frame = frame[frame.geometry.notna()]
    polys = frame[frame.geom_type.isin(["Polygon", "MultiPolygon"])]
    if polys.empty:
        kinds = ", ".join(sorted(set(frame.geom_type))) or "no geometry"
        raise DataError(f"--boundary {path}: holds no polygon ({kinds}); give a polygon file")
    shape = unary_union(list(polys.to_crs("EPSG:4326").geometry.make_valid()))
    if shape.is_empty or shape.area == 0:
        raise DataError(f"--boundary {path}: its polygons have no area")
    return shape


def _boundaries(path: Path) -> list[tuple[int, str, dict[str, str], BaseGeometry]]:
    """Every administrative boundary of an OSM file: (admin_level, name, names, polygon)."""
    path = require_file(Path(path))
    admin = osmium.filter.TagFilter(("boundary", "administrative"))
    factory = osmium.geom.WKTFactory()
    out = []
    try:
        fp = osmium.FileProcessor(str(path)).with_areas(admin).with_filter(admin)
        for obj in fp:
            if not obj.is_area() or not obj.tags.get("name"):
                continue
            try:
                shape = wkt.loads(factory.create_multipolygon(obj))
            except RuntimeError:  # an incomplete ring: not a usable boundary
                continue
            names = {t.k: t.v for t in obj.tags if t.k == "name" or t.k.startswith("name:")}
            try:
                level = int(obj.tags.get("admin_level", "99"))
            except ValueError:
                level = 99
            out.append((level, obj.tags["name"], names, shape))
    except RuntimeError as exc:
        raise DataError(f"{path}: cannot read as OpenStreetMap data ({exc})") from exc
    return out


def osm_boundary_names(path: Path) -> list[str]:
    """Names of the administrative boundaries an OSM file holds, largest units first."""
    return [name for _, name, _, _ in sorted(_boundaries(path), key=lambda b: (b[0], b[1]))]


def read_osm_boundary(path: Path, place: str) -> tuple[str, BaseGeometry]:
    """The name and polygon of the administrative boundary called ``place`` in an OSM file
    (``--place``), or a :class:`DataError` listing a few names the file has."""
    found = _boundaries(path)
    want = normalise_name(place)
    hits = [b for b in found if want in {normalise_name(v) for v in b[2].values()}]
    if not hits:
        names = sorted({b[1] for b in found})
        listed = ", ".join(repr(n) for n in names[:8]) + (", ..." if len(names) > 8 else "")
        has = f"it has {listed}" if names else "it has no administrative boundary"
        raise DataError(f"--place {place!r}: no boundary=administrative of that name in "
                        f"{Path(path).name}; {has}")  # fmt: skip
    _, name, _, shape = min(hits, key=lambda b: (b[0], -b[3].area))
    return name, shape
