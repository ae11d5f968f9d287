"""Population units from H3 cells: a column of H3 cell ids (any resolution) gives each unit
its centre (``h3.cell_to_latlng``), its area (``h3.cell_area``, m²) and its hexagon, kept as
WKT (WGS84 lon/lat) in the unit's ``attrs["geometry_wkt"]`` with the cell id in
``attrs["h3"]``.
"""

from __future__ import annotations

from pathlib import Path

import h3
import numpy as np
import pandas as pd

from libpolis.errors import DataError

__all__ = ["h3_points"]


def _wkt(cell: str) -> str:
    ring = [(lng, lat) for lat, lng in h3.cell_to_boundary(cell)]
    ring.append(ring[0])
    return "POLYGON ((" + ", ".join(f"{x:.7f} {y:.7f}" for x, y in ring) + "))"


def h3_points(frame: pd.DataFrame, path: Path, column: str) -> pd.DataFrame:
    """Centre, area and hexagon of the H3 cell in ``column`` of every row (file order).

    Returns
    -------
    pandas.DataFrame
        Columns ``lon``, ``lat`` (WGS84 degrees), ``area_m2``, ``h3`` and ``geometry_wkt``.

    Raises
    ------
    DataError
        On the first row whose value is not a valid H3 cell (naming its line and column).
    """
    cells = frame[column].astype(str).str.strip().str.lower()
    lon = np.empty(len(cells))
    lat = np.empty(len(cells))
    area = np.empty(len(cells))
    wkt: list[str] = []
    named = frame.index.name in ("line", "feature")
    where = frame.index.name if named else "line"
    for i, cell in enumerate(cells):
        if not h3.is_valid_cell(cell):
            raise DataError(
                f"{path}, {where} {frame.index[i] if named else i + 2}, column {column!r}: {frame[column].iloc[i]!r} "
                "is not a valid H3 cell id"
            )
        lat[i], lon[i] = h3.cell_to_latlng(cell)
        area[i] = h3.cell_area(cell, unit="m^2")
        wkt.append(_wkt(cell))
    return pd.DataFrame(
        {"lon": lon, "lat": lat, "area_m2": area, "h3": cells.to_numpy(), "geometry_wkt": wkt}
    )
