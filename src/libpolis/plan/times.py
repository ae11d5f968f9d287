"""Model inputs from points: straight-line travel times, weights and site ids of GeoDataFrames."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.spatial import cKDTree

from libpolis.errors import DataError, MissingColumnError

__all__ = ["straight_line_times"]


def straight_line_times(
    origins: gpd.GeoDataFrame,
    destinations: gpd.GeoDataFrame,
    *,
    speed_kph: float,
    limit_min: float | None = None,
    crs: object | None = None,
) -> sp.csr_matrix:
    """Straight-line travel times (minutes) in a local UTM CRS, as a sparse origins x sites matrix.

    Parameters
    ----------
    origins, destinations : GeoDataFrame
        Points (other geometries use their centroid), same CRS, set.
    speed_kph : float
        Travel speed in km/h (walking is about 4.5, cycling 15).
    limit_min : float, optional
        Store only pairs within this many minutes (all pairs when None).
    crs : CRS or str, optional
        Metric CRS to measure in (default: the UTM zone of the origins); a partition of the
        origins passes the whole set's.

    Returns
    -------
    scipy.sparse.csr_matrix
        ``time_min`` for stored pairs; absent pairs are beyond ``limit_min``. Zero times are
        stored explicitly.
    """
    for name, frame in (("origins", origins), ("destinations", destinations)):
        if frame.crs is None:
            raise DataError(f"{name} have no CRS; set one (e.g. EPSG:4326)")
    if origins.crs != destinations.crs:
        raise DataError(f"CRS differ: origins {origins.crs}, destinations {destinations.crs}")
    if not speed_kph > 0:
        raise DataError(f"speed_kph must be > 0, got {speed_kph!r}")
    utm = crs if crs is not None else (
        origins.estimate_utm_crs() if len(origins) else destinations.estimate_utm_crs()
    )
    a = _xy(origins.to_crs(utm))
    b = _xy(destinations.to_crs(utm))
    metres_per_min = speed_kph * 1000.0 / 60.0
    if limit_min is None:
        d = np.sqrt(((a[:, None, :] - b[None, :, :]) ** 2).sum(axis=2))
        rows, cols = np.indices(d.shape)
        data, rows, cols = d.ravel(), rows.ravel(), cols.ravel()
    else:
        pairs = cKDTree(a).sparse_distance_matrix(
            cKDTree(b), limit_min * metres_per_min, output_type="ndarray"
        )
        rows, cols, data = pairs["i"], pairs["j"], pairs["v"]  # zero distances are kept
    m = sp.csr_matrix(
        (data / metres_per_min, (rows, cols)), shape=(len(a), len(b)), dtype=np.float64
    )
    m.sort_indices()
    return m


def _xy(frame: gpd.GeoDataFrame) -> np.ndarray:
    geom = frame.geometry
    if not (geom.geom_type == "Point").all():
        geom = geom.centroid
    if geom.is_empty.any() or geom.isna().any():
        raise DataError("some geometries are empty or missing")
    return np.column_stack([geom.x.to_numpy(), geom.y.to_numpy()])


def _frame_inputs(
    demand: gpd.GeoDataFrame,
    sites: gpd.GeoDataFrame,
    weight_col: str,
    existing_col: str | None,
    demand_id_col: str | None,
    site_id_col: str | None,
) -> tuple[pd.Series, list, np.ndarray | None]:
    for frame, label, cols in (
        (demand, "demand", [weight_col, demand_id_col]),
        (sites, "sites", [existing_col, site_id_col]),
    ):
        missing = [c for c in cols if c is not None and c not in frame.columns]
        if missing:
            raise MissingColumnError(
                f"{label} lacks column(s) {missing}; found {list(frame.columns)}"
            )
    demand_ids = demand[demand_id_col] if demand_id_col else demand.index
    weights = pd.Series(
        pd.to_numeric(demand[weight_col], errors="coerce").to_numpy(dtype=np.float64),
        index=pd.Index(demand_ids),
    )
    site_ids = list(sites[site_id_col] if site_id_col else sites.index)
    existing = None
    if existing_col is not None:
        existing = sites[existing_col].fillna(False).astype(bool).to_numpy()
    return weights, site_ids, existing
