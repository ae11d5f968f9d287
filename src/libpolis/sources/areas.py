"""Administrative areas (city, districts) from vector files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from libpolis.sources._geo import read_vector
from libpolis.sources._validate import check_unique, require_columns

__all__ = ["read_areas"]


def read_areas(
    path: Path, *, name_column: str, kind: str, layer: str | None = None
) -> pd.DataFrame:
    """Areas as records with their geometry as WGS84 WKT; the name is the id."""
    path = Path(path)
    frame = read_vector(path, layer=layer)
    require_columns(frame, [name_column], path)
    frame = frame.reset_index(drop=True)
    frame[name_column] = frame[name_column].astype(str).str.strip()
    check_unique(frame, name_column, path)
    wgs = frame.to_crs("EPSG:4326")
    return pd.DataFrame(
        {
            "source_id": frame[name_column],
            "name": frame[name_column],
            "kind": kind,
            "geometry_wkt": wgs.geometry.to_wkt(),
            "attrs": [{} for _ in range(len(frame))],
        }
    )
