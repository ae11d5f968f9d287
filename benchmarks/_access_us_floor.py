"""The floor of the national straight-line access step: a plain SciPy cKDTree script.

Reads the same workspace the CLI reads (population units and walk-in libraries, with the
sqlite3 module and numpy only), finds every unit's nearest library on the sphere (3-D unit
vectors, chord -> great-circle on a sphere of 6,371,008.8 m, as libpolis does), and prints
the resident-weighted mean distance and the coverage shares as JSON. It stores nothing and
computes nothing else: it is what the step cannot go below, not a peer with the same output.

    python benchmarks/_access_us_floor.py WORKSPACE.sqlite 800,1600,3200,8000
"""

from __future__ import annotations

import json
import sqlite3
import sys

import numpy as np
from scipy.spatial import cKDTree

from libpolis.model import NOT_WALK_IN_KINDS

R = 6_371_008.8
#: the kinds the CLI leaves out of access figures (the model's own list, so both count the
#: same outlets)
NOT_WALK_IN = tuple(sorted(NOT_WALK_IN_KINDS))


def unit(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    lam, phi = np.radians(lon), np.radians(lat)
    return np.column_stack((np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam), np.sin(phi)))


def main() -> None:
    path, thresholds = sys.argv[1], [float(t) for t in sys.argv[2].split(",")]
    con = sqlite3.connect(path)
    pop = np.array(
        con.execute(
            "SELECT lon, lat, population FROM population_unit WHERE lon IS NOT NULL"
        ).fetchall(),
        dtype=float,
    )
    marks = ",".join("?" * len(NOT_WALK_IN))
    libs = np.array(
        con.execute(
            "SELECT lon, lat FROM library WHERE lon IS NOT NULL AND lat IS NOT NULL"
            f" AND (kind IS NULL OR kind NOT IN ({marks}))",
            NOT_WALK_IN,
        ).fetchall(),
        dtype=float,
    )
    con.close()
    chord, _ = cKDTree(unit(libs[:, 0], libs[:, 1])).query(unit(pop[:, 0], pop[:, 1]), workers=-1)
    dist = 2 * R * np.arcsin(np.clip(chord / 2, 0.0, 1.0))
    w = pop[:, 2]
    out = {
        "units": len(pop),
        "libraries": len(libs),
        "mean_dist_m": float(np.average(dist, weights=w)),
        "coverage": {f"{t:g}": float(w[dist <= t].sum() / w.sum()) for t in thresholds},
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
