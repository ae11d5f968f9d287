"""One partition of a network run: the street graph of a tile plus its halo, the same analysis
functions as one machine, and the check that proves the halo was wide enough.

Notation (all distances in the planar metric of the graph's snapping index, see
:mod:`libpolis.scale.tiles`): ``T`` the tile of the partition's residents, ``B_f = T + h`` the
box whose facilities take part, ``B_g = B_f + m`` the box whose street nodes form the
partition's graph. ``V`` is an upper bound on how fast any trip moves across the plane: the
largest planar length per minute over all edges of the graph, and at least the access legs'
walking speed.

Why the check proves exactness (for a resident ``r`` of ``T``, every trip is
``access leg + network path + access leg``, each covering planar distance no faster than
``V``):

* any trip whose network path leaves ``B_g`` covers at least ``d(r, outside B_g)`` and lasts at
  least ``d(r, outside B_g) / V``;
* any trip to a facility outside ``B_f`` lasts at least ``d(r, outside B_f) / V``;
* a point of ``B_f`` snaps to the same node in the partition as in the whole graph when its
  partition access leg is shorter than its distance to the outside of ``B_g`` (a node beyond
  ``B_g`` is farther away); the same holds for residents.

So a nearest time ``t`` found inside the partition is the whole graph's when
``t * V < d(r, outside B_f)`` and every snap is proven; network distances inside the box are
the whole graph's for every node closer than that bound (the search labels are fixed points of
the same additions), so the times are equal to the last bit.

A second, network bound proves most residents the first one cannot (:func:`exit_times`): a trip
that uses anything the partition does not hold must first reach a node outside ``B_f``, or
take an edge that leaves ``B_g`` (it starts within the longest edge's length of the outside of
``B_g`` and lasts at least the distance it covers over ``V``), or end on the access leg of a
facility outside ``B_f`` (it starts within the longest such leg of the outside of ``B_f`` and
is walked at least that far). Before that event the trip runs on the partition's own edges, so
one multi-source search from those nodes, each with that least extra time as its offset,
bounds every such trip by network times. ``t`` is then the whole graph's when it is shorter
than the resident's access leg plus its node's exit time; this bound is never below
``d(r, outside B_f) / V`` and on streets with detours and slow roads well above it, so a
partition it proves is not redone. It is searched only for partitions the first bound does
not prove. A resident that fails both (or finds no library) fails the partition, which the
executor widens (``h`` to the halo its times need, else doubled; ``m`` doubled when a
facility's snap was not proven) and redoes. A box that holds every node and every facility is
the whole problem and passes by construction.

For a travel-time matrix bounded by ``L`` minutes, ``h > L * V`` makes every pair within ``L``
lie inside the partition; only the snaps are checked.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Protocol

import geopandas as gpd
import numpy as np
import pandas as pd

from libpolis.access._geo import PointIndex
from libpolis.access.graph import StreetGraph
from libpolis.access.nearest import nearest_facility, nearest_times, travel_time_matrix
from libpolis.access.network import WALK_SPEED_KPH
from libpolis.scale.tiles import Box, Metric

__all__ = [
    "GraphSource",
    "HaloTask",
    "Outcome",
    "cut_graph",
    "cut_with_leaving",
    "edge_speed_bound",
    "exit_times",
    "pin_metric",
    "run_halo_task",
]

#: Relative safety on every comparison of the check (floating-point rounding of products).
_SAFETY = 1e-9


class GraphSource(Protocol):
    """A street graph too large to hold: cut on the worker, box by box.

    ``metric`` and ``speed_bound`` (planar metres per minute, as :func:`edge_speed_bound`)
    describe the whole graph; ``extent`` is the box of all its nodes; ``max_edge_m`` bounds
    the planar length of any edge (``inf`` when unknown).
    """

    metric: Metric
    speed_bound: float
    extent: Box
    max_edge_m: float

    def cut(self, box: Box) -> StreetGraph:
        """The graph induced by the nodes inside ``box`` (metric pinned, see
        :func:`pin_metric`)."""
        ...


def pin_metric(graph: StreetGraph, metric: Metric) -> StreetGraph:
    """Make ``graph`` snap points in ``metric`` (the whole graph's CRS), not in one chosen from
    its own nodes: a partition must measure access legs exactly as the whole graph does."""
    nodes = np.flatnonzero(graph.snappable)
    graph.__dict__["_snap_nodes"] = nodes
    graph.__dict__["_point_index"] = PointIndex(
        graph.lon[nodes], graph.lat[nodes], method=metric.method, crs=metric.crs
    )
    if metric.crs is not None:
        graph.__dict__["crs"] = metric.crs
    return graph


def cut_graph(graph: StreetGraph, inside: np.ndarray) -> StreetGraph:
    """The subgraph induced by the nodes where ``inside`` is true, node order kept (pin the
    whole graph's metric with :func:`pin_metric` where it runs: the index does not travel)."""
    return cut_with_leaving(graph, inside)[0]


def cut_with_leaving(graph: StreetGraph, inside: np.ndarray) -> tuple[StreetGraph, np.ndarray]:
    """:func:`cut_graph`, and the positions in it of the nodes that have an edge to a node
    outside (where a trip may leave the partition, :func:`exit_times`), from one pass."""
    n = graph.n_nodes
    inside = np.asarray(inside, dtype=bool)
    nodes = np.flatnonzero(inside)
    new = np.full(n, -1, dtype=np.int64)
    new[nodes] = np.arange(len(nodes))
    every_tail = np.repeat(np.arange(n, dtype=np.int64), np.diff(graph.indptr))
    head = graph.indices.astype(np.int64)
    tail_in, head_in = inside[every_tail], inside[head]
    keep = tail_in & head_in
    tails = every_tail[keep]
    indptr = np.zeros(len(nodes) + 1, dtype=np.int64)
    np.cumsum(np.bincount(new[tails], minlength=len(nodes)), out=indptr[1:])
    sub = StreetGraph(
        indptr,
        new[head[keep]],
        graph.time_min[keep],
        graph.length_m[keep],
        graph.lon[nodes],
        graph.lat[nodes],
        graph.osm_id[nodes],
        graph.mode,
        graph.snappable[nodes],
        symmetric=graph.symmetric,
    )
    return sub, np.unique(new[every_tail[tail_in & ~head_in]])


def edge_speed_bound(
    graph: StreetGraph, x: np.ndarray, y: np.ndarray, access_speed_kph: float = WALK_SPEED_KPH
) -> float:
    """``V``: the largest planar distance covered per minute on any edge (node coordinates
    ``x, y`` in the metric), and at least the access legs' speed; ``inf`` when an edge covers
    distance in no time."""
    tail, head = graph.edges()
    chord = np.hypot(x[head] - x[tail], y[head] - y[tail])
    moving = chord > 0
    t = graph.time_min[moving]
    if (t <= 0).any():
        return math.inf
    v = float((chord[moving] / t).max()) if moving.any() else 0.0
    return max(v, access_speed_kph * 1000.0 / 60.0)


def exit_times(graph: StreetGraph, task: HaloTask) -> np.ndarray:
    """Per node of the partition's graph, a lower bound (minutes) on any trip from it that
    reaches something the partition does not hold: a node outside ``B_f`` (0 there), an edge
    leaving the partition (at the nodes of ``task.leaving``, else possibly within
    ``max_edge_m`` of the outside of ``B_g``; it covers at least the node's distance to the
    outside of ``B_g``, at most at ``V``), or a facility outside ``B_f`` whose access leg
    starts here (possible only within ``far_leg_m`` of the outside of ``B_f``; the leg is
    walked at least that distance). One multi-source search on the partition's own edge
    times, from those nodes with those offsets: network times, not straight lines at ``V``."""
    x, y = task.metric.xy(graph.lon, graph.lat)
    inner_f = np.maximum(task.facility_box.inner_distance(x, y), 0.0)
    inner_g = task.graph_box.inner_distance(x, y)
    walk = task.options.get("access_speed_kph", WALK_SPEED_KPH) * 1000.0 / 60.0
    off = np.where(inner_f <= 0.0, 0.0, np.inf)
    if task.leaving is not None:
        lost = np.zeros(graph.n_nodes, dtype=bool)
        lost[task.leaving] = True
    else:
        lost = inner_g < task.max_edge_m * (1 + _SAFETY)
    off[lost] = np.minimum(off[lost], np.maximum(inner_g[lost], 0.0) / task.speed_bound)
    leg = inner_f <= task.far_leg_m * (1 + _SAFETY)
    off[leg] = np.minimum(off[leg], inner_f[leg] / walk)
    sources = np.flatnonzero(np.isfinite(off))
    if len(sources) == 0:
        return np.full(graph.n_nodes, np.inf)
    times, _ = nearest_times(graph, sources, source_offset_min=off[sources], to_sources=True)
    return times


@dataclass
class HaloTask:
    """The inputs of one partition (picklable: it travels to a worker).

    ``kind`` is ``"nearest"`` (:func:`~libpolis.access.nearest.nearest_facility`) or
    ``"matrix"`` (:func:`~libpolis.access.nearest.travel_time_matrix` within ``limit_min``).
    ``residents`` and ``facilities`` hold ``id, lon, lat, x, y`` and the residents' global
    position ``pos``; ``graph`` is the cut graph of ``B_g`` or a :class:`GraphSource` to cut
    on the worker. ``max_edge_m`` bounds the planar length of any edge of the whole graph and
    ``far_leg_m`` the access leg of any facility outside ``B_f`` (both ``inf`` when unknown):
    they say where a trip may leave the partition (see :func:`exit_times`). ``leaving``, when
    known (the graph was cut on the client, :func:`cut_with_leaving`), lists the partition's
    nodes that have an edge out of it, and replaces ``max_edge_m``'s estimate.
    """

    tile_id: int
    kind: str
    tile: Box
    halo: float
    margin: float
    residents: pd.DataFrame
    facilities: pd.DataFrame
    graph: StreetGraph | GraphSource
    speed_bound: float
    metric: Metric
    whole: bool = False
    options: dict[str, Any] = field(default_factory=dict)
    max_edge_m: float = math.inf
    far_leg_m: float = math.inf
    leaving: np.ndarray | None = None

    @property
    def facility_box(self) -> Box:
        return self.tile.grow(self.halo)

    @property
    def graph_box(self) -> Box:
        return self.facility_box.grow(self.margin)


@dataclass
class Outcome:
    """What a partition returns: its rows (with ``pos``), whether the check passed, and why
    not (``"time"``: widen the halo; ``"snap"``: widen the node margin)."""

    tile_id: int
    ok: bool
    rows: pd.DataFrame | None
    reason: str = ""
    stats: dict[str, float] = field(default_factory=dict)


def _points(frame: pd.DataFrame) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"id": frame["id"].reset_index(drop=True)},
        geometry=gpd.points_from_xy(frame["lon"], frame["lat"]),
        crs="EPSG:4326",
    )


def run_halo_task(task: HaloTask) -> Outcome:
    """Run one partition and check its halo (see the module notes)."""
    if isinstance(task.graph, StreetGraph):
        graph = pin_metric(task.graph, task.metric)
    else:
        graph = task.graph.cut(task.graph_box)
    stats = {"nodes": float(graph.n_nodes), "residents": float(len(task.residents))}
    res, fac, opts = task.residents, task.facilities, task.options
    if graph.n_nodes == 0 or not graph.snappable.any():
        return Outcome(task.tile_id, False, None, "time", stats)
    walk = opts.get("access_speed_kph", WALK_SPEED_KPH) * 1000.0 / 60.0
    # beyond this access leg a point takes part in nothing (it only needs to be proven beyond)
    cutoff = opts["limit_min"] * walk if task.kind == "matrix" else opts.get("max_access_m")
    if task.kind == "nearest" and not opts.get("remeasure_far"):
        cutoff = None  # nobody re-measures a far resident's leg: prove every snap
    r_acc, r_inner, r_node = _acc_inner(graph, res, task.graph_box)
    r_ok, r_proven = _snaps(r_acc, r_inner, cutoff, task.whole)
    if not r_ok.all():
        return Outcome(task.tile_id, False, None, "time", stats)
    # a facility whose snap is not proven lies at least this far from the network
    f_acc, f_in, _ = _acc_inner(graph, fac, task.graph_box)
    f_proven = task.whole | (f_acc * (1 + _SAFETY) < f_in)
    unproven_leg = float(np.min(np.minimum(f_acc, f_in)[~f_proven], initial=np.inf)) / walk
    if task.kind == "matrix":
        if unproven_leg <= opts["limit_min"] * (1 + _SAFETY):
            return Outcome(task.tile_id, False, None, "snap", stats)
        rows = travel_time_matrix(
            graph,
            _points(res),
            _points(fac),
            limit_min=opts["limit_min"],
            search_from=opts.get("search_from", "auto"),
        )
        pos = pd.Series(res["pos"].to_numpy(), index=res["id"].to_numpy())
        rows.insert(0, "pos", pos.loc[rows["from_id"].to_numpy()].to_numpy())
        return Outcome(task.tile_id, True, rows, stats=stats)
    if len(fac) == 0 and not task.whole:
        return Outcome(task.tile_id, False, None, "time", stats)
    rows = nearest_facility(graph, _points(res), _points(fac), **_near_opts(opts))
    rows["pos"] = res["pos"].to_numpy()
    rows["access_unproven"] = ~r_proven  # beyond the cut-off: the caller re-measures the leg
    if not task.whole:
        max_access_m = opts.get("max_access_m")
        counted = r_proven.copy()
        if max_access_m is not None:
            counted &= rows["access_m"].to_numpy() <= max_access_m
        t = rows["time_min"].to_numpy(float)
        bound = task.facility_box.inner_distance(res["x"].to_numpy(), res["y"].to_numpy())
        proven = np.isfinite(t) & (t * task.speed_bound * (1 + _SAFETY) < bound)
        stats["proven_by_network_only"] = 0.0
        if not np.all(proven | ~counted):
            # the network bound, searched only when the straight line at V fails: the
            # resident's own (proven) access leg, then the exit time of its node; never weaker
            walk = opts.get("access_speed_kph", WALK_SPEED_KPH) * 1000.0 / 60.0
            leaving = r_acc / walk + exit_times(graph, task)[r_node]
            by_network = np.isfinite(t) & (t * (1 + _SAFETY) < leaving)
            stats["proven_by_network_only"] = float((by_network & ~proven & counted).sum())
            proven |= by_network
        stats["slack_min"] = float(np.nanmin(bound / task.speed_bound - t, initial=np.inf))
        stats["halo_needed"] = _halo_needed(task, res, t, counted)
        if not np.all(proven | ~counted):
            return Outcome(task.tile_id, False, None, "time", stats)
        if not np.all((t * (1 + _SAFETY) < unproven_leg) | ~counted):
            return Outcome(task.tile_id, False, None, "snap", stats)
    return Outcome(task.tile_id, True, rows, stats=stats)


def _halo_needed(task: HaloTask, res: pd.DataFrame, t: np.ndarray, counted: np.ndarray) -> float:
    """The halo that would prove the times found here (``nan`` when a counted resident found
    no library): a resident ``d`` inside the tile is ``d + halo`` from the outside of the
    facility box, and a wider box only shortens its time. The executor widens to it at once
    instead of doubling; the check is run again all the same, so this is a guess, not a
    proof."""
    t = t[counted]
    if len(t) == 0 or not np.isfinite(t).all():
        return math.nan
    d = task.tile.inner_distance(res["x"].to_numpy()[counted], res["y"].to_numpy()[counted])
    return float(np.max(t * task.speed_bound * (1 + 1e-6) - d)) + 1.0


def _acc_inner(
    graph: StreetGraph, pts: pd.DataFrame, box: Box
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Access leg in the partition, distance to the outside of ``box`` and snapped node (as
    :func:`~libpolis.access.graph.snap_points`) of each point."""
    if len(pts) == 0:
        return np.empty(0), np.empty(0), np.empty(0, np.int64)
    acc, idx = graph._point_index.query(pts["lon"].to_numpy(), pts["lat"].to_numpy())
    inner = box.inner_distance(pts["x"].to_numpy(), pts["y"].to_numpy())
    return np.asarray(acc, float), inner, graph._snap_nodes[idx].astype(np.int64)


def _snaps(
    acc: np.ndarray, inner: np.ndarray, cutoff: float | None, whole: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Per point of access leg ``acc`` and distance ``inner`` to the outside of the graph's box
    (:func:`_acc_inner`): ``ok`` (snap proven, or provably beyond ``cutoff`` in the whole graph
    too) and ``proven`` (the partition's access leg is the whole graph's)."""
    if whole:
        return np.ones(len(acc), bool), np.ones(len(acc), bool)
    proven = acc * (1 + _SAFETY) < inner
    if cutoff is None:
        return proven, proven
    far = (acc > cutoff * (1 + _SAFETY)) & (inner > cutoff * (1 + _SAFETY))
    return proven | far, proven


def _near_opts(opts: dict[str, Any]) -> dict[str, Any]:
    keys = ("max_time_min", "max_access_m", "access_speed_kph")
    return {k: opts[k] for k in keys if k in opts}
