"""A thin private bridge to the HiGHS solver (``highspy``) for sparse models."""

from __future__ import annotations

import math
import os
import sys
from dataclasses import dataclass

import highspy
import numpy as np
import scipy.sparse as sp

__all__: list[str] = []


_banner_shown = False


def _new_highs() -> highspy.Highs:
    """A silent ``Highs`` instance (the first one of a process prints a banner on fd 1)."""
    global _banner_shown
    if _banner_shown:
        h = highspy.Highs()
    else:
        sys.stdout.flush()
        saved = os.dup(1)
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, 1)
            h = highspy.Highs()
            h.setOptionValue("output_flag", False)
        finally:
            os.dup2(saved, 1)
            os.close(saved)
            os.close(devnull)
        _banner_shown = True
    h.setOptionValue("output_flag", False)
    return h


@dataclass(frozen=True)
class _HighsOutcome:
    """What HiGHS returned: a status, a solution (if any), its value and the proven bound."""

    status: str
    x: np.ndarray | None
    value: float
    bound: float
    optimal: bool


def _solve(
    *,
    cost: np.ndarray,
    matrix: sp.spmatrix,
    row_lower: np.ndarray,
    row_upper: np.ndarray,
    col_lower: np.ndarray,
    col_upper: np.ndarray,
    integer: np.ndarray,
    maximize: bool,
    offset: float = 0.0,
    relax: bool = False,
    time_limit_s: float = 60.0,
    gap_tol: float = 0.0,
    start: np.ndarray | None = None,
) -> _HighsOutcome:
    """Solve ``opt cost @ x + offset`` s.t. ``row_lower <= matrix @ x <= row_upper`` with HiGHS.

    With ``relax`` the integrality is dropped (the LP relaxation). ``bound`` is the proven dual
    bound (equal to ``value`` when optimal); for a maximisation it is an upper bound.
    """
    a = sp.csc_matrix(matrix)
    a.sort_indices()
    num_row, num_col = a.shape
    lp = highspy.HighsLp()
    lp.num_col_ = num_col
    lp.num_row_ = num_row
    lp.col_cost_ = np.asarray(cost, dtype=np.float64)
    lp.col_lower_ = np.asarray(col_lower, dtype=np.float64)
    lp.col_upper_ = np.asarray(col_upper, dtype=np.float64)
    lp.row_lower_ = np.asarray(row_lower, dtype=np.float64)
    lp.row_upper_ = np.asarray(row_upper, dtype=np.float64)
    lp.offset_ = float(offset)
    lp.sense_ = highspy.ObjSense.kMaximize if maximize else highspy.ObjSense.kMinimize
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.num_col_ = num_col
    lp.a_matrix_.num_row_ = num_row
    lp.a_matrix_.start_ = a.indptr.astype(np.int32)
    lp.a_matrix_.index_ = a.indices.astype(np.int32)
    lp.a_matrix_.value_ = a.data.astype(np.float64)
    if not relax:
        lp.integrality_ = [
            highspy.HighsVarType.kInteger if flag else highspy.HighsVarType.kContinuous
            for flag in np.asarray(integer, dtype=bool)
        ]
    h = _new_highs()
    h.setOptionValue("time_limit", float(max(time_limit_s, 0.01)))
    h.setOptionValue("random_seed", 0)
    if relax:  # interior point without crossover: fast on these degenerate LPs
        h.setOptionValue("solver", "ipm")
        h.setOptionValue("run_crossover", "off")
    else:
        h.setOptionValue("mip_rel_gap", float(gap_tol))
        h.setOptionValue("mip_abs_gap", 1e-9)
    h.passModel(lp)
    if start is not None and not relax:
        solution = highspy.HighsSolution()
        solution.col_value = np.asarray(start, dtype=np.float64)
        solution.value_valid = True
        h.setSolution(solution)
    h.run()
    status = h.getModelStatus()
    name = h.modelStatusToString(status)
    info = h.getInfo()
    optimal = status == highspy.HighsModelStatus.kOptimal
    has_solution = info.primal_solution_status == 2  # kSolutionStatusFeasible
    x = np.asarray(h.getSolution().col_value, dtype=np.float64) if has_solution else None
    value = float(info.objective_function_value) if has_solution else math.nan
    if relax:  # the IPM optimum holds to 1e-8 relative; widen it so the bound stays safe
        margin = 1e-7 * max(1.0, abs(value))
        if optimal:
            bound = value + margin if maximize else value - margin
        else:
            bound = math.inf if maximize else -math.inf
    else:
        bound = float(info.mip_dual_bound)
        if optimal and not math.isfinite(bound):
            bound = value
    return _HighsOutcome(status=name, x=x, value=value, bound=bound, optimal=optimal)
