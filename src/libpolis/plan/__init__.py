"""Planning: where new branches, mobile stops or longer hours reach the most residents.

- :mod:`~libpolis.plan.cover`: maximal coverage (MCLP) and p-median with existing libraries
  fixed, solved exactly (HiGHS on sparse models) or by heuristics with a proven bound;
- :mod:`~libpolis.plan.candidates`: candidate sites from OpenStreetMap or a city's file;
- :mod:`~libpolis.plan.scenarios`: closure impact, E2SFCA supply change, mobile stops;
- :mod:`~libpolis.plan.need`: need-weighted residents.
"""

from __future__ import annotations

from libpolis.plan.candidates import candidates_from_file, candidates_from_pbf
from libpolis.plan.cover import (
    MaximalCoverage,
    NotSolvedError,
    PlanResult,
    PMedian,
    straight_line_times,
)
from libpolis.plan.need import need_weights
from libpolis.plan.scenarios import closure_impact, mobile_stops, supply_change

__all__ = [
    "MaximalCoverage",
    "NotSolvedError",
    "PMedian",
    "PlanResult",
    "candidates_from_file",
    "candidates_from_pbf",
    "closure_impact",
    "mobile_stops",
    "need_weights",
    "straight_line_times",
    "supply_change",
]
