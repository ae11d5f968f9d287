"""Planning: where new branches, mobile stops or longer hours reach the most residents."""

from __future__ import annotations

from libpolis.plan.cover import MaximalCoverage, NotSolvedError, PlanResult, PMedian

__all__ = ["MaximalCoverage", "NotSolvedError", "PMedian", "PlanResult"]
