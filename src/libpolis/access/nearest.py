"""Nearest facility for every resident: on the street network and in a straight line.

Network results come from one multi-source search over the whole graph (not one search per
resident). Travel from a resident to a facility is what matters, so on graphs with one-way
streets the search starts at the facilities and runs over the *reversed* graph. Each trip is
``access leg of the resident + network time + access leg of the facility``; access legs are the
straight-line distances from a point to its snapped node, covered at walking speed
(:data:`~libpolis.access.network.WALK_SPEED_KPH`).

Straight-line distances are planar in the local UTM CRS when all points lie in one UTM zone,
and great-circle (sphere of mean Earth radius) otherwise, found with a k-d tree over 3-D unit
vectors whose chord lengths are converted to arc lengths.

Residents that cannot reach any facility (beyond ``max_time_min``, farther than
``max_access_m`` from the network, or on a graph part with no facility) are kept in the result
with ``reachable = False`` and ``time_min`` NaN, never dropped. Every function uses only the
residents and facilities it is given, so it runs unchanged on a partition of the residents with
the facilities of a buffer around it.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.sparse.csgraph import dijkstra

from libpolis.access._geo import PointIndex, _check_lonlat
from libpolis.access._inputs import _check_speed, _minutes, _points, _take_ids
from libpolis.access._search import multi_source_search
from libpolis.access.network import WALK_SPEED_KPH, StreetGraph, snap_points
from libpolis.errors import DataError

__all__ = [
    "k_nearest",
    "nearest_facility",
    "nearest_points",
    "nearest_straight",
    "nearest_times",
    "travel_time_matrix",
    "within_time",
]

_CHUNK_CELLS = 8_000_000  # dense distance cells per bounded-search batch (64 MB of float64)


# ----------------------------------------------------------------------------------------------
# network


def nearest_times(
    graph: StreetGraph,
    sources: np.ndarray,
    *,
    source_offset_min: np.ndarray | None = None,
    to_sources: bool = True,
    limit_min: float | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Time between every node and its nearest source node, in one multi-source search.

    Parameters
    ----------
    graph : StreetGraph
    sources : array_like of int
        Node positions of the sources (e.g. snapped libraries); repeats allowed.
    source_offset_min : array_like of float, optional
        Minutes added at each source (e.g. its access leg); it takes part in choosing the
        nearest.
    to_sources : bool
        True (default): time *from* each node *to* a source (searches the reversed graph);
        False: from a source to each node.
    limit_min : float, optional
        Do not search beyond this time; farther nodes are unreached.

    Returns
    -------
    time_min : ndarray of float64
        Per node, minutes; ``inf`` when unreached.
    source : ndarray of int64
        Per node, the position in ``sources`` of the nearest source; ``-1`` when unreached.
    """
    sources = np.asarray(sources, dtype=np.int64)
    if sources.ndim != 1:
        raise DataError(f"sources must be a 1-D array of node positions, got shape {sources.shape}")
    if sources.size and (sources.min() < 0 or sources.max() >= graph.n_nodes):
        raise DataError(
            f"source node positions must lie in 0..{graph.n_nodes - 1}, found "
            f"{sources.min()}..{sources.max()}"
        )
    offsets = None
    if source_offset_min is not None:
        offsets = np.asarray(source_offset_min, dtype=np.float64)
        if offsets.shape != sources.shape or not np.all(offsets >= 0):
            raise DataError("source_offset_min needs one non-negative value per source")
    g = graph.reverse if to_sources else graph
    limit = np.inf if limit_min is None else float(limit_min)
    return multi_source_search(g.indptr, g.indices, g.time_min, sources, offsets, limit=limit)


def nearest_facility(
    graph: StreetGraph,
    residents: gpd.GeoDataFrame,
    facilities: gpd.GeoDataFrame,
    *,
    resident_id: str = "id",
    facility_id: str = "id",
    max_time_min: float | None = None,
    max_access_m: float | None = None,
    access_speed_kph: float = WALK_SPEED_KPH,
) -> pd.DataFrame:
    """Travel time from every resident to the nearest facility over the street network.

    Parameters
    ----------
    graph : StreetGraph
        The network of the travel mode (see :func:`~libpolis.access.network.graph_from_pbf`).
    residents, facilities : GeoDataFrame
        Points with a CRS and a unique id column.
    resident_id, facility_id : str
        Id columns.
    max_time_min : float, optional
        Trips longer than this count as unreachable (and the search stops there).
    max_access_m : float, optional
        Residents farther than this (metres) from the nearest graph node count as unreachable.
    access_speed_kph : float
        Speed of the access legs, km/h (walking, 4.8, by default).

    Returns
    -------
    DataFrame
        One row per resident, in input order: ``from_id`` (resident id), ``to_id`` (nearest
        facility id, missing when unreachable), ``time_min`` (door to door, minutes, NaN when
        unreachable), ``access_m`` (resident to its network node, metres), ``reachable`` (bool).
    """
    speed = _check_speed(access_speed_kph)
    r_ids, r_lon, r_lat = _points(residents, resident_id, "residents")
    f_ids, f_lon, f_lat = _points(facilities, facility_id, "facilities")
    r_node, r_acc = snap_points(graph, r_lon, r_lat) if len(r_ids) else _empty_snap()
    f_node, f_acc = snap_points(graph, f_lon, f_lat) if len(f_ids) else _empty_snap()
    node_time, node_src = nearest_times(
        graph,
        f_node,
        source_offset_min=_minutes(f_acc, speed),
        to_sources=True,
        limit_min=max_time_min,
    )
    time = node_time[r_node] + _minutes(r_acc, speed)
    src = node_src[r_node]
    ok = np.isfinite(time)
    if max_time_min is not None:
        ok &= time <= max_time_min
    if max_access_m is not None:
        ok &= r_acc <= max_access_m
    return pd.DataFrame(
        {
            "from_id": r_ids.to_numpy(),
            "to_id": _take_ids(f_ids, np.where(ok, src, -1)),
            "time_min": np.where(ok, time, np.nan),
            "access_m": r_acc,
            "reachable": ok,
        }
    )


def _empty_snap() -> tuple[np.ndarray, np.ndarray]:
    return np.empty(0, np.int64), np.empty(0, np.float64)


def _bounded_node_times(
    graph: StreetGraph, from_nodes: np.ndarray, to_nodes: np.ndarray, limit: float, side: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Network times between unique node sets, only pairs within ``limit`` (long form)."""
    forward = len(from_nodes) <= len(to_nodes) if side == "auto" else side == "origins"
    starts, ends = (from_nodes, to_nodes) if forward else (to_nodes, from_nodes)
    g = graph if forward else graph.reverse
    mat = g.matrix("time_min")
    chunk = max(1, _CHUNK_CELLS // max(graph.n_nodes, 1))
    rows, cols, vals = [], [], []
    for lo in range(0, len(starts), chunk):
        batch = starts[lo : lo + chunk]
        d = dijkstra(mat, directed=True, indices=batch, limit=limit)
        d = d[:, ends]
        i, j = np.nonzero(d <= limit)
        rows.append(batch[i])
        cols.append(ends[j])
        vals.append(d[i, j])
    a = np.concatenate(rows) if rows else np.empty(0, np.int64)
    b = np.concatenate(cols) if cols else np.empty(0, np.int64)
    t = np.concatenate(vals) if vals else np.empty(0)
    return (a, b, t) if forward else (b, a, t)


def travel_time_matrix(
    graph: StreetGraph,
    origins: gpd.GeoDataFrame,
    destinations: gpd.GeoDataFrame,
    *,
    limit_min: float,
    origin_id: str = "id",
    destination_id: str = "id",
    max_access_m: float | None = None,
    access_speed_kph: float = WALK_SPEED_KPH,
    search_from: str = "auto",
) -> pd.DataFrame:
    """Door-to-door times of all origin-destination pairs within ``limit_min`` (sparse).

    Bounded shortest-path searches (``scipy.sparse.csgraph.dijkstra(limit=...)``) start from
    the smaller side (destinations over the reversed graph, or origins), in batches that keep
    memory at about 64 MB.

    Parameters
    ----------
    graph : StreetGraph
    origins, destinations : GeoDataFrame
        Points with a CRS and a unique id column.
    limit_min : float
        Keep pairs whose total time (access legs included) is at most this, minutes.
    origin_id, destination_id : str
        Id columns.
    max_access_m : float, optional
        Points farther than this from the network take part in no pair.
    access_speed_kph : float
        Speed of the access legs, km/h.
    search_from : {"auto", "origins", "destinations"}
        Where searches start (auto: the side with fewer snapped nodes; times may differ in
        the last bit between sides).

    Returns
    -------
    DataFrame
        ``from_id``, ``to_id``, ``time_min``, sorted by origin (input order) then time.
    """
    speed = _check_speed(access_speed_kph)
    if search_from not in ("auto", "origins", "destinations"):
        raise DataError(f"search_from must be auto, origins or destinations: {search_from!r}")
    if not (limit_min is not None and np.isfinite(limit_min) and limit_min >= 0):
        raise DataError(f"limit_min must be a finite non-negative number, got {limit_min!r}")
    o_ids, o_lon, o_lat = _points(origins, origin_id, "origins")
    d_ids, d_lon, d_lat = _points(destinations, destination_id, "destinations")
    empty = pd.DataFrame({"from_id": o_ids[:0], "to_id": d_ids[:0], "time_min": np.empty(0)})
    if len(o_ids) == 0 or len(d_ids) == 0:
        return empty
    o_node, o_acc = snap_points(graph, o_lon, o_lat)
    d_node, d_acc = snap_points(graph, d_lon, d_lat)
    o_keep = np.ones(len(o_ids), bool) if max_access_m is None else o_acc <= max_access_m
    d_keep = np.ones(len(d_ids), bool) if max_access_m is None else d_acc <= max_access_m
    o_min, d_min = _minutes(o_acc, speed), _minutes(d_acc, speed)
    o_keep &= o_min <= limit_min
    d_keep &= d_min <= limit_min
    if not o_keep.any() or not d_keep.any():
        return empty
    from_nodes = np.unique(o_node[o_keep])
    to_nodes = np.unique(d_node[d_keep])
    a, b, t = _bounded_node_times(graph, from_nodes, to_nodes, float(limit_min), search_from)
    pairs = pd.DataFrame({"o_node": a, "d_node": b, "net": t})
    left = pd.DataFrame({"o_pos": np.flatnonzero(o_keep), "o_node": o_node[o_keep]})
    right = pd.DataFrame({"d_pos": np.flatnonzero(d_keep), "d_node": d_node[d_keep]})
    m = pairs.merge(left, on="o_node").merge(right, on="d_node")
    total = m["net"].to_numpy() + o_min[m["o_pos"].to_numpy()] + d_min[m["d_pos"].to_numpy()]
    sel = total <= limit_min
    m = m.loc[sel].assign(total=total[sel]).sort_values(["o_pos", "total", "d_pos"])
    return pd.DataFrame(
        {
            "from_id": o_ids.to_numpy()[m["o_pos"].to_numpy()],
            "to_id": d_ids.to_numpy()[m["d_pos"].to_numpy()],
            "time_min": m["total"].to_numpy(),
        }
    )


def within_time(
    graph: StreetGraph,
    residents: gpd.GeoDataFrame,
    facilities: gpd.GeoDataFrame,
    max_time_min: float,
    *,
    resident_id: str = "id",
    facility_id: str = "id",
    max_access_m: float | None = None,
    access_speed_kph: float = WALK_SPEED_KPH,
) -> pd.DataFrame:
    """All facilities each resident reaches within ``max_time_min`` (e.g. an E2SFCA catchment):
    :func:`travel_time_matrix` with residents as origins and facilities as destinations."""
    return travel_time_matrix(
        graph,
        residents,
        facilities,
        limit_min=max_time_min,
        origin_id=resident_id,
        destination_id=facility_id,
        max_access_m=max_access_m,
        access_speed_kph=access_speed_kph,
    )


def k_nearest(
    graph: StreetGraph | None,
    residents: gpd.GeoDataFrame,
    facilities: gpd.GeoDataFrame,
    k: int,
    *,
    resident_id: str = "id",
    facility_id: str = "id",
    max_time_min: float | None = None,
    access_speed_kph: float = WALK_SPEED_KPH,
) -> pd.DataFrame:
    """The ``k`` nearest facilities of every resident.

    Parameters
    ----------
    graph : StreetGraph or None
        Network to travel on; ``None`` for straight-line distances.
    residents, facilities : GeoDataFrame
        Points with a CRS and a unique id column.
    k : int
        Number of facilities per resident (fewer when fewer exist or are within reach).
    max_time_min : float, optional
        Network only: consider facilities within this time. Without it the network search is
        unbounded, which costs one search per facility; set it on large graphs.
    access_speed_kph : float
        Speed of the access legs, km/h.

    Returns
    -------
    DataFrame
        ``from_id``, ``to_id``, ``rank`` (1 = nearest) and ``time_min`` (network) or ``dist_m``
        (straight line), sorted by resident then rank. Residents with no facility in reach have
        no rows.
    """
    if not (isinstance(k, (int, np.integer)) and k >= 1):
        raise DataError(f"k must be a positive integer, got {k!r}")
    if graph is None:
        r_ids, r_lon, r_lat = _points(residents, resident_id, "residents")
        f_ids, f_lon, f_lat = _points(facilities, facility_id, "facilities")
        kk = min(int(k), len(f_ids))
        if kk == 0 or len(r_ids) == 0:
            return pd.DataFrame(
                {"from_id": r_ids[:0], "to_id": f_ids[:0], "rank": [], "dist_m": []}
            )
        dist, idx = nearest_points(r_lon, r_lat, f_lon, f_lat, k=kk)
        dist, idx = dist.reshape(len(r_ids), kk), idx.reshape(len(r_ids), kk)
        return pd.DataFrame(
            {
                "from_id": np.repeat(r_ids.to_numpy(), kk),
                "to_id": f_ids.to_numpy()[idx.ravel()],
                "rank": np.tile(np.arange(1, kk + 1), len(r_ids)),
                "dist_m": dist.ravel(),
            }
        )
    limit = np.inf if max_time_min is None else max_time_min
    if np.isinf(limit):
        limit = float(np.finfo(np.float64).max)
    tt = travel_time_matrix(
        graph,
        residents,
        facilities,
        limit_min=limit,
        origin_id=resident_id,
        destination_id=facility_id,
        access_speed_kph=access_speed_kph,
    )
    tt["rank"] = tt.groupby("from_id", sort=False).cumcount() + 1
    tt = tt.loc[tt["rank"] <= k, ["from_id", "to_id", "rank", "time_min"]]
    return tt.reset_index(drop=True)


# ----------------------------------------------------------------------------------------------
# straight line


def nearest_points(
    lon: np.ndarray,
    lat: np.ndarray,
    facility_lon: np.ndarray,
    facility_lat: np.ndarray,
    *,
    k: int = 1,
    method: str = "auto",
    workers: int = -1,
) -> tuple[np.ndarray, np.ndarray]:
    """Straight-line nearest facilities of many points (array core of :func:`nearest_straight`).

    Parameters
    ----------
    lon, lat : array_like
        Query points, WGS84 degrees.
    facility_lon, facility_lat : array_like
        Facilities, WGS84 degrees.
    k : int
        Number of neighbours.
    method : {"auto", "utm", "sphere"}
        ``"auto"``: planar in the local UTM CRS when all points lie in one zone, else
        great-circle.
    workers : int
        Threads for the k-d tree query (-1: all cores).

    Returns
    -------
    dist_m : ndarray
        Metres, shape ``(n,)`` or ``(n, k)``.
    index : ndarray of int64
        Facility positions.
    """
    lon, lat = _check_lonlat(lon, lat, "points")
    f_lon, f_lat = _check_lonlat(facility_lon, facility_lat, "facilities")
    if len(f_lon) == 0:
        raise DataError("there are no facilities to measure distances to")
    index = PointIndex(f_lon, f_lat, method=method, extent_lon=lon, extent_lat=lat)
    dist, idx = index.query(lon, lat, k=k, workers=workers)
    return dist, idx.astype(np.int64)


def nearest_straight(
    residents: gpd.GeoDataFrame,
    facilities: gpd.GeoDataFrame,
    *,
    resident_id: str = "id",
    facility_id: str = "id",
    method: str = "auto",
) -> pd.DataFrame:
    """Straight-line distance from every resident to the nearest facility.

    Planar in the local UTM CRS when residents and facilities lie in one UTM zone; true
    great-circle distance otherwise (see :func:`nearest_points`).

    Returns
    -------
    DataFrame
        One row per resident, in input order: ``from_id``, ``to_id``, ``dist_m`` (metres).
    """
    r_ids, r_lon, r_lat = _points(residents, resident_id, "residents")
    f_ids, f_lon, f_lat = _points(facilities, facility_id, "facilities")
    if len(r_ids) == 0:
        return pd.DataFrame({"from_id": r_ids, "to_id": f_ids[:0], "dist_m": np.empty(0)})
    dist, idx = nearest_points(r_lon, r_lat, f_lon, f_lat, method=method)
    return pd.DataFrame(
        {"from_id": r_ids.to_numpy(), "to_id": f_ids.to_numpy()[idx], "dist_m": dist}
    )
