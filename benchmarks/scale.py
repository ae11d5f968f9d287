"""Dask engine scaling: the nearest library over a generated road-like network, partitioned, on
1 and 2 workers (paired A B A B), with time, peak RSS per worker and the speed-up.

The graph (:mod:`road_grid`, ``--side`` x ``--side`` nodes) is generated tile by tile on the
workers, so no process holds it whole; the client holds only the residents and libraries.
With ``--check`` the result is compared with the unpartitioned search on the whole graph
(small sides only) and the 1- and 2-worker results with each other; ``--whole`` runs that
unpartitioned search in a fresh process and reports its peak RSS and time (what one process
needs for the whole graph). Worker CPU time and peak RSS come from each worker process.

    .venv/bin/python benchmarks/scale.py --side 1200 --residents 400000 --libraries 400
    .venv/bin/python benchmarks/scale.py --side 3300 --residents 1000000 --workers 2 \
        --rounds 1        # 10.9M nodes: the run one process could not hold with room to spare
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))

from road_grid import RoadGrid

from libpolis.access.nearest import nearest_facility
from libpolis.scale.executor import DaskExecutor


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _cpu_s() -> float:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def _points(lon: np.ndarray, lat: np.ndarray, prefix: str) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"id": [f"{prefix}{i}" for i in range(len(lon))]},
        geometry=gpd.points_from_xy(lon, lat),
        crs="EPSG:4326",
    )


def run(workers: int, grid: RoadGrid, res: gpd.GeoDataFrame, libs: gpd.GeoDataFrame,
        partitions: int, memory_limit: str) -> tuple[pd.DataFrame, dict]:  # fmt: skip
    from distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
            dashboard_address="127.0.0.1:0", memory_limit=memory_limit,
        ) as cluster,
        Client(cluster) as client,
    ):  # fmt: skip
        ex = DaskExecutor(client, partitions=partitions)
        t = time.perf_counter()
        out = ex.nearest_facility(grid, res, libs, max_access_m=400.0)
        wall = time.perf_counter() - t
        rss = client.run(_peak_rss_mb)
        cpu = client.run(_cpu_s)  # each worker process lives for this run only
        log = ex.log[-1]
    return out, {
        "workers": workers,
        "wall_s": round(wall, 2),
        "peak_rss_mb_per_worker": {k.rsplit(":", 1)[-1]: round(v) for k, v in rss.items()},
        "cpu_s_per_worker": {k.rsplit(":", 1)[-1]: round(v, 1) for k, v in cpu.items()},
        "partitions": log["partitions"],
        "redone": log["redone"],
        "nodes_searched": int(log["nodes"]),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--side", type=int, default=1200, help="lattice side (nodes = side^2)")
    ap.add_argument("--residents", type=int, default=400_000)
    ap.add_argument("--libraries", type=int, default=400)
    ap.add_argument("--partitions", type=int, default=32)
    ap.add_argument("--workers", default="1,2", help="worker counts, comma-separated")
    ap.add_argument("--rounds", type=int, default=2, help="A B A B rounds")
    ap.add_argument("--memory-limit", default="3GB", help="per worker (Dask kills beyond it)")
    ap.add_argument("--check", action="store_true", help="compare with the whole graph")
    ap.add_argument(
        "--whole", action="store_true",
        help="also run the unpartitioned search in one fresh process (its peak RSS and time)",
    )  # fmt: skip
    ap.add_argument("--whole-only", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    grid = RoadGrid(args.side)
    res = _points(*grid.random_points(args.residents, 1), "r")
    libs = _points(*grid.random_points(args.libraries, 2), "L")
    if args.whole_only:  # the child of --whole: the whole graph in this one process
        t, c = time.perf_counter(), _cpu_s()
        nearest_facility(grid.cut(grid.extent), res, libs, max_access_m=400.0)
        info = {"wall_s": round(time.perf_counter() - t, 2), "cpu_s": round(_cpu_s() - c, 1)}
        print(json.dumps({**info, "peak_rss_mb": round(_peak_rss_mb())}))
        return
    counts = [int(w) for w in args.workers.split(",")]
    rows, outs = [], {}
    for _ in range(args.rounds):
        for w in counts:
            out, info = run(w, grid, res, libs, args.partitions, args.memory_limit)
            outs.setdefault(w, out)
            pd.testing.assert_frame_equal(out, outs[counts[0]], check_exact=True)
            rows.append(info)
            print(json.dumps(info), flush=True)
    best = {w: min(r["wall_s"] for r in rows if r["workers"] == w) for w in counts}
    report = {
        "nodes": grid.n_nodes,
        "residents": args.residents,
        "libraries": args.libraries,
        "best_wall_s": best,
        "client_peak_rss_mb": round(_peak_rss_mb()),
        "uptime": subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip(),
        "cpus": os.cpu_count(),
    }
    if len(counts) > 1:
        report["speedup"] = round(best[counts[0]] / best[counts[-1]], 2)
    if args.whole:
        cmd = [sys.executable, __file__, "--whole-only", "--side", str(args.side),
               "--residents", str(args.residents), "--libraries", str(args.libraries)]  # fmt: skip
        child = subprocess.run(cmd, capture_output=True, text=True, check=True)
        report["whole_graph_one_process"] = json.loads(child.stdout.strip().splitlines()[-1])
    if args.check:
        whole = nearest_facility(grid.cut(grid.extent), res, libs, max_access_m=400.0)
        pd.testing.assert_frame_equal(outs[counts[0]], whole, check_exact=True)
        report["equal_to_whole_graph"] = True
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
