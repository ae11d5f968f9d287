"""Small coordinate helpers shared by sources and analyses."""

from __future__ import annotations

import numpy as np

__all__ = ["near_any", "utm_crs_for"]


def utm_crs_for(lon: np.ndarray, lat: np.ndarray) -> str:
    """The EPSG code of the UTM zone at the median of the points (north or south)."""
    lon0 = float(np.nanmedian(lon))
    lat0 = float(np.nanmedian(lat))
    zone = int(np.floor((lon0 + 180) / 6) % 60) + 1
    return f"EPSG:{(32600 if lat0 >= 0 else 32700) + zone}"


def near_any(
    lon: np.ndarray, lat: np.ndarray, ref_lon: np.ndarray, ref_lat: np.ndarray, radius_m: float
) -> np.ndarray:
    """Boolean mask: which points lie within ``radius_m`` of any reference point (local UTM)."""
    from pyproj import Transformer
    from scipy.spatial import cKDTree

    if len(ref_lon) == 0 or len(lon) == 0:
        return np.zeros(len(lon), dtype=bool)
    all_lon = np.concatenate([lon, ref_lon])
    all_lat = np.concatenate([lat, ref_lat])
    tr = Transformer.from_crs("EPSG:4326", utm_crs_for(all_lon, all_lat), always_xy=True)
    x, y = tr.transform(all_lon, all_lat)
    n = len(lon)
    dist, _ = cKDTree(np.column_stack([x[n:], y[n:]])).query(np.column_stack([x[:n], y[:n]]))
    return dist <= radius_m
