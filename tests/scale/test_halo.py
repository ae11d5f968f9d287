"""Partitioned network searches equal the unpartitioned ones (hypothesis: random graphs and tile
sizes), on a real Dask cluster, with tiles small enough that many residents' nearest library
lies in another tile."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.spatial import cKDTree

from libpolis.access.graph import StreetGraph, graph_from_edges
from libpolis.access.nearest import nearest_facility, travel_time_matrix
from libpolis.scale.executor import DaskExecutor
from libpolis.scale.tiles import Metric, tile_grid


def _graph(seed: int, n: int) -> StreetGraph:
    """A random street-like graph: points joined to their 4 nearest neighbours, streets of
    several speeds (some fast arterials), a few one-way."""
    rng = np.random.default_rng(seed)
    lon = 24.90 + rng.random(n) * 0.06
    lat = 60.15 + rng.random(n) * 0.03
    xy = np.column_stack([lon * 0.5, lat])  # roughly metric at 60°N
    _, nb = cKDTree(xy).query(xy, k=5)
    tail = np.repeat(np.arange(n), 4)
    head = nb[:, 1:].ravel()
    from libpolis.access._geo import haversine_m

    length = haversine_m(lon[tail], lat[tail], lon[head], lat[head])
    speed = rng.choice([80.0, 80.0, 250.0, 600.0], size=len(tail))  # metres per minute
    time = length / speed
    one_way = rng.random(len(tail)) < 0.1
    t2, h2 = head[~one_way], tail[~one_way]
    return graph_from_edges(
        np.concatenate([tail, t2]), np.concatenate([head, h2]),
        np.concatenate([time, time[~one_way]]), lon, lat, mode="walk",
    )  # fmt: skip


def _points(rng: np.random.Generator, n: int, prefix: str) -> gpd.GeoDataFrame:
    lon = 24.90 + rng.random(n) * 0.06
    lat = 60.15 + rng.random(n) * 0.03
    return gpd.GeoDataFrame(
        {"id": [f"{prefix}{i}" for i in range(n)]},
        geometry=gpd.points_from_xy(lon, lat),
        crs="EPSG:4326",
    )


@settings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    seed=st.integers(0, 10_000),
    tile_m=st.floats(400.0, 1500.0),
    n_libs=st.integers(1, 8),
    halo_m=st.sampled_from([None, 30.0]),
)
def test_partitioned_network_equals_whole(
    client: object, seed: int, tile_m: float, n_libs: int, halo_m: float | None
) -> None:
    g = _graph(seed, 600)
    rng = np.random.default_rng(seed + 1)
    residents, libs = _points(rng, 150, "r"), _points(rng, n_libs, "L")
    ex = DaskExecutor(client, tile_m=tile_m, halo_m=halo_m, margin_m=20.0)
    whole = nearest_facility(g, residents, libs, max_access_m=150.0)
    parts = ex.nearest_facility(g, residents, libs, max_access_m=150.0)
    pd.testing.assert_frame_equal(parts, whole, check_exact=True)
    od_whole = travel_time_matrix(g, residents, libs, limit_min=6.0)
    od_parts = ex.travel_time_matrix(g, residents, libs, limit_min=6.0)
    pd.testing.assert_frame_equal(od_parts, od_whole, check_exact=True)


def test_many_nearest_libraries_lie_in_another_tile(client: object) -> None:
    """The case the halo exists for: small tiles, most nearest libraries outside the tile; a
    halo far too small to start with is widened until proven, and the answer is exact."""
    g = _graph(7, 900)
    rng = np.random.default_rng(8)
    residents, libs = _points(rng, 300, "r"), _points(rng, 4, "L")
    ex = DaskExecutor(client, tile_m=400.0, halo_m=10.0, margin_m=10.0)
    whole = nearest_facility(g, residents, libs, max_access_m=150.0)
    parts = ex.nearest_facility(g, residents, libs, max_access_m=150.0)
    pd.testing.assert_frame_equal(parts, whole, check_exact=True)
    metric = Metric("utm", g._point_index.crs)
    rx, ry = metric.xy(residents.geometry.x, residents.geometry.y)
    lx, ly = metric.xy(libs.geometry.x, libs.geometry.y)
    grid = tile_grid(rx, ry, tile=400.0)
    lib_tile = pd.Series(grid.tile_of(lx, ly), index=libs["id"])
    ok = whole["reachable"].to_numpy()
    other = lib_tile.loc[whole.loc[ok, "to_id"]].to_numpy() != grid.tile_of(rx, ry)[ok]
    assert other.mean() > 0.8  # most residents' nearest library is in another tile
    assert ex.log[-1]["redone"] > 0  # the first halos were too small and were widened


def test_exact_ties_on_a_lattice_go_to_the_same_library_on_both_engines(
    client: object, monkeypatch
) -> None:
    """A street grid where every block takes one minute, residents and libraries on its
    corners: many residents have two or more libraries exactly as near. The whole graph
    (searched here by the vectorised rounds, as graphs of 30,000 nodes and more are) and its
    small partitions (renumbered, searched apart by the heap on the workers) must name the
    same one: the first in the libraries' order."""
    import libpolis.access._search as search

    side, step = 24, 0.0018  # about 100 m (east-west) by 200 m (north-south) blocks
    i, j = np.meshgrid(np.arange(side), np.arange(side), indexing="ij")
    node = (i * side + j).ravel()
    right = node[(j < side - 1).ravel()]
    up = node[(i < side - 1).ravel()]
    tail = np.concatenate([right, right + 1, up, up + side])
    head = np.concatenate([right + 1, right, up + side, up])
    lon = 24.90 + j.ravel() * step
    lat = 60.15 + i.ravel() * step
    g = graph_from_edges(tail, head, np.ones(len(tail)), lon, lat, mode="walk")
    rng = np.random.default_rng(5)
    at = rng.choice(side * side, 140, replace=False)
    residents = gpd.GeoDataFrame(
        {"id": [f"r{k}" for k in range(120)]},
        geometry=gpd.points_from_xy(lon[at[:120]], lat[at[:120]]), crs="EPSG:4326",
    )  # fmt: skip
    libs = gpd.GeoDataFrame(
        {"id": [f"L{k}" for k in range(20)]},
        geometry=gpd.points_from_xy(lon[at[120:]], lat[at[120:]]), crs="EPSG:4326",
    )  # fmt: skip
    with monkeypatch.context() as mp:
        mp.setattr(search, "_HEAP_BELOW", 0)
        whole = nearest_facility(g, residents, libs)
    od = travel_time_matrix(g, residents, libs, limit_min=60.0)
    best = od.groupby("from_id")["time_min"].transform("min")
    tied = od[od["time_min"] == best].groupby("from_id")["to_id"].agg(list)
    assert (tied.str.len() > 1).sum() >= 20  # whole minutes: ties are the rule here
    first = tied.map(lambda ids: min(ids, key=lambda x: int(x[1:])))
    assert (whole.set_index("from_id")["to_id"].loc[first.index] == first).all()
    ex = DaskExecutor(client, tile_m=600.0, margin_m=20.0)
    parts = ex.nearest_facility(g, residents, libs)
    pd.testing.assert_frame_equal(parts, whole, check_exact=True)
