"""Population units from CSV points, H3 cells (``h3_column``) or vector files (points or
polygons as centroids)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from libpolis.errors import DataError
from libpolis.sources._geo import VECTOR_SUFFIXES, read_vector, to_points
from libpolis.sources._validate import (
    check_lonlat,
    check_numeric,
    check_unique,
    line_of,
    read_csv_checked,
    require_columns,
)
from libpolis.sources.h3cells import h3_points

__all__ = ["ROW_ID", "read_population"]

#: ``--id-column @row``: files without ids get ``row<line number>`` ids (stable for one file).
ROW_ID = "@row"

_LON = ("lon", "longitude", "LONGITUDE", "lng", "x_lon")
_LAT = ("lat", "latitude", "LATITUDE", "y_lat")


def _pick(frame: pd.DataFrame, names: Sequence[str]) -> str | None:
    return next((n for n in names if n in frame.columns), None)


def _csv_points(
    frame: pd.DataFrame, path: Path, x_column: str | None, y_column: str | None, crs: str | None
) -> pd.DataFrame:
    if x_column or y_column:
        if not (x_column and y_column):
            raise DataError(f"{path}: give both --x-column and --y-column")
        require_columns(frame, [x_column, y_column], path)
        x = check_numeric(frame, x_column, path)
        y = check_numeric(frame, y_column, path)
        if crs is None:
            if (x.abs() > 180).any() or (y.abs() > 90).any():
                raise DataError(
                    f"{path}, column {x_column!r}: projected coordinates need --crs (e.g. EPSG:3879)"
                )
            crs = "EPSG:4326"
        try:
            tr = Transformer.from_crs(CRS.from_user_input(crs), "EPSG:4326", always_xy=True)
        except CRSError as exc:
            raise DataError(f"{path}: unknown CRS {crs!r}") from exc
        lon, lat = tr.transform(x.to_numpy(), y.to_numpy())
        lon, lat = pd.Series(lon, index=frame.index), pd.Series(lat, index=frame.index)
        if not (np.isfinite(lon).all() and np.isfinite(lat).all()):
            raise DataError(f"{path}: coordinates could not be transformed from {crs}")
        check_lonlat(lon, lat, path, (x_column, y_column))
        return pd.DataFrame({"lon": lon, "lat": lat, "area_m2": np.nan})
    lon_col, lat_col = _pick(frame, _LON), _pick(frame, _LAT)
    if lon_col is None or lat_col is None:
        raise DataError(
            f"{path}: no lon/lat columns (looked for {', '.join(_LON + _LAT)}); "
            f"found: {', '.join(frame.columns[:30])}; or give --x-column/--y-column with --crs"
        )
    lon = check_numeric(frame, lon_col, path)
    lat = check_numeric(frame, lat_col, path)
    check_lonlat(lon, lat, path, (lon_col, lat_col))
    return pd.DataFrame({"lon": lon, "lat": lat, "area_m2": np.nan})


def read_population(
    path: Path,
    *,
    id_column: str,
    population_column: str,
    x_column: str | None = None,
    y_column: str | None = None,
    crs: str | None = None,
    layer: str | None = None,
    income_column: str | None = None,
    district_column: str | None = None,
    attr_columns: Sequence[str] = (),
    encoding: str = "utf-8",
    h3_column: str | None = None,
) -> pd.DataFrame:
    """Read population units as a frame of store records.

    Returns
    -------
    pandas.DataFrame
        Columns ``source_id, lon, lat, population, area_m2, district, income, attrs``
        (WGS84 degrees, residents, m²); ``attrs`` holds the extra attribute columns. With
        ``h3_column`` each unit is the centre of its H3 cell (lon/lat columns of the file are
        not used), ``area_m2`` the cell's area and ``attrs`` also holds ``h3`` and the hexagon
        as ``geometry_wkt``. Indexed by the file line of each unit (CSV, index name
        ``line``) or its feature number (vector files, ``feature``), for the messages of
        later checks.
    """
    path = Path(path)
    if path.suffix.lower() in VECTOR_SUFFIXES:
        frame = read_vector(path, layer=layer)
        points = to_points(frame, path)
        frame = pd.DataFrame(frame.drop(columns=frame.geometry.name))
    else:
        frame = read_csv_checked(path, encoding=encoding)
        points = None
    if h3_column and id_column not in frame.columns:
        id_column = h3_column  # the cell is the unit's id
    row_ids = id_column == ROW_ID
    needed = [population_column, *attr_columns] + ([] if row_ids else [id_column])
    needed += [c for c in (income_column, district_column, h3_column) if c]
    require_columns(frame, needed, path)
    if row_ids:
        id_column = "__row__"
        frame[id_column] = [f"row{line_of(frame, i)}" for i in range(len(frame))]
    if h3_column:
        points = h3_points(frame, path, h3_column)
    elif points is None:
        points = _csv_points(frame, path, x_column, y_column, crs)
    points = points.set_axis(frame.index)
    frame[id_column] = frame[id_column].astype(str).str.strip()
    empty_id = (frame[id_column] == "").to_numpy()
    if empty_id.any():
        line = line_of(frame, int(np.flatnonzero(empty_id)[0]))
        raise DataError(f"{path}, line {line}, column {id_column!r}: the id is empty")
    check_unique(frame, id_column, path)
    population = check_numeric(frame, population_column, path, minimum=0)
    income = (
        check_numeric(frame, income_column, path, allow_missing=True)
        if income_column
        else pd.Series(np.nan, index=frame.index)
    )
    attrs = [
        {c: (None if pd.isna(v) else v) for c, v in zip(attr_columns, row, strict=True)}
        for row in frame[list(attr_columns)].itertuples(index=False, name=None)
    ]
    if h3_column:
        attrs = [
            {**a, "h3": c, "geometry_wkt": w}
            for a, c, w in zip(attrs, points["h3"], points["geometry_wkt"], strict=True)
        ]
    return pd.DataFrame(
        {
            "source_id": frame[id_column].to_numpy(),
            "lon": points["lon"].to_numpy(),
            "lat": points["lat"].to_numpy(),
            "population": population.to_numpy(),
            "area_m2": points["area_m2"].to_numpy(),
            "district": frame[district_column].astype(str).replace("", None).to_numpy()
            if district_column
            else None,
            "income": income.to_numpy(),
            "attrs": attrs,
        },
        index=frame.index,
    )
