"""Need weights: count residents in groups the city wants to reach first more than once."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from libpolis.errors import DataError, MissingColumnError

__all__ = ["group_gains", "need_weights", "target_groups"]

_CHILD_BANDS = ("IKA0_9", "IKA10_19")
_OLDER_BANDS = ("IKA70_79", "IKA_YLI80")
_SUPPRESSED = 99


def target_groups(pop: pd.DataFrame) -> pd.DataFrame:
    """Residents of the groups a city wants to reach first, per unit, where the data tells:
    ``low_income`` (the poorest fifth of residents by unit income), ``children`` (0-19) and
    ``older`` (70+) from HSY age bands (99 = suppressed counts as unknown)."""
    out = pd.DataFrame(index=pop.index)
    people = pop["population"].astype(float).fillna(0.0)
    income = pd.to_numeric(pop.get("income"), errors="coerce") if "income" in pop else None
    if income is not None and income.notna().any():
        known = income.notna()
        order = np.argsort(income[known].to_numpy(), kind="stable")
        cum = np.cumsum(people[known].to_numpy()[order])
        cut_pos = int(np.searchsorted(cum, 0.2 * cum[-1]))
        cut = income[known].to_numpy()[order][min(cut_pos, len(order) - 1)]
        out["low_income"] = np.where(known & (income <= cut), people, 0.0)
    attrs = pd.DataFrame(list(pop["attrs"].map(lambda a: a or {})), index=pop.index)
    for name, bands in (("children", _CHILD_BANDS), ("older", _OLDER_BANDS)):
        cols = [c for c in bands if c in attrs.columns]
        if cols:
            vals = attrs[cols].apply(pd.to_numeric, errors="coerce").astype(float)
            vals[vals == _SUPPRESSED] = np.nan
            out[name] = vals.fillna(0.0).sum(axis=1)
    return out


def need_weights(
    units: pd.DataFrame,
    *,
    population: str = "population",
    groups: Mapping[str, float],
) -> pd.Series:
    """Need-weighted residents per unit: ``population + sum_g (factor_g - 1) * count_g``.

    A resident in a group with factor 2 counts twice; one in two such groups (a child in a
    low-income household) three times.

    Parameters
    ----------
    units : DataFrame
        One row per population unit, with ``population`` and one count column per group
        (people in the group, e.g. ``children``, ``older``, ``low_income``).
    groups : mapping
        Group column -> factor (>= 1).

    Returns
    -------
    Series
        Weights in the row order of ``units`` (same index).
    """
    missing = [c for c in (population, *groups) if c not in units.columns]
    if missing:
        raise MissingColumnError(f"units lack column(s) {missing}; found {list(units.columns)}")
    weight = pd.to_numeric(units[population], errors="coerce").fillna(0.0).to_numpy(float)
    for col, factor in groups.items():
        if not factor >= 1:
            raise DataError(f"the factor of group {col!r} must be >= 1, got {factor!r}")
        count = pd.to_numeric(units[col], errors="coerce").fillna(0.0).to_numpy(float)
        if (count < 0).any():
            row = units.index[int(np.flatnonzero(count < 0)[0])]
            raise DataError(f"row {row!r}, column {col!r}: a count of people must be >= 0")
        weight = weight + (factor - 1.0) * count
    return pd.Series(weight, index=units.index, name="need_weight")


def _mean(people: np.ndarray, times: np.ndarray) -> float:
    """People-weighted mean of ``times`` (NaN when there are no people)."""
    total = float(people.sum())
    return float((people * times).sum() / total) if total > 0 else float("nan")


def group_gains(
    people: Mapping[str, np.ndarray], before: np.ndarray, after: np.ndarray, *, objective: str
) -> pd.DataFrame:
    """What a plan changes for each group of residents.

    Parameters
    ----------
    people : mapping of str to array
        Residents of each group per unit (``population`` first, then the target groups).
    before, after : array
        Per unit: covered (bool) before and after the plan for ``objective="coverage"``, or
        travel minutes for ``objective="median"``.

    Returns
    -------
    DataFrame
        Coverage: ``group, people, within_before, within_after, gained``. Median: ``group,
        people, mean_time_min_before, mean_time_min_after``.
    """
    rows = []
    for group, p in people.items():
        p = np.asarray(p, dtype=float)
        if objective == "coverage":
            b = float(p[np.asarray(before, bool)].sum())
            a = float(p[np.asarray(after, bool)].sum())
            rows.append({"group": group, "people": float(p.sum()), "within_before": b,
                         "within_after": a, "gained": a - b})  # fmt: skip
        else:
            rows.append({"group": group, "people": float(p.sum()),
                         "mean_time_min_before": _mean(p, np.asarray(before, float)),
                         "mean_time_min_after": _mean(p, np.asarray(after, float))})  # fmt: skip
    return pd.DataFrame(rows)
