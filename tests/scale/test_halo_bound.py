"""The network bound of the halo proof (:func:`libpolis.scale.halo.exit_times`) is never wrong
and never weaker than the straight-line bound: random graphs with long fast edges that jump
out of a partition in one step, libraries far off the street network (long access legs) and
halos far too small to start with; the partitioned answer must equal the whole graph's."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.spatial import cKDTree

from libpolis.access._geo import haversine_m
from libpolis.access.graph import StreetGraph, graph_from_edges
from libpolis.access.nearest import nearest_facility
from libpolis.scale.executor import DaskExecutor
from libpolis.scale.halo import HaloTask, edge_speed_bound, exit_times
from libpolis.scale.tiles import Box, Metric

_LON, _LAT = (24.90, 0.06), (60.15, 0.03)


def max_edge_length(graph: StreetGraph, x: np.ndarray, y: np.ndarray) -> float:
    """The largest planar distance between the two ends of any edge (``x, y``: node
    coordinates in the metric): what a graph cut on a worker states as ``max_edge_m``."""
    tail, head = graph.edges()
    return float(np.hypot(x[head] - x[tail], y[head] - y[tail]).max()) if len(tail) else 0.0


def _graph(seed: int, n: int, jumps: int) -> StreetGraph:
    """Points joined to their 3 nearest neighbours at walking to driving speeds, plus
    ``jumps`` long, fast edges between random far-apart nodes (motorways without exits)."""
    rng = np.random.default_rng(seed)
    lon = _LON[0] + rng.random(n) * _LON[1]
    lat = _LAT[0] + rng.random(n) * _LAT[1]
    _, nb = cKDTree(np.column_stack([lon * 0.5, lat])).query(np.column_stack([lon * 0.5, lat]), 4)
    tail = np.concatenate([np.repeat(np.arange(n), 3), rng.integers(0, n, jumps)])
    head = np.concatenate([nb[:, 1:].ravel(), rng.integers(0, n, jumps)])
    jump = np.arange(len(tail)) >= 3 * n
    keep = tail != head
    tail, head, jump = tail[keep], head[keep], jump[keep]
    length = haversine_m(lon[tail], lat[tail], lon[head], lat[head])
    speed = np.where(jump, 2000.0, rng.choice([80.0, 250.0, 500.0], size=len(tail)))
    time = length / speed
    return graph_from_edges(
        np.concatenate([tail, head]), np.concatenate([head, tail]),
        np.concatenate([time, time]), lon, lat, mode="walk",
    )  # fmt: skip


def _points(rng: np.random.Generator, n: int, prefix: str) -> gpd.GeoDataFrame:
    lon = _LON[0] - 0.01 + rng.random(n) * (_LON[1] + 0.02)  # some beyond the network's edge
    lat = _LAT[0] - 0.005 + rng.random(n) * (_LAT[1] + 0.01)
    return gpd.GeoDataFrame(
        {"id": [f"{prefix}{i}" for i in range(n)]},
        geometry=gpd.points_from_xy(lon, lat),
        crs="EPSG:4326",
    )


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    seed=st.integers(0, 10_000),
    jumps=st.integers(0, 12),
    tile_m=st.floats(250.0, 1200.0),
    n_libs=st.integers(1, 6),
)
def test_partitions_with_jumps_and_far_libraries_equal_whole(
    client: object, seed: int, jumps: int, tile_m: float, n_libs: int
) -> None:
    g = _graph(seed, 500, jumps)
    rng = np.random.default_rng(seed + 1)
    residents, libs = _points(rng, 120, "r"), _points(rng, n_libs, "L")
    ex = DaskExecutor(client, tile_m=tile_m, halo_m=15.0, margin_m=10.0)
    whole = nearest_facility(g, residents, libs, max_access_m=2000.0)
    parts = ex.nearest_facility(g, residents, libs, max_access_m=2000.0)
    pd.testing.assert_frame_equal(parts, whole, check_exact=True)


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    jumps=st.integers(0, 12),
    halo=st.floats(10.0, 800.0),
    margin=st.floats(5.0, 300.0),
    far_leg=st.sampled_from([0.0, 50.0, math.inf]),
)
def test_exit_time_is_never_below_the_straight_line_bound(
    seed: int, jumps: int, halo: float, margin: float, far_leg: float
) -> None:
    """From every node, the network bound is at least its distance to the outside of the
    facility box at the fastest edge's speed: the old proof's bound."""
    g = _graph(seed, 300, jumps)
    metric = Metric("utm", g._point_index.crs)
    x, y = metric.xy(g.lon, g.lat)
    box = Box.around(x, y)
    cx, cy = (box.xmin + box.xmax) / 2, (box.ymin + box.ymax) / 2
    tile = Box(cx - 300.0, cy - 300.0, cx + 300.0, cy + 300.0)
    speed = edge_speed_bound(g, x, y)
    task = HaloTask(
        0, "nearest", tile, halo, margin, pd.DataFrame(), pd.DataFrame(), g, speed, metric,
        max_edge_m=max_edge_length(g, x, y), far_leg_m=far_leg,
    )  # fmt: skip
    inside = task.graph_box.contains(x, y)
    from libpolis.scale.halo import cut_graph, pin_metric

    sub = pin_metric(cut_graph(g, inside), metric)
    t = exit_times(sub, task)
    inner_f = np.maximum(task.facility_box.inner_distance(x[inside], y[inside]), 0.0)
    assert np.all(t * speed >= inner_f * (1 - 1e-9) - 1e-6)


# ------------------------------------------------------------------ the two ways out, by hand


def _street(
    n: int, speed_m_per_min: float, jump: bool, fast_end: bool = False
) -> tuple[StreetGraph, Metric]:
    """A straight east-west street of ``n`` nodes 50 m apart at 60.17°N, walked at
    ``speed_m_per_min``; with ``jump``, one fast edge joins its two ends (2 km/min); with
    ``fast_end``, its last 50 m are a road at 500 m/min."""
    lat0, dlon = 60.17, 50.0 / (111_320.0 * math.cos(math.radians(60.17)))
    lon = 24.90 + dlon * np.arange(n)
    lat = np.full(n, lat0)
    tail, head = np.arange(n - 1), np.arange(1, n)
    time = haversine_m(lon[tail], lat[tail], lon[head], lat[head]) / speed_m_per_min
    if fast_end:
        time[-1] *= speed_m_per_min / 500.0
    if jump:
        tail, head = np.append(tail, 0), np.append(head, n - 1)
        time = np.append(time, haversine_m(lon[0], lat[0], lon[-1], lat[-1]) / 2000.0)
    g = graph_from_edges(
        np.concatenate([tail, head]), np.concatenate([head, tail]),
        np.concatenate([time, time]), lon, lat, mode="walk",
    )  # fmt: skip
    return g, Metric("utm", g._point_index.crs)


def _task(
    g: StreetGraph, metric: Metric, libs: list[tuple[float, float]], halo: float, margin: float,
    exact: bool = False,
) -> tuple[HaloTask, pd.DataFrame]:  # fmt: skip
    """The partition of one resident at the street's west end (tile: 100 m around it); with
    ``exact``, the nodes with an edge out of the partition are listed (as the executor does for
    a graph in memory), else only the longest edge bounds where they may be."""
    from libpolis.access.graph import snap_points
    from libpolis.scale.halo import cut_with_leaving

    x, y = metric.xy(g.lon, g.lat)
    res = pd.DataFrame({"id": ["r"], "lon": [g.lon[0]], "lat": [g.lat[0]]})
    fac = pd.DataFrame({"id": [f"L{i}" for i in range(len(libs))],
                        "lon": [p[0] for p in libs], "lat": [p[1] for p in libs]})  # fmt: skip
    for f in (res, fac):
        f["x"], f["y"] = metric.xy(f["lon"], f["lat"])
    res["pos"] = [0]
    tile = Box(x[0] - 100.0, y[0] - 100.0, x[0] + 100.0, y[0] + 100.0)
    fbox = tile.grow(halo)
    inner = fbox.contains(fac["x"].to_numpy(), fac["y"].to_numpy())
    legs = snap_points(g, fac["lon"].to_numpy(), fac["lat"].to_numpy())[1]
    sub, leaving = cut_with_leaving(g, fbox.grow(margin).contains(x, y))
    task = HaloTask(
        0, "nearest", tile, halo, margin, res, fac[inner].reset_index(drop=True),
        sub, edge_speed_bound(g, x, y), metric,
        options={"max_access_m": 2000.0}, max_edge_m=max_edge_length(g, x, y),
        far_leg_m=float(np.max(legs[~inner], initial=0.0)),
        leaving=leaving if exact else None,
    )  # fmt: skip
    return task, fac


@pytest.mark.parametrize("exact", [False, True])
def test_a_fast_edge_out_of_the_partition_fails_the_check(exact: bool) -> None:
    """The resident's node has a 2 km/min edge to the street's far end, where a library is:
    the partition holds only the library 800 m along the street and must not call it proven."""
    from libpolis.scale.halo import run_halo_task

    g, metric = _street(100, 80.0, jump=True)
    libs = [(g.lon[16], g.lat[16]), (g.lon[99], g.lat[99])]
    task, fac = _task(g, metric, libs, halo=850.0, margin=50.0, exact=exact)
    assert list(task.facilities["id"]) == ["L0"]
    assert not exact or (task.leaving is not None and 0 in set(task.leaving))
    out = run_halo_task(task)
    assert not out.ok  # the whole graph's nearest is L1, through the fast edge
    whole = nearest_facility(g, _gdf(task.residents), _gdf(fac), max_access_m=2000.0)
    assert whole.loc[0, "to_id"] == "L1"


def test_a_library_off_the_street_beyond_the_halo_fails_the_check() -> None:
    """A library 260 m north of the resident's node (outside the halo) is 3.3 min away on
    foot; the street is slow (40 m/min), so the library 200 m along it takes 5 min: the
    partition, which holds only that one, must not call it proven."""
    from libpolis.scale.halo import run_halo_task

    g, metric = _street(40, 40.0, jump=False)
    north = 260.0 / 111_320.0
    libs = [(g.lon[4], g.lat[4]), (g.lon[0], g.lat[0] + north)]
    task, fac = _task(g, metric, libs, halo=150.0, margin=50.0)
    assert list(task.facilities["id"]) == ["L0"]
    out = run_halo_task(task)
    assert not out.ok
    whole = nearest_facility(g, _gdf(task.residents), _gdf(fac), max_access_m=2000.0)
    assert whole.loc[0, "to_id"] == "L1"


def test_the_network_bound_proves_what_the_straight_line_cannot() -> None:
    """A walked street whose far end (outside the partition) is a fast road: the straight-line
    bound at that road's speed fails, the network bound proves the library 500 m along."""
    from libpolis.scale.halo import run_halo_task

    g, metric = _street(60, 80.0, jump=False, fast_end=True)
    libs = [(g.lon[10], g.lat[10]), (g.lon[59], g.lat[59])]
    task, fac = _task(g, metric, libs, halo=450.0, margin=60.0)
    out = run_halo_task(task)
    assert out.ok and out.stats["proven_by_network_only"] == 1.0
    whole = nearest_facility(g, _gdf(task.residents), _gdf(fac), max_access_m=2000.0)
    assert out.rows is not None
    assert out.rows.loc[0, "time_min"] == whole.loc[0, "time_min"]


def _gdf(frame: pd.DataFrame) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"id": frame["id"].to_numpy()},
        geometry=gpd.points_from_xy(frame["lon"], frame["lat"]),
        crs="EPSG:4326",
    )
