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

The models live in :mod:`~libpolis.plan.mclp` and :mod:`~libpolis.plan.median`, their shared
result in :mod:`~libpolis.plan.result` and the straight-line inputs in
:mod:`~libpolis.plan.times`; this module gathers them.
"""

from __future__ import annotations

from libpolis.plan.mclp import MaximalCoverage
from libpolis.plan.median import PMedian
from libpolis.plan.result import NotSolvedError, PlanResult
from libpolis.plan.times import straight_line_times

__all__ = [
    "MaximalCoverage",
    "NotSolvedError",
    "PMedian",
    "PlanResult",
    "straight_line_times",
]
