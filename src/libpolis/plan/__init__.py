"""Planning: where new branches, mobile stops or longer hours reach the most residents.

- :mod:`~libpolis.plan.cover`: maximal coverage (MCLP, :mod:`~libpolis.plan.mclp`) and
  p-median (:mod:`~libpolis.plan.median`) with existing libraries fixed, solved exactly (HiGHS
  on sparse models) or by heuristics with a proven bound; their :mod:`~libpolis.plan.result`
  and straight-line :mod:`~libpolis.plan.times`;
- :mod:`~libpolis.plan.scenarios`: closure impact, E2SFCA supply change, mobile stops;
- :mod:`~libpolis.plan.need`: need-weighted residents.

Candidate sites are read by :mod:`libpolis.sources.candidates` (an import, not an analysis).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

#: Where each public name lives; loaded on first use, so that an access run, which needs only
#: :mod:`~libpolis.plan.quick`, does not load the solvers (PEP 562 module ``__getattr__``).
_LAZY = {
    "MaximalCoverage": "cover",
    "NotSolvedError": "cover",
    "PMedian": "cover",
    "PlanResult": "cover",
    "straight_line_times": "cover",
    "need_weights": "need",
    "closure_impact": "scenarios",
    "mobile_stops": "scenarios",
    "supply_change": "scenarios",
}

if TYPE_CHECKING:
    from libpolis.plan.cover import (
        MaximalCoverage,
        NotSolvedError,
        PlanResult,
        PMedian,
        straight_line_times,
    )
    from libpolis.plan.need import need_weights
    from libpolis.plan.scenarios import closure_impact, mobile_stops, supply_change


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(f"libpolis.plan.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'libpolis.plan' has no attribute {name!r}")


__all__ = [
    "MaximalCoverage",
    "NotSolvedError",
    "PMedian",
    "PlanResult",
    "closure_impact",
    "mobile_stops",
    "need_weights",
    "straight_line_times",
    "supply_change",
]
