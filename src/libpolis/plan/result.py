"""Results of a location model and the plumbing every model shares.

:class:`PlanResult` (what was chosen, its value, a proven bound and the gap),
:class:`NotSolvedError`, and the base class of :class:`~libpolis.plan.mclp.MaximalCoverage` and
:class:`~libpolis.plan.median.PMedian`: inputs, the fixed existing sites, the result and the
nearest open site of each client.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Literal, Self

import numpy as np
import scipy.sparse as sp

from libpolis.errors import DataError, LibpolisError
from libpolis.plan._matrix import _Costs

__all__ = ["Method", "NotSolvedError", "PlanResult"]

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
