"""Coordinate helpers shared by sources, analyses and the evidence: the local UTM CRS."""

from __future__ import annotations

import numpy as np
from pyproj import CRS

from libpolis.errors import DataError

__all__ = ["local_utm_crs", "utm_zone"]


def utm_zone(lon: np.ndarray) -> np.ndarray:
    """UTM zone numbers (1-60) of WGS84 longitudes."""
    return np.clip(np.floor((np.asarray(lon) + 180.0) / 6.0).astype(np.int64) + 1, 1, 60)


def local_utm_crs(lon: np.ndarray, lat: np.ndarray) -> CRS:
    """The UTM CRS (WGS84 datum) of the median point of the data.

    Parameters
    ----------
    lon, lat : array_like
        WGS84 degrees.

    Returns
    -------
    pyproj.CRS
        EPSG:326zz (north) or EPSG:327zz (south).
    """
    lon = np.asarray(lon, dtype=np.float64)
    lat = np.asarray(lat, dtype=np.float64)
    if lon.size == 0:
        raise DataError("cannot choose a UTM zone for an empty set of points")
    zone = int(utm_zone(np.array([np.nanmedian(lon)]))[0])
    epsg = (32700 if np.nanmedian(lat) < 0 else 32600) + zone
    return CRS.from_epsg(epsg)
