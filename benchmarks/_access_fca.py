"""E2SFCA benchmark: libpolis against PySAL ``access`` on the same inputs.

Target (issue 3): 50,000 residents x 1,000 libraries, 30-minute catchment, at least 5x faster
than PySAL ``access`` with at most a fifth of its peak memory.

Inputs (generated, seed 0): residents and libraries placed uniformly in a 200 km x 200 km
square; residents have 0-3,000 people, libraries a supply of 0.5-3 "median-library
equivalents". Travel time = straight-line distance x a detour factor drawn uniformly in
[1.2, 1.6] per pair, at 40 km/h. The OD frame (``from_id, to_id, time_min``) holds every pair
within 40 minutes -- a buffer beyond the 30-minute catchment, as a "within T minutes" search
would hand over -- so both implementations must drop the pairs between 30 and 40 minutes.
The Gaussian width is 15 minutes (the libpolis default, catchment / 2), passed to PySAL as
``access.weights.gaussian(15)``.

Times are wall-clock (``time.perf_counter``), best of ``repeat`` runs for libpolis and of
``repeat_peer`` runs for PySAL; peak memory is the peak of Python allocations traced by
``tracemalloc`` during one call (numpy and pandas buffers included), measured in a separate
run because tracing slows Python down. Importable (``bench_e2sfca()``) and runnable as a
script: ``python benchmarks/_access_fca.py``.
"""

from __future__ import annotations

import time
import tracemalloc
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from libpolis.access.fca import e2sfca

__all__ = ["bench_e2sfca", "make_inputs"]

CATCHMENT_MIN = 30.0
SIGMA_MIN = 15.0
BUFFER_MIN = 40.0
SPEED_KPH = 40.0
SIDE_KM = 200.0
MAX_DETOUR = 1.6


def make_inputs(
    n_residents: int = 50_000, n_libraries: int = 1_000, seed: int = 0
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Generate (demand, supply, od) as described in the module docstring."""
    rng = np.random.default_rng(seed)
    rxy = rng.uniform(0.0, SIDE_KM, (n_residents, 2))
    lxy = rng.uniform(0.0, SIDE_KM, (n_libraries, 2))
    demand = pd.DataFrame(
        {
            "id": np.arange(n_residents, dtype=np.int64),
            "population": rng.integers(0, 3001, n_residents),
        }
    )
    supply = pd.DataFrame(
        {
            "id": np.arange(n_libraries, dtype=np.int64) + 10_000_000,
            "supply": rng.uniform(0.5, 3.0, n_libraries),
        }
    )
    # every pair whose time can be within the buffer, then the exact time with its detour
    radius_km = BUFFER_MIN / 60.0 * SPEED_KPH
    pairs = cKDTree(rxy).sparse_distance_matrix(cKDTree(lxy), radius_km, output_type="coo_matrix")
    time_min = pairs.data * rng.uniform(1.2, MAX_DETOUR, pairs.nnz) / SPEED_KPH * 60.0
    keep = time_min <= BUFFER_MIN
    od = pd.DataFrame(
        {
            "from_id": demand["id"].to_numpy()[pairs.row[keep]],
            "to_id": supply["id"].to_numpy()[pairs.col[keep]],
            "time_min": time_min[keep],
        }
    )
    return demand, supply, od


def _ours(demand: pd.DataFrame, supply: pd.DataFrame, od: pd.DataFrame) -> np.ndarray:
    out = e2sfca(demand, supply, od, catchment_min=CATCHMENT_MIN, sigma_min=SIGMA_MIN)
    return out["access"].to_numpy()


def _pysal(demand: pd.DataFrame, supply: pd.DataFrame, od: pd.DataFrame) -> np.ndarray:
    import access  # PySAL access, a dev extra

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # its own pandas deprecation warnings
        model = access.Access(
            demand_df=demand,
            demand_index="id",
            demand_value="population",
            supply_df=supply,
            supply_index="id",
            supply_value="supply",
            cost_df=od,
            cost_origin="from_id",
            cost_dest="to_id",
            cost_name="time_min",
        )
        res = model.enhanced_two_stage_fca(
            name="e2sfca", max_cost=CATCHMENT_MIN, weight_fn=access.weights.gaussian(SIGMA_MIN)
        )
    return res["e2sfca_supply"].reindex(demand["id"]).fillna(0.0).to_numpy()


def _best_time(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    best = float("inf")
    result = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def _peak_bytes(fn: Callable[[], Any]) -> int:
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak


def bench_e2sfca(
    n_residents: int = 50_000,
    n_libraries: int = 1_000,
    *,
    repeat: int = 5,
    repeat_peer: int = 2,
    seed: int = 0,
) -> dict[str, Any]:
    """Run libpolis and PySAL ``access`` E2SFCA side by side and return the figures.

    Returns
    -------
    dict
        ``residents``, ``libraries``, ``od_pairs``, ``pairs_in_catchment``,
        ``ours_s``, ``pysal_s`` (best wall-clock seconds), ``speedup`` (pysal_s / ours_s),
        ``ours_peak_mb``, ``pysal_peak_mb`` (tracemalloc peaks, MiB), ``memory_ratio``
        (ours / pysal), ``max_abs_diff`` and ``max_rel_diff`` between the two results,
        ``targets_met`` (speedup >= 5 and memory_ratio <= 0.2).
    """
    demand, supply, od = make_inputs(n_residents, n_libraries, seed)
    ours_s, ours = _best_time(lambda: _ours(demand, supply, od), repeat)
    pysal_s, peer = _best_time(lambda: _pysal(demand, supply, od), repeat_peer)
    ours_peak = _peak_bytes(lambda: _ours(demand, supply, od))
    pysal_peak = _peak_bytes(lambda: _pysal(demand, supply, od))
    diff = np.abs(ours - peer)
    scale = np.abs(peer).max()
    speedup = pysal_s / ours_s
    memory_ratio = ours_peak / pysal_peak
    return {
        "residents": n_residents,
        "libraries": n_libraries,
        "od_pairs": len(od),
        "pairs_in_catchment": int((od["time_min"] <= CATCHMENT_MIN).sum()),
        "catchment_min": CATCHMENT_MIN,
        "sigma_min": SIGMA_MIN,
        "ours_s": ours_s,
        "pysal_s": pysal_s,
        "speedup": speedup,
        "ours_peak_mb": ours_peak / 2**20,
        "pysal_peak_mb": pysal_peak / 2**20,
        "memory_ratio": memory_ratio,
        "max_abs_diff": float(diff.max()),
        "max_rel_diff": float(diff.max() / scale) if scale > 0 else 0.0,
        "targets_met": bool(speedup >= 5.0 and memory_ratio <= 0.2),
    }


def _print(fig: dict[str, Any]) -> None:
    print(
        f"E2SFCA, {fig['residents']:,} residents x {fig['libraries']:,} libraries, "
        f"{fig['catchment_min']:g}-min catchment, Gaussian sigma {fig['sigma_min']:g} min"
    )
    print(
        f"  OD pairs given: {fig['od_pairs']:,} "
        f"({fig['pairs_in_catchment']:,} within the catchment)"
    )
    print(f"  libpolis      : {fig['ours_s']:.3f} s   peak {fig['ours_peak_mb']:.1f} MiB")
    print(f"  PySAL access  : {fig['pysal_s']:.3f} s   peak {fig['pysal_peak_mb']:.1f} MiB")
    print(
        f"  speed-up      : {fig['speedup']:.1f}x (target >= 5x); memory ratio "
        f"{fig['memory_ratio']:.3f} (target <= 0.2)"
    )
    print(f"  max |ours - PySAL| = {fig['max_abs_diff']:.3g} (relative {fig['max_rel_diff']:.3g})")
    print(f"  targets met: {fig['targets_met']}")


if __name__ == "__main__":
    _print(bench_e2sfca())
