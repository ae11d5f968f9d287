"""Coverage: the share of residents within a travel time (or distance) of a library.

Every function takes one value per population unit (a grid cell, a block group, a
resident point) -- the travel time in minutes to the nearest library, or the straight-line
distance in metres -- and, optionally, the number of residents of each unit. Shares are
population-weighted: a unit of 300 residents counts 300 times.

A unit counts as *covered* by a threshold ``T`` when its value is ``<= T`` (the threshold is
inclusive). A unit whose value is ``NaN`` or ``+inf`` is *unreachable* (no library can be
reached on the network, or none lies within the search radius): it is never covered, and the
residents concerned are reported in ``unreachable_pop`` rather than dropped.

The ``unit`` argument only names columns: ``"min"`` gives ``threshold_min``, ``"m"`` gives
``threshold_m``. The functions are unit-agnostic otherwise; do not mix units in one call.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from libpolis.errors import DataError

__all__ = [
    "coverage",
    "coverage_by_band",
    "coverage_by_group",
    "coverage_curve",
    "income_quantiles",
    "residents_by_facility",
]

Unit = Literal["min", "m"]
ArrayLike = npt.ArrayLike


def _unit_suffix(unit: str) -> str:
    if unit not in ("min", "m"):
        raise DataError(f"unit must be 'min' or 'm', found {unit!r}", where="access.coverage")
    return unit


def _values(values: ArrayLike, *, where: str) -> np.ndarray:
    """Return the values as float64, unreachable (NaN, +inf) as +inf; reject negatives."""
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim != 1:
        raise DataError(f"values must be one-dimensional, found shape {arr.shape}", where=where)
    arr = np.where(np.isnan(arr), np.inf, arr)
    bad = arr < 0
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        raise DataError(
            f"values must be >= 0 (times in minutes or distances in metres); "
            f"{int(bad.sum())} negative, first at position {first}: {arr[first]!r}",
            where=where,
        )
    return arr


def _weights(population: ArrayLike | None, n: int, *, where: str) -> np.ndarray:
    """Return the population weights as float64 (ones when ``None``); reject bad values."""
    if population is None:
        return np.ones(n, dtype=np.float64)
    w = np.asarray(population, dtype=np.float64)
    if w.shape != (n,):
        raise DataError(
            f"population must have one entry per value ({n}), found shape {w.shape}", where=where
        )
    bad = ~np.isfinite(w) | (w < 0)
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        raise DataError(
            f"population must be finite and >= 0; {int(bad.sum())} bad, "
            f"first at position {first}: {w[first]!r}",
            where=where,
        )
    return w


def _prepare(
    values: ArrayLike, population: ArrayLike | None, *, where: str
) -> tuple[np.ndarray, np.ndarray]:
    v = _values(values, where=where)
    w = _weights(population, v.shape[0], where=where)
    if v.shape[0] == 0 or w.sum() <= 0:
        raise DataError(
            f"total population must be > 0, found {w.sum():g} over {v.shape[0]} units",
            where=where,
        )
    return v, w


def _thresholds(thresholds: Iterable[float], *, where: str) -> np.ndarray:
    t = np.asarray(list(thresholds), dtype=np.float64)
    if t.ndim != 1 or t.size == 0 or not np.isfinite(t).all() or (t < 0).any():
        raise DataError(
            f"thresholds must be a non-empty list of finite numbers >= 0, found {t.tolist()}",
            where=where,
        )
    return t


def _covered_pop(v: np.ndarray, w: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Population with value <= each threshold, by one sort and a cumulative sum."""
    order = np.argsort(v, kind="stable")
    vs = v[order]
    cw = np.concatenate(([0.0], np.cumsum(w[order])))
    return cw[np.searchsorted(vs, t, side="right")]


def _table(v: np.ndarray, w: np.ndarray, t: np.ndarray, unit: str) -> pd.DataFrame:
    total = float(w.sum())
    unreachable = float(w[np.isinf(v)].sum())
    covered = _covered_pop(v, w, t)
    return pd.DataFrame(
        {
            f"threshold_{unit}": t,
            "population": total,
            "covered_pop": covered,
            "share": covered / total,
            "not_covered_pop": total - covered,
            "unreachable_pop": unreachable,
            "unreachable_share": unreachable / total,
        }
    )


def coverage(
    values: ArrayLike,
    population: ArrayLike | None = None,
    thresholds: Iterable[float] = (5, 10, 15, 30),
    *,
    unit: Unit = "min",
) -> pd.DataFrame:
    """Share of residents within each threshold of the nearest library.

    Parameters
    ----------
    values : array-like of float, shape (n,)
        Travel time to the nearest library in minutes (``unit="min"``) or straight-line
        distance in metres (``unit="m"``), one per population unit. ``NaN`` or ``+inf``
        marks an unreachable unit.
    population : array-like of float, shape (n,), optional
        Residents of each unit (>= 0). ``None`` weighs every unit 1 (resident points).
    thresholds : iterable of float
        Thresholds in the same unit as ``values``; a unit is covered when ``value <= T``.
    unit : {"min", "m"}
        Names the threshold column ``threshold_min`` or ``threshold_m``.

    Returns
    -------
    pandas.DataFrame
        One row per threshold, in the order given, with columns ``threshold_<unit>``,
        ``population`` (total residents), ``covered_pop``, ``share`` (covered / total, 0-1),
        ``not_covered_pop`` (unreachable included), ``unreachable_pop`` and
        ``unreachable_share`` (the same on every row).

    Raises
    ------
    DataError
        On negative values, negative or non-finite population, mismatched lengths, a total
        population of 0, or empty/negative thresholds.
    """
    where = "access.coverage"
    v, w = _prepare(values, population, where=where)
    return _table(v, w, _thresholds(thresholds, where=where), _unit_suffix(unit))


def coverage_curve(
    values: ArrayLike,
    population: ArrayLike | None = None,
    *,
    max_value: float = 60.0,
    step: float = 1.0,
    unit: Unit = "min",
) -> pd.DataFrame:
    """The full coverage curve: the covered share at ``step, 2*step, ..., max_value``.

    The default is every minute from 1 to 60. For straight-line distances pass e.g.
    ``max_value=5000, step=100, unit="m"``.

    Parameters
    ----------
    values, population : array-like
        As in :func:`coverage`.
    max_value : float
        Largest threshold (minutes or metres), included when it is a multiple of ``step``.
    step : float
        Spacing of the thresholds, > 0.
    unit : {"min", "m"}
        Names the threshold column.

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`coverage`, one row per threshold, ascending.
    """
    where = "access.coverage_curve"
    if not (np.isfinite(step) and step > 0 and np.isfinite(max_value) and max_value >= step):
        raise DataError(
            f"need 0 < step <= max_value, found step={step!r}, max_value={max_value!r}",
            where=where,
        )
    n = int(np.floor(max_value / step + 1e-9))
    t = step * np.arange(1, n + 1, dtype=np.float64)
    v, w = _prepare(values, population, where=where)
    return _table(v, w, t, _unit_suffix(unit))


def coverage_by_group(
    values: ArrayLike,
    population: ArrayLike | None,
    groups: ArrayLike,
    thresholds: Iterable[float] = (5, 10, 15, 30),
    *,
    unit: Unit = "min",
) -> pd.DataFrame:
    """Coverage within each group of units (district, income quantile, ...).

    Parameters
    ----------
    values, population : array-like
        As in :func:`coverage`.
    groups : array-like, shape (n,)
        A label per unit (a district name, the output of :func:`income_quantiles`, ...).
        Missing labels (``NaN``/``None``/``pd.NA``) form a group of their own.
    thresholds : iterable of float
        As in :func:`coverage`.
    unit : {"min", "m"}
        Names the threshold column.

    Returns
    -------
    pandas.DataFrame
        Long format, sorted by group then threshold: ``group`` and the columns of
        :func:`coverage`, computed within the group. Groups with no residents have
        ``share`` NaN.
    """
    where = "access.coverage_by_group"
    v, w = _prepare(values, population, where=where)
    t = _thresholds(thresholds, where=where)
    suffix = _unit_suffix(unit)
    labels = pd.Series(groups).reset_index(drop=True)
    if len(labels) != v.shape[0]:
        raise DataError(
            f"groups must have one label per value ({v.shape[0]}), found {len(labels)}",
            where=where,
        )
    codes, uniques = pd.factorize(labels, sort=True, use_na_sentinel=False)
    g = len(uniques)
    # one weighted count per group and threshold: O(n * thresholds), no loop over groups
    pop = np.bincount(codes, weights=w, minlength=g)
    unreachable = np.bincount(codes, weights=w * np.isinf(v), minlength=g)
    covered = np.column_stack(
        [np.bincount(codes, weights=w * (v <= th), minlength=g) for th in t]
    )  # shape (groups, thresholds)
    pop_r = np.repeat(pop, t.size)
    covered_r = covered.ravel()
    unreachable_r = np.repeat(unreachable, t.size)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(pop_r > 0, covered_r / pop_r, np.nan)
        unreachable_share = np.where(pop_r > 0, unreachable_r / pop_r, np.nan)
    return pd.DataFrame(
        {
            "group": np.repeat(np.asarray(uniques, dtype=object), t.size),
            f"threshold_{suffix}": np.tile(t, g),
            "population": pop_r,
            "covered_pop": covered_r,
            "share": share,
            "not_covered_pop": pop_r - covered_r,
            "unreachable_pop": unreachable_r,
            "unreachable_share": unreachable_share,
        }
    )


def coverage_by_band(
    values: ArrayLike,
    band_population: pd.DataFrame,
    thresholds: Iterable[float] = (5, 10, 15, 30),
    *,
    unit: Unit = "min",
) -> pd.DataFrame:
    """Coverage for population bands counted per unit (age bands of a population grid).

    Parameters
    ----------
    values : array-like, shape (n,)
        As in :func:`coverage`.
    band_population : pandas.DataFrame, n rows
        One column per band (e.g. ``age_0_6``, ``age_7_17``, ...): the residents of that band
        in each unit. Rows are aligned by position with ``values``.
    thresholds : iterable of float
        As in :func:`coverage`.
    unit : {"min", "m"}
        Names the threshold column.

    Returns
    -------
    pandas.DataFrame
        Long format with ``group`` (the band column name, in column order) and the columns
        of :func:`coverage` computed with that band's residents as weights.
    """
    where = "access.coverage_by_band"
    v = _values(values, where=where)
    if len(band_population) != v.shape[0]:
        raise DataError(
            f"band_population must have one row per value ({v.shape[0]}), "
            f"found {len(band_population)}",
            where=where,
        )
    if band_population.shape[1] == 0:
        raise DataError("band_population has no columns", where=where)
    t = _thresholds(thresholds, where=where)
    suffix = _unit_suffix(unit)
    frames = []
    for col in band_population.columns:
        w = _weights(band_population[col].to_numpy(), v.shape[0], where=f"{where}[{col}]")
        frames.append(_group_table(v, w, t, suffix, col))
    return pd.concat(frames, ignore_index=True)


def _group_table(v: np.ndarray, w: np.ndarray, t: np.ndarray, unit: str, label: Hashable):
    total = float(w.sum())
    if total > 0:
        table = _table(v, w, t, unit)
    else:
        table = pd.DataFrame(
            {
                f"threshold_{unit}": t,
                "population": 0.0,
                "covered_pop": 0.0,
                "share": np.nan,
                "not_covered_pop": 0.0,
                "unreachable_pop": 0.0,
                "unreachable_share": np.nan,
            }
        )
    table.insert(0, "group", [label] * len(t))
    return table


def income_quantiles(
    income: ArrayLike, population: ArrayLike | None = None, q: int = 5
) -> pd.Series:
    """Population-weighted income quantile (1 = poorest ... ``q`` = richest) of each unit.

    Units are ordered by income; each gets the fractional rank of the midpoint of its
    residents, ``r_i = (W_below_i + w_i / 2) / W``, averaged over units of equal income so
    that ties share a group; the group is ``floor(q * r_i) + 1`` (capped at ``q``). With
    equal weights and distinct incomes this puts ``n / q`` units in each group.

    Parameters
    ----------
    income : array-like of float, shape (n,)
        Income of each unit (any currency, any per-capita or household definition).
        ``NaN`` means unknown.
    population : array-like of float, shape (n,), optional
        Residents of each unit; ``None`` weighs units equally.
    q : int
        Number of groups, >= 2 (5 for quintiles, 10 for deciles).

    Returns
    -------
    pandas.Series of dtype ``Int64``
        The group of each unit, ``<NA>`` where income is unknown.
    """
    where = "access.income_quantiles"
    if int(q) != q or q < 2:
        raise DataError(f"q must be an integer >= 2, found {q!r}", where=where)
    inc = np.asarray(income, dtype=np.float64)
    if inc.ndim != 1:
        raise DataError(f"income must be one-dimensional, found shape {inc.shape}", where=where)
    w = _weights(population, inc.shape[0], where=where)
    known = np.isfinite(inc)
    out = pd.array(np.full(inc.shape[0], pd.NA), dtype="Int64")
    if not known.any():
        return pd.Series(out)
    rank = _fractional_rank(inc[known], w[known])
    groups = np.minimum(np.floor(rank * q).astype(np.int64) + 1, int(q))
    out[np.flatnonzero(known)] = groups
    return pd.Series(out)


def _fractional_rank(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted fractional rank in [0, 1] of each x (midpoint of its weight), ties averaged.

    Tied values get the midpoint of the whole tie block, which equals the weight-averaged
    rank of its members. Units of zero weight get the rank of their position. When the
    total weight is 0 every unit gets 0.5.
    """
    total = w.sum()
    if total <= 0:
        return np.full(x.shape[0], 0.5)
    order = np.argsort(x, kind="stable")
    xs = x[order]
    ws = w[order]
    cum = np.cumsum(ws)
    # first and last position of each tie block
    new_block = np.concatenate(([True], xs[1:] != xs[:-1]))
    block = np.cumsum(new_block) - 1
    starts = np.flatnonzero(new_block)
    ends = np.concatenate((starts[1:], [xs.shape[0]])) - 1
    below = np.concatenate(([0.0], cum))[starts]  # weight strictly below the block
    inside = cum[ends] - below
    rank_sorted = (below + inside / 2.0)[block] / total
    rank = np.empty_like(rank_sorted)
    rank[order] = rank_sorted
    return rank


def residents_by_facility(facility: ArrayLike, population: ArrayLike) -> pd.DataFrame:
    """Residents whose nearest facility is each facility (its catchment), largest first.

    Parameters
    ----------
    facility : array-like, shape (n,)
        The nearest facility's id per unit; missing ids (unreachable units) are left out.
    population : array-like of float, shape (n,)
        Residents per unit.

    Returns
    -------
    pandas.DataFrame
        ``library_id`` and ``residents``, sorted by residents (descending), then id.
    """
    ids = pd.Series(facility).reset_index(drop=True)
    w = pd.Series(np.asarray(population, dtype=np.float64))
    if len(ids) != len(w):
        raise DataError(
            f"facility and population must have the same length ({len(ids)} vs {len(w)})",
            where="access.residents_by_facility",
        )
    keep = ids.notna().to_numpy()
    served = w[keep].groupby(ids[keep].astype(str).to_numpy()).sum()
    table = pd.DataFrame({"library_id": served.index.astype(str), "residents": served.to_numpy()})
    table = table.sort_values(["residents", "library_id"], ascending=[False, True], kind="stable")
    return table.reset_index(drop=True)
