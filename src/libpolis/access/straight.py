"""Straight-line nearest facility in a local UTM CRS (interim; see access.nearest)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from pyproj import Transformer
from scipy.spatial import cKDTree

from libpolis.geo import utm_crs_for

__all__ = ["nearest_straight"]


def nearest_straight(points: pd.DataFrame, facilities: pd.DataFrame) -> pd.DataFrame:
    """Index of and distance (m) to the nearest facility for each point (``lon``, ``lat``)."""
    lon = np.concatenate([points["lon"].to_numpy(float), facilities["lon"].to_numpy(float)])
    lat = np.concatenate([points["lat"].to_numpy(float), facilities["lat"].to_numpy(float)])
    tr = Transformer.from_crs("EPSG:4326", utm_crs_for(lon, lat), always_xy=True)
    x, y = tr.transform(lon, lat)
    n = len(points)
    dist, idx = cKDTree(np.column_stack([x[n:], y[n:]])).query(np.column_stack([x[:n], y[:n]]))
    return pd.DataFrame({"index": idx, "dist_m": dist}, index=points.index)
