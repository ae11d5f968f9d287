"""The whole `libpolis access` CLI on the US: 2020 block groups x IMLS FY2021 outlets.

Import is excluded from the timing (it is done once, first). The timed command is the real CLI
in a fresh process: it reads 242,335 population units and 17,426 outlets from the workspace,
finds the nearest walk-in library of every block group (great-circle, the data span many UTM
zones), computes coverage, the curve, the Gini and stores every result.

    python benchmarks/access_cli_us.py [--data ../shared/data] [--repeat 3]

Target (issues 3 and 19): under 10 s on the project's 2-core machines. The floor of the step,
a plain SciPy cKDTree script over the same workspace (``_access_us_floor.py``: read the
coordinates, one k-d tree query, the mean and the coverage shares; nothing stored), runs in
the same session, paired A B A B, each in a fresh process; wall, CPU (user + system, from
``wait4``) and peak RSS of each process are reported, with the load average.
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

ROOT = Path(__file__).resolve().parents[1]


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "libpolis.cli", *args], check=True, capture_output=True, text=True
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        ws = str(Path(tmp) / "us.sqlite")
        pls = args.data / "imls-pls-fy2021"
        t0 = time.perf_counter()
        _cli(
            "import",
            "pls",
            "--outlets",
            str(pls / "pls_fy21_outlet_pud21i.csv"),
            "--systems",
            str(pls / "PLS_FY21_AE_pud21i.csv"),
            "-w",
            ws,
            "--json",
        )
        _cli(
            "import",
            "population",
            str(args.data / "us-census-centers-of-population-2020" / "bg_cenpop2020_ejam.csv.gz"),
            "--id-column",
            "@row",
            "--population-column",
            "pop2020",
            "-w",
            ws,
            "--json",
        )
        print(f"import (not part of the target): {time.perf_counter() - t0:.1f} s")
        ts = "800,1600,3200,8000"
        cli = [sys.executable, "-m", "libpolis.cli", "access", "--mode", "straight"]
        cli += ["--thresholds", ts, "-w", ws, "--json"]
        floor = [sys.executable, str(ROOT / "benchmarks" / "_access_us_floor.py"), ws, ts]
        _timed(floor)  # warm the page cache for both
        print("load before:", _uptime())
        runs: dict[str, list[dict[str, float]]] = {"libpolis": [], "floor": []}
        out: dict = {}
        ref: dict = {}
        for _ in range(args.repeat):  # A B A B
            m, text = _timed(cli)
            runs["libpolis"].append(m)
            out = json.loads(text)
            m, text = _timed(floor)
            runs["floor"].append(m)
            ref = json.loads(text)
        print("load after: ", _uptime())
    for name, rs in runs.items():
        print(f"{name:9s} " + json.dumps(_summary(rs)))
    med = statistics.median(r["wall_s"] for r in runs["libpolis"])
    fl = statistics.median(r["wall_s"] for r in runs["floor"])
    print(
        f"libpolis access --mode straight (whole CLI, fresh process): median {med:.2f} s; "
        f"cKDTree floor {fl:.2f} s ({med / fl:.1f}x the floor); target < 10 s"
    )
    print(
        f"  {out['population_units']:,} block groups, {out['residents']:,.0f} residents, "
        f"{out['libraries']:,} walk-in outlets; mean {out['mean_dist_m'] / 1609.344:.2f} mi"
    )
    diff = abs(out["mean_dist_m"] - ref["mean_dist_m"]) / ref["mean_dist_m"]
    cov = max(abs(out["coverage"][k] - ref["coverage"][k]) for k in ref["coverage"])
    print(
        f"  same answer as the floor: {ref['units']:,} units, {ref['libraries']:,} outlets, "
        f"relative difference of the mean {diff:.1e}, largest coverage difference {cov:.1e}"
    )


def _timed(cmd: list[str]) -> tuple[dict[str, float], str]:
    """Run one fresh process; its wall, CPU and peak RSS, and its stdout."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    text = proc.stdout.read() if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed")
    cpu = usage.ru_utime + usage.ru_stime
    return {"wall_s": wall, "cpu_s": cpu, "maxrss_mb": usage.ru_maxrss / 1024}, text


def _summary(rs: list[dict[str, float]]) -> dict[str, object]:
    return {
        "median_wall_s": round(statistics.median(r["wall_s"] for r in rs), 3),
        "median_cpu_s": round(statistics.median(r["cpu_s"] for r in rs), 3),
        "maxrss_mb": round(max(r["maxrss_mb"] for r in rs), 1),
        "runs_wall_s": [round(r["wall_s"], 2) for r in rs],
    }


def _uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


if __name__ == "__main__":
    main()
