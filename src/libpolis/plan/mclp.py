"""Maximal covering location problem (MCLP) with fixed existing libraries.

Solved as described in :mod:`libpolis.plan.cover`: reduction (demand served by existing
libraries leaves the model, demand points with the same covering sites are merged), lazy greedy
and swaps with the submodular bound, a Lagrangian bound and heuristic, the LP bound and, on
small enough models, the HiGHS MIP.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from typing import Self

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse as sp

from libpolis.errors import DataError
from libpolis.plan import _highs
from libpolis.plan._heuristics import _mclp_heuristic, _mclp_lagrangian
from libpolis.plan._matrix import _Costs, _costs_from_input, _existing_mask
from libpolis.plan.result import (
    _DEFAULT_EXACT_MAX_NONZEROS,
    _OPTIMAL_RTOL,
    Method,
    _gap,
    _LocationModel,
    _row_min,
)
from libpolis.plan.times import _frame_inputs, straight_line_times

__all__ = ["MaximalCoverage"]


class MaximalCoverage(_LocationModel):
    r"""Maximal covering location problem (MCLP) with fixed existing libraries.

    Choose ``N`` new sites among the candidates so that the weight (residents, optionally
    need-weighted) within ``T`` minutes of an open library, existing ones included, is largest.

    .. math::

        \max \sum_{i \in I} a_i x_i
        \quad\text{s.t.}\quad
        x_i \le \sum_{j \in N_i} y_j \;\; \forall i, \qquad
        \sum_{j \in J \setminus E} y_j = N, \qquad
        y_j = 1 \;\; \forall j \in E, \qquad
        y_j \in \{0, 1\}, \; 0 \le x_i \le 1

    where :math:`a_i` is the weight of demand point :math:`i`, :math:`N_i = \{j : t_{ij} \le T\}`
    the sites that cover it, :math:`E` the existing libraries. In the solved model, demand points
    covered by :math:`E` are a constant, existing sites are removed, and demand points with the
    same :math:`N_i` are merged (their weights summed); :math:`x` may be continuous because
    :math:`y` is integral.
    """

    _objective = "coverage"

    def __init__(
        self, costs: _Costs, existing: np.ndarray, n_sites: int, within_min: float, name: str
    ) -> None:
        if not (isinstance(within_min, int | float) and within_min >= 0):
            raise DataError(f"within_min must be a number of minutes >= 0, got {within_min!r}")
        super().__init__(costs, existing, n_sites, name)
        self.within_min = float(within_min)

    @classmethod
    def from_cost_matrix(
        cls,
        costs: object,
        weights: object,
        *,
        within_min: float,
        n_sites: int,
        existing: object = None,
        sites: Sequence[object] | None = None,
        name: str = "mclp",
    ) -> MaximalCoverage:
        """Build the model from travel times.

        Parameters
        ----------
        costs : ndarray, scipy.sparse matrix or DataFrame
            Clients x sites times in minutes (dense: ``inf``/``nan`` = unreachable; sparse:
            absent = unreachable), or a long table with ``from_id, to_id, time_min``.
        weights : array-like or Series
            Demand weight of each client (residents, need-weighted residents); a Series indexed
            by client id for a long table.
        within_min : float
            Coverage standard ``T`` in minutes (a pair covers when ``time_min <= T``).
        n_sites : int
            Number ``N`` of new sites to choose (existing libraries are not counted).
        existing : bool array or list of site ids, optional
            Sites that are open whatever the choice (today's libraries).
        sites : sequence, optional
            Site ids in column order (default 0..n-1, or the order of ``to_id`` in a table).
        """
        c = _costs_from_input(costs, weights, sites=sites)
        return cls(c, _existing_mask(existing, c.site_ids, "existing"), n_sites, within_min, name)

    @classmethod
    def from_geodataframe(
        cls,
        demand: gpd.GeoDataFrame,
        sites: gpd.GeoDataFrame,
        *,
        weight_col: str,
        within_min: float,
        n_sites: int,
        speed_kph: float,
        existing_col: str | None = None,
        demand_id_col: str | None = None,
        site_id_col: str | None = None,
        name: str = "mclp",
    ) -> MaximalCoverage:
        """Build the model from points, with straight-line times at ``speed_kph`` (km/h).

        ``existing_col`` names a boolean column of ``sites`` marking today's libraries; ids come
        from the named columns or the frames' index.
        """
        times = straight_line_times(demand, sites, speed_kph=speed_kph, limit_min=within_min)
        weights, site_ids, existing = _frame_inputs(
            demand, sites, weight_col, existing_col, demand_id_col, site_id_col
        )
        return cls.from_cost_matrix(
            times,
            weights,
            within_min=within_min,
            n_sites=n_sites,
            existing=existing,
            sites=site_ids,
            name=name,
        )

    def solve(
        self,
        *,
        method: Method = "auto",
        time_limit_s: float = 60.0,
        gap_tol: float = 0.0,
        exact_max_nonzeros: int = _DEFAULT_EXACT_MAX_NONZEROS,
    ) -> Self:
        """Solve; returns ``self``. See the module docstring for the steps.

        Parameters
        ----------
        method : {"auto", "heuristic"}
            ``"heuristic"`` never runs the MIP (greedy, swaps and bounds only).
        time_limit_s : float
            Wall-time budget in seconds for the whole solve (HiGHS stops at it).
        gap_tol : float
            Stop once the relative gap is at most this (0: prove optimality).
        exact_max_nonzeros : int
            Largest sparse model (non-zeros) handed to the MIP solver.
        """
        started = time.perf_counter()
        deadline = started + time_limit_s
        c = self._costs
        m = c.matrix
        within = m.copy()
        within.data = (m.data <= self.within_min).astype(np.float64)
        within.eliminate_zeros()
        w = c.weights
        by_existing = np.asarray(within[:, self._existing].sum(axis=1)).ravel() > 0
        base = float(w[by_existing].sum())
        cand = np.flatnonzero(~self._existing)
        keep = ~by_existing & (w > 0)
        reduced = within[keep][:, cand].tocsr()
        reduced.eliminate_zeros()
        wk = w[keep]
        nonempty = np.diff(reduced.indptr) > 0
        cover, agg_w = _merge_identical_rows(reduced[nonempty], wk[nonempty])
        if self.n_sites == 0 or cover.shape[0] == 0:
            chosen = np.arange(self.n_sites)
            return self._finish(chosen, base, base, "trivial", "heuristic", started)
        integral = bool(np.all(agg_w == np.round(agg_w)))

        def tight(b: float) -> float:
            """With integer weights the optimum is an integer: round a bound down."""
            return math.floor(b + 1e-9 * max(1.0, abs(b))) if integral else b

        chosen, value, bound = _mclp_heuristic(cover, agg_w, self.n_sites, deadline)
        bound = tight(bound)
        method_used = "lazy greedy + swaps; online submodular bound"
        status = "heuristic"
        if _gap(value, bound) > max(gap_tol, _OPTIMAL_RTOL) and time.perf_counter() < deadline:
            lag_bound, lag_sets = _mclp_lagrangian(
                cover,
                agg_w,
                self.n_sites,
                value,
                started + 0.25 * time_limit_s,
                gap_tol,
                max_iter=1000,
            )
            bound = min(bound, tight(lag_bound))
            for lag_set in lag_sets:
                again, again_value, _ = _mclp_heuristic(
                    cover, agg_w, self.n_sites, deadline, start=lag_set
                )
                if again_value > value:
                    chosen, value = again, again_value
            method_used = "lazy greedy + Lagrangian heuristic + swaps; Lagrangian bound"
        model = None
        if _gap(value, bound) > max(gap_tol, _OPTIMAL_RTOL) and time.perf_counter() < deadline:
            model = _mclp_model(cover, agg_w, self.n_sites)
            if model["matrix"].nnz <= exact_max_nonzeros:
                out = _highs._solve(
                    **model,
                    maximize=True,
                    relax=True,
                    time_limit_s=deadline - time.perf_counter(),
                )
                if math.isfinite(out.bound) and tight(out.bound) < bound:
                    bound = tight(out.bound)
                    method_used += " and LP relaxation (HiGHS)"
        if (
            method == "auto"
            and _gap(value, bound) > max(gap_tol, _OPTIMAL_RTOL)
            and time.perf_counter() < deadline
        ):
            if model is None:
                model = _mclp_model(cover, agg_w, self.n_sites)
            if model["matrix"].nnz <= exact_max_nonzeros:
                start = np.zeros(cover.shape[1] + cover.shape[0])
                start[chosen] = 1.0
                start[cover.shape[1] :] = np.minimum(1.0, cover[:, chosen].sum(axis=1).A1)
                out = _highs._solve(
                    **model,
                    maximize=True,
                    time_limit_s=deadline - time.perf_counter(),
                    gap_tol=gap_tol,
                    start=start,
                )
                status = out.status
                if out.x is not None:
                    y = out.x[: cover.shape[1]]
                    mip_chosen = np.sort(np.argsort(-y, kind="stable")[: self.n_sites])
                    mip_value = float(agg_w[cover[:, mip_chosen].sum(axis=1).A1 > 0].sum())
                    if mip_value > value:
                        chosen, value = mip_chosen, mip_value
                if math.isfinite(out.bound):
                    bound = min(bound, tight(out.bound))
                method_used += ", then HiGHS MIP on the sparse model"
        bound = max(bound, value)
        return self._finish(chosen, base + value, base + bound, method_used, status, started)

    def client_table(self) -> pd.DataFrame:
        """Per client: ``weight``, ``covered_before`` (by existing), ``covered`` (after),
        nearest open ``site_id`` and its ``time_min`` (NaN if no open site is stored)."""
        best, arg = self._nearest_open()
        c = self._costs
        before_min, _ = _row_min(c.matrix[:, np.flatnonzero(self._existing)])
        site = pd.Series(pd.NA, index=range(len(arg)), dtype=object)
        site[arg >= 0] = list(c.site_ids[arg[arg >= 0]])
        return pd.DataFrame(
            {
                "client_id": c.client_ids,
                "weight": c.weights,
                "covered_before": before_min <= self.within_min,
                "covered": best <= self.within_min,
                "site_id": site.to_numpy(),
                "time_min": np.where(np.isfinite(best), best, np.nan),
            }
        )


def _merge_identical_rows(cover: sp.csr_matrix, w: np.ndarray) -> tuple[sp.csr_matrix, np.ndarray]:
    """Merge demand rows with the same set of covering columns, summing their weights."""
    cover = cover.tocsr()
    cover.sort_indices()
    ptr, idx = cover.indptr, cover.indices
    seen: dict[bytes, int] = {}
    group = np.empty(cover.shape[0], dtype=np.int64)
    for i in range(cover.shape[0]):
        key = idx[ptr[i] : ptr[i + 1]].tobytes()
        group[i] = seen.setdefault(key, len(seen))
    first = np.full(len(seen), -1, dtype=np.int64)
    first[group[::-1]] = np.arange(cover.shape[0])[::-1]
    merged = cover[first]
    merged.data = np.ones_like(merged.data)
    return merged.tocsr(), np.bincount(group, weights=w, minlength=len(seen))


def _mclp_model(cover: sp.csr_matrix, w: np.ndarray, n: int) -> dict:
    """Sparse MCLP: columns [y (candidates) | x (merged demand)].

    Rows: ``x_k - sum_{j in N_k} y_j <= 0`` per merged demand point, then ``sum y = n``.
    """
    k, c = cover.shape
    rows = sp.vstack(
        [
            sp.hstack([-cover, sp.identity(k, format="csr")]),
            sp.hstack([sp.csr_matrix(np.ones((1, c))), sp.csr_matrix((1, k))]),
        ]
    ).tocsc()
    return {
        "cost": np.concatenate([np.zeros(c), w]),
        "matrix": rows,
        "row_lower": np.concatenate([np.full(k, -np.inf), [n]]),
        "row_upper": np.concatenate([np.zeros(k), [n]]),
        "col_lower": np.zeros(c + k),
        "col_upper": np.ones(c + k),
        "integer": np.concatenate([np.ones(c, dtype=bool), np.zeros(k, dtype=bool)]),
    }
