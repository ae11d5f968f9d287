"""Libraries and other cultural venues from an OpenStreetMap .pbf (or .osm) file.

Nodes keep their location; ways become the centroid of their nodes' polygon (closed ways)
or of their nodes (open ways). Kinds follow OSM tags:

=====================  ==============================================================
kind                   tags
=====================  ==============================================================
library                ``amenity=library``
museum                 ``tourism=museum``
gallery                ``tourism=gallery``
theatre                ``amenity=theatre``
arts_centre            ``amenity=arts_centre``
cinema                 ``amenity=cinema``
community_centre       ``amenity=community_centre``
concert_hall           ``amenity=concert_hall``, ``amenity=music_venue``
=====================  ==============================================================

A library's kind comes from its tags, first match wins (:func:`library_kind`):
``access=private|no`` → ``private_library``; ``library=*`` (or ``library:type=*``) ``public`` →
``library``, ``academic|university|college|research`` → ``academic_library``, ``school`` →
``school_library``, ``special|government|corporate|law|medical`` → ``special_library``,
``private`` → ``private_library``; then ``operator:type=university|college`` →
``academic_library``, ``school`` → ``school_library``, ``prison`` → ``prison_library``;
anything else is a public ``library``. Only walk-in kinds count in access figures
(:data:`libpolis.model.NOT_WALK_IN_KINDS`).

Near-duplicates (:func:`merge_duplicates`, used by ``libpolis import osm``): two features of
the same kind are one place when

1. a node lies inside a way's polygon and their normalised names (lower case, accents and
   punctuation removed, spaces collapsed) are equal or one of them has no ``name`` tag —
   a museum node and its building; a node with another name inside is another place (a
   small stage in a theatre's building), or
2. their normalised names are equal and their geometries (a node's point, a closed way's
   polygon) lie within ``near_m`` metres (default 50 m) of each other — one venue tagged
   twice (the National Library of Finland: node 369550855 lies 25 m from way 122595247).
   Different names stay apart (Omapohja, 20 m from the Finnish National Theatre, stays).

Of each group the way is kept (the building, ``w…``; else the first named feature in the
file); tags it lacks are taken from the others, and ``attrs["merged"]`` lists the ids
left out.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from pathlib import Path

import numpy as np
import osmium
import pandas as pd
from shapely import STRtree
from shapely.geometry import Point, Polygon
from shapely.geometry.base import BaseGeometry

from libpolis.errors import DataError
from libpolis.sources._validate import require_file

__all__ = [
    "CULTURAL_TAGS",
    "library_kind",
    "merge_duplicates",
    "normalise_name",
    "read_osm_culture",
    "read_osm_place",
    "read_osm_tagged",
]

CULTURAL_TAGS: dict[tuple[str, str], str] = {
    ("amenity", "library"): "library",
    ("tourism", "museum"): "museum",
    ("tourism", "gallery"): "gallery",
    ("amenity", "theatre"): "theatre",
    ("amenity", "arts_centre"): "arts_centre",
    ("amenity", "cinema"): "cinema",
    ("amenity", "community_centre"): "community_centre",
    ("amenity", "concert_hall"): "concert_hall",
    ("amenity", "music_venue"): "concert_hall",
}
_KEEP = ("opening_hours", "website", "wheelchair", "operator", "addr:street", "addr:city")
_LIBRARY_KEEP = ("library", "library:type", "operator:type", "access")

_LIBRARY_VALUES = {
    "public": "library",
    "academic": "academic_library",
    "university": "academic_library",
    "college": "academic_library",
    "research": "academic_library",
    "school": "school_library",
    "special": "special_library",
    "government": "special_library",
    "corporate": "special_library",
    "law": "special_library",
    "medical": "special_library",
    "private": "private_library",
}
_OPERATOR_TYPES = {
    "university": "academic_library",
    "college": "academic_library",
    "school": "school_library",
    "prison": "prison_library",
}


def library_kind(tags: osmium.osm.TagList | dict[str, str]) -> str:
    """The kind of an ``amenity=library`` from its tags (the rule in the module docstring)."""
    if tags.get("access") in {"private", "no"}:
        return "private_library"
    for key in ("library", "library:type"):
        value = (tags.get(key) or "").strip().lower()
        if value in _LIBRARY_VALUES:
            return _LIBRARY_VALUES[value]
    return _OPERATOR_TYPES.get((tags.get("operator:type") or "").strip().lower(), "library")


def _kind(
    tags: osmium.osm.TagList, kinds: dict[tuple[str, str], str], keys: list[str]
) -> str | None:
    for key in keys:
        value = tags.get(key)
        if value is not None and (key, value) in kinds:
            return kinds[(key, value)]
    return None


def _way_shape(way: osmium.osm.Way) -> tuple[tuple[float, float], BaseGeometry] | None:
    """A way's point (polygon centroid, or mean of its nodes) and its geometry."""
    coords = [(n.lon, n.lat) for n in way.nodes if n.location.valid()]
    if not coords:
        return None
    if len(coords) >= 4 and coords[0] == coords[-1]:
        poly = Polygon(coords)
        c = poly.centroid
        if not c.is_empty:
            return (float(c.x), float(c.y)), poly
    arr = np.asarray(coords)
    point = (float(arr[:, 0].mean()), float(arr[:, 1].mean()))
    return point, Point(point)


def _read(
    path: Path,
    kinds: dict[tuple[str, str], str],
    keep: tuple[str, ...],
    refine: Callable[[str, osmium.osm.TagList], str] | None = None,
) -> pd.DataFrame:
    """The tagged nodes and ways, with a ``geometry`` column (point or way polygon)."""
    path = require_file(Path(path))
    head = path.read_bytes()[:64]
    if path.suffix == ".pbf" and b"OSMHeader" not in head:
        raise DataError(f"{path}: not an OpenStreetMap PBF file (no OSMHeader block)")
    keys = sorted({k for k, _ in kinds})
    rows: list[dict] = []
    try:
        fp = (
            osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY)
            .with_locations()
            .with_filter(osmium.filter.KeyFilter(*keys))
        )
        for obj in fp:
            kind = _kind(obj.tags, kinds, keys)
            if kind is None:
                continue
            if refine is not None:
                kind = refine(kind, obj.tags)
            if obj.is_node():
                if not obj.location.valid():
                    continue
                point = (obj.location.lon, obj.location.lat)
                shape: tuple[tuple[float, float], BaseGeometry] | None = (point, Point(point))
                sid = f"n{obj.id}"
            else:
                shape = _way_shape(obj)
                sid = f"w{obj.id}"
            if shape is None:
                continue
            rows.append(
                {
                    "source_id": sid,
                    "name": obj.tags.get("name") or obj.tags.get("name:en") or f"{kind} {sid}",
                    "kind": kind,
                    "lon": shape[0][0],
                    "lat": shape[0][1],
                    "attrs": {k: obj.tags.get(k) for k in keep if k in obj.tags},
                    "named": bool(obj.tags.get("name") or obj.tags.get("name:en")),
                    "geometry": shape[1],
                }
            )
    except RuntimeError as exc:
        raise DataError(f"{path}: cannot read as OpenStreetMap data ({exc})") from exc
    cols = ["source_id", "name", "kind", "lon", "lat", "attrs", "named", "geometry"]
    return pd.DataFrame(rows, columns=cols)


_COLUMNS = ["source_id", "name", "kind", "lon", "lat", "attrs"]


def read_osm_tagged(
    path: Path, kinds: dict[tuple[str, str], str], *, keep: tuple[str, ...] = _KEEP
) -> pd.DataFrame:
    """Nodes and ways of an OSM file whose tags name one of ``kinds`` (``(key, value) -> kind``).

    Returns
    -------
    pandas.DataFrame
        Columns ``source_id`` (``n123`` / ``w456``), ``name``, ``kind``, ``lon``, ``lat``,
        ``attrs`` (the tags named in ``keep``), in file order.
    """
    return _read(path, kinds, keep)[_COLUMNS]


def _refine_library(kind: str, tags: osmium.osm.TagList) -> str:
    return library_kind(tags) if kind == "library" else kind


def read_osm_culture(path: Path, *, geometry: bool = False) -> pd.DataFrame:
    """Cultural places of an OSM file (kinds in :data:`CULTURAL_TAGS`, libraries by
    :func:`library_kind`; see :func:`read_osm_tagged` for the columns). ``geometry=True``
    adds ``named`` (the feature has a ``name`` tag) and ``geometry`` (its point, or its
    way's polygon, WGS84), which :func:`merge_duplicates` and a cut use."""
    frame = _read(path, CULTURAL_TAGS, _KEEP + _LIBRARY_KEEP, _refine_library)
    return frame if geometry else frame[_COLUMNS]


def normalise_name(name: str) -> str:
    """Lower case, accents and punctuation removed, spaces collapsed: ``"Musée  d'Art"`` and
    ``"musee d art"`` are the same name."""
    text = str(name)
    for _ in range(4):  # compatibility forms and case folding can each undo the other once
        folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
        folded = "".join(c for c in folded if not unicodedata.combining(c))
        folded = " ".join(re.sub(r"[^\w]+", " ", folded).split())
        if folded == text:
            break
        text = folded
    return text


def _metres_crs(frame: pd.DataFrame) -> str:
    lon, lat = float(frame["lon"].mean()), float(frame["lat"].mean())
    zone = int((lon + 180) // 6) % 60 + 1
    return f"EPSG:{(32600 if lat >= 0 else 32700) + zone}"


def merge_duplicates(frame: pd.DataFrame, near_m: float = 50.0) -> tuple[pd.DataFrame, int]:
    """One row per place: near-duplicate features merged by the rule of the module docstring.

    ``frame`` is :func:`read_osm_culture` with ``geometry=True``. Returns the kept rows (the
    columns of :func:`read_osm_tagged`) and how many rows were merged into others.
    """
    if len(frame) < 2:
        return frame[_COLUMNS].reset_index(drop=True), 0
    import geopandas as gpd

    geo = gpd.GeoSeries(list(frame["geometry"]), crs="EPSG:4326").to_crs(_metres_crs(frame))
    geoms = list(geo)
    names = [normalise_name(n) for n in frame["name"]]
    named = frame["named"].to_numpy(bool)
    kinds = frame["kind"].to_numpy()
    is_way = frame["source_id"].str.startswith("w").to_numpy()
    parent = list(range(len(frame)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    tree = STRtree(geoms)
    for i, g in enumerate(geoms):
        for j in tree.query(g, predicate="dwithin", distance=near_m):
            j = int(j)
            if j <= i or kinds[i] != kinds[j]:
                continue
            same = named[i] and named[j] and names[i] == names[j]
            node, way = (i, j) if is_way[j] else (j, i)
            inside = (
                is_way[way] != is_way[node]
                and geoms[way].geom_type == "Polygon"
                and geoms[way].covers(geoms[node])
                and (same or not (named[i] and named[j]))
            )
            if same or inside:
                parent[find(j)] = find(i)
    groups: dict[int, list[int]] = {}
    for i in range(len(frame)):
        groups.setdefault(find(i), []).append(i)
    rows = []
    for members in groups.values():
        keep = sorted(members, key=lambda k: (not is_way[k], not named[k], k))[0]
        row = frame.iloc[keep][_COLUMNS].to_dict()
        others = [k for k in members if k != keep]
        if others:
            attrs = dict(row["attrs"] or {})
            for k in others:
                for key, value in (frame.iloc[k]["attrs"] or {}).items():
                    attrs.setdefault(key, value)
            attrs["merged"] = [str(frame.iloc[k]["source_id"]) for k in others]
            row["attrs"] = attrs
        rows.append((min(members), row))
    kept = pd.DataFrame([r for _, r in sorted(rows, key=lambda t: t[0])], columns=_COLUMNS)
    return kept, len(frame) - len(kept)


#: ``place=*`` values that can name the place an extract is about, highest rank first.
_PLACE_RANK = ("country", "state", "region", "city", "municipality", "town", "village")


def _population(value: str | None) -> float:
    try:
        return float(str(value).replace(",", "").replace(" ", ""))
    except (TypeError, ValueError):
        return 0.0


def read_osm_place(path: Path) -> str | None:
    """The name of the place an OSM extract is about, or None when it names none.

    Among the nodes tagged ``place`` with a name, a single ``place=country`` wins (a
    whole-country extract); else the highest-ranked place (state, region, city,
    municipality, town, village), the most populous (``population`` tag) among equals.
    """
    path = require_file(Path(path))
    best: tuple[int, float, str] | None = None
    countries: set[str] = set()
    try:
        fp = osmium.FileProcessor(str(path), osmium.osm.NODE).with_filter(
            osmium.filter.KeyFilter("place")
        )
        for obj in fp:
            place, name = obj.tags.get("place"), obj.tags.get("name")
            if not name or place not in _PLACE_RANK:
                continue
            if place == "country":
                countries.add(name)
                continue
            key = (-_PLACE_RANK.index(place), _population(obj.tags.get("population")), name)
            if best is None or key[:2] > best[:2]:
                best = key
    except RuntimeError as exc:
        raise DataError(f"{path}: cannot read as OpenStreetMap data ({exc})") from exc
    if len(countries) == 1:
        return countries.pop()
    return best[2] if best is not None else None
