"""A one-site estimate for workspaces without a plan: the best place for one new service
point among the population units themselves, by straight-line reach."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["best_new_site"]


def best_new_site(
    units: pd.DataFrame, cost_col: str, threshold: float, *, radius_m: float
) -> dict[str, Any] | None:
    """The unit location from which a new service point reaches the most unserved residents.

    A one-site maximal covering choice over the population units themselves as candidates:
    residents are unserved when ``cost_col`` exceeds ``threshold`` (or is unknown); a
    candidate reaches an unserved unit within ``radius_m`` metres straight line (local UTM).

    Parameters
    ----------
    units : DataFrame
        ``lon``, ``lat``, ``population``, ``cost_col`` and optionally ``district``.
    cost_col : str
        ``dist_m`` or ``time_min``.
    threshold : float
        The standard in the unit of ``cost_col``.
    radius_m : float
        Straight-line reach of the new service point in metres.

    Returns
    -------
    dict or None
        ``lon``, ``lat``, ``district`` (None when unknown), ``residents_gained``,
        ``radius_m``; None when nobody is unserved.
    """
    from pyproj import Transformer
    from scipy.spatial import cKDTree

    from libpolis.geo import local_utm_crs

    unserved = units[~(units[cost_col] <= threshold)]
    unserved = unserved[unserved["population"] > 0]
    if unserved.empty:
        return None
    lon, lat = unserved["lon"].to_numpy(float), unserved["lat"].to_numpy(float)
    tr = Transformer.from_crs("EPSG:4326", local_utm_crs(lon, lat), always_xy=True)
    xy = np.column_stack(tr.transform(lon, lat))
    tree = cKDTree(xy)
    pop = unserved["population"].to_numpy(float)
    near = tree.query_ball_point(xy, radius_m, workers=-1)
    sizes = np.fromiter((len(n) for n in near), dtype=np.int64, count=len(near))
    flat = np.fromiter(itertools.chain.from_iterable(near), dtype=np.int64, count=int(sizes.sum()))
    # every unit reaches itself, so no neighbour list is empty and reduceat is exact
    gains = np.add.reduceat(pop[flat], np.concatenate([[0], np.cumsum(sizes)[:-1]]))
    best = int(np.argmax(gains))
    row = unserved.iloc[best]
    district = row.get("district")
    return {
        "lon": float(row["lon"]),
        "lat": float(row["lat"]),
        "district": None if district is None or pd.isna(district) else str(district),
        "residents_gained": float(gains[best]),
        "radius_m": float(radius_m),
    }
