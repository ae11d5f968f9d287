"""Administrative areas (city, districts) from vector files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from libpolis.errors import DataError
from libpolis.sources._geo import read_vector
from libpolis.sources._validate import check_unique, require_columns

__all__ = ["read_areas"]

_POLYGONAL = ("Polygon", "MultiPolygon")


def _check_polygons(frame, path: Path, names: pd.Series) -> None:
    """Refuse a feature without geometry, one that is not a polygon, or an invalid polygon
    (self-intersecting, a ring that does not close), naming the feature and the reason."""
    geoms = frame.geometry
    missing = (geoms.isna() | geoms.is_empty).to_numpy()
    kinds = geoms.geom_type.to_numpy()
    not_polygon = ~missing & ~np.isin(kinds, _POLYGONAL)
    invalid = ~missing & ~not_polygon & ~geoms.is_valid.to_numpy()
    for mask, why in ((missing, "has no geometry"), (not_polygon, None), (invalid, None)):
        if not mask.any():
            continue
        pos = int(np.flatnonzero(mask)[0])
        if why is None and mask is not_polygon:
            why = f"is a {kinds[pos]}, not a polygon (areas are polygons)"
        elif why is None:
            reason = shapely.is_valid_reason(geoms.iloc[pos])
            why = f"is not a valid polygon ({reason}); repair it (e.g. ST_MakeValid) and retry"
        raise DataError(
            f"{path}, feature {frame.index[pos]} ({str(names.iloc[pos])[:80]!r}): {why}"
            f" ({int(mask.sum())} such feature(s))"
        )


def read_areas(
    path: Path, *, name_column: str, kind: str, layer: str | None = None
) -> pd.DataFrame:
    """Areas as records with their geometry as WGS84 WKT; the name is the id.

    Every feature must be a valid polygon or multipolygon.
    """
    path = Path(path)
    frame = read_vector(path, layer=layer)
    require_columns(frame, [name_column], path)
    names = frame[name_column]
    frame[name_column] = names.where(names.notna(), "").astype(str).str.strip()
    check_unique(frame, name_column, path)
    _check_polygons(frame, path, frame[name_column])
    wgs = frame.to_crs("EPSG:4326")
    return pd.DataFrame(
        {
            "source_id": frame[name_column],
            "name": frame[name_column],
            "kind": kind,
            "geometry_wkt": wgs.geometry.to_wkt(),
            "attrs": [{} for _ in range(len(frame))],
        },
        index=frame.index,
    )
