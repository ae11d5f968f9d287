"""The street graph of one travel mode, in compressed sparse row (CSR) form, and snapping.

A :class:`StreetGraph` is a directed graph in compressed sparse row (CSR) form: node ``i`` has
out-edges ``indices[indptr[i]:indptr[i + 1]]`` with costs ``time_min`` (minutes) and lengths
``length_m`` (metres, haversine between the OSM node coordinates), plus per-node ``lon``,
``lat`` (WGS84) and ``osm_id``. Only the largest strongly connected component is kept, so every
node can reach every other one; nodes are ordered along a Morton (Z-order) curve, which keeps
neighbours close in memory and makes searches faster.

:func:`graph_from_edges` builds a graph from edge arrays (parallel edges keep the fastest,
self-loops dropped, optionally the largest strongly connected component only);
:func:`snap_points` moves points to their nearest snappable node. Graphs read from
OpenStreetMap come from :func:`libpolis.access.network.graph_from_pbf`.
"""

from __future__ import annotations

import hashlib
from functools import cached_property

import numpy as np
import scipy.sparse as sp
from pyproj import CRS
from scipy.sparse.csgraph import connected_components

from libpolis.access._geo import PointIndex, _check_lonlat, haversine_m, local_utm_crs
from libpolis.errors import DataError

__all__ = ["StreetGraph", "graph_from_edges", "snap_points"]


class StreetGraph:
    """A directed street graph for one travel mode, in CSR form.

    Parameters
    ----------
    indptr, indices : ndarray of int
        CSR structure: the out-edges of node ``i`` go to ``indices[indptr[i]:indptr[i+1]]``.
    time_min : ndarray of float
        Travel time of each edge, minutes (non-negative).
    length_m : ndarray of float
        Length of each edge, metres.
    lon, lat : ndarray of float
        Node coordinates, WGS84 degrees.
    osm_id : ndarray of int
        OpenStreetMap node id of each node (or any caller-given node id).
    mode : str
        ``"walk"``, ``"bike"``, ``"drive"`` or a free label for custom graphs.
    snappable : ndarray of bool, optional
        Nodes that points may be snapped to (default: all). Graphs read from OpenStreetMap
        exclude nodes that lie on tunnels only, as GraphHopper does by default, so that a
        point above an underground service tunnel is not snapped into it.
    symmetric : bool, optional
        Whether every edge has a reverse twin of equal time (known when reading OSM data);
        ``None`` lets :attr:`reverse` find out on first use.

    Notes
    -----
    Instances are treated as immutable; derived structures (the reversed graph, the snapping
    index, the local UTM CRS) are computed once on first use and cached, and so are the last
    few point sets snapped (:func:`snap_points`): a run that looks for the nearest library and
    then the nearest venue of each kind snaps its residents once.
    """

    def __init__(
        self,
        indptr: np.ndarray,
        indices: np.ndarray,
        time_min: np.ndarray,
        length_m: np.ndarray,
        lon: np.ndarray,
        lat: np.ndarray,
        osm_id: np.ndarray,
        mode: str,
        snappable: np.ndarray | None = None,
        *,
        symmetric: bool | None = None,
    ) -> None:
        self.indptr = np.asarray(indptr, dtype=np.int64)
        self.indices = np.asarray(indices, dtype=np.int32)
        self.time_min = np.asarray(time_min, dtype=np.float64)
        self.length_m = np.asarray(length_m, dtype=np.float64)
        self.lon = np.asarray(lon, dtype=np.float64)
        self.lat = np.asarray(lat, dtype=np.float64)
        self.osm_id = np.asarray(osm_id, dtype=np.int64)
        self.mode = mode
        self.symmetric = symmetric
        self.snappable = (
            np.ones(len(self.lon), dtype=bool)
            if snappable is None
            else np.asarray(snappable, dtype=bool)
        )

    def __repr__(self) -> str:
        return f"StreetGraph(mode={self.mode!r}, nodes={self.n_nodes:,}, edges={self.n_edges:,})"

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return len(self.indptr) - 1

    @property
    def n_edges(self) -> int:
        """Number of directed edges."""
        return len(self.indices)

    def matrix(self, weight: str = "time_min") -> sp.csr_array:
        """The graph as a ``scipy.sparse.csr_array`` weighted by ``time_min`` or ``length_m``.

        Zero weights are stored explicitly (scipy.sparse.csgraph treats them as edges).
        """
        if weight not in ("time_min", "length_m"):
            raise DataError(f"weight must be 'time_min' or 'length_m', got {weight!r}")
        n = self.n_nodes
        return sp.csr_array((getattr(self, weight), self.indices, self.indptr), shape=(n, n))

    def edges(self) -> tuple[np.ndarray, np.ndarray]:
        """Tail and head node of every edge, in CSR order."""
        tail = np.repeat(np.arange(self.n_nodes, dtype=np.int64), np.diff(self.indptr))
        return tail, self.indices.astype(np.int64)

    @cached_property
    def reverse(self) -> StreetGraph:
        """The graph with every edge reversed (the same object when the graph is symmetric)."""
        if self.symmetric:
            return self
        n = self.n_nodes
        # one stable sort of the edges by head: each head's edges keep their tails in order
        # (CSR rows are sorted), so the result is a sorted CSR. About 12 bytes per edge beyond
        # the reversed graph itself (two scipy transposes and a sorted copy took about 40).
        order = np.argsort(self.indices, kind="stable")
        tail = np.repeat(np.arange(n, dtype=np.int32), np.diff(self.indptr))
        rev_indices = tail[order]
        del tail
        rev_indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(self.indices, minlength=n), out=rev_indptr[1:])
        rev_time = self.time_min[order]
        if self.symmetric is None and (
            np.array_equal(rev_indptr, self.indptr)
            and np.array_equal(rev_indices, self.indices)
            and np.array_equal(rev_time, self.time_min)
        ):
            return self
        rev_len = self.length_m[order]
        del order
        return StreetGraph(
            rev_indptr,
            rev_indices,
            rev_time,
            rev_len,
            self.lon,
            self.lat,
            self.osm_id,
            self.mode,
            self.snappable,
            symmetric=False,
        )

    @cached_property
    def crs(self) -> CRS:
        """The local UTM CRS chosen from the node coordinates."""
        return local_utm_crs(self.lon, self.lat)

    @cached_property
    def _snap_nodes(self) -> np.ndarray:
        nodes = np.flatnonzero(self.snappable)
        return nodes if nodes.size else np.arange(self.n_nodes)

    @cached_property
    def _point_index(self) -> PointIndex:
        nodes = self._snap_nodes
        return PointIndex(self.lon[nodes], self.lat[nodes], method="auto", crs=None)

    @cached_property
    def _snaps(self) -> dict[bytes, tuple[np.ndarray, np.ndarray]]:
        return {}


#: Point sets whose snaps a graph keeps (the most recent ones).
_SNAPS_KEPT = 4


def _points_key(lon: np.ndarray, lat: np.ndarray) -> bytes:
    """A digest of the coordinates (a few ms for a million points, 100x less than snapping)."""
    h = hashlib.blake2b(np.ascontiguousarray(lon).view(np.uint8), digest_size=20)
    h.update(np.ascontiguousarray(lat).view(np.uint8))
    return h.digest() + len(lon).to_bytes(8, "little")


def snap_points(
    graph: StreetGraph, lon: np.ndarray, lat: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Snap points to their nearest graph node (among the graph's ``snappable`` nodes).

    The search runs on a k-d tree in the graph's local UTM CRS (or on great-circle distances when
    the graph spans several UTM zones).

    Parameters
    ----------
    graph : StreetGraph
    lon, lat : array_like
        WGS84 degrees, one entry per point.

    Returns
    -------
    node_index : ndarray of int64
        Position of the nearest node in ``graph``.
    access_dist_m : ndarray of float64
        Straight-line distance from the point to that node, metres (the access leg; callers add
        it at walking speed).
    """
    lon, lat = _check_lonlat(lon, lat, "snap_points")
    if graph.n_nodes == 0:
        raise DataError("cannot snap to an empty graph", where="snap_points")
    key = _points_key(lon, lat)
    snaps = graph._snaps
    found = snaps.pop(key, None)  # popped and put back: the dict keeps the most recent last
    if found is None:
        dist, idx = graph._point_index.query(lon, lat)
        found = graph._snap_nodes[idx].astype(np.int64), dist.astype(np.float64)
    snaps[key] = found
    while len(snaps) > _SNAPS_KEPT:
        del snaps[next(iter(snaps))]
    return found[0].copy(), found[1].copy()  # callers may write to theirs


# ----------------------------------------------------------------------------------------------
# building graphs


def graph_from_edges(
    tail: np.ndarray,
    head: np.ndarray,
    time_min: np.ndarray,
    lon: np.ndarray,
    lat: np.ndarray,
    *,
    length_m: np.ndarray | None = None,
    node_id: np.ndarray | None = None,
    mode: str = "custom",
    largest_component: bool = True,
) -> StreetGraph:
    """Build a :class:`StreetGraph` from directed edge arrays.

    Parallel edges keep the fastest one; self-loops are dropped.

    Parameters
    ----------
    tail, head : array_like of int
        Node positions (``0 .. len(lon) - 1``) of each directed edge.
    time_min : array_like of float
        Edge travel times, minutes, non-negative and finite.
    lon, lat : array_like of float
        Node coordinates, WGS84 degrees.
    length_m : array_like of float, optional
        Edge lengths, metres; haversine between the end nodes by default.
    node_id : array_like of int, optional
        Caller's node ids (kept as ``osm_id``); ``0 .. n-1`` by default.
    mode : str
        Label stored on the graph.
    largest_component : bool
        Keep only the largest strongly connected component (node order is preserved).
    """
    lon, lat = _check_lonlat(lon, lat, "graph_from_edges")
    n = len(lon)
    tail = np.asarray(tail, dtype=np.int64)
    head = np.asarray(head, dtype=np.int64)
    time_min = np.asarray(time_min, dtype=np.float64)
    if not (tail.shape == head.shape == time_min.shape):
        raise DataError(
            f"tail, head and time_min must have equal lengths, found {tail.shape}, "
            f"{head.shape}, {time_min.shape}",
            where="graph_from_edges",
        )
    if tail.size and (min(tail.min(), head.min()) < 0 or max(tail.max(), head.max()) >= n):
        raise DataError(
            f"edge end points must be node positions 0..{n - 1}, found "
            f"{min(tail.min(), head.min())}..{max(tail.max(), head.max())}",
            where="graph_from_edges",
        )
    if not np.all(np.isfinite(time_min)) or (time_min < 0).any():
        raise DataError("time_min must be finite and non-negative", where="graph_from_edges")
    if length_m is None:
        length_m = haversine_m(lon[tail], lat[tail], lon[head], lat[head])
    length_m = np.asarray(length_m, dtype=np.float64)
    if length_m.shape != tail.shape:
        raise DataError("length_m must have one value per edge", where="graph_from_edges")
    node_id = np.arange(n, dtype=np.int64) if node_id is None else np.asarray(node_id, np.int64)
    if node_id.shape != lon.shape:
        raise DataError("node_id must have one value per node", where="graph_from_edges")
    return _assemble(tail, head, time_min, length_m, lon, lat, node_id, mode, largest_component)


def _assemble(
    tail: np.ndarray,
    head: np.ndarray,
    time_min: np.ndarray,
    length_m: np.ndarray,
    lon: np.ndarray,
    lat: np.ndarray,
    node_id: np.ndarray,
    mode: str,
    largest_component: bool,
    snappable: np.ndarray | None = None,
    symmetric: bool | None = None,
) -> StreetGraph:
    n = len(lon)
    if snappable is None:
        snappable = np.ones(n, dtype=bool)
    keep = tail != head
    tail, head, time_min, length_m = tail[keep], head[keep], time_min[keep], length_m[keep]
    # CSR order, fastest first among parallel edges, then drop the slower duplicates
    order = np.lexsort((time_min, head, tail))
    tail, head, time_min, length_m = tail[order], head[order], time_min[order], length_m[order]
    first = np.ones(len(tail), dtype=bool)
    first[1:] = (tail[1:] != tail[:-1]) | (head[1:] != head[:-1])
    tail, head, time_min, length_m = tail[first], head[first], time_min[first], length_m[first]
    if largest_component and n:
        adj = sp.csr_array((np.ones(len(tail), np.int8), (tail, head)), shape=(n, n))
        _, labels = connected_components(adj, directed=True, connection="strong")
        big = np.bincount(labels).argmax()
        inside = labels == big
        new_pos = np.full(n, -1, dtype=np.int64)
        new_pos[inside] = np.arange(int(inside.sum()))
        keep = inside[tail] & inside[head]
        tail, head = new_pos[tail[keep]], new_pos[head[keep]]
        time_min, length_m = time_min[keep], length_m[keep]
        lon, lat, node_id = lon[inside], lat[inside], node_id[inside]
        snappable = snappable[inside]
        n = len(lon)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(tail, minlength=n), out=indptr[1:])
    return StreetGraph(
        indptr, head, time_min, length_m, lon, lat, node_id, mode, snappable, symmetric=symmetric
    )


def _morton_order(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Node order along a Z-order curve (16 bits per axis)."""

    def spread(v: np.ndarray) -> np.ndarray:
        v = v.astype(np.uint64)
        v = (v | (v << np.uint64(8))) & np.uint64(0x00FF00FF)
        v = (v | (v << np.uint64(4))) & np.uint64(0x0F0F0F0F)
        v = (v | (v << np.uint64(2))) & np.uint64(0x33333333)
        v = (v | (v << np.uint64(1))) & np.uint64(0x55555555)
        return v

    def scale(v: np.ndarray) -> np.ndarray:
        lo, hi = v.min(), v.max()
        return np.round((v - lo) / (hi - lo if hi > lo else 1.0) * 65535)

    key = spread(scale(lon)) | (spread(scale(lat)) << np.uint64(1))
    return np.argsort(key, kind="stable")
