"""p-median with fixed existing libraries: minimise the weighted time to the nearest library.

Solved as described in :mod:`libpolis.plan.cover`: per-client caps, lazy greedy and vertex
substitution, a Lagrangian bound and heuristic, then the telescoped sparse model in HiGHS (or,
for a model too large, the candidates the Lagrangian solutions use, solved exactly).
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
from libpolis.plan._heuristics import _median_heuristic, _median_lagrangian
from libpolis.plan._matrix import _Costs, _costs_from_input, _existing_mask
from libpolis.plan.result import (
    _DEFAULT_EXACT_MAX_NONZEROS,
    _OPTIMAL_RTOL,
    Method,
    _gap,
    _LocationModel,
)
from libpolis.plan.times import _frame_inputs, straight_line_times

__all__ = ["PMedian"]


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
