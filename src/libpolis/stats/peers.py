"""Peer benchmarks: a library system against the systems most like it.

Peers are the other systems that pass every test of a :class:`PeerRule`:

- **population served** within a factor ``f`` of the subject's (``pop / f <= peer <= pop * f``;
  ``f = 0`` leaves it out);
- **locale**: the same NCES locale code (``exact``, e.g. 21 suburb-large), the same locale
  family (``group``: 1x city, 2x suburb, 3x town, 4x rural), or any (``any``);
- **budget per capita** (operating expenditure / population) within a factor ``b`` of the
  subject's (``b = 0`` leaves it out).

For each measure per capita (visits, loans, programmes per 1,000 residents, programme
attendance per capita, budget per capita) the subject's **percentile** among the peers that
report it is ``100 * (below + equal / 2) / n`` — the share of peers below the subject, counting
ties as half (``scipy.stats.percentileofscore(..., kind="mean")``); the peers' quartiles are
``numpy.percentile`` with linear interpolation. Peers whose figure is a code (missing,
closed, suppressed) are left out of that measure and counted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from libpolis.errors import DataError

__all__ = ["LOCALE_RULES", "MEASURES", "PeerRule", "benchmark", "peer_group", "per_capita",
           "percentile_rank"]  # fmt: skip

#: measure -> (numerator column, scale, unit)
MEASURES: dict[str, tuple[str, float, str]] = {
    "visits_per_capita": ("visits", 1.0, "visits per resident"),
    "loans_per_capita": ("loans", 1.0, "loans per resident"),
    "programmes_per_1000": ("programmes", 1000.0, "programmes per 1,000 residents"),
    "attendance_per_capita": ("attendance", 1.0, "attendances per resident"),
    "budget_per_capita": ("expenditure", 1.0, "operating expenditure per resident"),
}
LOCALE_RULES: tuple[str, ...] = ("exact", "group", "any")


@dataclass(frozen=True)
class PeerRule:
    """How peers are chosen (see the module docstring)."""

    population_factor: float = 2.0
    locale: str = "group"
    budget_factor: float = 0.0

    def __post_init__(self) -> None:
        if self.locale not in LOCALE_RULES:
            raise DataError(f"locale rule {self.locale!r}: choose {', '.join(LOCALE_RULES)}")
        for name in ("population_factor", "budget_factor"):
            v = getattr(self, name)
            if not (v == 0 or v >= 1):
                raise DataError(f"{name} must be 0 (not used) or at least 1, not {v:g}")

    def describe(self) -> str:
        """The rule in words."""
        parts = []
        if self.population_factor:
            parts.append(f"population served within x{self.population_factor:g} of the subject's")
        if self.locale == "exact":
            parts.append("the same locale code")
        elif self.locale == "group":
            parts.append("the same locale family (city, suburb, town, rural)")
        if self.budget_factor:
            parts.append(f"budget per capita within x{self.budget_factor:g} of the subject's")
        return "; ".join(parts) or "every other system"


def per_capita(table: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``table`` with one column per :data:`MEASURES` (``NaN`` where the figure or
    the population is not reported or the population is not positive)."""
    out = table.copy()
    pop = out["population"].astype(float)
    pop = pop.where(pop > 0)
    for name, (col, scale, _unit) in MEASURES.items():
        num = out[col].astype(float) if col in out.columns else pd.Series(np.nan, index=out.index)
        out[name] = scale * num / pop
    return out


def _within(values: pd.Series, centre: float, factor: float) -> pd.Series:
    if not factor:
        return pd.Series(True, index=values.index)
    if not np.isfinite(centre) or centre <= 0:
        return pd.Series(False, index=values.index)
    return (values >= centre / factor) & (values <= centre * factor)


def peer_group(table: pd.DataFrame, subject: str, rule: PeerRule) -> pd.DataFrame:
    """The peers of system ``subject`` under ``rule`` (the subject itself excluded), with the
    per-capita measures. ``table`` has ``system_id, population, locale`` and the measure
    columns of :func:`per_capita` (it is computed here when absent)."""
    data = table if "visits_per_capita" in table.columns else per_capita(table)
    ids = data["system_id"].astype(str)
    if (ids == subject).sum() != 1:
        raise DataError(f"system {subject!r} is not in the table (or is there twice)")
    me = data[ids == subject].iloc[0]
    others = data[ids != subject]
    for factor, col, opt in (
        (rule.population_factor, "population", "--population-factor"),
        (rule.budget_factor, "budget_per_capita", "--budget-factor"),
    ):
        if factor and not float(me[col]) > 0:
            raise DataError(f"system {subject!r} reports no {col.replace('_', ' ')}; use {opt} 0")
    keep = _within(others["population"].astype(float), float(me["population"]),
                   rule.population_factor)  # fmt: skip
    if rule.locale != "any":
        loc = others["locale"].astype(float)
        mine = float(me["locale"])
        if not np.isfinite(mine):
            raise DataError(f"system {subject!r} has no locale; use the locale rule 'any'")
        keep &= (loc == mine) if rule.locale == "exact" else (loc // 10 == mine // 10)
    keep &= _within(others["budget_per_capita"].astype(float), float(me["budget_per_capita"]),
                    rule.budget_factor)  # fmt: skip
    return others[keep.to_numpy()].reset_index(drop=True)


def percentile_rank(values: Sequence[float] | np.ndarray, score: float) -> float:
    """``100 * (below + equal / 2) / n`` of ``score`` among ``values`` (NaN when empty)."""
    v = np.asarray(values, dtype=float)
    v = v[~np.isnan(v)]
    if not len(v) or not np.isfinite(score):
        return float("nan")
    return float(100.0 * ((v < score).sum() + 0.5 * (v == score).sum()) / len(v))


def benchmark(table: pd.DataFrame, subject: str, rule: PeerRule) -> pd.DataFrame:
    """The subject against its peers, one row per measure: ``measure, unit, value, peers,
    peers_reporting, percentile, peer_p25, peer_median, peer_p75, rank, rule``. ``rank`` is
    1 for the highest value among the subject and the reporting peers."""
    data = per_capita(table)
    me = data[data["system_id"].astype(str) == subject]
    peers = peer_group(data, subject, rule)
    rows = []
    for name, (_col, _scale, unit) in MEASURES.items():
        mine = float(me[name].iloc[0])
        vals = peers[name].to_numpy(float)
        vals = vals[~np.isnan(vals)]
        q = np.percentile(vals, [25, 50, 75]) if len(vals) else [np.nan] * 3
        rows.append(
            {
                "measure": name,
                "unit": unit,
                "value": mine,
                "peers": len(peers),
                "peers_reporting": len(vals),
                "percentile": percentile_rank(vals, mine),
                "peer_p25": float(q[0]),
                "peer_median": float(q[1]),
                "peer_p75": float(q[2]),
                "rank": int((vals > mine).sum() + 1) if np.isfinite(mine) else None,
                "rule": rule.describe(),
            }
        )
    return pd.DataFrame(rows)
