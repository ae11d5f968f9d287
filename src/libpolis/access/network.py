"""Street networks from OpenStreetMap for walking, cycling and driving.

:func:`graph_from_pbf` reads the ways one travel mode may use into a :class:`StreetGraph`
(directed, CSR, largest strongly connected component only, nodes in Morton order).

The rules of each mode (which ways, one-way streets, speeds) are in
:mod:`libpolis.access.modes`; the graph structure, :func:`graph_from_edges` and
:func:`snap_points` in :mod:`libpolis.access.graph`. This module reads OpenStreetMap files
(:func:`graph_from_pbf`) and gathers the public names.

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
from pathlib import Path

import numpy as np

from libpolis.access._geo import haversine_m
from libpolis.access.graph import (
    StreetGraph,
    _assemble,
    _morton_order,
    graph_from_edges,
    snap_points,
)
from libpolis.access.modes import (
    _TAG_KEYS,
    BIKE_SPEED_KPH,
    DRIVE_SPEED_KPH,
    MODES,
    WALK_SPEED_KPH,
    _direction,
    _speed_kph,
    _usable,
)
from libpolis.access.modes import _parse_maxspeed as _parse_maxspeed  # re-exported for tests
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
