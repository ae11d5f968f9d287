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
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import osmium
import pandas as pd
from shapely.geometry import Polygon

from libpolis.errors import DataError
from libpolis.sources._validate import require_file

__all__ = ["CULTURAL_TAGS", "read_osm_culture", "read_osm_place", "read_osm_tagged"]

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


def _kind(
    tags: osmium.osm.TagList, kinds: dict[tuple[str, str], str], keys: list[str]
) -> str | None:
    for key in keys:
        value = tags.get(key)
        if value is not None and (key, value) in kinds:
            return kinds[(key, value)]
    return None


def _way_point(way: osmium.osm.Way) -> tuple[float, float] | None:
    coords = [(n.lon, n.lat) for n in way.nodes if n.location.valid()]
    if not coords:
        return None
    if len(coords) >= 4 and coords[0] == coords[-1]:
        c = Polygon(coords).centroid
        if not c.is_empty:
            return float(c.x), float(c.y)
    arr = np.asarray(coords)
    return float(arr[:, 0].mean()), float(arr[:, 1].mean())


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
            if obj.is_node():
                if not obj.location.valid():
                    continue
                point: tuple[float, float] | None = (obj.location.lon, obj.location.lat)
                sid = f"n{obj.id}"
            else:
                point = _way_point(obj)
                sid = f"w{obj.id}"
            if point is None:
                continue
            rows.append(
                {
                    "source_id": sid,
                    "name": obj.tags.get("name") or obj.tags.get("name:en") or f"{kind} {sid}",
                    "kind": kind,
                    "lon": point[0],
                    "lat": point[1],
                    "attrs": {k: obj.tags.get(k) for k in keep if k in obj.tags},
                }
            )
    except RuntimeError as exc:
        raise DataError(f"{path}: cannot read as OpenStreetMap data ({exc})") from exc
    return pd.DataFrame(rows, columns=["source_id", "name", "kind", "lon", "lat", "attrs"])


def read_osm_culture(path: Path) -> pd.DataFrame:
    """Cultural places of an OSM file (kinds in :data:`CULTURAL_TAGS`; see
    :func:`read_osm_tagged` for the columns)."""
    return read_osm_tagged(path, CULTURAL_TAGS)


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
