"""Which multi-source search is faster at which size: libpolis's vectorised rounds
(``method="buckets"``), its SciPy-heap path (``method="heap"``) and, as the peer, a plain
``scipy.sparse.csgraph.dijkstra(min_only=True)`` over the same sources (no offsets, so it does
less than either method). Graphs: the Helsinki demo walking network (when the demo workspace
exists) and road-like grids (:mod:`road_grid`) of growing size; 30 and 1,000 sources.

Every (graph, sources, method) is measured in its own fresh process, the three methods
alternating (A B C A B C ...), each process reporting its best of ``--inner`` runs (wall,
CPU) and its peak RSS. The crossover sets :data:`libpolis.access._search._HEAP_BELOW`; the
table is printed and written to ``benchmarks/search_methods.md``.

    python benchmarks/search_methods.py [--sides 150,250,350,500] [--rounds 2]
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

HERE = Path(__file__).resolve().parent
DEMO = HERE.parent / "out" / "demo" / "workspace.sqlite"
METHODS = ("buckets", "heap", "scipy-min-only")


def _graph(spec: str):
    if spec == "demo":
        from libpolis.pipeline.inputs import street_network
        from libpolis.pipeline.network_cache import street_graph
        from libpolis.store import open_store

        net, _ = street_network(open_store(f"sqlite:///{DEMO}"))
        return street_graph(net, "walk")[0].reverse
    sys.path.insert(0, str(HERE))
    from road_grid import RoadGrid

    from libpolis.scale.tiles import Box

    return RoadGrid(int(spec)).cut(Box(-1e12, -1e12, 1e12, 1e12))


def task(spec: str, k: int, method: str, inner: int) -> dict:
    """One process: the best of ``inner`` searches of ``method``."""
    import numpy as np
    from scipy.sparse.csgraph import dijkstra

    from libpolis.access._search import multi_source_search

    g = _graph(spec)
    rng = np.random.default_rng(0)
    src = rng.choice(g.n_nodes, k, replace=False)
    off = rng.uniform(0.0, 2.0, k)
    mat = g.matrix()
    best_wall, best_cpu = float("inf"), float("inf")
    for _ in range(inner):
        t0, c0 = time.perf_counter(), time.process_time()
        if method == "scipy-min-only":
            dijkstra(mat, directed=True, indices=src, min_only=True, return_predecessors=True)
        else:
            multi_source_search(g.indptr, g.indices, g.time_min, src, off, method=method)
        best_wall = min(best_wall, time.perf_counter() - t0)
        best_cpu = min(best_cpu, time.process_time() - c0)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"nodes": g.n_nodes, "wall_ms": best_wall * 1e3, "cpu_ms": best_cpu * 1e3, "rss_mb": rss}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sides", default="150,250,350,500", help="road-grid sides (nodes = side^2)")
    ap.add_argument("--sources", default="30,1000")
    ap.add_argument("--rounds", type=int, default=2, help="paired rounds (A B C A B C)")
    ap.add_argument("--inner", type=int, default=5, help="searches per process (best kept)")
    ap.add_argument("--task", nargs=4, help=argparse.SUPPRESS)
    ns = ap.parse_args()
    if ns.task:
        spec, k, method, inner = ns.task
        print(json.dumps(task(spec, int(k), method, int(inner))))
        return
    specs = (["demo"] if DEMO.exists() else []) + ns.sides.split(",")
    lines = [
        "| graph | nodes | sources | method | wall ms (best) | CPU ms | process peak RSS MB |",
        "|---|---:|---:|---|---:|---:|---:|",
    ]
    print("\n".join(lines))
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    for spec in specs:
        for k in (int(x) for x in ns.sources.split(",")):
            res: dict[str, list[dict]] = {m: [] for m in METHODS}
            for _ in range(ns.rounds):
                for m in METHODS:
                    out = subprocess.run(
                        [sys.executable, __file__, "--task", spec, str(k), m, str(ns.inner)],
                        capture_output=True, text=True, check=True,
                    )  # fmt: skip
                    res[m].append(json.loads(out.stdout.strip().splitlines()[-1]))
            for m, runs in res.items():
                b = min(runs, key=lambda r: r["wall_ms"])
                name = "demo walk" if spec == "demo" else f"grid {spec}x{spec}"
                lines.append(f"| {name} | {b['nodes']:,} | {k:,} | {m} | {b['wall_ms']:.1f} |"
                             f" {b['cpu_ms']:.1f} | {max(r['rss_mb'] for r in runs):.0f} |")  # fmt: skip
                print(lines[-1], flush=True)
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    head = [
        "# Multi-source search: vectorised rounds, SciPy heap, plain SciPy (`search_methods.py`)",
        "",
        f"Measured {when}, load at start {load}; {ns.rounds} paired rounds, best of"
        f" {ns.inner} searches per process. `scipy-min-only` is the peer: SciPy's Dijkstra from"
        " the sources without offsets or owners (less work than either method).",
        "",
    ]
    (HERE / "search_methods.md").write_text("\n".join(head + lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
