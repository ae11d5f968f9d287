"""A deterministic road-like street graph, generated box by box (never whole in one process).

Nodes lie on a ``n x n`` lattice ``spacing_m`` apart in UTM zone 35N (around Helsinki), each
moved by a deterministic jitter of up to a fifth of the spacing (a hash of its lattice
position, so any box yields the same nodes as the whole graph would). Streets join lattice
neighbours in a hierarchy: every 40th row and column is an arterial (70 km/h), every 10th a
collector (50 km/h), the rest residential streets (30 km/h). Times are planar length over
speed, so the fastest edge bounds how fast any trip crosses the plane (the halo proof's V).

``RoadGrid`` is a :class:`libpolis.scale.halo.GraphSource`: a Dask partition calls
``cut(box)`` on its worker and gets the induced subgraph of its tile plus halo.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from pyproj import CRS, Transformer

from libpolis.access.graph import StreetGraph
from libpolis.scale.halo import pin_metric
from libpolis.scale.tiles import Box, Metric

__all__ = ["RoadGrid"]

_SPEEDS_KPH = (30.0, 50.0, 70.0)


def _jitter(i: np.ndarray, j: np.ndarray, salt: int) -> np.ndarray:
    """Deterministic value in [-0.5, 0.5) per lattice position (a 64-bit integer hash)."""
    h = (i.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)) ^ (
        j.astype(np.uint64) * np.uint64(0xC2B2AE3D27D4EB4F) + np.uint64(salt)
    )
    h ^= h >> np.uint64(31)
    h *= np.uint64(0xBF58476D1CE4E5B9)
    h ^= h >> np.uint64(29)
    return (h >> np.uint64(11)).astype(np.float64) / float(1 << 53) - 0.5


@dataclass
class RoadGrid:
    """The road-like graph of ``n * n`` nodes (see the module notes)."""

    n: int
    spacing_m: float = 50.0
    x0: float = 370_000.0
    y0: float = 6_640_000.0

    def __post_init__(self) -> None:
        self.crs = CRS.from_epsg(32635)
        self.metric = Metric("utm", self.crs)
        self.speed_bound = max(_SPEEDS_KPH) * 1000.0 / 60.0  # planar metres per minute
        # an edge joins lattice neighbours, each moved up to 0.2 spacing on each axis (jitter
        # in [-0.5, 0.5) x 0.4): at most sqrt(1.4^2 + 0.4^2) = 1.46 spacings long
        self.max_edge_m = 2.0 * self.spacing_m
        pad = 0.2 * self.spacing_m
        span = (self.n - 1) * self.spacing_m
        self.extent = Box(self.x0 - pad, self.y0 - pad, self.x0 + span + pad, self.y0 + span + pad)

    @property
    def n_nodes(self) -> int:
        return self.n * self.n

    def _xy(self, i: np.ndarray, j: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        s = self.spacing_m
        x = self.x0 + i * s + 0.4 * s * _jitter(i, j, 1)
        y = self.y0 + j * s + 0.4 * s * _jitter(i, j, 2)
        return x, y

    def _speed(self, k: np.ndarray) -> np.ndarray:
        """Speed class of a street along lattice line ``k`` (row or column index)."""
        return np.where(k % 40 == 0, 70.0, np.where(k % 10 == 0, 50.0, 30.0))

    def cut(self, box: Box) -> StreetGraph:
        """The subgraph induced by the nodes inside ``box`` (node order: lattice order)."""
        s = self.spacing_m
        lo_i = max(0, int(np.floor((box.xmin - self.x0) / s)) - 1)
        hi_i = min(self.n - 1, int(np.ceil((box.xmax - self.x0) / s)) + 1)
        lo_j = max(0, int(np.floor((box.ymin - self.y0) / s)) - 1)
        hi_j = min(self.n - 1, int(np.ceil((box.ymax - self.y0) / s)) + 1)
        ii, jj = np.meshgrid(
            np.arange(lo_i, hi_i + 1, dtype=np.int64),
            np.arange(lo_j, hi_j + 1, dtype=np.int64),
            indexing="ij",
        )
        ii, jj = ii.ravel(), jj.ravel()
        x, y = self._xy(ii, jj)
        inside = box.contains(x, y)
        ii, jj, x, y = ii[inside], jj[inside], x[inside], y[inside]
        w = hi_j - lo_j + 1
        key = (ii - lo_i) * w + (jj - lo_j)
        pos = np.full((hi_i - lo_i + 1) * w, -1, dtype=np.int64)
        pos[key] = np.arange(len(key))
        tails, heads, speeds = [], [], []
        for di, dj in ((1, 0), (-1, 0), (0, 1), (0, -1)):
            ni, nj = ii + di, jj + dj
            ok = (ni >= lo_i) & (ni <= hi_i) & (nj >= lo_j) & (nj <= hi_j)
            nb = np.full(len(ii), -1, dtype=np.int64)
            nb[ok] = pos[(ni[ok] - lo_i) * w + (nj[ok] - lo_j)]
            ok = nb >= 0
            tails.append(np.flatnonzero(ok))
            heads.append(nb[ok])
            speeds.append(self._speed(jj[ok] if di else ii[ok]))  # row streets: along j
        tail = np.concatenate(tails)
        head = np.concatenate(heads)
        speed = np.concatenate(speeds)
        order = np.lexsort((head, tail))
        tail, head, speed = tail[order], head[order], speed[order]
        length = np.hypot(x[head] - x[tail], y[head] - y[tail])
        time = length / (speed * 1000.0 / 60.0)
        lon, lat = Transformer.from_crs(self.crs, 4326, always_xy=True).transform(x, y)
        indptr = np.zeros(len(ii) + 1, dtype=np.int64)
        np.cumsum(np.bincount(tail, minlength=len(ii)), out=indptr[1:])
        graph = StreetGraph(
            indptr, head, time, length, np.asarray(lon), np.asarray(lat),
            ii * self.n + jj, "drive", symmetric=True,
        )  # fmt: skip
        return pin_metric(graph, self.metric)

    def random_points(self, count: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
        """``count`` points uniformly over the lattice's area (lon, lat), seeded."""
        rng = np.random.default_rng(seed)
        span = (self.n - 1) * self.spacing_m
        x = self.x0 + rng.random(count) * span
        y = self.y0 + rng.random(count) * span
        lon, lat = Transformer.from_crs(self.crs, 4326, always_xy=True).transform(x, y)
        return np.asarray(lon), np.asarray(lat)
