"""Spatial tiles of residents and the boxes around them, in one metric.

A partition of a distributed run is a rectangular *tile* of a regular grid laid over the
residents; its halo is the tile grown by a distance on every side (a :class:`Box`). Grid and
halos live in the *metric* of the analysis: the local UTM CRS in metres when every point lies
in one UTM zone (the same CRS the analyses measure access legs and straight lines in), and
plain longitude/latitude degrees otherwise (then only straight-line runs partition, which need
no halo: see :mod:`libpolis.scale.executor`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from pyproj import CRS, Transformer

from libpolis.errors import DataError

__all__ = ["Box", "Grid", "Metric", "metric_of", "tile_grid"]


@dataclass(frozen=True)
class Metric:
    """How points are measured: ``method`` ``"utm"`` (planar metres in ``crs``) or
    ``"sphere"`` (no planar metric: tiles in degrees)."""

    method: str
    crs: CRS | None = None

    def xy(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Coordinates of WGS84 points in this metric (metres in the CRS, or degrees)."""
        lon = np.asarray(lon, dtype=np.float64)
        lat = np.asarray(lat, dtype=np.float64)
        if self.method != "utm" or self.crs is None:
            return lon, lat
        x, y = Transformer.from_crs(4326, self.crs, always_xy=True).transform(lon, lat)
        return np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)

    @property
    def planar(self) -> bool:
        """Whether distances in this metric are metres (halos can be proven)."""
        return self.method == "utm" and self.crs is not None


def metric_of(method: str, crs: CRS | None) -> Metric:
    """The metric of a k-d tree index (``PointIndex.method``, ``PointIndex.crs``)."""
    if method not in ("utm", "sphere"):
        raise DataError(f"unknown distance method {method!r}; use 'utm' or 'sphere'")
    return Metric(method, crs if method == "utm" else None)


@dataclass(frozen=True)
class Box:
    """An axis-parallel rectangle ``[xmin, xmax] x [ymin, ymax]`` in a metric."""

    xmin: float
    ymin: float
    xmax: float
    ymax: float

    def grow(self, d: float) -> Box:
        """The box grown by ``d`` on every side."""
        return Box(self.xmin - d, self.ymin - d, self.xmax + d, self.ymax + d)

    def contains(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Whether each point lies in the box (edges included)."""
        return (x >= self.xmin) & (x <= self.xmax) & (y >= self.ymin) & (y <= self.ymax)

    def inner_distance(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Distance from each point inside the box to the nearest point outside it (0 or
        negative outside): every point beyond the box is at least this far away."""
        return np.minimum(
            np.minimum(np.asarray(x) - self.xmin, self.xmax - np.asarray(x)),
            np.minimum(np.asarray(y) - self.ymin, self.ymax - np.asarray(y)),
        )

    def covers(self, other: Box) -> bool:
        """Whether ``other`` lies wholly inside this box."""
        return (
            self.xmin <= other.xmin
            and self.ymin <= other.ymin
            and self.xmax >= other.xmax
            and self.ymax >= other.ymax
        )

    @classmethod
    def around(cls, x: np.ndarray, y: np.ndarray) -> Box:
        """The bounding box of points (an empty box far away when there are none)."""
        if len(x) == 0:
            return cls(math.inf, math.inf, -math.inf, -math.inf)
        return cls(float(np.min(x)), float(np.min(y)), float(np.max(x)), float(np.max(y)))


@dataclass(frozen=True)
class Grid:
    """A regular grid of square tiles of side ``size`` from ``(x0, y0)``."""

    x0: float
    y0: float
    size: float
    nx: int
    ny: int

    def tile_of(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Tile number (row-major, ``iy * nx + ix``) of each point."""
        ix = np.clip(((np.asarray(x) - self.x0) // self.size).astype(np.int64), 0, self.nx - 1)
        iy = np.clip(((np.asarray(y) - self.y0) // self.size).astype(np.int64), 0, self.ny - 1)
        return iy * self.nx + ix

    def box(self, tile: int) -> Box:
        """The rectangle of a tile (the last row and column reach to the data's edge)."""
        iy, ix = divmod(int(tile), self.nx)
        return Box(
            self.x0 + ix * self.size,
            self.y0 + iy * self.size,
            self.x0 + (ix + 1) * self.size,
            self.y0 + (iy + 1) * self.size,
        )


def tile_grid(
    x: np.ndarray, y: np.ndarray, *, partitions: int | None = None, tile: float | None = None
) -> Grid:
    """A grid over points: tiles of side ``tile``, or about ``partitions`` tiles over their
    bounding box (a square grid of ``ceil(sqrt(partitions))`` tiles a side).

    Parameters
    ----------
    x, y : ndarray
        Point coordinates in the metric.
    partitions : int, optional
        Wanted number of tiles (empty tiles are dropped by the caller, so there may be fewer).
    tile : float, optional
        Tile side in the metric's units; takes precedence over ``partitions``.
    """
    if len(x) == 0:
        return Grid(0.0, 0.0, 1.0, 1, 1)
    box = Box.around(np.asarray(x), np.asarray(y))
    span = max(box.xmax - box.xmin, box.ymax - box.ymin)
    if tile is None:
        k = max(1, math.ceil(math.sqrt(max(1, int(partitions or 1)))))
        size = span / k if span > 0 else 1.0
        size *= 1.0 + 1e-9  # the last tile keeps the points on the far edge
    else:
        if not (tile > 0 and math.isfinite(tile)):
            raise DataError(f"the tile size must be a positive number, not {tile!r}")
        size = float(tile)
    nx = max(1, math.ceil((box.xmax - box.xmin) / size) or 1)
    ny = max(1, math.ceil((box.ymax - box.ymin) / size) or 1)
    return Grid(box.xmin, box.ymin, size, nx, ny)
