"""Population from OpenStreetMap building footprints, for places without a population file.

The rule (documented in the README and kept in the dataset's attrs):

* **Residential buildings** are those tagged ``building=house``, ``residential``,
  ``apartments``, ``detached``, ``terrace``, ``semidetached_house`` or ``bungalow``, and
  ``building=yes`` whose centroid lies inside a ``landuse=residential`` area.
* With ``rule="yes"`` every other ``building=yes`` counts too, unless it carries a tag that
  says it is not a home (``amenity``, ``shop``, ``office``, ``tourism``, ``craft``,
  ``industrial``, ``leisure``, ``healthcare``, ``public_transport``) or lies inside a
  ``landuse`` that is not residential (commercial, retail, industrial, ...). Use it where
  almost nothing is typed (Monaco: 1,064 of its 1,170 buildings are ``building=yes``).
* **Floor area** = footprint area (in the local UTM CRS, :func:`libpolis.geo.local_utm_crs`)
  × ``building:levels`` where it is a positive number, else × 1.
* **Residents**: ``total`` shared in proportion to floor area, so they sum to ``total``.
* **Units**: one per building at its footprint's centroid; above ``max_units`` buildings they
  are summed per H3 cell of resolution 10 (about 15,000 m²), at the floor-area-weighted
  centre of the cell's buildings.
"""

from __future__ import annotations

from pathlib import Path

import h3
import numpy as np
import osmium
import pandas as pd
import shapely
from pyproj import Transformer
from shapely import wkb

from libpolis.errors import DataError
from libpolis.geo import local_utm_crs
from libpolis.sources._validate import require_file

__all__ = ["RESIDENTIAL", "RULES", "read_osm_buildings"]

RESIDENTIAL = frozenset(
    {"house", "residential", "apartments", "detached", "terrace", "semidetached_house",
     "bungalow"}
)  # fmt: skip
_NOT_HOME_KEYS = ("amenity", "shop", "office", "tourism", "craft", "industrial", "leisure",
                  "healthcare", "public_transport")  # fmt: skip
RULES = {
    "residential": "buildings tagged building=house|residential|apartments|detached|terrace|"
    "semidetached_house|bungalow, and building=yes inside landuse=residential",
    "yes": "buildings tagged building=house|residential|apartments|detached|terrace|"
    "semidetached_house|bungalow, and building=yes without amenity/shop/office/tourism/craft/"
    "industrial/leisure/healthcare/public_transport tags and outside non-residential landuse",
}
_H3_RES = 10


def _levels(value: str | None) -> float:
    try:
        n = float(str(value).replace(",", "."))
    except (TypeError, ValueError):
        return 1.0
    return n if np.isfinite(n) and n > 0 else 1.0


def _read(path: Path) -> tuple[list[dict], list, list, list]:
    """Building records, their footprints, and residential / non-residential landuse."""
    factory = osmium.geom.WKBFactory()
    rows: list[dict] = []
    geoms: list = []
    res_land: list = []
    other_land: list = []
    fp = (
        osmium.FileProcessor(str(path))
        .with_areas(osmium.filter.KeyFilter("building", "landuse"))
        .with_filter(osmium.filter.EntityFilter(osmium.osm.AREA))
    )
    for area in fp:
        tags = area.tags
        try:
            geom = wkb.loads(factory.create_multipolygon(area), hex=True)
        except RuntimeError:
            continue  # an incomplete ring at the edge of the extract
        if geom.is_empty:
            continue
        building = tags.get("building")
        if building is None:
            (res_land if tags.get("landuse") == "residential" else other_land).append(geom)
            continue
        if building in ("no", "construction"):
            continue
        sid = f"{'w' if area.from_way() else 'r'}{area.orig_id()}"
        rows.append({
            "source_id": sid, "building": building, "levels": _levels(tags.get("building:levels")),
            "not_home": any(k in tags for k in _NOT_HOME_KEYS),
            "levels_known": _levels(tags.get("building:levels")) != 1.0
            or tags.get("building:levels") == "1",
        })  # fmt: skip
        geoms.append(geom)
    return rows, geoms, res_land, other_land


def _inside(points: np.ndarray, polygons: list) -> np.ndarray:
    if not polygons or not len(points):
        return np.zeros(len(points), dtype=bool)
    tree = shapely.STRtree(polygons)
    idx = tree.query(points, predicate="within")
    out = np.zeros(len(points), dtype=bool)
    out[idx[0]] = True
    return out


def read_osm_buildings(
    path: Path, *, total: float, rule: str = "residential", max_units: int = 200_000
) -> tuple[pd.DataFrame, dict]:
    """Population units from the residential buildings of an OSM file, summing to ``total``.

    Returns
    -------
    tuple
        The frame of units (``source_id, lon, lat, population, area_m2, district, income,
        attrs``; ``area_m2`` is the floor area, ``attrs`` the building tag, levels and
        footprint) and the method record for the dataset's attrs (rule, buildings, total).
    """
    path = require_file(Path(path))
    if rule not in RULES:
        raise DataError(f"unknown building rule {rule!r}: use one of {', '.join(RULES)}")
    if not (np.isfinite(total) and total > 0):
        raise DataError(f"--total must be a positive number of residents, not {total!r}")
    try:
        rows, geoms, res_land, other_land = _read(path)
    except RuntimeError as exc:
        raise DataError(f"{path}: cannot read as OpenStreetMap data ({exc})") from exc
    meta = pd.DataFrame(
        rows, columns=["source_id", "building", "levels", "not_home", "levels_known"]
    )
    geo = np.asarray(geoms, dtype=object)
    cent = shapely.centroid(geo) if len(geo) else np.asarray([], dtype=object)
    typed = meta["building"].isin(RESIDENTIAL).to_numpy()
    yes = (meta["building"] == "yes").to_numpy()
    keep = typed | (yes & _inside(cent, res_land))
    if rule == "yes":
        keep |= yes & ~meta["not_home"].to_numpy() & ~_inside(cent, other_land)
    meta, geo, cent = meta[keep].reset_index(drop=True), geo[keep], cent[keep]
    if meta.empty:
        raise DataError(f"{path}: no residential buildings ({RULES[rule]})")
    lon, lat = shapely.get_x(cent), shapely.get_y(cent)
    tr = Transformer.from_crs("EPSG:4326", local_utm_crs(lon, lat), always_xy=True)
    footprint = shapely.area(shapely.transform(geo, lambda xy: np.column_stack(
        tr.transform(xy[:, 0], xy[:, 1]))))  # fmt: skip
    floor = footprint * meta["levels"].to_numpy()
    population = total * floor / floor.sum()
    units = pd.DataFrame({
        "source_id": meta["source_id"], "lon": lon, "lat": lat, "population": population,
        "area_m2": floor, "district": None, "income": np.nan,
        "attrs": [{"building": b, "levels": lv, "footprint_m2": round(float(f), 1)}
                  for b, lv, f in zip(meta["building"], meta["levels"], footprint, strict=True)],
    })  # fmt: skip
    per = "building"
    if len(units) > max_units:
        units, per = _per_cell(units), f"H3 cell (resolution {_H3_RES})"
    method = {
        "method": "osm_buildings", "rule": rule, "rule_text": RULES[rule],
        "buildings": len(meta), "total": float(total), "unit": per,
        "floor_area_m2": float(floor.sum()),
        "levels_known": int(meta["levels_known"].sum()),
    }  # fmt: skip
    return units, method


def _per_cell(units: pd.DataFrame) -> pd.DataFrame:
    """Sum buildings per H3 cell, at the floor-area-weighted centre of each cell's buildings."""
    cells = [
        h3.latlng_to_cell(y, x, _H3_RES) for x, y in zip(units["lon"], units["lat"], strict=True)
    ]
    w = units["area_m2"]
    g = units.assign(cell=cells, wx=units["lon"] * w, wy=units["lat"] * w).groupby("cell")
    s = g[["population", "area_m2", "wx", "wy"]].sum()
    n = g.size()
    return pd.DataFrame({
        "source_id": s.index.to_numpy(), "lon": (s["wx"] / s["area_m2"]).to_numpy(),
        "lat": (s["wy"] / s["area_m2"]).to_numpy(), "population": s["population"].to_numpy(),
        "area_m2": s["area_m2"].to_numpy(), "district": None, "income": np.nan,
        "attrs": [{"h3": c, "buildings": int(k)} for c, k in zip(s.index, n, strict=True)],
    })  # fmt: skip
