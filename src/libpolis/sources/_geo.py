"""Reading vector files and turning geometries into WGS84 points."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from libpolis.errors import DataError
from libpolis.geo import local_utm_crs
from libpolis.sources._validate import require_file

__all__ = ["VECTOR_SUFFIXES", "read_vector", "to_points"]

VECTOR_SUFFIXES = {".gpkg", ".geojson", ".json", ".parquet", ".geoparquet", ".shp", ".zip"}


def read_vector(path: Path, *, layer: str | None = None) -> gpd.GeoDataFrame:
    """Read a GeoPackage, GeoJSON, GeoParquet or (zipped) shapefile, failing clearly."""
    path = require_file(path)
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
