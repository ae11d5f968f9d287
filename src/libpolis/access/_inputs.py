"""Input checks and small conversions of the nearest-facility searches (internal): point
GeoDataFrames to validated ids and WGS84 lon/lat (the checks run in C, on shapely arrays),
speeds, missing ids, minutes."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from libpolis.access._geo import _check_lonlat
from libpolis.errors import DataError, MissingColumnError


def _points(
    gdf: gpd.GeoDataFrame, id_col: str, what: str
) -> tuple[pd.Index, np.ndarray, np.ndarray]:
    """Validated ids and WGS84 lon/lat of a point GeoDataFrame."""
    if not isinstance(gdf, gpd.GeoDataFrame):
        raise DataError(f"{what} must be a GeoDataFrame, got {type(gdf).__name__}")
    if gdf.crs is None:
        raise DataError(
            f"{what} has no CRS; set it with .set_crs(...) (e.g. EPSG:4326 for lon/lat)"
        )
    if id_col not in gdf.columns:
        raise MissingColumnError(
            f"{what} has no id column {id_col!r}; columns found: {list(gdf.columns)}"
        )
    ids = pd.Index(gdf[id_col])
    if ids.hasnans:
        raise DataError(f"{what} column {id_col!r} has {int(ids.isna().sum())} missing ids")
    if not ids.is_unique:
        dup = ids[ids.duplicated()].unique()[:5].tolist()
        raise DataError(f"{what} column {id_col!r} has duplicate ids, e.g. {dup}")
    geom = gdf.geometry
    if not gdf.crs.equals(_WGS84):
        geom = geom.to_crs(4326)
    arr = np.asarray(geom.array)  # shapely geometries: the checks below run in C
    bad = shapely.is_missing(arr) | shapely.is_empty(arr)
    if bad.any():
        raise DataError(f"{what} has {int(bad.sum())} missing or empty geometries")
    kinds = np.unique(shapely.get_type_id(arr))
    if len(kinds) and (len(kinds) > 1 or kinds[0] != shapely.GeometryType.POINT):
        found = sorted(set(geom.geom_type.unique()))
        raise DataError(
            f"{what} must hold points, found {found}; use e.g. "
            ".representative_point() for polygons"
        )
    xy = shapely.get_coordinates(arr)
    lon, lat = _check_lonlat(xy[:, 0], xy[:, 1], what)
    return ids, lon, lat


_WGS84 = CRS.from_epsg(4326)


def _check_speed(speed_kph: float) -> float:
    if not (np.isfinite(speed_kph) and speed_kph > 0):
        raise DataError(f"access_speed_kph must be a positive number, got {speed_kph!r}")
    return float(speed_kph)


def _take_ids(ids: pd.Index, pos: np.ndarray) -> pd.Series:
    """``ids[pos]`` with missing values where ``pos < 0`` (integer ids become Int64)."""
    missing = pos < 0
    if len(ids) == 0:
        return pd.Series([pd.NA] * len(pos), dtype=object)
    out = pd.Series(ids.to_numpy()[np.where(missing, 0, pos)], dtype=ids.dtype)
    if missing.any():
        if pd.api.types.is_integer_dtype(out.dtype):
            out = out.astype("Int64")
        out = out.where(~missing)
    return out


def _minutes(dist_m: np.ndarray, speed_kph: float) -> np.ndarray:
    return dist_m / (speed_kph * 1000.0 / 60.0)
