"""Location-allocation benchmark: libpolis.plan against PySAL spopt (HiGHS and CBC via PuLP).

Run: ``.venv/bin/python benchmarks/plan.py`` (add ``--quick`` for a smoke run). Each solver runs
in its own fresh process (so peak memory is that run's own maximum resident set, Python and
imports included) with a wall-clock cap; spopt also gets a 120 s solver time limit.

Instances (seeded, ``numpy.random.default_rng(seed)``): residents in a 20 km x 20 km square,
60% around ``max(5, n/500)`` Gaussian clusters (sd 1.33 km) and 40% uniform, each with an
integer population from 1 to 199; candidate sites uniform; walking times at 4.5 km/h along
straight lines. MCLP: coverage standard 20 min (1.5 km); libpolis gets the sparse pairs within
20 min (cKDTree), spopt the dense matrix it requires. p-median: dense times for both.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import platform
import resource
import time
from pathlib import Path

import numpy as np

SPEED_KPH = 4.5
SPOPT_LIMIT_S = 120.0
WALL_CAP_S = 420.0

CASES = [
    # name, kind, clients, sites, N, T (min), seed, target gap, target time (s)
    ("MCLP 10,000 x 500, N=20", "mclp", 10_000, 500, 20, 20.0, 1, 0.005, 10.0),
    ("MCLP 50,000 x 1,000, N=10", "mclp", 50_000, 1_000, 10, 20.0, 2, 0.01, 60.0),
    ("p-median 2,000 x 200, N=20", "median", 2_000, 200, 20, None, 3, 0.01, 60.0),
]


def instance(n_cli: int, n_fac: int, seed: int, side_km: float = 20.0):
    rng = np.random.default_rng(seed)
    k = max(5, n_cli // 500)
    centres = rng.uniform(0, side_km, (k, 2))
    clustered = centres[rng.integers(0, k, n_cli)] + rng.normal(0, side_km / 15, (n_cli, 2))
    uniform = rng.uniform(0, side_km, (n_cli, 2))
    pts = np.where(rng.random(n_cli)[:, None] < 0.6, clustered, uniform).clip(0, side_km)
    fac = rng.uniform(0, side_km, (n_fac, 2))
    weights = rng.integers(1, 200, n_cli).astype(float)
    return pts, fac, weights


def _dense(pts, fac) -> np.ndarray:
    return np.sqrt(((pts[:, None] - fac[None]) ** 2).sum(-1)) / (SPEED_KPH / 60.0)


def _sparse(pts, fac, limit_min: float):
    from scipy.spatial import cKDTree

    km_per_min = SPEED_KPH / 60.0
    m = cKDTree(pts).sparse_distance_matrix(
        cKDTree(fac), limit_min * km_per_min, output_type="coo_matrix"
    )
    m = m.tocsr()
    m.data = m.data / km_per_min
    return m


def run_libpolis(case, gap_tol: float, time_limit_s: float) -> dict:
    from libpolis.plan import MaximalCoverage, PMedian

    _, kind, n_cli, n_fac, n, within, seed, _, _ = case
    pts, fac, w = instance(n_cli, n_fac, seed)
    t0 = time.perf_counter()
    if kind == "mclp":
        times = _sparse(pts, fac, within)
        model = MaximalCoverage.from_cost_matrix(times, w, within_min=within, n_sites=n)
    else:
        model = PMedian.from_cost_matrix(_dense(pts, fac), w, n_sites=n)
    r = model.solve(time_limit_s=time_limit_s, gap_tol=gap_tol).result
    return {
        "value": r.value,
        "bound": r.bound,
        "gap": r.gap,
        "optimal": r.proven_optimal,
        "seconds": time.perf_counter() - t0,
        "method": r.method,
    }


def run_spopt(case, solver_name: str) -> dict:
    import warnings

    import pulp
    from spopt.locate import MCLP, PMedian

    warnings.filterwarnings("ignore")
    _, kind, n_cli, n_fac, n, within, seed, _, _ = case
    pts, fac, w = instance(n_cli, n_fac, seed)
    t0 = time.perf_counter()
    times = _dense(pts, fac)
    if kind == "mclp":
        model = MCLP.from_cost_matrix(times, w, service_radius=within, p_facilities=n)
    else:
        model = PMedian.from_cost_matrix(times, w, p_facilities=n)
    built = time.perf_counter() - t0
    if solver_name == "cbc":
        solver = pulp.PULP_CBC_CMD(msg=False, timeLimit=SPOPT_LIMIT_S)
    else:
        solver = pulp.HiGHS(msg=False, timeLimit=SPOPT_LIMIT_S)
    status = "solved"
    try:
        model.solve(solver, results=False)
    except Exception as exc:  # spopt raises when PuLP reports no optimal solution
        status = f"{type(exc).__name__}: {str(exc)[:60]}"
    value = pulp.value(model.problem.objective)
    if all(v.varValue is None for v in model.problem.variables()):
        value = None  # no feasible solution found (PuLP would evaluate the objective as 0)
    return {
        "value": float(value) if value is not None else float("nan"),
        "status": pulp.LpStatus[model.problem.status]
        + ("" if status == "solved" else f"; {status}"),
        "build_s": built,
        "seconds": time.perf_counter() - t0,
    }


def _child(queue, func, args) -> None:
    out = func(*args)
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    queue.put(out)


def isolated(func, *args, cap_s: float = WALL_CAP_S) -> dict:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_child, args=(queue, func, args))
    t0 = time.perf_counter()
    proc.start()
    proc.join(cap_s)
    if proc.is_alive():
        proc.terminate()
        proc.join()
        return {"status": f"did not finish in {cap_s:.0f} s (killed)", "seconds": cap_s}
    if queue.empty():
        return {
            "status": f"crashed (exit code {proc.exitcode})",
            "seconds": time.perf_counter() - t0,
        }
    return queue.get()


def _fmt(x, spec=",.0f") -> str:
    return "n/a" if x is None or (isinstance(x, float) and np.isnan(x)) else format(x, spec)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="only the first case, no spopt")
    parser.add_argument("--libpolis-only", action="store_true", help="all cases, no spopt")
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("plan.md"))
    args = parser.parse_args()
    cases = CASES[:1] if args.quick else CASES
    lines = [
        "| instance | solver | objective | bound | gap | proven optimal | time (s) | peak RSS (MB) | notes |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    print(f"machine: {platform.processor() or platform.machine()}, {mp.cpu_count()} cores")
    for case in cases:
        name, _, *_, target_gap, target_s = case
        runs = [
            (f"libpolis (gap_tol={target_gap:.1%}, {target_s:.0f} s budget)",
             isolated(run_libpolis, case, target_gap, target_s)),
            ("libpolis (gap_tol=0, 60 s budget)", isolated(run_libpolis, case, 0.0, 60.0)),
        ]  # fmt: skip
        if not (args.quick or args.libpolis_only):
            runs.append(("spopt + HiGHS (PuLP)", isolated(run_spopt, case, "highs")))
            runs.append(("spopt + CBC (PuLP)", isolated(run_spopt, case, "cbc")))
        fast, best = runs[0][1], runs[1][1]
        for label, r in runs:
            ratio = ""
            if label.startswith("spopt") and "value" in r and "value" in best:
                ratio = (
                    f"objective / libpolis (gap_tol=0) {r['value'] / best['value']:.4f}; "
                    f"time / libpolis (target run) x{r['seconds'] / fast['seconds']:.1f}"
                )
            note = r.get("method", r.get("status", ""))
            if "build_s" in r:
                note += f"; model build {r['build_s']:.1f} s"
            row = (
                f"| {name} | {label} | {_fmt(r.get('value'))} | {_fmt(r.get('bound'))} | "
                f"{_fmt(r.get('gap'), '.3%')} | {r.get('optimal', 'n/a')} | "
                f"{_fmt(r.get('seconds'), '.2f')} | {_fmt(r.get('peak_rss_mb'), '.0f')} | "
                f"{note}{'; ' + ratio if ratio else ''} |"
            )
            print(row, flush=True)
            lines.append(row)
    table = "\n".join(lines)
    args.out.write_text(
        "# Location-allocation benchmark (libpolis.plan vs PySAL spopt)\n\n"
        f"Command: `.venv/bin/python benchmarks/plan.py`; written by the script.\n\n{table}\n",
        encoding="utf-8",
    )
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
