"""Tests for libpolis.access.nearest against networkx, brute force and closed forms."""

from __future__ import annotations

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from libpolis.access._geo import haversine_m
from libpolis.access.nearest import (
    k_nearest,
    nearest_facility,
    nearest_points,
    nearest_straight,
    nearest_times,
    travel_time_matrix,
    within_time,
)
from libpolis.access.network import WALK_SPEED_KPH, graph_from_edges, snap_points
from libpolis.errors import DataError, MissingColumnError

WALK_M_PER_MIN = WALK_SPEED_KPH * 1000 / 60


def _gdf(lon, lat, ids=None, crs=4326):
    ids = np.arange(len(lon)) if ids is None else ids
    return gpd.GeoDataFrame({"id": ids}, geometry=gpd.points_from_xy(lon, lat), crs=crs)


def _random_points(n, seed, bbox=(24.935, 60.164, 24.953, 60.179)):
    r = np.random.default_rng(seed)
    return r.uniform(bbox[0], bbox[2], n), r.uniform(bbox[1], bbox[3], n)


def _nx_to_sources(g_nx, sources, offsets=None):
    """networkx oracle: time from every node to the nearest source (with start offsets)."""
    rev = g_nx.reverse(copy=True)
    if offsets is None:
        dist = nx.multi_source_dijkstra_path_length(rev, set(sources))
        return dist
    # offsets: a super source linked to each source with the offset as weight
    rev.add_node("s")
    for s, o in zip(sources, offsets, strict=True):
        w = min(o, rev["s"][s]["weight"]) if rev.has_edge("s", s) else o
        rev.add_edge("s", s, weight=w)
    dist = nx.single_source_dijkstra_path_length(rev, "s")
    dist.pop("s")
    return dist


# ---------------------------------------------------------------------------------------------
# multi-source search vs networkx


@pytest.mark.parametrize("mode", ["walk", "bike", "drive"])
def test_nearest_times_equal_networkx_on_helsinki(helsinki_graphs, to_networkx, mode):
    g = helsinki_graphs[mode]
    g_nx = to_networkx(g)
    r = np.random.default_rng(7)
    sources = r.choice(g.n_nodes, 12, replace=False)
    time, owner = nearest_times(g, sources)
    ref, _paths = nx.multi_source_dijkstra(g_nx.reverse(copy=True), set(sources.tolist()))
    expected = np.array([ref[i] for i in range(g.n_nodes)])
    np.testing.assert_allclose(time, expected, rtol=1e-12, atol=1e-12)
    # the reported source is a nearest one: its own time equals the minimum
    for s_pos in np.unique(owner):
        nodes = np.flatnonzero(owner == s_pos)
        own = nx.single_source_dijkstra_path_length(g_nx.reverse(copy=False), int(sources[s_pos]))
        np.testing.assert_allclose([own[i] for i in nodes], time[nodes], rtol=1e-12, atol=1e-12)


def test_nearest_times_direction_matters_on_one_way_graph(helsinki_graphs, to_networkx):
    g = helsinki_graphs["drive"]
    g_nx = to_networkx(g)
    sources = np.array([0, g.n_nodes // 2])
    to_src, _ = nearest_times(g, sources, to_sources=True)
    from_src, _ = nearest_times(g, sources, to_sources=False)
    ref_from = nx.multi_source_dijkstra_path_length(g_nx, {0, g.n_nodes // 2})
    np.testing.assert_allclose(from_src, [ref_from[i] for i in range(g.n_nodes)], rtol=1e-12)
    assert np.abs(to_src - from_src).max() > 0.1  # one-way streets make the two differ


@st.composite
def _graphs(draw):
    n = draw(st.integers(2, 25))
    m = draw(st.integers(1, 80))
    tail = draw(st.lists(st.integers(0, n - 1), min_size=m, max_size=m))
    head = draw(st.lists(st.integers(0, n - 1), min_size=m, max_size=m))
    weight = draw(
        st.lists(st.one_of(st.just(0.0), st.floats(0.001, 100.0)), min_size=m, max_size=m)
    )
    k = draw(st.integers(1, n))
    sources = draw(st.lists(st.integers(0, n - 1), min_size=k, max_size=k))
    offsets = draw(st.lists(st.floats(0.0, 50.0), min_size=k, max_size=k))
    limit = draw(st.one_of(st.none(), st.floats(0.0, 150.0)))
    return n, tail, head, weight, sources, offsets, limit


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_graphs())
def test_nearest_times_equal_networkx_on_random_graphs(data):
    n, tail, head, weight, sources, offsets, limit = data
    lon = 24.9 + np.arange(n) * 1e-3
    lat = np.full(n, 60.2)
    g = graph_from_edges(tail, head, weight, lon, lat, largest_component=False)
    g_nx = nx.DiGraph()
    g_nx.add_nodes_from(range(n))
    t, h = g.edges()
    g_nx.add_weighted_edges_from(zip(t.tolist(), h.tolist(), g.time_min.tolist(), strict=True))
    time, owner = nearest_times(
        g, np.array(sources), source_offset_min=np.array(offsets), limit_min=limit
    )
    ref = _nx_to_sources(g_nx, sources, offsets)
    expected = np.array([ref.get(i, np.inf) for i in range(n)])
    if limit is not None:
        expected[expected > limit] = np.inf
    np.testing.assert_allclose(time, expected, rtol=1e-9, atol=1e-9)
    assert np.array_equal(owner < 0, np.isinf(time))
    # each node's owner explains its time: offset of the owner + time to the owner's node
    rev = g_nx.reverse(copy=True)
    for node in np.flatnonzero(owner >= 0):
        s = int(owner[node])
        d = nx.shortest_path_length(rev, sources[s], int(node), weight="weight")
        assert offsets[s] + d == pytest.approx(time[node], rel=1e-9, abs=1e-9)


# ---------------------------------------------------------------------------------------------
# nearest_facility on the real network


def test_nearest_facility_equals_brute_force_networkx(helsinki_graphs, to_networkx):
    g = helsinki_graphs["drive"]
    rev = to_networkx(g).reverse(copy=True)
    r_lon, r_lat = _random_points(150, seed=11)
    f_lon, f_lat = _random_points(6, seed=12)
    residents = _gdf(r_lon, r_lat)
    libraries = _gdf(f_lon, f_lat, ids=[f"lib{i}" for i in range(6)])
    out = nearest_facility(g, residents, libraries)
    assert list(out.columns) == ["from_id", "to_id", "time_min", "access_m", "reachable"]
    assert out["from_id"].tolist() == list(range(150))
    r_node, r_acc = snap_points(g, r_lon, r_lat)
    f_node, f_acc = snap_points(g, f_lon, f_lat)
    per_fac = [nx.single_source_dijkstra_path_length(rev, int(v)) for v in f_node]
    total = np.array(
        [
            [
                r_acc[i] / WALK_M_PER_MIN + per_fac[j][int(r_node[i])] + f_acc[j] / WALK_M_PER_MIN
                for j in range(6)
            ]
            for i in range(150)
        ]
    )
    np.testing.assert_allclose(out["time_min"], total.min(axis=1), rtol=1e-9)
    chosen = [int(s[3:]) for s in out["to_id"]]
    np.testing.assert_allclose(total[np.arange(150), chosen], total.min(axis=1), rtol=1e-9)
    np.testing.assert_allclose(out["access_m"], r_acc)
    assert out["reachable"].all()


def test_nearest_facility_accepts_any_crs(helsinki_graphs):
    g = helsinki_graphs["walk"]
    r_lon, r_lat = _random_points(40, seed=2)
    f_lon, f_lat = _random_points(3, seed=3)
    a = nearest_facility(g, _gdf(r_lon, r_lat), _gdf(f_lon, f_lat))
    b = nearest_facility(g, _gdf(r_lon, r_lat).to_crs(3067), _gdf(f_lon, f_lat).to_crs(3857))
    np.testing.assert_allclose(a["time_min"], b["time_min"], rtol=1e-7)
    assert a["to_id"].tolist() == b["to_id"].tolist()


def test_one_way_resident_to_library_direction():
    # 0 -> 1 takes 1 min; 1 -> 0 only around a loop 1 -> 2 -> 0 of 10 min
    lon = np.array([24.90, 24.91, 24.905])
    lat = np.array([60.20, 60.20, 60.21])
    g = graph_from_edges([0, 1, 2], [1, 2, 0], [1.0, 5.0, 5.0], lon, lat)
    resident_at_0 = _gdf(lon[[0]], lat[[0]])
    library_at_1 = _gdf(lon[[1]], lat[[1]])
    out = nearest_facility(g, resident_at_0, library_at_1)
    assert out["time_min"].iloc[0] == pytest.approx(1.0)
    back = nearest_facility(g, library_at_1, resident_at_0)
    assert back["time_min"].iloc[0] == pytest.approx(10.0)


def test_unreachable_residents_are_reported_not_dropped():
    # two separate two-way pairs; the library sits on the first
    lon = np.array([24.90, 24.91, 25.00, 25.01])
    lat = np.full(4, 60.2)
    g = graph_from_edges(
        [0, 1, 2, 3], [1, 0, 3, 2], [2.0, 2.0, 2.0, 2.0], lon, lat, largest_component=False
    )
    residents = _gdf(lon, lat, ids=[10, 11, 12, 13])
    library = _gdf(lon[[0]], lat[[0]], ids=[7])
    out = nearest_facility(g, residents, library)
    assert out["from_id"].tolist() == [10, 11, 12, 13]
    assert out["reachable"].tolist() == [True, True, False, False]
    assert out["time_min"].iloc[:2].tolist() == pytest.approx([0.0, 2.0])
    assert out["time_min"].iloc[2:].isna().all()
    assert out["to_id"].iloc[:2].tolist() == [7, 7]
    assert out["to_id"].iloc[2:].isna().all()
    # a time limit and an access limit also make residents unreachable
    lim = nearest_facility(g, residents, library, max_time_min=1.0)
    assert lim["reachable"].tolist() == [True, False, False, False]
    far = _gdf([24.90, 24.90], [60.2, 60.25], ids=["near", "far"])
    acc = nearest_facility(g, far, library, max_access_m=500)
    assert acc["reachable"].tolist() == [True, False]
    assert acc["access_m"].iloc[1] > 5000


def test_no_facilities_means_everyone_unreachable(helsinki_graphs):
    r_lon, r_lat = _random_points(5, seed=1)
    out = nearest_facility(helsinki_graphs["walk"], _gdf(r_lon, r_lat), _gdf([], []))
    assert not out["reachable"].any() and len(out) == 5


def test_partition_gives_the_same_rows(helsinki_graphs):
    """A subset of residents with the facilities of a buffer around it: same answers."""
    g = helsinki_graphs["walk"]
    r_lon, r_lat = _random_points(200, seed=21)
    f_lon, f_lat = _random_points(30, seed=22)
    residents, libraries = _gdf(r_lon, r_lat), _gdf(f_lon, f_lat)
    full = nearest_facility(g, residents, libraries)
    part = residents[residents.geometry.x < 24.941]
    # 2 km buffer covers every trip that can win inside a 1.5 km wide strip of this extract
    buf = libraries[libraries.geometry.x < 24.941 + 0.036]
    sub = nearest_facility(g, part, buf)
    expected = full.set_index("from_id").loc[part["id"]]
    np.testing.assert_allclose(sub["time_min"], expected["time_min"])
    assert sub["to_id"].tolist() == expected["to_id"].tolist()


# ---------------------------------------------------------------------------------------------
# bounded searches: travel_time_matrix, within_time, k_nearest


def test_travel_time_matrix_equals_networkx_with_cutoff(helsinki_graphs, to_networkx):
    g = helsinki_graphs["drive"]
    g_nx = to_networkx(g)
    o_lon, o_lat = _random_points(60, seed=31)
    d_lon, d_lat = _random_points(8, seed=32)
    limit = 2.5
    tt = travel_time_matrix(g, _gdf(o_lon, o_lat), _gdf(d_lon, d_lat), limit_min=limit)
    o_node, o_acc = snap_points(g, o_lon, o_lat)
    d_node, d_acc = snap_points(g, d_lon, d_lat)
    expected = {}
    for i in range(60):
        net = nx.single_source_dijkstra_path_length(g_nx, int(o_node[i]))
        for j in range(8):
            if int(d_node[j]) in net:
                t = o_acc[i] / WALK_M_PER_MIN + net[int(d_node[j])] + d_acc[j] / WALK_M_PER_MIN
                if t <= limit:
                    expected[(i, j)] = t
    got = {(a, b): t for a, b, t in tt.itertuples(index=False)}
    assert got.keys() == expected.keys()
    assert len(got) > 20
    for key, t in expected.items():
        assert got[key] == pytest.approx(t, rel=1e-9)
    # sorted by origin then time
    assert tt["from_id"].is_monotonic_increasing
    assert all(grp["time_min"].is_monotonic_increasing for _, grp in tt.groupby("from_id"))


def test_travel_time_matrix_searches_from_either_side(helsinki_graphs):
    g = helsinki_graphs["drive"]
    o_lon, o_lat = _random_points(30, seed=41)
    d_lon, d_lat = _random_points(3, seed=42)
    a = travel_time_matrix(g, _gdf(o_lon, o_lat), _gdf(d_lon, d_lat), limit_min=4)
    # swap roles: origins fewer than destinations uses the forward search
    b = travel_time_matrix(g, _gdf(o_lon[:2], o_lat[:2]), _gdf(d_lon, d_lat), limit_min=4)
    pd.testing.assert_frame_equal(a[a["from_id"] < 2].reset_index(drop=True), b)


def test_within_time_and_k_nearest_agree_with_nearest_facility(helsinki_graphs):
    g = helsinki_graphs["walk"]
    r_lon, r_lat = _random_points(80, seed=51)
    f_lon, f_lat = _random_points(10, seed=52)
    residents, libraries = _gdf(r_lon, r_lat), _gdf(f_lon, f_lat)
    near = nearest_facility(g, residents, libraries)
    k1 = k_nearest(g, residents, libraries, 1)
    assert k1["from_id"].tolist() == near["from_id"].tolist()
    np.testing.assert_allclose(k1["time_min"], near["time_min"], rtol=1e-12)
    k3 = k_nearest(g, residents, libraries, 3)
    assert (k3.groupby("from_id").size() == 3).all()
    assert k3["rank"].tolist() == [1, 2, 3] * 80
    within = within_time(g, residents, libraries, 10.0)
    counts = within.groupby("from_id").size().reindex(range(80), fill_value=0)
    assert (within["time_min"] <= 10.0).all()
    # a resident has rows exactly when its nearest library is within 10 min
    np.testing.assert_array_equal(counts.to_numpy() > 0, near["time_min"].to_numpy() <= 10.0)


# ---------------------------------------------------------------------------------------------
# straight line


def _brute_haversine(r_lon, r_lat, f_lon, f_lat):
    d = haversine_m(r_lon[:, None], r_lat[:, None], f_lon[None, :], f_lat[None, :])
    return d.min(axis=1), d


def test_nearest_straight_utm_matches_brute_force_haversine():
    r_lon, r_lat = _random_points(500, seed=61, bbox=(24.7, 60.1, 25.2, 60.3))
    f_lon, f_lat = _random_points(40, seed=62, bbox=(24.7, 60.1, 25.2, 60.3))
    out = nearest_straight(_gdf(r_lon, r_lat), _gdf(f_lon, f_lat))
    best, d = _brute_haversine(r_lon, r_lat, f_lon, f_lat)
    # UTM (ellipsoid) vs sphere: within 0.5 % at 60 N; the chosen library is a nearest one
    np.testing.assert_allclose(out["dist_m"], best, rtol=5e-3)
    assert np.all(d[np.arange(500), out["to_id"].to_numpy()] <= best * 1.005)


def test_nearest_points_across_utm_zones_is_great_circle():
    # Europe-wide: spans many UTM zones, so distances are exact great-circle distances
    r_lon, r_lat = _random_points(2000, seed=71, bbox=(-10, 35, 30, 70))
    f_lon, f_lat = _random_points(300, seed=72, bbox=(-10, 35, 30, 70))
    dist, idx = nearest_points(r_lon, r_lat, f_lon, f_lat)
    best, d = _brute_haversine(r_lon, r_lat, f_lon, f_lat)
    np.testing.assert_allclose(dist, best, rtol=1e-9)
    np.testing.assert_allclose(d[np.arange(2000), idx], best, rtol=1e-9)
    d3, _i3 = nearest_points(r_lon, r_lat, f_lon, f_lat, k=3)
    np.testing.assert_allclose(d3, np.sort(d, axis=1)[:, :3], rtol=1e-9)


def test_k_nearest_straight():
    r_lon, r_lat = _random_points(50, seed=81)
    f_lon, f_lat = _random_points(5, seed=82)
    out = k_nearest(None, _gdf(r_lon, r_lat), _gdf(f_lon, f_lat), 7)
    assert (out.groupby("from_id").size() == 5).all()  # only 5 libraries exist
    assert (out.groupby("from_id")["dist_m"].apply(lambda s: s.is_monotonic_increasing)).all()


# ---------------------------------------------------------------------------------------------
# bad input


def test_missing_crs(helsinki_graphs):
    pts = gpd.GeoDataFrame({"id": [1]}, geometry=gpd.points_from_xy([24.94], [60.17]))
    with pytest.raises(DataError, match="residents has no CRS"):
        nearest_facility(helsinki_graphs["walk"], pts, _gdf([24.94], [60.17]))
    with pytest.raises(DataError, match="facilities has no CRS"):
        nearest_straight(_gdf([24.94], [60.17]), pts)


def test_missing_id_column_lists_columns(helsinki_graphs):
    pts = _gdf([24.94], [60.17]).rename(columns={"id": "cell"})
    with pytest.raises(MissingColumnError, match=r"no id column 'id'; columns found: \['cell'"):
        nearest_facility(helsinki_graphs["walk"], pts, _gdf([24.94], [60.17]))
    out = nearest_straight(pts, _gdf([24.94], [60.17]), resident_id="cell")
    assert out["from_id"].tolist() == [0]


def test_duplicate_ids_and_non_points(helsinki_graphs):
    dup = _gdf([24.94, 24.95], [60.17, 60.17], ids=[1, 1])
    with pytest.raises(DataError, match="duplicate ids"):
        nearest_straight(dup, _gdf([24.94], [60.17]))
    poly = _gdf([24.94], [60.17]).to_crs(3067)
    poly["geometry"] = poly.buffer(10)
    with pytest.raises(DataError, match="must hold points"):
        nearest_facility(helsinki_graphs["walk"], poly, _gdf([24.94], [60.17]))


def test_bad_parameters(helsinki_graphs):
    g = helsinki_graphs["walk"]
    pts = _gdf([24.94], [60.17])
    with pytest.raises(DataError, match="access_speed_kph"):
        nearest_facility(g, pts, pts, access_speed_kph=0)
    with pytest.raises(DataError, match="limit_min"):
        travel_time_matrix(g, pts, pts, limit_min=float("nan"))
    with pytest.raises(DataError, match="k must be a positive integer"):
        k_nearest(g, pts, pts, 0)
    with pytest.raises(DataError, match="source node positions"):
        nearest_times(g, np.array([g.n_nodes]))
    with pytest.raises(DataError, match="no facilities"):
        nearest_points([24.9], [60.1], [], [])
    with pytest.raises(DataError, match="must be a GeoDataFrame"):
        nearest_straight(pd.DataFrame({"id": [1]}), pts)


def test_reversed_graph_is_scipys_transpose() -> None:
    """The reversed graph (one stable sort by head) equals SciPy's transposed CSR, edge by
    edge, on a graph with one-way edges; a symmetric graph not flagged as such is its own
    reverse."""
    from libpolis.access.graph import graph_from_edges

    rng = np.random.default_rng(3)
    n = 400
    tail = rng.integers(0, n, 3000)
    head = rng.integers(0, n, 3000)
    lon, lat = rng.uniform(24.9, 25.0, n), rng.uniform(60.1, 60.2, n)
    g = graph_from_edges(tail, head, rng.uniform(0.1, 2, 3000), lon, lat, largest_component=False)
    rev = g.reverse
    for weight, values in (("time_min", rev.time_min), ("length_m", rev.length_m)):
        m = g.matrix(weight).T.tocsr()
        m.sort_indices()
        assert np.array_equal(rev.indptr, m.indptr) and np.array_equal(rev.indices, m.indices)
        assert np.array_equal(values, m.data)
    both = graph_from_edges(
        np.concatenate((tail, head)), np.concatenate((head, tail)),
        np.concatenate((g_t := rng.uniform(0.1, 2, 3000), g_t)), lon, lat,
        largest_component=False,
    )  # fmt: skip
    assert both.symmetric is None and both.reverse is both
