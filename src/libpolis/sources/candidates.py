"""Candidate sites for new libraries or mobile stops: from OpenStreetMap or a city's own file.

Candidates are places a branch or a stop could share or sit beside: schools, community
centres, town halls, post offices, shopping centres and transit hubs. Existing libraries are
not candidates; they stay fixed in the models of :mod:`libpolis.plan.cover`. Reading them is
an import at the edge, so it lives with the sources, not in the (pure) planning analysis.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from libpolis.errors import DataError, MissingColumnError, NotFoundError
from libpolis.sources.osm import read_osm_tagged

__all__ = ["CANDIDATE_TAGS", "candidates_from_file", "candidates_from_pbf"]

#: OpenStreetMap (key, value) -> candidate kind.
CANDIDATE_TAGS: dict[tuple[str, str], str] = {
    ("amenity", "school"): "school",
    ("amenity", "community_centre"): "community_centre",
    ("amenity", "townhall"): "town_hall",
    ("amenity", "post_office"): "post_office",
    ("shop", "mall"): "shopping_centre",
    ("shop", "shopping_centre"): "shopping_centre",
    ("amenity", "bus_station"): "bus_station",
    ("public_transport", "station"): "transit_station",
    ("railway", "station"): "transit_station",
}
_COLUMNS = ["candidate_id", "kind", "name", "source", "source_id"]


def candidates_from_pbf(path: str | Path) -> gpd.GeoDataFrame:
    """Candidate sites tagged in an OpenStreetMap extract (nodes, and ways at their centroid).

    Parameters
    ----------
    path : str or Path
        An ``.osm.pbf`` (or ``.osm``) file.

    Returns
    -------
    GeoDataFrame
        ``candidate_id`` (``osm:n123`` / ``osm:w456``), ``kind``, ``name``, ``source``
        (``"osm"``), ``source_id``; points in EPSG:4326, ordered by id. A station mapped both
        as a node and as a way appears twice.
    """
    path = Path(path)
    if not path.exists():
        raise NotFoundError(f"no such OpenStreetMap file: {path}")
    found = read_osm_tagged(path, CANDIDATE_TAGS, keep=())
    frame = found.sort_values("source_id", kind="stable").reset_index(drop=True)
    frame["candidate_id"] = "osm:" + frame["source_id"]
    frame["source"] = "osm"
    return gpd.GeoDataFrame(
        frame[_COLUMNS],
        geometry=gpd.points_from_xy(frame["lon"], frame["lat"]),
        crs="EPSG:4326",
    )


def candidates_from_file(
    path: str | Path, *, id_col: str = "id", kind_col: str = "kind", name_col: str = "name"
) -> gpd.GeoDataFrame:
    """Candidate sites a city provides: a CSV with ``lon, lat`` or a GeoJSON / GeoPackage.

    Parameters
    ----------
    path : str or Path
        ``.csv`` (columns ``id``, ``lon``, ``lat``; optional ``kind``, ``name``) or a vector
        file readable by pyogrio (points, or polygons taken at their centroid).
    id_col, kind_col, name_col : str
        Column names; ``kind`` and ``name`` may be absent.

    Returns
    -------
    GeoDataFrame
        As :func:`candidates_from_pbf`, with ``source`` the file name.

    Raises
    ------
    MissingColumnError
        A required column is absent (the message lists the columns found).
    DataError
        A value is wrong: the message names the file, row and column.
    """
    path = Path(path)
    if not path.exists():
        raise NotFoundError(f"no such candidate file: {path}")
    where = str(path)
    if path.suffix.lower() == ".csv":
        frame = pd.read_csv(path, dtype={id_col: str})
        _require(frame, [id_col, "lon", "lat"], where)
        lonlat = {}
        for col, lo, hi in (("lon", -180.0, 180.0), ("lat", -90.0, 90.0)):
            values = pd.to_numeric(frame[col], errors="coerce")
            bad = np.flatnonzero(~values.between(lo, hi).to_numpy())
            if bad.size:
                raise DataError(
                    f"row {bad[0] + 2}, column {col!r}: expected a number in [{lo:g}, {hi:g}],"
                    f" found {frame[col].iloc[bad[0]]!r} (row 1 is the header)",
                    where=where,
                )
            lonlat[col] = values.to_numpy(dtype=float)
        geometry = gpd.points_from_xy(lonlat["lon"], lonlat["lat"])
        gdf = gpd.GeoDataFrame(frame, geometry=geometry, crs="EPSG:4326")
    else:
        try:
            gdf = gpd.read_file(path)
        except Exception as exc:  # pyogrio raises its own DataSourceError and others
            raise DataError(f"cannot read candidate file: {exc}", where=where) from exc
        _require(gdf, [id_col], where)
        if gdf.crs is None:
            raise DataError("the file has no CRS; save it with one (e.g. EPSG:4326)", where=where)
        empty = np.flatnonzero((gdf.geometry.isna() | gdf.geometry.is_empty).to_numpy())
        if empty.size:
            raise DataError(
                f"feature {empty[0] + 1} (id {gdf[id_col].iloc[empty[0]]!r}) has no geometry",
                where=where,
            )
        gdf = gdf.to_crs("EPSG:4326")
        if not (gdf.geometry.geom_type == "Point").all():
            utm = gdf.estimate_utm_crs()
            gdf = gdf.set_geometry(gdf.geometry.to_crs(utm).centroid.to_crs("EPSG:4326"))
    ids = gdf[id_col].astype(str)
    missing = np.flatnonzero(gdf[id_col].isna().to_numpy() | (ids.str.strip() == ""))
    if missing.size:
        raise DataError(f"row {missing[0] + 2}, column {id_col!r}: empty id", where=where)
    dup = np.flatnonzero(ids.duplicated().to_numpy())
    if dup.size:
        raise DataError(
            f"row {dup[0] + 2}, column {id_col!r}: id {ids.iloc[dup[0]]!r} appears more than once",
            where=where,
        )
    out = pd.DataFrame(
        {
            "candidate_id": (path.name + ":" + ids).to_numpy(),
            "kind": gdf[kind_col].astype(str).to_numpy() if kind_col in gdf else "candidate",
            "name": gdf[name_col].to_numpy() if name_col in gdf else None,
            "source": path.name,
            "source_id": ids.to_numpy(),
        }
    )
    return gpd.GeoDataFrame(out, geometry=gdf.geometry.to_numpy(), crs="EPSG:4326")


def _require(frame: pd.DataFrame, cols: list[str], where: str) -> None:
    missing = [c for c in cols if c not in frame.columns]
    if missing:
        raise MissingColumnError(
            f"missing column(s) {missing}; found {[c for c in frame.columns if c != 'geometry']}",
            where=where,
        )
