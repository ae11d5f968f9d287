"""Fixed costs of the command line: start-up (`version`, `--help`) and a walk access run on
the Helsinki demo with the street network cached or parsed, each in a fresh process, and the
import floor: a fresh Python importing only the libraries a walk run needs (numpy, pandas,
pyarrow, SQLAlchemy's ORM, shapely, pyproj, geopandas, SciPy, pydantic), and the same walk
run in a warm process (the step loaded and run once before; peak RSS not reported for it).

Paired A B A B: the cached and the uncached run alternate, so load on the shared machine
falls on both alike. Reports wall seconds, CPU seconds (user + system of the process) and the
process's peak RSS (from ``wait4``), and the load average (``uptime``) before and after.

Usage::

    .venv/bin/python benchmarks/cli_startup.py [--repeat 5] [--workspace demo.sqlite]

Without ``--workspace`` the demo workspace is built first (not timed).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CLI = str(Path(sys.executable).with_name("libpolis"))


#: The libraries a walk access run cannot do without, imported and nothing else: the floor a
#: fresh process pays before libpolis's own code runs.
IMPORT_FLOOR = (
    "import numpy, pandas, pyarrow, sqlalchemy.orm, shapely, pyproj, geopandas, scipy.spatial,"
    " scipy.sparse.csgraph, pydantic"
)


#: One walk access run in a process that has already loaded the step and run it once (as the
#: web app or a notebook would): what the analysis costs without the interpreter's start-up.
WARM = """
import json, sys, time
from libpolis import pipeline
from libpolis.model import TravelMode
from libpolis.store import open_store
engine = open_store("sqlite:///" + sys.argv[1])
pipeline.run_access(engine, mode=TravelMode.WALK, label="bench")
t0, c0 = time.perf_counter(), time.process_time()
pipeline.run_access(engine, mode=TravelMode.WALK, label="bench")
print(json.dumps({"wall_s": time.perf_counter() - t0, "cpu_s": time.process_time() - c0}))
"""


def warm_run(ws: Path, env: dict[str, str]) -> dict[str, float]:
    """Wall and CPU seconds of the second walk run in one process (see :data:`WARM`)."""
    res = subprocess.run(
        [sys.executable, "-c", WARM, str(ws)], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(res.stdout.strip().splitlines()[-1])


def run(args: list[str], env: dict[str, str], cmd: list[str] | None = None) -> dict[str, float]:
    """Wall, CPU and peak RSS of one fresh ``libpolis`` process (or of ``cmd``)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd or [CLI, *args], env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"libpolis {' '.join(args)} failed")
    return {
        "wall_s": wall,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "maxrss_mb": usage.ru_maxrss / 1024,
    }


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def summary(runs: list[dict[str, float]]) -> dict[str, float]:
    return {
        "median_wall_s": statistics.median(r["wall_s"] for r in runs),
        "median_cpu_s": statistics.median(r["cpu_s"] for r in runs),
        "min_wall_s": min(r["wall_s"] for r in runs),
        "maxrss_mb": max((r["maxrss_mb"] for r in runs if "maxrss_mb" in r), default=None),
        "runs_wall_s": [round(r["wall_s"], 3) for r in runs],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--workspace", type=Path)
    opts = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="libpolis-bench-"))
    ws = opts.workspace
    if ws is None:
        from libpolis.demo import build_demo_workspace

        ws = tmp / "demo.sqlite"
        build_demo_workspace(ws, show_progress=False)
    env = {**os.environ, "LIBPOLIS_CACHE_DIR": str(tmp / "cache")}
    off = {**env, "LIBPOLIS_NETWORK_CACHE": "0"}
    walk = ["access", "--mode", "walk", "-w", str(ws), "--label", "bench"]
    run(walk, env)  # fills the cache (and the page cache) before measuring
    print("load before:", uptime())
    cases: dict[str, list[dict[str, float]]] = {
        k: []
        for k in ("version", "help", "walk cached", "walk parsed", "import floor", "walk warm")
    }
    for _ in range(opts.repeat):  # A B A B
        cases["version"].append(run(["version"], env))
        cases["help"].append(run(["--help"], env))
        cases["walk cached"].append(run(walk, env))
        cases["walk parsed"].append(run(walk, off))
        cases["import floor"].append(run([], env, [sys.executable, "-c", IMPORT_FLOOR]))
        cases["walk warm"].append(warm_run(ws, env))
    print("load after: ", uptime())
    for name, runs in cases.items():
        print(f"{name:12s} {json.dumps(summary(runs))}")
    cached = summary(cases["walk cached"])["median_wall_s"]
    parsed = summary(cases["walk parsed"])["median_wall_s"]
    print(f"network cache saves {parsed - cached:.2f} s of {parsed:.2f} s (median wall)")


if __name__ == "__main__":
    main()
