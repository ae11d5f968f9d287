"""Access benchmarks: nearest library for every node of large road graphs, and straight line.

Run ``python benchmarks/access.py`` (about 10 minutes on 2 cores). Every measurement runs in
its own subprocess (``--task ...``), so peak memory figures do not mix; the parent prints each
figure and ratio and writes ``benchmarks/access.md``.

Measured
--------
1. ``nearest_times`` (libpolis, one multi-source search) on generated 1,000,000-node graphs
   (``grid`` and ``hierarchy``, see ``benchmarks/access_graphs.py``) with 2,000 libraries at
   random nodes (seed 1), against, in the same run and on the same graph:
   networkx ``multi_source_dijkstra_path_length`` (on the full 1M-node graph, not
   extrapolated), pandana ``Network`` (its contraction-hierarchy build) + ``set_pois`` +
   ``nearest_pois``, and SciPy ``csgraph.dijkstra(min_only=True)`` for reference. Results are
   checked against each other (maximum absolute difference printed).
2. The same on a 4,000,000-node ``hierarchy`` graph (libpolis and SciPy only).
3. ``nearest_points`` (straight line) for 10,000,000 points against 20,000 libraries: spread
   over the contiguous US (several UTM zones: great-circle distances through the unit-sphere
   k-d tree), and inside one UTM zone (planar distances in the local UTM CRS).
4. E2SFCA (``benchmarks/_access_fca.py``, by the access-equity work) when that file exists.

Time is wall clock (``time.perf_counter``), best of ``REPEAT`` runs after one warm-up call;
CPU seconds of the process (``time.process_time``) are reported too because the machine is
shared. "Peak" is the tracemalloc peak of the measured call alone (all numpy buffers it
allocates; measured in a separate run, tracing slows Python) and "max RSS" the resident set
high-water mark of the whole subprocess (graph, libraries, interpreter included).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from access_graphs import make_graph  # noqa: E402

from libpolis.access.nearest import nearest_points, nearest_times  # noqa: E402

N_LIBRARIES = 2_000
REPEAT = 3
CACHE = Path(os.environ.get("LIBPOLIS_BENCH_CACHE", "/tmp/libpolis-bench-access"))


# ----------------------------------------------------------------------------------------------
# helpers


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _best(fn, repeat=REPEAT):
    fn()  # warm-up (also builds cached structures such as the reverse graph)
    walls, cpus = [], []
    for _ in range(repeat):
        c0, w0 = time.process_time(), time.perf_counter()
        out = fn()
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
    return min(walls), min(cpus), out


def _peak_mb(fn) -> float:
    tracemalloc.start()
    try:
        fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 2**20


def _graph(side: int, kind: str):
    """The generated graph, cached as .npz (generation is not what is measured)."""
    from libpolis.access.network import StreetGraph

    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"{kind}-{side}.npz"
    if path.exists():
        z = np.load(path)
        return StreetGraph(
            z["indptr"],
            z["indices"],
            z["time_min"],
            z["length_m"],
            z["lon"],
            z["lat"],
            z["osm_id"],
            kind,
        )
    g = make_graph(side, kind)
    np.savez(
        path,
        indptr=g.indptr,
        indices=g.indices,
        time_min=g.time_min,
        length_m=g.length_m,
        lon=g.lon,
        lat=g.lat,
        osm_id=g.osm_id,
    )
    return g


def _libraries(n_nodes: int) -> np.ndarray:
    return np.random.default_rng(1).choice(n_nodes, N_LIBRARIES, replace=False)


# ----------------------------------------------------------------------------------------------
# tasks (each runs in its own subprocess and returns a dict)


def task_ours(side: int, kind: str) -> dict:
    t0 = time.perf_counter()
    g = _graph(side, kind)
    load_s = time.perf_counter() - t0
    libs = _libraries(g.n_nodes)
    # first call on a fresh graph: includes building (or detecting) the reversed graph
    w0 = time.perf_counter()
    nearest_times(g, libs)
    first_s = time.perf_counter() - w0
    wall, cpu, (t, owner) = _best(lambda: nearest_times(g, libs))
    peak = _peak_mb(lambda: nearest_times(g, libs))
    rss_ours = _maxrss_mb()  # graph, reversed graph (or symmetry check) and searches, no peer
    from scipy.sparse.csgraph import dijkstra

    mat = g.reverse.matrix()
    s_wall, s_cpu, (d_sp, _pred, src_sp) = _best(
        lambda: dijkstra(mat, indices=libs, min_only=True, return_predecessors=True), repeat=1
    )
    return {
        "nodes": g.n_nodes,
        "edges": g.n_edges,
        "load_s": load_s,
        "first_call_s": first_s,
        "wall_s": wall,
        "cpu_s": cpu,
        "peak_mb": peak,
        "scipy_wall_s": s_wall,
        "scipy_cpu_s": s_cpu,
        "max_abs_diff_scipy": float(np.abs(t - d_sp).max()),
        "same_nearest_share_scipy": float(
            np.mean((libs[owner] == src_sp) | np.isclose(t, d_sp, rtol=0, atol=1e-9))
        ),
        "max_time_min": float(t.max()),
        "maxrss_ours_mb": rss_ours,
        "maxrss_mb": _maxrss_mb(),
    }


def task_networkx(side: int, kind: str) -> dict:
    import networkx as nx

    g = _graph(side, kind)
    libs = _libraries(g.n_nodes)
    t, _ = nearest_times(g, libs)
    w0 = time.perf_counter()
    rev = g.reverse
    tail, head = rev.edges()
    gx = nx.DiGraph()
    gx.add_nodes_from(range(g.n_nodes))
    gx.add_weighted_edges_from(
        zip(tail.tolist(), head.tolist(), rev.time_min.tolist(), strict=True)
    )
    build_s = time.perf_counter() - w0
    del tail, head
    c0, w0 = time.process_time(), time.perf_counter()
    ref = nx.multi_source_dijkstra_path_length(gx, set(libs.tolist()))
    wall = time.perf_counter() - w0
    cpu = time.process_time() - c0
    ref_arr = np.fromiter((ref[i] for i in range(g.n_nodes)), float, g.n_nodes)
    return {
        "nodes": g.n_nodes,
        "build_s": build_s,
        "wall_s": wall,
        "cpu_s": cpu,
        "max_abs_diff": float(np.abs(ref_arr - t).max()),
        "maxrss_mb": _maxrss_mb(),
    }


def task_pandana(side: int, kind: str) -> dict:
    import pandana
    import pandas as pd

    g = _graph(side, kind)
    libs = _libraries(g.n_nodes)
    t, _ = nearest_times(g, libs)
    tail, head = g.edges()
    one = tail < head  # the graph is symmetric: hand over each street once, twoway=True
    nodes = pd.DataFrame({"x": g.lon, "y": g.lat})
    edges = pd.DataFrame({"from": tail[one], "to": head[one], "time_min": g.time_min[one]})
    horizon = float(t.max()) * 1.01 + 1.0
    c0, w0 = time.process_time(), time.perf_counter()
    net = pandana.Network(nodes["x"], nodes["y"], edges["from"], edges["to"], edges[["time_min"]])
    ch_s = time.perf_counter() - w0
    net.set_pois("library", horizon, 1, pd.Series(g.lon[libs]), pd.Series(g.lat[libs]))
    res = net.nearest_pois(horizon, "library", num_pois=1, include_poi_ids=True)
    wall = time.perf_counter() - w0
    cpu = time.process_time() - c0
    got = res[1].reindex(range(g.n_nodes)).to_numpy(dtype=float)
    return {
        "nodes": g.n_nodes,
        "ch_build_s": ch_s,
        "wall_s": wall,
        "cpu_s": cpu,
        "max_abs_diff": float(np.nanmax(np.abs(got - t))),
        "unreached": int(np.sum(got >= horizon)),
        "pandana": pandana.__version__,
        "maxrss_mb": _maxrss_mb(),
    }


def task_straight(where: str) -> dict:
    n_points, n_libs = 10_000_000, 20_000
    r = np.random.default_rng(5)
    # contiguous US bounding box (UTM zones 10-19), or one zone (35N: Finland, Baltics)
    box = (-124.7, 24.5, -66.9, 49.4) if where == "us" else (24.1, 54.0, 29.9, 64.0)
    lon = r.uniform(box[0], box[2], n_points)
    lat = r.uniform(box[1], box[3], n_points)
    f_lon = r.uniform(box[0], box[2], n_libs)
    f_lat = r.uniform(box[1], box[3], n_libs)
    from scipy.spatial import cKDTree

    from libpolis.access._geo import EARTH_RADIUS_M, unit_vectors

    def ours():
        return nearest_points(lon, lat, f_lon, f_lat)

    def peer():  # plain SciPy: one k-d tree, one threaded query in input order
        if where == "us":
            tree = cKDTree(unit_vectors(f_lon, f_lat))
            chord, idx = tree.query(unit_vectors(lon, lat), workers=-1)
            return 2 * EARTH_RADIUS_M * np.arcsin(np.clip(chord / 2, 0.0, 1.0)), idx
        from pyproj import Transformer

        from libpolis.access._geo import local_utm_crs

        to_xy = Transformer.from_crs(4326, local_utm_crs(f_lon, f_lat), always_xy=True)
        tree = cKDTree(np.column_stack(to_xy.transform(f_lon, f_lat)))
        return tree.query(np.column_stack(to_xy.transform(lon, lat)), workers=-1)

    # paired A B A B after one warm-up of each: both see the same load
    ours(), peer()
    runs: dict[str, list[tuple[float, float]]] = {"ours": [], "peer": []}
    for _ in range(2):
        for name, fn in (("ours", ours), ("peer", peer)):
            c0, w0 = time.process_time(), time.perf_counter()
            out = fn()
            runs[name].append((time.perf_counter() - w0, time.process_time() - c0))
            if name == "ours":
                dist = out[0]
            else:
                peer_dist = out[0]
    wall, cpu = min(w for w, _ in runs["ours"]), min(c for _, c in runs["ours"])
    peer_wall, peer_cpu = min(w for w, _ in runs["peer"]), min(c for _, c in runs["peer"])
    peak = _peak_mb(ours)
    # brute-force check on a sample (haversine; in UTM mode expect ellipsoid-vs-sphere < 0.5 %)
    from libpolis.access._geo import haversine_m

    s = r.choice(n_points, 2000, replace=False)
    hv = haversine_m(lon[s, None], lat[s, None], f_lon[None, :], f_lat[None, :]).min(axis=1)
    return {
        "points": n_points,
        "libraries": n_libs,
        "method": "sphere" if where == "us" else "utm",
        "wall_s": wall,
        "cpu_s": cpu,
        "peak_mb": peak,
        "max_rel_diff_bruteforce": float(np.max(np.abs(dist[s] - hv) / hv)),
        "peer_wall_s": peer_wall,
        "peer_cpu_s": peer_cpu,
        "max_abs_diff_peer_m": float(np.max(np.abs(dist - peer_dist))),
        "maxrss_mb": _maxrss_mb(),
    }


def task_e2sfca() -> dict:
    # this script's directory is on sys.path and holds access.py: import PySAL's `access`
    # package first so that _access_fca finds it and not this file
    here = [p for p in sys.path if Path(p or ".").resolve() == HERE]
    for p in here:
        sys.path.remove(p)
    sys.modules.pop("access", None)
    import access as _pysal_access  # noqa: F401

    sys.path.extend(here)
    from _access_fca import bench_e2sfca

    return bench_e2sfca()


TASKS = {
    "ours": task_ours,
    "networkx": task_networkx,
    "pandana": task_pandana,
    "straight": task_straight,
    "e2sfca": task_e2sfca,
}


# ----------------------------------------------------------------------------------------------
# driver


def _run(task: str, *args: str, timeout: float | None = None) -> dict:
    cmd = [sys.executable, __file__, "--task", task, *args]
    print(f"  running {task} {' '.join(args)} ...", flush=True)
    stamp = {
        "measured_at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "load_before": _load(),
    }
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"did not finish within {timeout:.0f} s (stopped)", **stamp}
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            out = {**json.loads(line[len("RESULT ") :]), **stamp}
            print(f"    {json.dumps(out)}", flush=True)
            return out
    return {"error": (proc.stderr or proc.stdout).strip().splitlines()[-5:], **stamp}


def _load() -> str:
    return " / ".join(f"{x:.1f}" for x in os.getloadavg())


PEER_TIMEOUT_S = 1800.0
MEASUREMENTS: dict[str, tuple[str, tuple[str, ...], float | None]] = {
    "ours-1M-grid": ("ours", ("1000", "grid"), None),
    "ours-1M-hierarchy": ("ours", ("1000", "hierarchy"), None),
    "networkx-1M-hierarchy": ("networkx", ("1000", "hierarchy"), None),
    "pandana-1M-hierarchy": ("pandana", ("1000", "hierarchy"), PEER_TIMEOUT_S),
    "networkx-1M-grid": ("networkx", ("1000", "grid"), None),
    "pandana-1M-grid": ("pandana", ("1000", "grid"), PEER_TIMEOUT_S),
    "ours-4M-hierarchy": ("ours", ("2000", "hierarchy"), None),
    "straight-us": ("straight", ("us",), None),
    "straight-utm": ("straight", ("utm",), None),
    "e2sfca": ("e2sfca", (), None),
}


def _recorded(md: Path) -> dict[str, dict]:
    """The measurements recorded in ``md`` (its ``key: {json}`` detail lines)."""
    out: dict[str, dict] = {}
    if not md.exists():
        return out
    for line in md.read_text().splitlines():
        key, sep, rest = line.partition(": ")
        if sep and key in MEASUREMENTS and rest.startswith("{"):
            out[key] = json.loads(rest)
    return out


def main(only: list[str] | None = None) -> None:
    """Run every measurement (or only the named ones, keeping the saved others)."""
    saved = CACHE / "results.json"
    res: dict[str, dict] = {}
    if only and saved.exists():
        res = json.loads(saved.read_text())
    elif only:  # a new machine: the others as recorded in access.md's details block
        res = _recorded(HERE / "access.md")
    for key, (task, args, timeout) in MEASUREMENTS.items():
        if only and key not in only:
            continue
        if task == "e2sfca" and not (HERE / "_access_fca.py").exists():
            continue
        res[key] = _run(task, *args, timeout=timeout)
        CACHE.mkdir(parents=True, exist_ok=True)
        saved.write_text(json.dumps(res, indent=1))
    text = _report(res)
    print(text)
    md = HERE / "access.md"
    old = md.read_text() if md.exists() else ""
    keep = re.search(r"<!-- ttm-check -->.*?<!-- /ttm-check -->\n?", old, flags=re.S)
    md.write_text(text + ("\n" + keep.group(0) if keep else ""))


def _wc(r: dict, prefix: str = "") -> str:
    if f"{prefix}wall_s" not in r:
        err = r.get("error")
        return "not run" if not r else err if isinstance(err, str) else "failed"
    return f"{r[prefix + 'wall_s']:.2f} / {r[prefix + 'cpu_s']:.2f}"


def _ratio(peer: dict, ours: dict) -> str:
    if "wall_s" not in peer:
        return "-"
    return f"{peer['wall_s'] / ours['wall_s']:.0f}x ({peer['cpu_s'] / ours['cpu_s']:.0f}x)"


def _targets(res: dict[str, dict]) -> list[str]:
    """Issue 3 targets against the figures, on wall time and on CPU time."""
    rows = ["| target | measured (wall / CPU) | met on wall | met on CPU |", "|---|---|---|---|"]

    def row(name: str, wall: float, cpu: float, limit: float, unit: str, more: bool = False):
        ok = (lambda v: v >= limit) if more else (lambda v: v < limit)
        rows.append(
            f"| {name} | {wall:.3g} / {cpu:.3g} {unit} | {'yes' if ok(wall) else 'no'} "
            f"| {'yes' if ok(cpu) else 'no'} |"
        )

    o1 = res.get("ours-1M-hierarchy", {})
    o4 = res.get("ours-4M-hierarchy", {})
    if "wall_s" in o1:
        row("1M nodes < 0.5 s (hierarchy graph)", o1["wall_s"], o1["cpu_s"], 0.5, "s")
        rows.append(f"| 1M nodes < 300 MB peak | {o1['peak_mb']:.0f} MiB (query) | yes* | |")
        for peer, factor in (("networkx", 20), ("pandana", 10)):
            p = res.get(f"{peer}-1M-hierarchy", {})
            if "wall_s" in p:
                row(
                    f">= {factor}x faster than {peer}",
                    p["wall_s"] / o1["wall_s"],
                    p["cpu_s"] / o1["cpu_s"],
                    factor,
                    "x",
                    more=True,
                )
    if "wall_s" in o4:
        row("4M nodes < 3 s", o4["wall_s"], o4["cpu_s"], 3.0, "s")
        rows.append(f"| 4M nodes < 1 GB | {o4['peak_mb']:.0f} MiB (query) | yes* | |")
        if "maxrss_ours_mb" in o4:  # the process: graph, reversed graph or check, searches
            ok = "yes" if o4["maxrss_ours_mb"] < 1024 else "no"
            rows.append(
                f"| 4M nodes < 1 GB (process max RSS, graph not flagged symmetric) "
                f"| {o4['maxrss_ours_mb']:.0f} MiB | {ok} | |"
            )
    for key in ("straight-us", "straight-utm"):
        s = res.get(key, {})
        if "wall_s" in s:
            row(f"straight line 10M x 20k < 4 s ({s['method']})", s["wall_s"], s["cpu_s"], 4, "s")
    rows += [
        "",
        "\\* tracemalloc peak of the query itself. The graph it runs on takes 20 bytes per "
        "edge and 33 per node more: about 110 MB for the 1M-node and 420 MB for the 4M-node "
        "graph, so graph + query stay under the targets too. CPU time of the "
        "straight-line query counts both threads, so on an idle 2-core machine its wall time "
        "lies between CPU / 2 and CPU.",
    ]
    return rows


#: A sequential compiled bucket search (Dial / delta-stepping in C, one core) answers the
#: nearest-library question on a 1M-node road graph in about 0.2 s (issue 19); scaled by nodes.
FLOOR_S_PER_MILLION_NODES = 0.2


def _floor(res: dict[str, dict]) -> list[str]:
    """How far each nearest search is from the compiled floor (issue 19: within 2x)."""
    out = [
        "",
        "### Distance from a sequential compiled bucket search",
        "",
        f"Floor: {FLOOR_S_PER_MILLION_NODES} s per million nodes (a sequential compiled bucket "
        "search, one core; scaled linearly by nodes). Ratios on CPU seconds (the search runs "
        "on one core, so CPU is its time on an idle machine) and on wall seconds.",
        "",
        "| search | nodes | floor s | libpolis CPU s (x floor) | wall s (x floor) | max RSS MiB "
        "(search only) | load at start |",
        "|---|---|---|---|---|---|---|",
    ]
    for key in ("ours-1M-grid", "ours-1M-hierarchy", "ours-4M-hierarchy"):
        r = res.get(key, {})
        if "wall_s" not in r:
            continue
        floor = FLOOR_S_PER_MILLION_NODES * r["nodes"] / 1e6
        rss = r.get("maxrss_ours_mb")
        out.append(
            f"| {key} | {r['nodes']:,} | {floor:.2f} | {r['cpu_s']:.3f} "
            f"({r['cpu_s'] / floor:.2f}x) | {r['wall_s']:.3f} ({r['wall_s'] / floor:.2f}x) "
            f"| {'-' if rss is None else f'{rss:.0f}'} | {r.get('load_before', '-')} |"
        )
    return out


def _report(res: dict[str, dict]) -> str:
    stamps = sorted({v.get("measured_at", "?") for v in res.values()})
    out = [
        "# Access benchmarks (`benchmarks/access.py`)",
        "",
        f"Measured {stamps[0]} to {stamps[-1]} on this project's 2-core machine, shared with "
        "other sessions: the load average (1 / 5 / 15 min) at the start of each measurement is "
        "in the details below (typically 7-11 on 2 cores). Wall-clock figures are inflated by "
        "that load; CPU seconds of the measuring process are given beside them.",
        "Command: `.venv/bin/python benchmarks/access.py`.",
        "",
        "## Nearest library for every node (2,000 libraries at random nodes)",
        "",
        "Generated graphs (`benchmarks/access_graphs.py`, seeded): square grids of side x side "
        "nodes 100 m apart, lengths +-10 % at random, 10 % of local street segments removed, "
        "all streets two-way, largest strongly connected component kept. `grid`: all local "
        "streets at 30 km/h. `hierarchy`: arterials at 60 km/h every 10th row and column and a "
        "grade-separated motorway ring at 100 km/h (ramps every 20 nodes). 1M = side 1,000; "
        "4M = side 2,000. Every peer answers the same question on the same graph and the "
        "answers are compared (`max_abs_diff`, minutes; pandana rounds internally).",
        "",
        "| graph | nodes | edges | libpolis wall / CPU s | peak MiB (call) | max RSS MiB "
        "| SciPy dijkstra s | networkx s | pandana CH+query s | x networkx | x pandana |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for key, label in (
        ("1M-grid", "grid, 1M"),
        ("1M-hierarchy", "hierarchy, 1M"),
        ("4M-hierarchy", "hierarchy, 4M"),
    ):
        o = res.get(f"ours-{key}", {})
        nx_ = res.get(f"networkx-{key}", {})
        pd_ = res.get(f"pandana-{key}", {})
        if "wall_s" not in o:
            out.append(f"| {label} | failed: {o.get('error')} |")
            continue
        out.append(
            f"| {label} | {o['nodes']:,} | {o['edges']:,} | {o['wall_s']:.3f} / {o['cpu_s']:.3f} "
            f"| {o['peak_mb']:.0f} | {o['maxrss_mb']:.0f} | {_wc(o, 'scipy_')} "
            f"| {_wc(nx_)} | {_wc(pd_)} | {_ratio(nx_, o)} | {_ratio(pd_, o)} |"
        )
    out += [
        "",
        "Cells: wall s / CPU s; ratios: peer / libpolis, on wall time and (in brackets) on CPU "
        "time. networkx runs on the full 1M-node graph (not extrapolated); its graph build "
        "(`build_s`) is not counted. pandana's time includes its contraction-hierarchy build "
        "(`Network(...)`), `set_pois` and `nearest_pois`. libpolis's figure is the query on a "
        "graph already in memory; `first_call_s` adds the one-time check whether the graph is "
        "symmetric (building the reversed graph). Peak MiB (call): tracemalloc peak of the "
        "query alone; max RSS: the whole subprocess, including generating the graph.",
        "",
    ]
    out += _targets(res)
    out += _floor(res)
    out += ["", "Details (JSON per measurement):", "", "```"]
    for key, val in res.items():
        out.append(f"{key}: {json.dumps(val)}")
    out += ["```", ""]
    out += ["## Straight-line nearest, 10,000,000 points x 20,000 libraries", ""]
    for key, label in (("straight-us", "contiguous US (sphere)"), ("straight-utm", "one UTM zone")):
        s = res.get(key, {})
        if "wall_s" in s:
            out.append(
                f"- {label}: {s['wall_s']:.2f} s wall, {s['cpu_s']:.2f} s CPU (k-d tree query "
                f"uses both cores), peak {s['peak_mb']:.0f} MiB; largest relative difference "
                "to brute-force haversine on 2,000 sampled points "
                f"{s['max_rel_diff_bruteforce']:.2e}"
                + (
                    f"; plain SciPy cKDTree peer in the same run (A B A B): "
                    f"{s['peer_wall_s']:.2f} s wall, {s['peer_cpu_s']:.2f} s CPU "
                    f"({s['peer_cpu_s'] / s['cpu_s']:.2f}x libpolis's CPU), largest difference "
                    f"{s['max_abs_diff_peer_m']:.1e} m; process max RSS {s['maxrss_mb']:.0f} MiB"
                    if "peer_wall_s" in s
                    else ""
                )
            )
        else:
            out.append(f"- {label}: failed: {s.get('error')}")
    if "e2sfca" in res:
        e = res["e2sfca"]
        out += ["", "## E2SFCA (`benchmarks/_access_fca.py`)", ""]
        if "speedup" in e:
            out.append(
                f"- {e['residents']:,} residents x {e['libraries']:,} libraries, "
                f"{e['catchment_min']:g}-min catchment: libpolis {e['ours_s']:.3f} s "
                f"(peak {e['ours_peak_mb']:.1f} MiB), PySAL access {e['pysal_s']:.3f} s "
                f"(peak {e['pysal_peak_mb']:.1f} MiB): {e['speedup']:.1f}x faster, memory "
                f"ratio {e['memory_ratio']:.3f}; max |difference| {e['max_abs_diff']:.3g} "
                f"(measured {e.get('measured_at', '?')}, load {e.get('load_before', '?')})"
            )
        else:
            out.append(f"- failed: {e.get('error')}")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--task", choices=sorted(TASKS))
    ap.add_argument("args", nargs="*")
    ap.add_argument("--only", help="comma-separated measurement keys to (re)run")
    ap.add_argument("--report", action="store_true", help="only rewrite access.md from saved")
    ns = ap.parse_args()
    if ns.task is None:
        main(["-"] if ns.report else ns.only.split(",") if ns.only else None)
    else:
        fn = TASKS[ns.task]
        args = [int(a) if a.isdigit() else a for a in ns.args]
        print("\nRESULT " + json.dumps(fn(*args)), flush=True)
