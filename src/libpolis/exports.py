"""Export tables as GeoPackage, GeoParquet, GeoJSON or CSV, written atomically.

A file is written to a temporary file in the target folder and moved into place with
``os.replace``, so a reader never sees half a file and a failed export leaves the old file
whole. It gets ordinary permissions (``0666`` less the process umask, usually ``0644``).

A frame with a ``geometry`` (a GeoDataFrame) keeps it; a frame with ``lon``/``lat`` columns
becomes points (WGS84); rows without coordinates keep an empty geometry. A table with no
coordinates at all can be exported as CSV or Parquet only.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from sqlalchemy import Engine

from libpolis.errors import DataError
from libpolis.store import read_result

__all__ = ["FORMATS", "export_frame", "export_partitions", "export_result", "format_of"]

#: Export formats and their file suffixes (the first is the one written by default).
FORMATS: dict[str, tuple[str, ...]] = {
    "gpkg": (".gpkg",),
    "parquet": (".parquet", ".geoparquet"),
    "csv": (".csv",),
    "geojson": (".geojson", ".json"),
}


def format_of(path: Path, fmt: str | None = None) -> str:
    """The export format: ``fmt`` when given, else the one ``path``'s suffix names."""
    if fmt is not None:
        key = str(fmt).lower().lstrip(".")
        if key not in FORMATS:
            raise DataError(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}")
        return key
    suffix = Path(path).suffix.lower()
    for key, suffixes in FORMATS.items():
        if suffix in suffixes:
            return key
    raise DataError(
        f"{path}: cannot export to {suffix or 'a file without suffix'}; use .gpkg, .parquet, "
        ".csv or .geojson, or pass --format"
    )


def _geo(frame: pd.DataFrame) -> gpd.GeoDataFrame | None:
    if isinstance(frame, gpd.GeoDataFrame) and frame.geometry.name in frame:
        return frame
    if {"lon", "lat"} <= set(frame.columns):
        lon = pd.to_numeric(frame["lon"], errors="coerce")
        lat = pd.to_numeric(frame["lat"], errors="coerce")
        return gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326")
    return None


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def export_frame(
    frame: pd.DataFrame, path: Path, fmt: str | None = None, *, layer: str | None = None
) -> Path:
    """Write ``frame`` to ``path`` in ``fmt`` (default: from the suffix); return the path."""
    path = Path(path)
    key = format_of(path, fmt)
    gdf = _geo(frame)
    if gdf is None and key in ("gpkg", "geojson"):
        raise DataError(
            f"{path}: this table has no coordinates (no lon/lat or geometry); export it as csv "
            "or parquet"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=path.suffix)
    os.close(fd)
    try:
        if key == "csv":
            out = pd.DataFrame(frame)
            if isinstance(frame, gpd.GeoDataFrame):  # geometry as WKT text unless lon/lat
                out = pd.DataFrame(frame.drop(columns=frame.geometry.name))
                if not {"lon", "lat"} <= set(out.columns):
                    out["wkt"] = frame.geometry.to_wkt()
            out.to_csv(tmp, index=False)
        elif key == "parquet":
            (gdf if gdf is not None else frame).to_parquet(tmp)
        else:
            Path(tmp).unlink()
            assert gdf is not None
            if key == "gpkg":
                gdf.to_file(tmp, driver="GPKG", layer=layer or path.stem)
            else:
                gdf.to_file(tmp, driver="GeoJSON")
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def export_result(engine: Engine, name: str, path: Path, fmt: str | None = None) -> Path:
    """Export the stored result table ``name`` as it is stored."""
    return export_frame(read_result(engine, name), path, fmt, layer=name)


def export_partitions(frame: pd.DataFrame, directory: Path, parts: np.ndarray) -> Path:
    """Write ``frame`` as GeoParquet files ``part-<k>.parquet`` in ``directory``, one per
    distinct value ``k`` of ``parts`` (a spatial tile), rows in their order.

    The folder is written whole or not at all: the files go to a temporary folder beside it,
    which then takes its place (a folder already there is replaced).
    """
    directory = Path(directory)
    parts = np.asarray(parts)
    if len(parts) != len(frame):
        raise DataError(f"{directory}: one partition number per row is needed")
    directory.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=directory.parent, prefix=f".{directory.name}."))
    try:
        for k in np.unique(parts):
            export_frame(frame[parts == k], tmp / f"part-{int(k):05d}.parquet", "parquet")
        os.chmod(tmp, 0o777 & ~_umask())
        old = None
        if directory.exists():
            old = directory.with_name(f".{directory.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            os.replace(directory, old)
        os.replace(tmp, directory)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return directory
