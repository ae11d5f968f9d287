"""Street networks from OpenStreetMap for walking, cycling and driving.

A :class:`StreetGraph` is a directed graph in compressed sparse row (CSR) form: node ``i`` has
out-edges ``indices[indptr[i]:indptr[i + 1]]`` with costs ``time_min`` (minutes) and lengths
``length_m`` (metres, haversine between the OSM node coordinates), plus per-node ``lon``,
``lat`` (WGS84) and ``osm_id``. Only the largest strongly connected component is kept, so every
node can reach every other one; nodes are ordered along a Morton (Z-order) curve, which keeps
neighbours close in memory and makes searches faster.

Which ways a mode may use
-------------------------
The way's ``highway`` value must be in the mode's set below, and access tags must not forbid it.
Access is decided by the most specific tag present: walking ``foot`` > ``access``; cycling
``bicycle`` > ``vehicle`` > ``access``; driving ``motorcar`` > ``motor_vehicle`` > ``vehicle``
> ``access``. ``no``, ``private`` and (cycling) ``use_sidepath`` forbid; every other value
(``yes``, ``designated``, ``permissive``, ``destination``, ...) allows. Ways tagged
``area=yes`` are routed along their outline; ``highway=construction|proposed`` never are.

=========  ============================================================================
walk       footway, pedestrian, path, steps, living_street, residential, service,
           unclassified, tertiary(_link), secondary(_link), primary(_link), trunk(_link),
           track, road, bridleway, corridor, platform, crossing, trail (a non-standard
           synonym of path seen in the Helsinki extract), cycleway (unless ``foot=no``)
bike       cycleway, path, trail, living_street, residential, service, unclassified,
           tertiary(_link), secondary(_link), primary(_link), trunk(_link), track, road;
           footway, pedestrian, steps, bridleway, corridor, platform only with an explicit
           ``bicycle=yes|designated|permissive``
drive      motorway(_link), trunk(_link), primary(_link), secondary(_link),
           tertiary(_link), unclassified, residential, living_street, service (not
           ``service=emergency_access``), road
=========  ============================================================================

One-way streets
---------------
Driving: ``oneway=yes|true|1`` allows travel along the way's node order only, ``oneway=-1|
reverse`` against it; without a ``oneway`` tag, ``junction=roundabout|circular`` and
``highway=motorway`` (not links) are one-way. Cycling follows the same rules (OSM: ``oneway``
applies to bicycles) unless ``oneway:bicycle=no`` or a contraflow lane/track is tagged
(``cycleway[:left|:right|:both]=opposite|opposite_lane|opposite_track|opposite_share_busway``);
``oneway:bicycle=yes|-1`` makes a way one-way for bicycles alone. Walking ignores ``oneway``
(it applies to vehicles) and honours only ``oneway:foot``.

Speeds
------
Walking :data:`WALK_SPEED_KPH` (4.8 km/h) and cycling :data:`BIKE_SPEED_KPH` (15 km/h) on every
way. Driving at the way's ``maxspeed`` (km/h; ``mph`` converted; ``XX:urban`` 50,
``XX:rural`` 80, ``XX:motorway`` 120, ``walk`` 6, ``none`` 130; several values: the lowest),
else at the road-class default in :data:`DRIVE_SPEED_KPH`. No turn costs, signals or
congestion are modelled.

Snapping
--------
:func:`snap_points` moves a point to the nearest node in the local UTM CRS (k-d tree;
great-circle distances when the graph spans several UTM zones). Nodes that lie only on tunnels
(``tunnel=*`` other than ``no`` and ``building_passage``) are not snapping targets, as in
GraphHopper's default: in central Helsinki the railway-station cell is otherwise snapped into the
underground service tunnel, 10 minutes' walk from the street above.
"""

from __future__ import annotations

import os
import re
from functools import cached_property
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from pyproj import CRS
from scipy.sparse.csgraph import connected_components

from libpolis.access._geo import PointIndex, _check_lonlat, haversine_m, local_utm_crs
from libpolis.errors import DataError, NotFoundError

__all__ = [
    "BIKE_SPEED_KPH",
    "DRIVE_SPEED_KPH",
    "MODES",
    "WALK_SPEED_KPH",
    "StreetGraph",
    "graph_from_edges",
    "graph_from_pbf",
    "snap_points",
]

MODES = ("walk", "bike", "drive")
WALK_SPEED_KPH = 4.8
BIKE_SPEED_KPH = 15.0
DRIVE_SPEED_KPH: dict[str, float] = {
    "motorway": 100.0,
    "motorway_link": 60.0,
    "trunk": 80.0,
    "trunk_link": 50.0,
    "primary": 60.0,
    "primary_link": 50.0,
    "secondary": 50.0,
    "secondary_link": 40.0,
    "tertiary": 40.0,
    "tertiary_link": 30.0,
    "unclassified": 30.0,
    "residential": 30.0,
    "road": 30.0,
    "living_street": 10.0,
    "service": 20.0,
}
"""Default driving speed (km/h) by ``highway`` class when a way has no usable ``maxspeed``."""

_STREETS = {
    "living_street",
    "residential",
    "service",
    "unclassified",
    "tertiary",
    "tertiary_link",
    "secondary",
    "secondary_link",
    "primary",
    "primary_link",
    "trunk",
    "trunk_link",
    "track",
    "road",
}
_WALK = _STREETS | {
    "footway",
    "pedestrian",
    "path",
    "steps",
    "bridleway",
    "corridor",
    "platform",
    "crossing",
    "trail",
    "cycleway",
}
_BIKE = _STREETS | {"cycleway", "path", "trail"}
_BIKE_IF_ALLOWED = {"footway", "pedestrian", "steps", "bridleway", "corridor", "platform"}
_DRIVE = set(DRIVE_SPEED_KPH)
_DENY = {"no", "private"}
_ACCESS_KEYS = {
    "walk": ("foot", "access"),
    "bike": ("bicycle", "vehicle", "access"),
    "drive": ("motorcar", "motor_vehicle", "vehicle", "access"),
}
_YES = {"yes", "true", "1"}
_REVERSE = {"-1", "reverse"}
_CONTRAFLOW = {"opposite", "opposite_lane", "opposite_track", "opposite_share_busway"}
_LANE_KEYS = ("cycleway", "cycleway:left", "cycleway:right", "cycleway:both")
_ZONE_SPEED = {"urban": 50.0, "rural": 80.0, "motorway": 120.0, "trunk": 100.0}
_NUMBER = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(mph|km/h|kmh|kph)?\s*$")


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
    index, the local UTM CRS) are computed once on first use and cached.
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
        rev = self.matrix("time_min").T.tocsr()
        rev.sort_indices()
        rlen = self.matrix("length_m").T.tocsr()
        rlen.sort_indices()
        fwd = self.matrix("time_min")
        fwd.sort_indices()
        if self.symmetric is None and (
            np.array_equal(rev.indptr, fwd.indptr)
            and np.array_equal(rev.indices, fwd.indices)
            and np.array_equal(rev.data, fwd.data)
        ):
            return self
        return StreetGraph(
            rev.indptr,
            rev.indices,
            rev.data,
            rlen.data,
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
    dist, idx = graph._point_index.query(lon, lat)
    return graph._snap_nodes[idx].astype(np.int64), dist.astype(np.float64)


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


# ----------------------------------------------------------------------------------------------
# OpenStreetMap


def _allowed(tags: dict[str, str], mode: str) -> bool:
    for key in _ACCESS_KEYS[mode]:
        value = tags.get(key)
        if value is not None:
            value = value.split(";")[0].strip()
            return not (value in _DENY or (mode == "bike" and value == "use_sidepath"))
    return True


def _usable(tags: dict[str, str], mode: str) -> bool:
    hw = tags.get("highway")
    if hw is None:
        return False
    if mode == "walk":
        if hw not in _WALK:
            return False
        if hw == "cycleway" and tags.get("foot") in _DENY:
            return False
    elif mode == "bike":
        if hw in _BIKE_IF_ALLOWED:
            return tags.get("bicycle") in ("yes", "designated", "permissive")
        if hw not in _BIKE:
            return False
    else:
        if hw not in _DRIVE or tags.get("service") == "emergency_access":
            return False
    return _allowed(tags, mode)


def _direction(tags: dict[str, str], mode: str) -> tuple[bool, bool]:
    """(forward allowed, backward allowed) along the way's node order."""
    if mode == "walk":
        ow = tags.get("oneway:foot")
        return _oneway_value(ow, default=(True, True))
    ow = tags.get("oneway")
    if ow is None and (
        tags.get("junction") in ("roundabout", "circular") or tags.get("highway") == "motorway"
    ):
        ow = "yes"
    vehicle = _oneway_value(ow, default=(True, True))
    if mode == "drive":
        return vehicle
    obike = tags.get("oneway:bicycle")
    if obike is not None:
        return _oneway_value(obike, default=vehicle)
    if vehicle != (True, True):
        lanes = (tags.get(k) for k in _LANE_KEYS)
        if any(v in _CONTRAFLOW for v in lanes if v is not None):
            return True, True
    return vehicle


def _oneway_value(value: str | None, default: tuple[bool, bool]) -> tuple[bool, bool]:
    if value is None:
        return default
    if value in _YES:
        return True, False
    if value in _REVERSE:
        return False, True
    if value == "no":
        return True, True
    return default


def _parse_maxspeed(value: str | None) -> float | None:
    if value is None:
        return None
    speeds = []
    for part in value.split(";"):
        part = part.strip().lower()
        m = _NUMBER.match(part)
        if m:
            v = float(m.group(1)) * (1.609344 if m.group(2) == "mph" else 1.0)
            if v > 0:
                speeds.append(v)
        elif ":" in part:
            zone = part.split(":", 1)[1]
            if zone in _ZONE_SPEED:
                speeds.append(_ZONE_SPEED[zone])
        elif part == "walk":
            speeds.append(6.0)
        elif part == "none":
            speeds.append(130.0)
    return min(speeds) if speeds else None


def _speed_kph(tags: dict[str, str], mode: str) -> float:
    if mode == "walk":
        return WALK_SPEED_KPH
    if mode == "bike":
        return BIKE_SPEED_KPH
    speed = _parse_maxspeed(tags.get("maxspeed"))
    return speed if speed is not None else DRIVE_SPEED_KPH[tags["highway"]]


_TAG_KEYS = (
    "highway",
    "access",
    "foot",
    "bicycle",
    "vehicle",
    "motor_vehicle",
    "motorcar",
    "service",
    "oneway",
    "oneway:foot",
    "oneway:bicycle",
    "junction",
    "cycleway",
    "cycleway:left",
    "cycleway:right",
    "cycleway:both",
    "maxspeed",
    "tunnel",
)


def _read_ways(path: Path, mode: str) -> tuple[np.ndarray, ...]:
    import osmium

    refs: list[int] = []
    lons: list[float] = []
    lats: list[float] = []
    seg_fwd: list[bool] = []
    seg_bwd: list[bool] = []
    seg_speed: list[float] = []
    seg_valid: list[bool] = []
    on_tunnel: list[bool] = []
    try:
        fp = (
            osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY)
            .with_locations()
            .with_filter(osmium.filter.EntityFilter(osmium.osm.WAY))
            .with_filter(osmium.filter.KeyFilter("highway"))
        )
        for way in fp:
            tags = {k: way.tags[k] for k in _TAG_KEYS if k in way.tags}
            if tags.get("highway") is None or not _usable(tags, mode):
                continue
            fwd, bwd = _direction(tags, mode)
            if not (fwd or bwd):
                continue
            speed = _speed_kph(tags, mode)
            nodes = way.nodes
            k = len(nodes)
            if k < 2:
                continue
            for nd in nodes:
                loc = nd.location
                ok = loc.valid()
                refs.append(nd.ref)
                lons.append(loc.lon if ok else np.nan)
                lats.append(loc.lat if ok else np.nan)
            # one flag per consecutive pair, the last entry of each way marks "no segment"
            seg_fwd.extend([fwd] * k)
            seg_bwd.extend([bwd] * k)
            seg_speed.extend([speed] * k)
            seg_valid.extend([True] * (k - 1) + [False])
            tunnel = tags.get("tunnel", "no") not in ("no", "building_passage")
            on_tunnel.extend([tunnel] * k)
    except RuntimeError as exc:  # libosmium reports unreadable input as RuntimeError
        raise DataError(f"cannot read OpenStreetMap data: {exc}", where=str(path)) from exc
    return (
        np.asarray(refs, dtype=np.int64),
        np.asarray(lons, dtype=np.float64),
        np.asarray(lats, dtype=np.float64),
        np.asarray(seg_fwd, dtype=bool),
        np.asarray(seg_bwd, dtype=bool),
        np.asarray(seg_speed, dtype=np.float64),
        np.asarray(seg_valid, dtype=bool),
        np.asarray(on_tunnel, dtype=bool),
    )


def graph_from_pbf(
    path: str | os.PathLike[str], mode: str, *, largest_component: bool = True
) -> StreetGraph:
    """Read the street network of one travel mode from an OpenStreetMap file.

    Parameters
    ----------
    path : path-like
        An OpenStreetMap file (``.osm.pbf``; other formats libosmium reads by extension, such as
        ``.osm`` XML, work too).
    mode : {"walk", "bike", "drive"}
        Travel mode; see the module documentation for the ways, one-way rules and speeds used.
    largest_component : bool
        Keep only the largest strongly connected component (default), so that every node can
        reach every other one.

    Returns
    -------
    StreetGraph
        Edge ``time_min`` at the mode's speed, ``length_m`` by haversine between the nodes.

    Raises
    ------
    NotFoundError
        The file does not exist.
    DataError
        Unknown mode, the file is empty or not OpenStreetMap data, or it holds no way the mode
        may use.
    """
    if mode not in MODES:
        raise DataError(f"unknown travel mode {mode!r}; use one of {', '.join(MODES)}")
    path = Path(path)
    if not path.is_file():
        raise NotFoundError(f"no such file: {path}")
    if path.stat().st_size == 0:
        raise DataError("the file is empty", where=str(path))
    refs, lon, lat, fwd, bwd, speed, valid, on_tunnel = _read_ways(path, mode)
    # segments between consecutive nodes of the same way, both ends with a location
    i = np.flatnonzero(valid)
    j = i + 1
    located = np.isfinite(lon[i]) & np.isfinite(lon[j])
    i, j = i[located], j[located]
    if i.size == 0:
        raise DataError(f"no way usable for mode {mode!r} in the file", where=str(path))
    seg_len = haversine_m(lon[i], lat[i], lon[j], lat[j])
    seg_time = seg_len / (speed[i] * 1000.0 / 60.0)
    ends = np.concatenate((i, j))
    ids, first, inverse = np.unique(refs[ends], return_index=True, return_inverse=True)
    node_lon, node_lat = lon[ends[first]], lat[ends[first]]
    # a node is a snapping target when at least one of its ways is not a tunnel
    snappable = np.zeros(len(ids), dtype=bool)
    snappable[inverse[~on_tunnel[ends]]] = True
    # put nodes in Z-order for memory locality
    order = _morton_order(node_lon, node_lat)
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    a, b = rank[inverse[: i.size]], rank[inverse[i.size :]]
    f, r = fwd[i], bwd[i]
    tail = np.concatenate((a[f], b[r]))
    head = np.concatenate((b[f], a[r]))
    time_min = np.concatenate((seg_time[f], seg_time[r]))
    length_m = np.concatenate((seg_len[f], seg_len[r]))
    return _assemble(
        tail,
        head,
        time_min,
        length_m,
        node_lon[order],
        node_lat[order],
        ids[order],
        mode,
        largest_component,
        snappable[order],
        symmetric=bool(np.array_equal(f, r)),
    )
