"""Tests for libpolis.access.network: OSM parsing rules, graph structure, snapping."""

from __future__ import annotations

import itertools

import numpy as np
import osmium
import pytest
from pyproj import Transformer
from scipy.sparse.csgraph import connected_components

from libpolis.access._geo import haversine_m
from libpolis.access.network import (
    BIKE_SPEED_KPH,
    DRIVE_SPEED_KPH,
    WALK_SPEED_KPH,
    _direction,
    _parse_maxspeed,
    graph_from_edges,
    graph_from_pbf,
    snap_points,
)
from libpolis.errors import DataError, NotFoundError


def _edge_set(graph):
    tail, head = graph.edges()
    ids = graph.osm_id
    return set(zip(ids[tail].tolist(), ids[head].tolist(), strict=False))


# ---------------------------------------------------------------------------------------------
# real Helsinki network


@pytest.mark.parametrize("mode", ["walk", "bike", "drive"])
def test_helsinki_graph_is_one_strong_component(helsinki_graphs, mode):
    g = helsinki_graphs[mode]
    assert g.n_nodes > 1000
    n_comp, _ = connected_components(g.matrix(), directed=True, connection="strong")
    assert n_comp == 1
    # CSR invariants
    assert g.indptr[0] == 0 and g.indptr[-1] == g.n_edges
    assert np.all(np.diff(g.indptr) >= 0)
    assert g.indices.min() >= 0 and g.indices.max() < g.n_nodes
    assert len(np.unique(g.osm_id)) == g.n_nodes


@pytest.mark.parametrize("mode", ["walk", "bike", "drive"])
def test_edge_lengths_are_haversine_of_node_coordinates(helsinki_graphs, mode):
    g = helsinki_graphs[mode]
    tail, head = g.edges()
    expected = haversine_m(g.lon[tail], g.lat[tail], g.lon[head], g.lat[head])
    np.testing.assert_allclose(g.length_m, expected, rtol=1e-12)
    # central Helsinki segments are short; a wrong unit (km, degrees) would show here
    assert 0 < np.median(g.length_m) < 100


@pytest.mark.parametrize(("mode", "speed"), [("walk", WALK_SPEED_KPH), ("bike", BIKE_SPEED_KPH)])
def test_walk_and_bike_times_follow_their_speed(helsinki_graphs, mode, speed):
    g = helsinki_graphs[mode]
    np.testing.assert_allclose(g.time_min, g.length_m / 1000 / speed * 60, rtol=1e-12)


def test_drive_speeds_come_from_maxspeed_or_class(helsinki_graphs):
    g = helsinki_graphs["drive"]
    speed = g.length_m / 1000 / (g.time_min / 60)
    allowed = {10.0, 20.0, 30.0, 40.0, 50.0, 5.0} | set(DRIVE_SPEED_KPH.values())
    assert set(np.round(speed, 6)) <= allowed
    # the extract tags most streets maxspeed=30
    assert np.median(speed) == pytest.approx(30.0)


def test_walk_graph_is_symmetric_and_drive_graph_is_not(helsinki_graphs):
    walk = helsinki_graphs["walk"]
    drive = helsinki_graphs["drive"]
    assert walk.reverse is walk
    assert drive.reverse is not drive
    e = _edge_set(drive)
    assert any((b, a) not in e for a, b in e)


def _oneway_way(pbf):
    """First drivable ``oneway=yes`` way of the extract (its node ids)."""
    for w in osmium.FileProcessor(str(pbf), osmium.osm.WAY):
        if w.tags.get("oneway") == "yes" and w.tags.get("highway") in ("primary", "secondary"):
            return [n.ref for n in w.nodes]
    raise AssertionError("the extract has no one-way primary street")


def test_real_one_way_street_only_forward_when_driving(helsinki_graphs, helsinki_pbf):
    refs = _oneway_way(helsinki_pbf)
    drive, walk = _edge_set(helsinki_graphs["drive"]), _edge_set(helsinki_graphs["walk"])
    pairs = [(a, b) for a, b in itertools.pairwise(refs) if (a, b) in drive]
    assert pairs, "the one-way street should be in the drive graph"
    for a, b in pairs:
        assert (b, a) not in drive
        assert (a, b) in walk and (b, a) in walk


# ---------------------------------------------------------------------------------------------
# tag rules on tiny hand-written files


def test_oneway_rules_per_mode(write_osm, line_nodes):
    nodes = line_nodes(3)
    path = write_osm(nodes, [([1, 2, 3], {"highway": "residential", "oneway": "yes"})])
    assert _edge_set(graph_from_pbf(path, "drive", largest_component=False)) == {(1, 2), (2, 3)}
    assert _edge_set(graph_from_pbf(path, "bike", largest_component=False)) == {(1, 2), (2, 3)}
    assert _edge_set(graph_from_pbf(path, "walk", largest_component=False)) == {
        (1, 2),
        (2, 3),
        (2, 1),
        (3, 2),
    }
    rev = write_osm(nodes, [([1, 2, 3], {"highway": "residential", "oneway": "-1"})])
    assert _edge_set(graph_from_pbf(rev, "drive", largest_component=False)) == {(2, 1), (3, 2)}


def test_one_way_graph_keeps_only_a_strong_component(write_osm, line_nodes):
    # a one-way street without a way back is no strong component at all: only the two-way part
    nodes = line_nodes(4)
    path = write_osm(
        nodes,
        [
            ([1, 2, 3], {"highway": "residential"}),
            ([3, 4], {"highway": "residential", "oneway": "yes"}),
        ],
    )
    g = graph_from_pbf(path, "drive")
    assert sorted(g.osm_id.tolist()) == [1, 2, 3]


_OW = {"highway": "residential", "oneway": "yes"}


@pytest.mark.parametrize(
    ("tags", "mode", "expected"),
    [
        ({"highway": "motorway"}, "drive", (True, False)),
        ({"highway": "motorway_link"}, "drive", (True, True)),
        ({"highway": "primary", "junction": "roundabout"}, "drive", (True, False)),
        ({"highway": "primary", "junction": "roundabout", "oneway": "no"}, "drive", (True, True)),
        ({"highway": "residential", "oneway": "yes", "oneway:bicycle": "no"}, "bike", (True, True)),
        (
            {"highway": "residential", "oneway": "yes", "oneway:bicycle": "no"},
            "drive",
            (True, False),
        ),
        (
            {"highway": "residential", "oneway": "yes", "cycleway": "opposite_lane"},
            "bike",
            (True, True),
        ),
        (
            {"highway": "residential", "oneway": "yes", "cycleway:left": "opposite"},
            "bike",
            (True, True),
        ),
        ({"highway": "residential", "oneway": "1"}, "bike", (True, False)),
        ({"highway": "cycleway", "oneway:bicycle": "yes"}, "bike", (True, False)),
        ({"highway": "residential", "oneway": "yes"}, "walk", (True, True)),
        ({"highway": "footway", "oneway:foot": "-1"}, "walk", (False, True)),
    ],
)
def test_direction_rules(tags, mode, expected):
    assert _direction(tags, mode) == expected


@pytest.mark.parametrize(
    ("value", "kph"),
    [
        ("50", 50.0),
        ("30 mph", 30 * 1.609344),
        ("FI:urban", 50.0),
        ("DE:rural", 80.0),
        ("walk", 6.0),
        ("none", 130.0),
        ("60;40", 40.0),
        ("signals", None),
        (None, None),
    ],
)
def test_parse_maxspeed(value, kph):
    assert _parse_maxspeed(value) == (pytest.approx(kph) if kph is not None else None)


def test_access_tags_and_highway_classes(write_osm, line_nodes):
    nodes = line_nodes(8)
    ways = [
        ([1, 2], {"highway": "residential"}),
        ([2, 3], {"highway": "footway"}),  # walk only
        ([3, 4], {"highway": "footway", "bicycle": "yes"}),  # walk and bike
        ([4, 5], {"highway": "residential", "access": "private"}),  # nobody
        ([5, 6], {"highway": "residential", "motor_vehicle": "no"}),  # walk and bike
        ([6, 7], {"highway": "motorway"}),  # drive only
        ([7, 8], {"highway": "cycleway", "foot": "no"}),  # bike only
    ]
    path = write_osm(nodes, ways)
    links = {
        mode: {
            tuple(sorted(e)) for e in _edge_set(graph_from_pbf(path, mode, largest_component=False))
        }
        for mode in ("walk", "bike", "drive")
    }
    assert links["walk"] == {(1, 2), (2, 3), (3, 4), (5, 6)}
    assert links["bike"] == {(1, 2), (3, 4), (5, 6), (7, 8)}
    assert links["drive"] == {(1, 2), (6, 7)}


def test_drive_time_uses_maxspeed_then_class(write_osm, line_nodes):
    nodes = line_nodes(3)
    path = write_osm(
        nodes,
        [
            ([1, 2], {"highway": "primary", "maxspeed": "40"}),
            ([2, 3], {"highway": "primary"}),
        ],
    )
    g = graph_from_pbf(path, "drive", largest_component=False)
    speed = g.length_m / 1000 / (g.time_min / 60)
    ids = g.osm_id
    tail, head = g.edges()
    for t, h, s in zip(ids[tail], ids[head], speed, strict=False):
        assert s == pytest.approx(40.0 if {t, h} == {1, 2} else DRIVE_SPEED_KPH["primary"])


# ---------------------------------------------------------------------------------------------
# bad input


def test_missing_file(tmp_path):
    with pytest.raises(NotFoundError, match="no such file"):
        graph_from_pbf(tmp_path / "nope.osm.pbf", "walk")


def test_empty_file(tmp_path):
    p = tmp_path / "empty.osm.pbf"
    p.write_bytes(b"")
    with pytest.raises(DataError, match="empty"):
        graph_from_pbf(p, "walk")


def test_not_a_pbf(tmp_path):
    p = tmp_path / "notes.osm.pbf"
    p.write_text("name,lon,lat\nOodi,24.938,60.173\n")
    with pytest.raises(DataError, match="cannot read OpenStreetMap data"):
        graph_from_pbf(p, "walk")


def test_unknown_mode(helsinki_pbf):
    with pytest.raises(DataError, match="unknown travel mode 'boat'"):
        graph_from_pbf(helsinki_pbf, "boat")


def test_no_usable_way(write_osm, line_nodes):
    path = write_osm(line_nodes(2), [([1, 2], {"highway": "motorway"})])
    with pytest.raises(DataError, match="no way usable for mode 'walk'"):
        graph_from_pbf(path, "walk")


# ---------------------------------------------------------------------------------------------
# graph_from_edges and snapping


def test_graph_from_edges_keeps_fastest_parallel_edge_and_drops_loops():
    lon = np.array([24.0, 24.001, 24.002])
    lat = np.array([60.0, 60.0, 60.0])
    g = graph_from_edges(
        [0, 0, 1, 1, 2, 2],
        [1, 1, 0, 2, 1, 2],
        [5.0, 2.0, 3.0, 1.0, 1.0, 0.5],
        lon,
        lat,
    )
    m = g.matrix().toarray()
    assert m[0, 1] == 2.0 and m[1, 0] == 3.0 and m[1, 2] == 1.0 and m[2, 2] == 0.0
    assert g.n_edges == 4


def test_graph_from_edges_zero_weight_edges_survive():
    g = graph_from_edges([0, 1], [1, 0], [0.0, 0.0], [24.0, 24.0], [60.0, 60.0])
    assert g.n_nodes == 2 and g.n_edges == 2


def test_graph_from_edges_bad_input():
    with pytest.raises(DataError, match=r"node positions 0\.\.1"):
        graph_from_edges([0], [5], [1.0], [24.0, 24.1], [60.0, 60.0])
    with pytest.raises(DataError, match="non-negative"):
        graph_from_edges([0], [1], [-1.0], [24.0, 24.1], [60.0, 60.0])
    with pytest.raises(DataError, match="outside WGS84"):
        graph_from_edges([0], [1], [1.0], [24.0, 240.0], [60.0, 60.0])


def test_snap_points_matches_brute_force_in_utm(helsinki_graphs):
    g = helsinki_graphs["walk"]
    r = np.random.default_rng(3)
    lon = r.uniform(24.935, 24.953, 300)
    lat = r.uniform(60.164, 60.179, 300)
    node, dist = snap_points(g, lon, lat)
    assert g.crs.to_epsg() == 32635  # 24.9 E lies in UTM zone 35
    assert 0 < (~g.snappable).sum() < g.n_nodes  # tunnel-only nodes are no snapping targets
    tr = Transformer.from_crs(4326, 32635, always_xy=True)
    gx, gy = tr.transform(np.where(g.snappable, g.lon, np.nan), g.lat)
    px, py = tr.transform(lon, lat)
    d = np.hypot(px[:, None] - gx[None, :], py[:, None] - gy[None, :])
    d[:, ~g.snappable] = np.inf
    np.testing.assert_allclose(dist, d.min(axis=1), rtol=1e-9)
    np.testing.assert_allclose(d[np.arange(300), node], d.min(axis=1), rtol=1e-9)
    # UTM (ellipsoid) and haversine (sphere) distances differ by the ellipsoid's curvature,
    # up to about 0.5 % at 60 N
    hv = haversine_m(lon, lat, g.lon[node], g.lat[node])
    np.testing.assert_allclose(dist, hv, rtol=5e-3, atol=1e-6)


def test_snaps_kept_by_the_graph_are_the_snaps_and_stay_unchanged(helsinki_graphs):
    """A graph keeps its last snaps: asking again answers from them, equal to a fresh graph's
    answer; an edit of a returned array changes nothing kept; other points are snapped anew."""
    from libpolis.access.graph import StreetGraph

    g = helsinki_graphs["walk"]
    fresh = StreetGraph(g.indptr, g.indices, g.time_min, g.length_m, g.lon, g.lat, g.osm_id,
                        g.mode, g.snappable, symmetric=g.symmetric)  # fmt: skip
    r = np.random.default_rng(11)
    lon, lat = r.uniform(24.935, 24.953, 200), r.uniform(60.164, 60.179, 200)
    node, dist = snap_points(fresh, lon, lat)
    node[:] = -1
    dist[:] = -1.0
    again_node, again_dist = snap_points(fresh, lon.copy(), lat.copy())
    other = StreetGraph(g.indptr, g.indices, g.time_min, g.length_m, g.lon, g.lat, g.osm_id,
                        g.mode, g.snappable, symmetric=g.symmetric)  # fmt: skip
    ref_node, ref_dist = snap_points(other, lon, lat)
    np.testing.assert_array_equal(again_node, ref_node)
    np.testing.assert_array_equal(again_dist, ref_dist)
    moved_node, _ = snap_points(fresh, lon[::-1], lat[::-1])  # same values, another order
    np.testing.assert_array_equal(moved_node, ref_node[::-1])
    for i in range(8):  # more point sets than it keeps: the oldest go, answers stay right
        snap_points(fresh, lon + i * 1e-4, lat)
    assert len(fresh._snaps) <= 4
    np.testing.assert_array_equal(snap_points(fresh, lon, lat)[0], ref_node)


def test_points_do_not_snap_into_tunnels(write_osm, line_nodes):
    # a street 1-2-3 and, right under point P, a tunnel 2-4-5 (node 4 only on the tunnel)
    nodes = line_nodes(3)
    nodes[4] = (24.9410, 60.1702)
    nodes[5] = (24.9420, 60.1704)
    path = write_osm(
        nodes,
        [
            ([1, 2, 3], {"highway": "residential"}),
            ([2, 4, 5, 3], {"highway": "service", "tunnel": "yes", "layer": "-2"}),
        ],
    )
    g = graph_from_pbf(path, "walk")
    assert 4 in g.osm_id.tolist()
    node, dist = snap_points(g, [24.9410], [60.1702])
    assert g.osm_id[node[0]] == 2  # the nearest node on a street, not the tunnel node 4
    assert dist[0] > 10


def test_snap_points_rejects_bad_coordinates(helsinki_graphs):
    with pytest.raises(DataError, match="outside WGS84"):
        snap_points(helsinki_graphs["walk"], [24.9, np.nan], [60.1, 60.2])
    with pytest.raises(DataError, match="equal length"):
        snap_points(helsinki_graphs["walk"], [24.9, 24.9], [60.1])


def test_reverse_of_custom_graphs():
    lon, lat = np.array([24.0, 24.001, 24.002]), np.full(3, 60.0)
    sym = graph_from_edges([0, 1, 1, 2], [1, 0, 2, 1], [1.0, 1.0, 2.0, 2.0], lon, lat)
    assert sym.reverse is sym
    one = graph_from_edges([0, 1, 2], [1, 2, 0], [1.0, 2.0, 3.0], lon, lat)
    rev = one.reverse
    assert rev is not one
    np.testing.assert_array_equal(rev.matrix().toarray(), one.matrix().toarray().T)
