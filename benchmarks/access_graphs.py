"""Generated road graphs for ``benchmarks/access.py`` (seeded, deterministic).

Both graphs are square grids of ``side x side`` nodes, 100 m apart, placed around 60.2 N 24.9 E
(coordinates only matter for snapping). Every street is two-way (so that pandana, networkx and
libpolis answer exactly the same question); edge lengths vary by +-10 % (uniform) so that
shortest paths are unique, and 10 % of the local street segments are removed at random (dead
ends, blocks). Only the largest strongly connected component is kept.

``grid``       every street is a local street at 30 km/h.
``hierarchy``  a road hierarchy: every 10th row and column is an arterial at 60 km/h (never
               removed), and a motorway ring at 100 km/h runs along the rows/columns at a
               quarter and three quarters of the side, with an access ramp only every 20
               nodes (between ramps the ring's nodes have no side streets). Fast long edges
               next to slow short ones are what defeats naive bucket/contraction schemes.
"""

from __future__ import annotations

import numpy as np

from libpolis.access.network import StreetGraph, graph_from_edges

__all__ = ["make_graph"]

SPACING_M = 100.0


def make_graph(side: int, kind: str = "hierarchy", seed: int = 0) -> StreetGraph:
    """A generated road graph with ``side**2`` nodes (before keeping the largest component)."""
    rng = np.random.default_rng(seed)
    n = side * side
    idx = np.arange(n, dtype=np.int64).reshape(side, side)
    # horizontal then vertical segments
    u = np.concatenate([idx[:, :-1].ravel(), idx[:-1, :].ravel()])
    v = np.concatenate([idx[:, 1:].ravel(), idx[1:, :].ravel()])
    row = np.concatenate(
        [np.repeat(np.arange(side), side - 1), np.repeat(np.arange(side - 1), side)]
    )
    col = np.concatenate([np.tile(np.arange(side - 1), side), np.tile(np.arange(side), side - 1)])
    horizontal = np.arange(len(u)) < side * (side - 1)
    length = SPACING_M * rng.uniform(0.9, 1.1, len(u))
    speed = np.full(len(u), 30.0)
    keep = rng.random(len(u)) >= 0.10
    # nodes on which the motorway ring runs, and which of them have ramps to side streets
    ring = np.zeros(len(u), bool)
    if kind == "hierarchy":
        arterial = np.where(horizontal, row % 10 == 0, col % 10 == 0)
        speed[arterial] = 60.0
        keep |= arterial
        q1, q3 = side // 4, (3 * side) // 4
        along_row = horizontal & np.isin(row, (q1, q3)) & (col >= q1) & (col < q3)
        along_col = ~horizontal & np.isin(col, (q1, q3)) & (row >= q1) & (row < q3)
        ring = along_row | along_col
        speed[ring] = 100.0
        keep |= ring
        # the ring is grade-separated: cut the side streets touching ring nodes except at ramps
        on_ring = np.zeros(n, bool)
        on_ring[u[ring]] = True
        on_ring[v[ring]] = True
        rr, cc = np.divmod(np.arange(n), side)
        ramp = on_ring & ((rr + cc) % 20 == 0)
        touches = (on_ring[u] & ~ramp[u]) | (on_ring[v] & ~ramp[v])
        keep &= ~(touches & ~ring)
    elif kind != "grid":
        raise ValueError(f"unknown graph kind {kind!r}")
    u, v, length, speed = u[keep], v[keep], length[keep], speed[keep]
    time_min = length / (speed * 1000.0 / 60.0)
    rr, cc = np.divmod(np.arange(n), side)
    lat = 60.2 + rr * SPACING_M / 111_195.0
    lon = 24.9 + cc * SPACING_M / (111_195.0 * np.cos(np.radians(60.2)))
    return graph_from_edges(
        np.concatenate([u, v]),
        np.concatenate([v, u]),
        np.concatenate([time_min, time_min]),
        lon,
        lat,
        length_m=np.concatenate([length, length]),
        mode=kind,
    )
