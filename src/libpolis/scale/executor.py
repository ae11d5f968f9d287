"""Executors: where the access and plan searches run, on this process or on a Dask cluster.

Both executors offer the same four searches, each returning exactly what the analysis
function of the same name returns on the whole input:

=========================== ==================================================================
``nearest_straight``        :func:`libpolis.access.nearest.nearest_straight`
``nearest_facility``        :func:`libpolis.access.nearest.nearest_facility`
``travel_time_matrix``      :func:`libpolis.access.nearest.travel_time_matrix`
``straight_line_times``     :func:`libpolis.plan.times.straight_line_times`
=========================== ==================================================================

:class:`DaskExecutor` splits the residents (origins) into tiles of a regular grid
(:mod:`~libpolis.scale.tiles`), runs the *same* function on every tile on the cluster and puts
the rows back in input order; every figure is then computed once, by the pipeline, from the
gathered per-unit values (sums and counts over all units, never averages of partitions).

Straight-line searches need no halo: the libraries (17,426 US outlets take 0.4 MB) travel
whole with every partition, so each resident's nearest library is found among all of them,
in the same metric (UTM or sphere) that the whole run would choose, passed explicitly.
Network searches carry the street graph of the tile plus a halo and prove it wide enough
(:mod:`~libpolis.scale.halo`); a partition that fails the proof is widened and redone.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.spatial import cKDTree

from libpolis.access._geo import single_utm_zone
from libpolis.access.graph import StreetGraph, snap_points
from libpolis.access.nearest import nearest_facility, nearest_straight, travel_time_matrix
from libpolis.access.network import WALK_SPEED_KPH
from libpolis.plan.times import straight_line_times
from libpolis.scale.halo import (
    GraphSource,
    HaloTask,
    Outcome,
    cut_with_leaving,
    edge_speed_bound,
    run_halo_task,
)
from libpolis.scale.tiles import Box, Metric, metric_of, tile_grid

__all__ = ["DaskExecutor", "LocalExecutor", "Notify"]

#: ``notify(event, **info)``: ``"dashboard"`` (``link``), ``"partitions"`` (``total``),
#: ``"partition"`` (``done``, ``total``, ``widened``).
Notify = Callable[..., None]


def _quiet(event: str, **info: Any) -> None:
    return None


class LocalExecutor:
    """The analyses on the whole input in this process (``--engine local``)."""

    name = "local"

    def nearest_straight(
        self, residents: gpd.GeoDataFrame, facilities: gpd.GeoDataFrame
    ) -> pd.DataFrame:
        return nearest_straight(residents, facilities)

    def nearest_facility(
        self,
        graph: StreetGraph,
        residents: gpd.GeoDataFrame,
        facilities: gpd.GeoDataFrame,
        *,
        max_access_m: float | None = None,
    ) -> pd.DataFrame:
        return nearest_facility(graph, residents, facilities, max_access_m=max_access_m)

    def travel_time_matrix(
        self,
        graph: StreetGraph,
        origins: gpd.GeoDataFrame,
        destinations: gpd.GeoDataFrame,
        *,
        limit_min: float,
        destination_id: str = "id",
    ) -> pd.DataFrame:
        return travel_time_matrix(
            graph, origins, destinations, limit_min=limit_min, destination_id=destination_id
        )

    def straight_line_times(
        self,
        origins: gpd.GeoDataFrame,
        destinations: gpd.GeoDataFrame,
        *,
        speed_kph: float,
        limit_min: float | None,
    ) -> sp.csr_matrix:
        return straight_line_times(origins, destinations, speed_kph=speed_kph, limit_min=limit_min)

    def report(self) -> dict[str, Any]:
        """What ran where (for the run's summary)."""
        return {"engine": "local"}


def _frame(gdf: gpd.GeoDataFrame, id_col: str = "id") -> pd.DataFrame:
    geom = gdf.geometry.to_crs(4326) if gdf.crs is not None else gdf.geometry
    ids = gdf[id_col] if id_col in gdf else pd.Series(np.arange(len(gdf)).astype(str))
    return pd.DataFrame(
        {
            "id": ids.reset_index(drop=True),
            "lon": geom.x.to_numpy(),
            "lat": geom.y.to_numpy(),
        }
    )


def _gdf(frame: pd.DataFrame) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"id": frame["id"].reset_index(drop=True)},
        geometry=gpd.points_from_xy(frame["lon"], frame["lat"]),
        crs="EPSG:4326",
    )


def _straight_part(res: pd.DataFrame, fac: pd.DataFrame, method: str) -> pd.DataFrame:
    return nearest_straight(_gdf(res), _gdf(fac), method=method)


def _times_part(
    res: pd.DataFrame, dest: pd.DataFrame, speed_kph: float, limit_min: float | None, crs: Any
) -> sp.csr_matrix:
    return straight_line_times(
        _gdf(res), _gdf(dest), speed_kph=speed_kph, limit_min=limit_min, crs=crs
    )


class DaskExecutor:
    """The analyses mapped over spatial partitions on a Dask cluster (``--engine dask``).

    Parameters
    ----------
    client : distributed.Client
        A client of a running cluster (see :func:`libpolis.scale.cluster.dask_executor`).
    partitions : int, optional
        Wanted number of tiles (default: four per worker thread).
    tile_m : float, optional
        Tile side in metres (network runs) instead of a number of partitions.
    halo_m, margin_m : float, optional
        First halo around a tile and node margin beyond it (network runs); by default the
        halo is twice the 90th percentile of the straight-line distance from a resident of
        the tile to its nearest library (+50 m), and the margin 250 m. Both are widened until
        proven: a halo straight to what the times found in the failed run need (else
        doubled), a margin doubled.
    notify : callable, optional
        Progress events (see :data:`Notify`).
    """

    name = "dask"

    def __init__(
        self,
        client: Any,
        *,
        partitions: int | None = None,
        tile_m: float | None = None,
        halo_m: float | None = None,
        margin_m: float = 250.0,
        notify: Notify | None = None,
    ) -> None:
        self.client = client
        threads = sum(client.nthreads().values()) or 1
        self.partitions = int(partitions) if partitions else 4 * threads
        self.tile_m, self.halo_m, self.margin_m = tile_m, halo_m, margin_m
        self.notify = notify or _quiet
        self.log: list[dict[str, Any]] = []

    # -- straight line: the libraries travel whole -----------------------------------------

    def _tiles(self, lon: np.ndarray, lat: np.ndarray, metric: Metric) -> list[np.ndarray]:
        x, y = metric.xy(lon, lat)
        grid = tile_grid(
            x, y, partitions=self.partitions, tile=self.tile_m if metric.planar else None
        )
        tile = grid.tile_of(x, y)
        order = np.argsort(tile, kind="stable")
        cuts = np.flatnonzero(np.diff(tile[order])) + 1
        return [part for part in np.split(order, cuts) if len(part)]

    def _map(self, func: Callable[..., Any], jobs: list[tuple[Any, ...]], what: str) -> list[Any]:
        from distributed import as_completed

        self.notify("partitions", total=len(jobs), what=what)
        futures = {self.client.submit(func, *args, pure=False): i for i, args in enumerate(jobs)}
        out: list[Any] = [None] * len(jobs)
        for done, fut in enumerate(as_completed(futures), 1):
            out[futures[fut]] = fut.result()
            self.notify("partition", done=done, total=len(jobs), widened=0)
        self.log.append({"what": what, "partitions": len(jobs)})
        return out

    def nearest_straight(
        self, residents: gpd.GeoDataFrame, facilities: gpd.GeoDataFrame
    ) -> pd.DataFrame:
        res, fac = _frame(residents), _frame(facilities)
        if len(res) == 0 or len(fac) == 0:
            return nearest_straight(residents, facilities)
        # the metric the whole run would choose (see access._geo.PointIndex)
        one_zone = single_utm_zone(fac["lon"], fac["lat"], res["lon"], res["lat"])
        method = "utm" if one_zone else "sphere"
        parts = self._tiles(res["lon"].to_numpy(), res["lat"].to_numpy(), Metric("sphere"))
        fac_future = fac  # small: travels with every task (survives a lost worker)
        rows = self._map(
            _straight_part,
            [(res.iloc[p].reset_index(drop=True), fac_future, method) for p in parts],
            "nearest library (straight line)",
        )
        return _in_order(rows, parts)

    def straight_line_times(
        self,
        origins: gpd.GeoDataFrame,
        destinations: gpd.GeoDataFrame,
        *,
        speed_kph: float,
        limit_min: float | None,
    ) -> sp.csr_matrix:
        if len(origins) == 0 or len(destinations) == 0 or limit_min is None:
            return straight_line_times(
                origins, destinations, speed_kph=speed_kph, limit_min=limit_min
            )
        crs = origins.estimate_utm_crs()  # the whole run's CRS, as straight_line_times picks it
        res, dest = _frame(origins), _frame(destinations)
        parts = self._tiles(res["lon"].to_numpy(), res["lat"].to_numpy(), Metric("sphere"))
        mats = self._map(
            _times_part,
            [(res.iloc[p].reset_index(drop=True), dest, speed_kph, limit_min, crs) for p in parts],
            "travel times (straight line)",
        )
        order = np.concatenate(parts)
        stacked = sp.vstack(mats, format="csr")
        inverse = np.empty(len(order), dtype=np.int64)
        inverse[order] = np.arange(len(order))
        m = sp.csr_matrix(stacked[inverse])
        m.sort_indices()
        return m

    # -- street network: tiles plus proven halos -------------------------------------------

    def nearest_facility(
        self,
        graph: StreetGraph | GraphSource,
        residents: gpd.GeoDataFrame,
        facilities: gpd.GeoDataFrame,
        *,
        max_access_m: float | None = None,
    ) -> pd.DataFrame:
        opts = {"max_access_m": max_access_m, "remeasure_far": isinstance(graph, StreetGraph)}
        rows = self._network("nearest", graph, residents, facilities, opts)
        far = rows.pop("access_unproven").to_numpy(bool) if "access_unproven" in rows else None
        if far is not None and far.any():
            # provably beyond max_access_m: the access leg measured on the whole graph
            assert isinstance(graph, StreetGraph)
            pts = _frame(residents).iloc[np.flatnonzero(far)]
            rows.loc[far, "access_m"] = snap_points(graph, pts["lon"], pts["lat"])[1]
        return rows

    def travel_time_matrix(
        self,
        graph: StreetGraph | GraphSource,
        origins: gpd.GeoDataFrame,
        destinations: gpd.GeoDataFrame,
        *,
        limit_min: float,
        destination_id: str = "id",
    ) -> pd.DataFrame:
        dest = (
            destinations.rename(columns={destination_id: "id"})
            if destination_id != "id"
            else destinations
        )
        opts: dict[str, Any] = {"limit_min": float(limit_min)}
        if isinstance(graph, StreetGraph) and len(origins) and len(destinations):
            opts["search_from"] = _search_side(graph, _frame(origins), _frame(dest), limit_min)
        return self._network("matrix", graph, origins, dest, opts)

    def _network(
        self,
        kind: str,
        graph: StreetGraph | GraphSource,
        residents: gpd.GeoDataFrame,
        facilities: gpd.GeoDataFrame,
        opts: dict[str, Any],
    ) -> pd.DataFrame:
        res, fac = _frame(residents), _frame(facilities)
        in_memory = isinstance(graph, StreetGraph)
        if in_memory:
            index = graph._point_index
            metric = metric_of(index.method, index.crs)
        else:
            metric = graph.metric
        if len(res) == 0 or (in_memory and not metric.planar):
            # nothing to split, or no planar metric to prove a halo in: one partition
            return self._whole(kind, graph, res, fac, opts)
        res["x"], res["y"] = metric.xy(res["lon"], res["lat"])
        fac["x"], fac["y"] = metric.xy(fac["lon"], fac["lat"])
        res["pos"] = np.arange(len(res))
        if in_memory:
            nx_, ny_ = metric.xy(graph.lon, graph.lat)
            speed = edge_speed_bound(graph, nx_, ny_, WALK_SPEED_KPH)
            extent = Box.around(nx_, ny_)
            # first node margin: what proves the snaps of the libraries that can matter
            f_leg = snap_points(graph, fac["lon"], fac["lat"])[1] if len(fac) else np.empty(0)
            walk = WALK_SPEED_KPH * 1000.0 / 60.0
            cap = opts["limit_min"] * walk if kind == "matrix" else opts["max_access_m"]
            f_acc = np.where(f_leg <= (cap if cap is not None else self.margin_m), f_leg, 0.0)
        else:
            speed, extent = graph.speed_bound, graph.extent
        # a graph cut here lists its leaving nodes; one cut on a worker says its longest edge
        max_edge = float(getattr(graph, "max_edge_m", math.inf))
        f_extent = Box.around(fac["x"].to_numpy(), fac["y"].to_numpy())
        grid = tile_grid(res["x"], res["y"], partitions=self.partitions, tile=self.tile_m)
        tile_of = grid.tile_of(res["x"].to_numpy(), res["y"].to_numpy())
        if kind == "matrix":
            first = opts["limit_min"] * speed * (1 + 1e-6) + 1.0
            near = None
        else:
            tree = cKDTree(np.column_stack([fac["x"], fac["y"]])) if len(fac) else None
            near = tree.query(np.column_stack([res["x"], res["y"]]))[0] if tree else None

        def make(tile: int, halo: float, margin: float) -> HaloTask:
            box = grid.box(tile)
            members = res[tile_of == tile].reset_index(drop=True)
            fbox = box.grow(halo)
            far_leg = math.inf  # the longest access leg of a library outside the halo
            if in_memory:
                inner = fbox.contains(fac["x"].to_numpy(), fac["y"].to_numpy())
                margin = max(margin, 1.05 * float(np.max(f_acc[inner], initial=0.0)) + 1.0)
                far_leg = float(np.max(f_leg[~inner], initial=0.0))
            gbox = fbox.grow(margin)
            whole = fbox.covers(f_extent) and gbox.covers(extent)
            sub_f = fac[fbox.contains(fac["x"].to_numpy(), fac["y"].to_numpy())]
            g: StreetGraph | GraphSource = graph
            leaving = None
            if in_memory:
                g, leaving = cut_with_leaving(graph, gbox.contains(nx_, ny_))
            return HaloTask(
                tile, kind, box, halo, margin, members, sub_f.reset_index(drop=True), g,
                speed, metric, whole=whole, options=opts, max_edge_m=max_edge, far_leg_m=far_leg,
                leaving=leaving,
            )  # fmt: skip

        tiles = [int(t) for t in np.unique(tile_of)]
        state: dict[int, tuple[float, float]] = {}
        base: dict[int, float] = {}  # a tile's straight-line scale, when its halo is learned
        for t in tiles:
            if kind == "matrix":
                halo = first
            elif self.halo_m is not None:
                halo = self.halo_m
            else:
                d = near[tile_of == t] if near is not None else np.array([0.0])
                base[t] = float(np.quantile(d, 0.9)) + 25.0
                halo = 2.0 * base[t]
            state[t] = (halo, self.margin_m)
        outcomes = self._run_tasks(tiles, state, make, f"{kind} (street network)", base)
        frames = [o.rows for o in outcomes if o.rows is not None]
        rows = pd.concat([f for f in frames if len(f)] or frames[:1], ignore_index=True)
        rows = rows.iloc[np.argsort(rows["pos"].to_numpy(), kind="stable")]
        return rows.drop(columns="pos").reset_index(drop=True)

    def _run_tasks(
        self,
        tiles: list[int],
        state: dict[int, tuple[float, float]],
        make: Callable[[int, float, float], HaloTask],
        what: str,
        base: dict[int, float] | None = None,
    ) -> list[Outcome]:
        """Run the partitions, widening and redoing those whose check fails. Tiles with a
        ``base`` scale are submitted a few at a time: the halos their runs needed (relative to
        their base) set the first halo of the tiles still waiting, so most pass at once."""
        from distributed import as_completed

        total = len(tiles)
        self.notify("partitions", total=total, what=what)
        base = base or {}
        waiting = list(tiles)
        window = len(tiles) if not base else max(2, 2 * sum(self.client.nthreads().values()))
        factor = 0.0  # largest halo needed / base seen so far

        def submit_next() -> Any:
            t = waiting.pop(0)
            if factor > 0 and t in base:
                state[t] = (max(state[t][0], 1.1 * factor * base[t]), state[t][1])
            return self.client.submit(run_halo_task, make(t, *state[t]), pure=False)

        ac = as_completed([submit_next() for _ in range(min(window, len(waiting)))])
        done: list[Outcome] = []
        widened = 0
        log: dict[str, Any] = {"what": what, "partitions": total, "redone": 0, "nodes": 0.0}
        for fut in ac:
            out: Outcome = fut.result()
            need = out.stats.get("halo_needed", math.nan)
            if out.tile_id in base and need > 0:
                factor = max(factor, need / base[out.tile_id])
            if waiting:
                ac.add(submit_next())
            if out.ok:
                done.append(out)
                log["nodes"] += out.stats.get("nodes", 0.0)
                self.notify("partition", done=len(done), total=total, widened=widened)
                continue
            halo, margin = state[out.tile_id]
            if out.reason == "snap":
                state[out.tile_id] = (halo, 2 * margin)
            else:  # straight to the halo the times found need, else double it
                state[out.tile_id] = (need * 1.02 if need > halo else 2 * halo, margin)
            widened += 1
            log["redone"] += 1
            ac.add(
                self.client.submit(
                    run_halo_task, make(out.tile_id, *state[out.tile_id]), pure=False
                )
            )
        self.log.append(log)
        return done

    def _whole(
        self,
        kind: str,
        graph: StreetGraph | GraphSource,
        res: pd.DataFrame,
        fac: pd.DataFrame,
        opts: dict[str, Any],
    ) -> pd.DataFrame:
        g = graph if isinstance(graph, StreetGraph) else graph.cut(graph.extent)
        if kind == "matrix":
            fut = self.client.submit(
                travel_time_matrix, g, _gdf(res), _gdf(fac), limit_min=opts["limit_min"],
                search_from=opts.get("search_from", "auto"), pure=False,
            )  # fmt: skip
        else:
            fut = self.client.submit(
                nearest_facility, g, _gdf(res), _gdf(fac), max_access_m=opts["max_access_m"],
                pure=False,
            )  # fmt: skip
        self.notify("partitions", total=1, what=kind)
        out = fut.result()
        self.notify("partition", done=1, total=1, widened=0)
        self.log.append({"what": kind, "partitions": 1, "redone": 0})
        return out

    def report(self) -> dict[str, Any]:
        """What ran where: workers, threads and the partitions of each search."""
        workers = self.client.nthreads()
        return {
            "engine": "dask",
            "workers": len(workers),
            "threads": int(sum(workers.values())),
            "searches": list(self.log),
        }


def _search_side(
    graph: StreetGraph, origins: pd.DataFrame, dests: pd.DataFrame, limit_min: float
) -> str:
    """The side :func:`~libpolis.access.nearest.travel_time_matrix` searches from on the whole
    input (``auto``: fewer distinct snapped nodes within reach)."""
    per_min = WALK_SPEED_KPH * 1000.0 / 60.0
    o_node, o_acc = snap_points(graph, origins["lon"].to_numpy(), origins["lat"].to_numpy())
    d_node, d_acc = snap_points(graph, dests["lon"].to_numpy(), dests["lat"].to_numpy())
    n_o = len(np.unique(o_node[o_acc / per_min <= limit_min]))
    n_d = len(np.unique(d_node[d_acc / per_min <= limit_min]))
    return "origins" if n_o <= n_d else "destinations"


def _in_order(rows: list[pd.DataFrame], parts: list[np.ndarray]) -> pd.DataFrame:
    frame = pd.concat(rows, ignore_index=True)
    order = np.concatenate(parts)
    inverse = np.empty(len(order), dtype=np.int64)
    inverse[order] = np.arange(len(order))
    return frame.iloc[inverse].reset_index(drop=True)
