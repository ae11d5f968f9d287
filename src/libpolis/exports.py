"""Export stored results as GeoParquet, GeoPackage or CSV (written atomically)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
from sqlalchemy import Engine

from libpolis.errors import DataError
from libpolis.store import read_result

__all__ = ["export_frame", "export_result"]

_SUFFIXES = {".parquet", ".geoparquet", ".gpkg", ".csv"}


def export_frame(frame: pd.DataFrame, path: Path) -> Path:
    """Write a frame with ``lon``/``lat`` columns to ``path``; the suffix picks the format."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in _SUFFIXES:
        raise DataError(
            f"{path}: cannot export to {suffix or 'no suffix'}; use .parquet, .gpkg or .csv"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=suffix)
    os.close(fd)
    try:
        if suffix == ".csv":
            frame.to_csv(tmp, index=False)
        else:
            gdf = gpd.GeoDataFrame(
                frame, geometry=gpd.points_from_xy(frame["lon"], frame["lat"]), crs="EPSG:4326"
            )
            if suffix == ".gpkg":
                Path(tmp).unlink()
                gdf.to_file(tmp, driver="GPKG", layer=path.stem)
            else:
                gdf.to_parquet(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def export_result(engine: Engine, name: str, path: Path) -> Path:
    """Export the stored result table ``name``."""
    return export_frame(read_result(engine, name), path)
