"""Geodesy helpers shared by :mod:`network` and :mod:`nearest` (internal).

Two ways of measuring straight-line distance between WGS84 points are used:

* a local UTM CRS (chosen from the data) when every point lies in one UTM zone and one
  hemisphere: planar distances after projection with pyproj, k-d tree on ``x, y``;
* otherwise (a country, a continent) points become 3-D unit vectors; a k-d tree on those finds
  the nearest point by chord length, which is monotone in the great-circle distance, and the
  chord is converted exactly to the great-circle distance on a sphere of radius
  :data:`EARTH_RADIUS_M`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from pyproj import CRS, Transformer
from scipy.spatial import cKDTree

from libpolis.errors import DataError

__all__ = [
    "EARTH_RADIUS_M",
    "PointIndex",
    "haversine_m",
    "local_utm_crs",
    "single_utm_zone",
    "unit_vectors",
]

EARTH_RADIUS_M = 6_371_008.8
"""Mean Earth radius (IUGG), metres."""


def _check_lonlat(lon: np.ndarray, lat: np.ndarray, where: str) -> tuple[np.ndarray, np.ndarray]:
    lon = np.asarray(lon, dtype=np.float64)
    lat = np.asarray(lat, dtype=np.float64)
    if lon.shape != lat.shape or lon.ndim != 1:
        raise DataError(
            f"lon and lat must be 1-D arrays of equal length, found shapes {lon.shape} and "
            f"{lat.shape}",
            where=where,
        )
    bad = ~(np.isfinite(lon) & np.isfinite(lat))
    bad |= (np.abs(lat) > 90) | (np.abs(lon) > 180)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise DataError(
            f"{int(bad.sum())} coordinates are missing or outside WGS84 ranges, first at "
            f"position {i}: lon={lon[i]}, lat={lat[i]}",
            where=where,
        )
    return lon, lat


def _utm_zone(lon: np.ndarray) -> np.ndarray:
    return np.clip(np.floor((lon + 180.0) / 6.0).astype(np.int64) + 1, 1, 60)


def single_utm_zone(lon: np.ndarray, lat: np.ndarray) -> bool:
    """True when all points fall in one UTM zone and one hemisphere."""
    if len(lon) == 0:
        return True
    zones = _utm_zone(np.asarray(lon, dtype=np.float64))
    south = np.asarray(lat) < 0
    return bool(zones.min() == zones.max() and (south.all() or not south.any()))


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
    zone = int(_utm_zone(np.array([np.median(lon)]))[0])
    epsg = (32700 if np.median(lat) < 0 else 32600) + zone
    return CRS.from_epsg(epsg)


def unit_vectors(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """3-D unit vectors (n, 3) of WGS84 points on a sphere."""
    lam = np.radians(lon)
    phi = np.radians(lat)
    cphi = np.cos(phi)
    return np.column_stack((cphi * np.cos(lam), cphi * np.sin(lam), np.sin(phi)))


def haversine_m(
    lon1: np.ndarray, lat1: np.ndarray, lon2: np.ndarray, lat2: np.ndarray
) -> np.ndarray:
    """Great-circle distance in metres (haversine, sphere of radius ``EARTH_RADIUS_M``)."""
    lam1, phi1, lam2, phi2 = map(np.radians, (lon1, lat1, lon2, lat2))
    dphi, dlam = (phi2 - phi1) / 2, (lam2 - lam1) / 2
    a = np.sin(dphi) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin(dlam) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


@dataclass
class PointIndex:
    """Nearest-neighbour index over WGS84 points, metric in metres.

    ``method`` is ``"utm"`` (planar distances in ``crs``) or ``"sphere"`` (great-circle
    distances); ``"auto"`` picks UTM when the indexed points *and* the points that will be
    queried (pass them as ``extent_lon``/``extent_lat``) lie in one UTM zone.
    """

    lon: np.ndarray
    lat: np.ndarray
    method: str = "auto"
    extent_lon: np.ndarray | None = None
    extent_lat: np.ndarray | None = None
    crs: CRS | None = None
    _tree: cKDTree = field(init=False, repr=False)
    _to_xy: Transformer | None = field(init=False, repr=False, default=None)

    def __post_init__(self) -> None:
        lon, lat = self.lon, self.lat
        if self.method == "auto":
            all_lon = lon if self.extent_lon is None else np.concatenate([lon, self.extent_lon])
            all_lat = lat if self.extent_lat is None else np.concatenate([lat, self.extent_lat])
            self.method = "utm" if single_utm_zone(all_lon, all_lat) else "sphere"
        if self.method == "utm":
            if self.crs is None:
                self.crs = local_utm_crs(lon, lat)
            self._to_xy = Transformer.from_crs(4326, self.crs, always_xy=True)
            self._tree = cKDTree(self._project(lon, lat))
        elif self.method == "sphere":
            self._tree = cKDTree(unit_vectors(lon, lat))
        else:
            raise DataError(f"unknown distance method {self.method!r}; use 'utm' or 'sphere'")

    def _project(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        assert self._to_xy is not None
        x, y = self._to_xy.transform(lon, lat)
        return np.column_stack((x, y))

    def query(
        self, lon: np.ndarray, lat: np.ndarray, k: int = 1, workers: int = -1
    ) -> tuple[np.ndarray, np.ndarray]:
        """Nearest ``k`` indexed points of each query point.

        Returns
        -------
        dist_m : ndarray
            Distances in metres, shape ``(n,)`` for ``k == 1`` else ``(n, k)``; ``inf`` where
            fewer than ``k`` points exist.
        index : ndarray
            Positions into the indexed points; ``len(self.lon)`` where missing.
        """
        if self.method == "utm":
            dist, idx = self._tree.query(self._project(lon, lat), k=k, workers=workers)
            return dist, idx
        dist, idx = self._tree.query(unit_vectors(lon, lat), k=k, workers=workers)
        arc = 2 * EARTH_RADIUS_M * np.arcsin(np.clip(dist / 2, 0.0, 1.0))
        return np.where(np.isfinite(dist), arc, np.inf), idx
