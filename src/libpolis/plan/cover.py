"""Location-allocation: maximal coverage (MCLP) and p-median, with proof of quality.

Two layers, as in PySAL spopt: ``from_cost_matrix`` builds a model from travel times (a dense
array, a scipy.sparse matrix or a long ``from_id, to_id, time_min`` table) and
``from_geodataframe`` computes straight-line times between residents and sites and hands off.
``solve()`` returns the model and raises if no solution was found; the result says whether it is
proven optimal and its gap to a proven bound.

How a model is solved (``method="auto"``):

1. the instance is reduced: pairs beyond the cutoff are never stored, demand already served by
   the fixed (existing) libraries leaves the model, and for coverage, demand points with the
   same set of covering candidates are merged; for the median each client's time is capped
   (see :class:`PMedian`);
2. a lazy greedy (priority queue) then best-improvement swaps give a solution fast, with the
   submodular online bound (coverage);
3. a Lagrangian relaxation (subgradient) gives a bound (at best the LP bound) and, from
   its iterates, more starting points for the swaps (Lagrangian heuristic);
4. while the gap is above ``gap_tol`` and time remains: coverage takes the LP relaxation (HiGHS
   interior point) as bound; then, if the sparse model has at most ``exact_max_nonzeros``
   non-zeros, HiGHS solves the mixed-integer programme started from the best solution until
   proven optimal or out of time, and its dual bound is kept. A median model too large for
   that is solved exactly on the candidates the Lagrangian solutions use (a feasible choice, so
   only the solution can improve; the bound stays the Lagrangian one).

``method="heuristic"`` stops after step 3 (coverage also takes the LP bound). Every result
says whether it is proven optimal, and its gap.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Self

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.spatial import cKDTree

from libpolis.errors import DataError, LibpolisError, MissingColumnError
from libpolis.plan import _highs
from libpolis.plan._heuristics import (
    _mclp_heuristic,
    _mclp_lagrangian,
    _median_heuristic,
    _median_lagrangian,
)
from libpolis.plan._matrix import _Costs, _costs_from_input, _existing_mask

__all__ = [
    "MaximalCoverage",
    "NotSolvedError",
    "PMedian",
    "PlanResult",
    "straight_line_times",
]

Method = Literal["auto", "heuristic"]
_OPTIMAL_RTOL = 1e-6
_DEFAULT_EXACT_MAX_NONZEROS = 500_000


class NotSolvedError(LibpolisError, RuntimeError):
    """A model was asked for results before ``solve()`` found a solution."""

    status = 409


@dataclass(frozen=True)
class PlanResult:
    """The outcome of a location model.

    Attributes
    ----------
    objective : {"coverage", "median"}
    selected : tuple
        Ids of the new sites chosen (in site order).
    existing : tuple
        Ids of the fixed sites (existing libraries), always open.
    value : float
        Coverage: weight (residents) within the cutoff of an open site, existing included.
        Median: sum of weight x minutes to the nearest open site (resident-minutes).
    bound : float
        A proven bound on the best possible value (upper for coverage, lower for median).
    gap : float
        ``|value - bound| / |bound|`` (0 when both are 0).
    proven_optimal : bool
        True when the gap is within the solver tolerance (relative 1e-6).
    method : str
        How the solution and the bound were obtained.
    status : str
        The HiGHS status of the last solver call, or ``"heuristic"``.
    runtime_s : float
        Wall time of ``solve()`` in seconds.
    """

    objective: str
    selected: tuple
    existing: tuple
    value: float
    bound: float
    gap: float
    proven_optimal: bool
    method: str
    status: str
    runtime_s: float


def _gap(value: float, bound: float) -> float:
    if bound == value:
        return 0.0
    if bound == 0.0 or not math.isfinite(bound):
        return math.inf
    return abs(value - bound) / abs(bound)


def straight_line_times(
    origins: gpd.GeoDataFrame,
    destinations: gpd.GeoDataFrame,
    *,
    speed_kph: float,
    limit_min: float | None = None,
) -> sp.csr_matrix:
    """Straight-line travel times (minutes) in a local UTM CRS, as a sparse origins x sites matrix.

    Parameters
    ----------
    origins, destinations : GeoDataFrame
        Points (other geometries use their centroid), same CRS, set.
    speed_kph : float
        Travel speed in km/h (walking is about 4.5, cycling 15).
    limit_min : float, optional
        Store only pairs within this many minutes (all pairs when None).

    Returns
    -------
    scipy.sparse.csr_matrix
        ``time_min`` for stored pairs; absent pairs are beyond ``limit_min``. Zero times are
        stored explicitly.
    """
    for name, frame in (("origins", origins), ("destinations", destinations)):
        if frame.crs is None:
            raise DataError(f"{name} have no CRS; set one (e.g. EPSG:4326)")
    if origins.crs != destinations.crs:
        raise DataError(f"CRS differ: origins {origins.crs}, destinations {destinations.crs}")
    if not speed_kph > 0:
        raise DataError(f"speed_kph must be > 0, got {speed_kph!r}")
    utm = origins.estimate_utm_crs() if len(origins) else destinations.estimate_utm_crs()
    a = _xy(origins.to_crs(utm))
    b = _xy(destinations.to_crs(utm))
    metres_per_min = speed_kph * 1000.0 / 60.0
    if limit_min is None:
        d = np.sqrt(((a[:, None, :] - b[None, :, :]) ** 2).sum(axis=2))
        rows, cols = np.indices(d.shape)
        data, rows, cols = d.ravel(), rows.ravel(), cols.ravel()
    else:
        pairs = cKDTree(a).sparse_distance_matrix(
            cKDTree(b), limit_min * metres_per_min, output_type="ndarray"
        )
        rows, cols, data = pairs["i"], pairs["j"], pairs["v"]  # zero distances are kept
    m = sp.csr_matrix(
        (data / metres_per_min, (rows, cols)), shape=(len(a), len(b)), dtype=np.float64
    )
    m.sort_indices()
    return m


def _xy(frame: gpd.GeoDataFrame) -> np.ndarray:
    geom = frame.geometry
    if not (geom.geom_type == "Point").all():
        geom = geom.centroid
    if geom.is_empty.any() or geom.isna().any():
        raise DataError("some geometries are empty or missing")
    return np.column_stack([geom.x.to_numpy(), geom.y.to_numpy()])


class _LocationModel:
    """Shared plumbing: inputs, candidates, results."""

    _objective = ""

    def __init__(self, costs: _Costs, existing: np.ndarray, n_sites: int, name: str) -> None:
        self.name = name
        self._costs = costs
        self._existing = existing
        candidates = int((~existing).sum())
        if not isinstance(n_sites, int | np.integer) or n_sites < 0:
            raise DataError(f"the number of new sites must be an integer >= 0, got {n_sites!r}")
        if n_sites > candidates:
            raise DataError(
                f"asked for {n_sites} new sites but there are only {candidates} candidate sites"
                f" ({int(existing.sum())} existing libraries are fixed and not counted)"
            )
        self.n_sites = int(n_sites)
        self._result: PlanResult | None = None
        self._chosen: np.ndarray | None = None  # positions among all sites

    @property
    def result(self) -> PlanResult:
        """The :class:`PlanResult`; raises :class:`NotSolvedError` before ``solve()``."""
        if self._result is None:
            raise NotSolvedError(f"model {self.name!r} has not been solved; call solve() first")
        return self._result

    @property
    def open_mask(self) -> np.ndarray:
        """Boolean mask over all sites: existing libraries and chosen sites."""
        self.result  # noqa: B018 - raises if not solved
        mask = self._existing.copy()
        mask[self._chosen] = True
        return mask

    def _finish(
        self,
        chosen_cand: np.ndarray,
        value: float,
        bound: float,
        method: str,
        status: str,
        started: float,
    ) -> Self:
        cand = np.flatnonzero(~self._existing)
        self._chosen = np.sort(cand[np.asarray(chosen_cand, dtype=np.int64)])
        gap = _gap(value, bound)
        sign = 1.0 if self._objective == "coverage" else -1.0
        proven = sign * (bound - value) <= _OPTIMAL_RTOL * max(1.0, abs(bound))
        self._result = PlanResult(
            objective=self._objective,
            selected=tuple(self._costs.site_ids[self._chosen]),
            existing=tuple(self._costs.site_ids[self._existing]),
            value=float(value),
            bound=float(bound),
            gap=0.0 if proven and gap < _OPTIMAL_RTOL else gap,
            proven_optimal=bool(proven),
            method=method,
            status=status,
            runtime_s=time.perf_counter() - started,
        )
        return self

    def _nearest_open(self) -> tuple[np.ndarray, np.ndarray]:
        """Per client: time to the nearest open site (inf if none stored) and its position."""
        open_pos = np.flatnonzero(self.open_mask)
        best, arg = _row_min(self._costs.matrix[:, open_pos])
        return best, np.where(arg >= 0, open_pos[np.maximum(arg, 0)], -1)


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


def _row_min(m: sp.spmatrix) -> tuple[np.ndarray, np.ndarray]:
    """Per row: smallest stored value (inf if none) and its column (-1); ties: lowest column."""
    m = sp.csr_matrix(m)
    best = np.full(m.shape[0], np.inf)
    arg = np.full(m.shape[0], -1, dtype=np.int64)
    if m.nnz:
        rows = np.repeat(np.arange(m.shape[0]), np.diff(m.indptr))
        order = np.lexsort((m.indices, m.data, rows))
        first = np.ones(order.size, dtype=bool)
        first[1:] = rows[order][1:] != rows[order][:-1]
        pick = order[first]
        best[rows[pick]] = m.data[pick]
        arg[rows[pick]] = m.indices[pick]
    return best, arg


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


class PMedian(_LocationModel):
    r"""p-median with fixed existing libraries: minimise weighted time to the nearest library.

    Choose ``N`` new sites so that :math:`\sum_i a_i \min_{j \text{ open}} t_{ij}` is smallest,
    existing libraries :math:`E` always open. Pairs that are not stored (beyond a cutoff) are not
    usable; a client whose nearest open site is not stored costs ``unreachable_min``.

    Each client's time is capped at :math:`c_i = \min(t_{iE}, M, t_i^{(|J|-N+1)})`: the time to
    its nearest existing library, the penalty :math:`M` and, when the client reaches at least
    :math:`|J|-N+1` candidates, the :math:`(|J|-N+1)`-th smallest candidate time (any ``N``
    candidates include one of those). Only candidate times below the cap enter the model. With
    the distinct times :math:`D_i^1 < \dots < D_i^{K_i} = c_i` the sparse (Elloumi-type,
    telescoped) formulation is

    .. math::

        \min \sum_i a_i \Big(D_i^1 + \sum_{k<K_i} (D_i^{k+1} - D_i^k)\, z_i^k\Big)
        \quad\text{s.t.}\quad
        z_i^k - z_i^{k-1} + \sum_{j: t_{ij} = D_i^k} y_j \ge 0, \;\; z_i^0 = 1, \qquad
        \sum_{j \notin E} y_j = N, \;\; y_j \in \{0,1\}, \;\; 0 \le z_i^k \le 1

    where :math:`z_i^k = 1` means client :math:`i` has no open site within :math:`D_i^k`. It has
    one non-zero per stored pair and the LP bound of the classical formulation. The heuristic's
    bound is the Lagrangian relaxation of the classical assignment constraints.
    """

    _objective = "median"

    def __init__(
        self,
        costs: _Costs,
        existing: np.ndarray,
        n_sites: int,
        unreachable_min: float | None,
        name: str,
    ) -> None:
        if unreachable_min is not None and not unreachable_min >= 0:
            raise DataError(f"unreachable_min must be >= 0 minutes, got {unreachable_min!r}")
        super().__init__(costs, existing, n_sites, name)
        self.unreachable_min = unreachable_min

    @classmethod
    def from_cost_matrix(
        cls,
        costs: object,
        weights: object,
        *,
        n_sites: int,
        existing: object = None,
        sites: Sequence[object] | None = None,
        unreachable_min: float | None = None,
        name: str = "p-median",
    ) -> PMedian:
        """Build the model from travel times (see :meth:`MaximalCoverage.from_cost_matrix`).

        ``unreachable_min`` is the cost in minutes of a client with no stored pair to an open
        site; without it every client must be served whatever the choice (it reaches an
        existing library, or at least ``|J| - N + 1`` candidates).
        """
        c = _costs_from_input(costs, weights, sites=sites)
        return cls(
            c, _existing_mask(existing, c.site_ids, "existing"), n_sites, unreachable_min, name
        )

    @classmethod
    def from_geodataframe(
        cls,
        demand: gpd.GeoDataFrame,
        sites: gpd.GeoDataFrame,
        *,
        weight_col: str,
        n_sites: int,
        speed_kph: float,
        existing_col: str | None = None,
        demand_id_col: str | None = None,
        site_id_col: str | None = None,
        limit_min: float | None = None,
        unreachable_min: float | None = None,
        name: str = "p-median",
    ) -> PMedian:
        """Build the model from points, with straight-line times at ``speed_kph`` (km/h).

        ``limit_min`` keeps only pairs within that time (then pass ``unreachable_min``).
        """
        times = straight_line_times(demand, sites, speed_kph=speed_kph, limit_min=limit_min)
        weights, site_ids, existing = _frame_inputs(
            demand, sites, weight_col, existing_col, demand_id_col, site_id_col
        )
        return cls.from_cost_matrix(
            times,
            weights,
            n_sites=n_sites,
            existing=existing,
            sites=site_ids,
            unreachable_min=unreachable_min,
            name=name,
        )

    def _capped(self) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray]:
        """(candidate times below cap for clients with weight, their caps, their weights)."""
        c = self._costs
        w = c.weights
        m = c.matrix
        exist = m[:, self._existing].tocsr()
        cap = np.full(m.shape[0], np.inf)
        if exist.nnz:
            rows = np.repeat(np.arange(m.shape[0]), np.diff(exist.indptr))
            np.minimum.at(cap, rows, exist.data)
        if self.unreachable_min is not None:
            cap = np.minimum(cap, self.unreachable_min)
        cand = np.flatnonzero(~self._existing)
        cm = m[:, cand].tocsr()
        k = len(cand) - self.n_sites + 1
        counts = np.diff(cm.indptr)
        if self.n_sites > 0:
            rows = np.repeat(np.arange(m.shape[0]), counts)
            order = np.lexsort((cm.data, rows))
            rank = np.arange(order.size) - np.repeat(cm.indptr[:-1], counts)
            pick = order[rank == k - 1]
            kth = np.full(m.shape[0], np.inf)
            kth[rows[pick]] = cm.data[pick]
            cap = np.minimum(cap, kth)
        keep = w > 0
        bad = np.flatnonzero(keep & ~np.isfinite(cap))
        if bad.size:
            i = bad[0]
            raise DataError(
                f"client {c.client_ids[i]!r} reaches no existing library and only {counts[i]} of"
                f" {len(cand)} candidate sites, so some choices leave it unserved; pass"
                " unreachable_min (the minutes to charge for an unserved client)"
            )
        cap = np.where(keep, cap, 0.0)
        rows = np.repeat(np.arange(m.shape[0]), counts)
        below = cm.data < cap[rows]
        near = sp.csr_matrix((cm.data[below], (rows[below], cm.indices[below])), shape=cm.shape)
        near.sort_indices()
        return near, cap, w

    def solve(
        self,
        *,
        method: Method = "auto",
        time_limit_s: float = 60.0,
        gap_tol: float = 0.0,
        exact_max_nonzeros: int = _DEFAULT_EXACT_MAX_NONZEROS,
    ) -> Self:
        """Solve; returns ``self`` (parameters as in :meth:`MaximalCoverage.solve`)."""
        started = time.perf_counter()
        deadline = started + time_limit_s
        near, cap, w = self._capped()
        if self.n_sites == 0 or near.nnz == 0:
            value = float((w * cap).sum())
            return self._finish(
                np.arange(self.n_sites), value, value, "trivial", "heuristic", started
            )
        chosen, value = _median_heuristic(near, w, cap, self.n_sites, deadline)
        exact = method == "auto" and 3 * near.nnz <= exact_max_nonzeros
        bound, lag_sets, attractive = _median_lagrangian(
            near,
            w,
            cap,
            self.n_sites,
            value,
            started + time_limit_s * (0.4 if exact else 0.8),
            gap_tol,
            max_iter=300 if exact else 5000,  # small models: the MIP closes the gap faster
            keep=60,
        )
        for lag_set in lag_sets[:3]:
            if _gap(value, bound) <= max(gap_tol, _OPTIMAL_RTOL):
                break
            again, again_value = _median_heuristic(
                near, w, cap, self.n_sites, deadline, start=lag_set
            )
            if again_value < value:
                chosen, value = again, again_value
        method_used = "lazy greedy + Lagrangian heuristic + vertex substitution; Lagrangian bound"
        status = "heuristic"
        if (
            not exact
            and method == "auto"
            and _gap(value, bound) > max(gap_tol, _OPTIMAL_RTOL)
            and time.perf_counter() < deadline - 1.0
        ):
            better = self._restricted_solve(
                [*lag_sets, attractive], chosen, deadline, gap_tol, exact_max_nonzeros
            )
            if better is not None:
                better_value = _median_value(near, w, cap, better)
                if better_value < value:
                    chosen, value = better, better_value
                method_used += "; then the sites of the Lagrangian solutions solved exactly"
        if (
            exact
            and _gap(value, bound) > max(gap_tol, _OPTIMAL_RTOL)
            and time.perf_counter() < deadline
        ):
            model, start = _median_model(near, w, cap, self.n_sites, chosen)
            if model["matrix"].nnz <= exact_max_nonzeros:
                out = _highs._solve(
                    **model,
                    maximize=False,
                    time_limit_s=deadline - time.perf_counter(),
                    gap_tol=gap_tol,
                    start=start,
                )
                status = out.status
                if out.x is not None:
                    y = out.x[: near.shape[1]]
                    mip_chosen = np.sort(np.argsort(-y, kind="stable")[: self.n_sites])
                    mip_value = _median_value(near, w, cap, mip_chosen)
                    if mip_value < value:
                        chosen, value = mip_chosen, mip_value
                if math.isfinite(out.bound):
                    bound = max(bound, out.bound)
                method_used += ", then HiGHS MIP on the sparse model"
        bound = min(bound, value)
        return self._finish(chosen, value, bound, method_used, status, started)

    def _restricted_solve(
        self,
        lag_sets: list[np.ndarray],
        chosen: np.ndarray,
        deadline: float,
        gap_tol: float,
        exact_max_nonzeros: int,
    ) -> np.ndarray | None:
        """Best choice among the candidates used by the Lagrangian solutions (a smaller model
        solved the same way); candidate positions, or None if nothing smaller to solve."""
        union = np.unique(np.concatenate([*lag_sets, chosen]))
        n_cand = int((~self._existing).sum())
        if union.size <= self.n_sites or union.size >= n_cand:
            return None
        cand = np.flatnonzero(~self._existing)
        cols = np.concatenate([cand[union], np.flatnonzero(self._existing)])
        c = self._costs
        sub_costs = _Costs(
            matrix=c.matrix[:, cols].tocsr(),
            client_ids=c.client_ids,
            site_ids=pd.RangeIndex(len(cols)),
            weights=c.weights,
        )
        sub_existing = np.arange(len(cols)) >= union.size
        sub = PMedian(sub_costs, sub_existing, self.n_sites, self.unreachable_min, self.name)
        sub.solve(
            time_limit_s=max(deadline - time.perf_counter(), 0.1),
            gap_tol=gap_tol,
            exact_max_nonzeros=exact_max_nonzeros,
        )
        return np.sort(union[sub._chosen])

    def client_table(self) -> pd.DataFrame:
        """Per client: ``weight``, assigned open ``site_id`` and ``time_min`` (the time charged:
        ``unreachable_min`` with no site when none is stored)."""
        best, arg = self._nearest_open()
        c = self._costs
        site = pd.Series(pd.NA, index=range(len(arg)), dtype=object)
        site[arg >= 0] = list(c.site_ids[arg[arg >= 0]])
        charged = best.copy()
        if self.unreachable_min is not None:
            over = charged > self.unreachable_min
            charged[over] = self.unreachable_min
            site[over] = pd.NA
        return pd.DataFrame(
            {
                "client_id": c.client_ids,
                "weight": c.weights,
                "site_id": site.to_numpy(),
                "time_min": np.where(np.isfinite(charged), charged, np.nan),
            }
        )


def _median_value(near: sp.csr_matrix, w: np.ndarray, cap: np.ndarray, chosen: np.ndarray) -> float:
    sub = near[:, chosen].tocsr()
    best = cap.copy()
    rows = np.repeat(np.arange(sub.shape[0]), np.diff(sub.indptr))
    np.minimum.at(best, rows, sub.data)
    return float((w * best).sum())


def _median_model(
    near: sp.csr_matrix, w: np.ndarray, cap: np.ndarray, n: int, chosen: np.ndarray
) -> tuple[dict, np.ndarray]:
    """Telescoped sparse p-median model and a start vector for ``chosen``."""
    n_cli, n_cand = near.shape
    rows = np.repeat(np.arange(n_cli), np.diff(near.indptr))
    order = np.lexsort((near.indices, near.data, rows))
    r, j, d = rows[order], near.indices[order], near.data[order]
    new_client = np.ones(r.size, dtype=bool)
    new_client[1:] = r[1:] != r[:-1]
    new_level = new_client.copy()
    new_level[1:] |= d[1:] != d[:-1]
    level_id = np.cumsum(new_level) - 1  # one z variable and one row per (client, level)
    n_lvl = int(new_level.sum())
    lvl_client = r[new_level]
    lvl_time = d[new_level]
    nxt = np.empty(n_lvl)
    nxt[:-1] = lvl_time[1:]
    last = np.ones(n_lvl, dtype=bool)
    last[:-1] = lvl_client[1:] != lvl_client[:-1]
    nxt[last] = cap[lvl_client[last]]
    first_lvl = np.ones(n_lvl, dtype=bool)
    first_lvl[1:] = lvl_client[1:] != lvl_client[:-1]
    z_cost = w[lvl_client] * (nxt - lvl_time)
    has = np.zeros(n_cli, dtype=bool)
    has[lvl_client] = True
    offset = float((w * cap)[~has].sum() + (w[lvl_client] * lvl_time)[first_lvl].sum())
    # rows: per level z_k - z_{k-1} + sum y (level) >= [k == first]; then sum y = n
    y_part = sp.csr_matrix((np.ones(r.size), (level_id, j)), shape=(n_lvl, n_cand))
    lv = np.arange(n_lvl)
    prev = lv[~first_lvl]
    z_part = sp.csr_matrix(
        (
            np.concatenate([np.ones(n_lvl), -np.ones(prev.size)]),
            (np.concatenate([lv, prev]), np.concatenate([lv, prev - 1])),
        ),
        shape=(n_lvl, n_lvl),
    )
    matrix = sp.vstack(
        [
            sp.hstack([y_part, z_part]),
            sp.hstack([sp.csr_matrix(np.ones((1, n_cand))), sp.csr_matrix((1, n_lvl))]),
        ]
    ).tocsc()
    model = {
        "cost": np.concatenate([np.zeros(n_cand), z_cost]),
        "matrix": matrix,
        "row_lower": np.concatenate([first_lvl.astype(np.float64), [n]]),
        "row_upper": np.concatenate([np.full(n_lvl, np.inf), [n]]),
        "col_lower": np.zeros(n_cand + n_lvl),
        "col_upper": np.ones(n_cand + n_lvl),
        "integer": np.concatenate([np.ones(n_cand, dtype=bool), np.zeros(n_lvl, dtype=bool)]),
        "offset": offset,
    }
    is_open = np.zeros(n_cand, dtype=bool)
    is_open[chosen] = True
    open_level = np.zeros(n_lvl, dtype=np.int64)
    np.add.at(open_level, level_id, is_open[j])
    # z = 1 until (and excluding) the first level of the client holding an open site
    served = np.zeros(n_lvl, dtype=np.int64)
    starts = np.flatnonzero(first_lvl)
    cum = np.cumsum(open_level)
    base = np.repeat(cum[starts] - open_level[starts], np.diff(np.append(starts, n_lvl)))
    served = cum - base
    start = np.concatenate([is_open.astype(np.float64), (served == 0).astype(np.float64)])
    return model, start


def _frame_inputs(
    demand: gpd.GeoDataFrame,
    sites: gpd.GeoDataFrame,
    weight_col: str,
    existing_col: str | None,
    demand_id_col: str | None,
    site_id_col: str | None,
) -> tuple[pd.Series, list, np.ndarray | None]:
    for frame, label, cols in (
        (demand, "demand", [weight_col, demand_id_col]),
        (sites, "sites", [existing_col, site_id_col]),
    ):
        missing = [c for c in cols if c is not None and c not in frame.columns]
        if missing:
            raise MissingColumnError(
                f"{label} lacks column(s) {missing}; found {list(frame.columns)}"
            )
    demand_ids = demand[demand_id_col] if demand_id_col else demand.index
    weights = pd.Series(
        pd.to_numeric(demand[weight_col], errors="coerce").to_numpy(dtype=np.float64),
        index=pd.Index(demand_ids),
    )
    site_ids = list(sites[site_id_col] if site_id_col else sites.index)
    existing = None
    if existing_col is not None:
        existing = sites[existing_col].fillna(False).astype(bool).to_numpy()
    return weights, site_ids, existing
