"""Reading vector files and turning geometries into WGS84 points."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError, ProjError

from libpolis.errors import DataError
from libpolis.geo import local_utm_crs
from libpolis.sources._validate import require_file

__all__ = ["VECTOR_SUFFIXES", "read_vector", "to_points"]

VECTOR_SUFFIXES = {".gpkg", ".geojson", ".json", ".parquet", ".geoparquet", ".shp", ".zip"}


def _check_crs(crs: CRS, path: Path) -> None:
    """Refuse a CRS that cannot be taken to WGS84 (a GeoPackage's srs_id 0 or -1 is
    "undefined": the coordinates could be anything)."""
    name = crs.name or ""
    if name.lower().startswith("undefined") or not (crs.is_geographic or crs.is_projected):
        raise DataError(
            f"{path}: the file's CRS is undefined ({name or crs.type_name}; a GeoPackage srs_id"
            " of 0 or -1); set the real one (e.g. EPSG:4326) and retry"
        )
    try:
        Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    except (ProjError, CRSError) as exc:
        raise DataError(
            f"{path}: the file's CRS {name!r} cannot be taken to WGS84 ({exc})"
        ) from None


def _check_json_nul(path: Path) -> None:
    """Refuse a NUL in a GeoJSON text (GDAL would cut the value short there, silently)."""
    raw = path.read_bytes()
    at = min((i for i in (raw.find(b"\\u0000"), raw.find(b"\x00")) if i >= 0), default=-1)
    if at >= 0:
        line = raw.count(b"\n", 0, at) + 1
        column = at - (raw.rfind(b"\n", 0, at) + 1) + 1
        raise DataError(
            f"{path}, line {line}, column {column}: the file holds the control character U+0000"
            " (a NUL byte); remove it and retry"
        )


def read_vector(path: Path, *, layer: str | None = None) -> gpd.GeoDataFrame:
    """Read a GeoPackage, GeoJSON, GeoParquet or (zipped) shapefile, failing clearly."""
    path = require_file(path)
    if path.suffix.lower() in {".geojson", ".json"}:
        _check_json_nul(path)
    try:
        if path.suffix in {".parquet", ".geoparquet"}:
            frame = gpd.read_parquet(path)
        else:
            target = f"zip://{path}" if path.suffix == ".zip" else path
            frame = gpd.read_file(target, layer=layer)
    except Exception as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DataError(f"{path}: not a readable {path.suffix} vector file ({first})") from exc
    if frame.empty:
        raise DataError(f"{path}: the file has no features")
    if frame.crs is None:
        raise DataError(f"{path}: the file has no CRS; set one (e.g. EPSG:4326) and retry")
    _check_crs(frame.crs, path)
    frame.index = pd.RangeIndex(1, len(frame) + 1, name="feature")
    return frame


def _feature(frame: pd.DataFrame, pos: int) -> int:
    return int(frame.index[pos]) if frame.index.name == "feature" else pos + 1


def to_points(frame: gpd.GeoDataFrame, path: Path | str) -> pd.DataFrame:
    """Representative WGS84 points of each geometry, and each polygon's area in m².

    Polygons become centroids computed in a local UTM CRS (exact enough for 250 m cells); areas
    are computed in a Lambert azimuthal equal-area projection centred on the data.
    """
    if frame.geometry.isna().any() or frame.geometry.is_empty.any():
        pos = int(np.flatnonzero((frame.geometry.isna() | frame.geometry.is_empty).to_numpy())[0])
        raise DataError(f"{path}, feature {_feature(frame, pos)}: has no geometry")
    wgs = frame.to_crs("EPSG:4326")
    bounds = wgs.geometry.bounds
    utm = local_utm_crs(
        ((bounds.minx + bounds.maxx) / 2).to_numpy(), ((bounds.miny + bounds.maxy) / 2).to_numpy()
    )
    metric = frame.geometry.to_crs(utm)
    polygonal = metric.geom_type.isin(["Polygon", "MultiPolygon"]).to_numpy()
    centroids = gpd.GeoSeries(metric.centroid, crs=utm).to_crs("EPSG:4326")
    lon0, lat0 = float(np.median(centroids.x)), float(np.median(centroids.y))
    equal_area = frame.geometry.to_crs(f"+proj=laea +lat_0={lat0} +lon_0={lon0} +datum=WGS84")
    area = np.where(polygonal, equal_area.area.to_numpy(), np.nan)
    return pd.DataFrame(
        {"lon": centroids.x.to_numpy(), "lat": centroids.y.to_numpy(), "area_m2": area},
        index=frame.index,
    )
