"""Library statistics: the IFLA Library Map of the World indicators (:mod:`.lmw`) and peer
benchmarks (:mod:`.peers`). Pure functions of DataFrames, like the other analyses: they read
and write nothing."""

from __future__ import annotations

from libpolis.stats.lmw import INDICATORS, aggregate_indicators, code_status, system_indicators
from libpolis.stats.peers import (
    MEASURES,
    PeerRule,
    benchmark,
    peer_group,
    per_capita,
    percentile_rank,
)

__all__ = [
    "INDICATORS",
    "MEASURES",
    "PeerRule",
    "aggregate_indicators",
    "benchmark",
    "code_status",
    "peer_group",
    "per_capita",
    "percentile_rank",
    "system_indicators",
]
