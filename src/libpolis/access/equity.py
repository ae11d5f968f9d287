"""Equity of access: how unequally travel time (or distance) to a library is shared.

Inputs are one value per population unit (travel time in minutes or distance in metres to
the nearest library, ``NaN``/``+inf`` when unreachable) with the residents of each unit, as
in :mod:`libpolis.access.coverage`. Inequality measures (Gini, Lorenz curve, concentration
index) are computed over the *reachable* units only -- an infinite time has no finite share --
and the functions that return tables report the unreachable residents beside them.

Formulas (``w_i`` residents of unit ``i``, ``W = sum w_i``, ``x_i`` its value,
``mu = sum w_i x_i / W``):

* Gini: ``G = sum_i sum_j w_i w_j |x_i - x_j| / (2 W^2 mu)``, computed exactly in
  ``O(n log n)`` from the Lorenz curve as ``G = 1 - sum_k (P_k - P_{k-1}) (L_k + L_{k-1})``
  where ``(P_k, L_k)`` are the cumulative population and value shares after sorting by value.
  ``G = 0`` when everyone has the same value, and tends to 1 when one unit has it all.
* Concentration index (Kakwani, Wagstaff & van Doorslaer 1997, "Socioeconomic inequalities in
  health: measurement, computation, and statistical inference", J. Econometrics 77(1)):
  ``C = 2 cov_w(x, R) / mu`` where ``R_i`` is the population-weighted fractional income rank of
  unit ``i`` (the midpoint of its residents in the income distribution, poorest first, ties
  share the rank of their block). ``C < 0``: travel times are concentrated among the poorer
  (the poor travel further); ``C > 0``: among the richer. ``C`` lies in ``(-1, 1)``. For an
  outcome bounded in ``[0, 1]`` (e.g. 1 = not covered), Wagstaff's (2005, "The bounds of the
  concentration index when the variable of interest is binary", Health Economics 14(4))
  normalisation ``C / (1 - mu)`` is available as ``kind="wagstaff"``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from libpolis.access.coverage import (
    _fractional_rank,
    _prepare,
    _unit_suffix,
    _values,
    _weights,
    coverage_by_group,
    income_quantiles,
)
from libpolis.errors import DataError

__all__ = [
    "concentration_index",
    "district_summary",
    "gini",
    "lorenz_curve",
    "mean_by_income_quantile",
    "underserved_districts",
]

ArrayLike = npt.ArrayLike
Unit = Literal["min", "m"]


def _value_column(unit: str) -> str:
    return "time_min" if _unit_suffix(unit) == "min" else "dist_m"


def _reachable(
    values: ArrayLike, population: ArrayLike | None, *, where: str
) -> tuple[np.ndarray, np.ndarray]:
    v, w = _prepare(values, population, where=where)
    ok = np.isfinite(v)
    if w[ok].sum() <= 0:
        raise DataError(
            "no resident can reach a library (every value NaN/inf or every reachable unit "
            "has population 0)",
            where=where,
        )
    return v[ok], w[ok]


def _lorenz_points(v: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    order = np.argsort(v, kind="stable")
    ws = w[order]
    vw = ws * v[order]
    p = np.concatenate(([0.0], np.cumsum(ws)))
    s = np.concatenate(([0.0], np.cumsum(vw)))
    p /= p[-1]
    total = s[-1]
    s = s / total if total > 0 else p.copy()  # all values 0: perfect equality
    return p, s


def gini(values: ArrayLike, population: ArrayLike | None = None) -> float:
    """Population-weighted Gini coefficient of travel time (or distance) to a library.

    Parameters
    ----------
    values : array-like of float, shape (n,)
        Minutes or metres to the nearest library; ``NaN``/``+inf`` (unreachable) are left out.
    population : array-like of float, shape (n,), optional
        Residents of each unit; ``None`` weighs units equally.

    Returns
    -------
    float
        ``G`` in ``[0, 1)`` as defined in the module docstring; 0 when all reachable values
        are equal (including all 0).

    Raises
    ------
    DataError
        On invalid input or when no resident can reach a library.
    """
    v, w = _reachable(values, population, where="access.gini")
    p, s = _lorenz_points(v, w)
    g = 1.0 - float(np.sum(np.diff(p) * (s[1:] + s[:-1])))
    return max(g, 0.0)  # rounding can give -1e-17 for equal values


def lorenz_curve(values: ArrayLike, population: ArrayLike | None = None) -> pd.DataFrame:
    """Lorenz curve of travel time: cumulative share of residents vs of total time.

    Units are sorted by ascending value (those nearest to a library first); unreachable
    units are left out.

    Parameters
    ----------
    values, population : array-like
        As in :func:`gini`.

    Returns
    -------
    pandas.DataFrame
        ``n_reachable + 1`` rows from ``(0, 0)`` to ``(1, 1)`` with columns ``pop_share``
        and ``value_share`` (both 0-1, non-decreasing; the curve lies on or below the
        diagonal).
    """
    v, w = _reachable(values, population, where="access.lorenz_curve")
    p, s = _lorenz_points(v, w)
    return pd.DataFrame({"pop_share": p, "value_share": s})


def concentration_index(
    values: ArrayLike,
    income: ArrayLike,
    population: ArrayLike | None = None,
    *,
    kind: Literal["standard", "wagstaff"] = "standard",
) -> float:
    """Income-related concentration index of travel time (Kakwani/Wagstaff form).

    Parameters
    ----------
    values : array-like of float, shape (n,)
        Minutes or metres to the nearest library (or any outcome, e.g. 1 = not covered).
        Unreachable units (``NaN``/``+inf``) are left out.
    income : array-like of float, shape (n,)
        Income of each unit; units with unknown (``NaN``) income are left out.
    population : array-like of float, shape (n,), optional
        Residents of each unit.
    kind : {"standard", "wagstaff"}
        ``"standard"``: ``C = 2 cov_w(x, R) / mu``. ``"wagstaff"``: ``C / (1 - mu)``, for
        outcomes in ``[0, 1]`` only.

    Returns
    -------
    float
        Negative when long travel is concentrated among the poor.

    Raises
    ------
    DataError
        On invalid input, a mean of 0, or values outside ``[0, 1]`` with ``kind="wagstaff"``.
    """
    where = "access.concentration_index"
    v = _values(values, where=where)
    w = _weights(population, v.shape[0], where=where)
    inc = np.asarray(income, dtype=np.float64)
    if inc.shape != v.shape:
        raise DataError(
            f"income must have one entry per value ({v.shape[0]}), found shape {inc.shape}",
            where=where,
        )
    ok = np.isfinite(v) & np.isfinite(inc)
    v, w, inc = v[ok], w[ok], inc[ok]
    total = w.sum()
    if total <= 0:
        raise DataError("no resident with a finite value and a known income", where=where)
    mu = float(np.sum(w * v) / total)
    if mu <= 0:
        raise DataError("the population-weighted mean value is 0; C is undefined", where=where)
    rank = _fractional_rank(inc, w)
    rbar = np.sum(w * rank) / total
    c = 2.0 * float(np.sum(w * (v - mu) * (rank - rbar)) / total) / mu
    if kind == "standard":
        return c
    if kind == "wagstaff":
        if (v > 1).any():
            raise DataError(
                f"kind='wagstaff' needs values in [0, 1], found max {v.max():g}", where=where
            )
        if mu >= 1:
            raise DataError("kind='wagstaff' is undefined when the mean is 1", where=where)
        return c / (1.0 - mu)
    raise DataError(f"kind must be 'standard' or 'wagstaff', found {kind!r}", where=where)


def mean_by_income_quantile(
    values: ArrayLike,
    income: ArrayLike,
    population: ArrayLike | None = None,
    *,
    q: int = 5,
    threshold: float | None = None,
    unit: Unit = "min",
) -> pd.DataFrame:
    """Population-weighted mean travel time (or distance) by income quantile (quintiles).

    Parameters
    ----------
    values : array-like of float, shape (n,)
        Minutes or metres to the nearest library; ``NaN``/``+inf`` = unreachable.
    income : array-like of float, shape (n,)
        Income per unit; units with unknown income are left out (see ``income_quantiles``).
    population : array-like of float, shape (n,), optional
        Residents of each unit.
    q : int
        Number of quantile groups (5 = quintiles).
    threshold : float, optional
        When given, the share of each group *not* covered within it (unreachable included).
    unit : {"min", "m"}
        ``"min"`` names the mean column ``mean_time_min``; ``"m"`` names it ``mean_dist_m``.

    Returns
    -------
    pandas.DataFrame
        One row per quantile 1 (poorest) .. q: ``quantile``, ``population``, ``income_min``,
        ``income_max``, ``mean_<time_min|dist_m>`` (reachable residents only),
        ``unreachable_pop`` and, with a threshold, ``share_not_covered``.
    """
    where = "access.mean_by_income_quantile"
    v, w = _prepare(values, population, where=where)
    col = _value_column(unit)
    inc = np.asarray(income, dtype=np.float64)
    if inc.shape != v.shape:
        raise DataError(
            f"income must have one entry per value ({v.shape[0]}), found shape {inc.shape}",
            where=where,
        )
    group = income_quantiles(inc, w, q=q).to_numpy(dtype=np.float64, na_value=np.nan)
    rows = []
    for k in range(1, int(q) + 1):
        m = group == k
        rows.append(_group_row(v[m], w[m], threshold, col) | {"quantile": k})
        if m.any():
            rows[-1] |= {"income_min": inc[m].min(), "income_max": inc[m].max()}
        else:
            rows[-1] |= {"income_min": np.nan, "income_max": np.nan}
    cols = ["quantile", "population", "income_min", "income_max", f"mean_{col}"]
    cols += ["unreachable_pop"] + (["share_not_covered"] if threshold is not None else [])
    return pd.DataFrame(rows)[cols]


def _group_row(v: np.ndarray, w: np.ndarray, threshold: float | None, col: str) -> dict:
    total = float(w.sum())
    ok = np.isfinite(v)
    reach = float(w[ok].sum())
    row = {
        "population": total,
        f"mean_{col}": float(np.sum(w[ok] * v[ok]) / reach) if reach > 0 else np.nan,
        "unreachable_pop": float(w[~ok].sum()),
    }
    if threshold is not None:
        covered = float(w[v <= threshold].sum())
        row["share_not_covered"] = (total - covered) / total if total > 0 else np.nan
    return row


def underserved_districts(
    values: ArrayLike,
    population: ArrayLike | None,
    district: ArrayLike,
    *,
    threshold: float,
    by: Literal["share_not_covered", "mean"] = "share_not_covered",
    top: int | None = None,
    unit: Unit = "min",
) -> pd.DataFrame:
    """Rank districts from the least to the best served.

    Parameters
    ----------
    values : array-like of float, shape (n,)
        Minutes or metres to the nearest library; ``NaN``/``+inf`` = unreachable.
    population : array-like of float, shape (n,) or None
        Residents of each unit.
    district : array-like, shape (n,)
        District label of each unit; missing labels form their own group.
    threshold : float
        Coverage threshold (minutes or metres): residents beyond it, or unreachable, are
        *not covered*.
    by : {"share_not_covered", "mean"}
        Ranking key, descending: the share of residents not covered (ties broken by the
        mean), or the population-weighted mean over reachable residents (ties broken by the
        share not covered). Districts with no residents come last.
    top : int, optional
        Keep only the first ``top`` districts.
    unit : {"min", "m"}
        Names the mean column ``mean_time_min`` or ``mean_dist_m``.

    Returns
    -------
    pandas.DataFrame
        ``rank`` (1 = least served), ``district``, ``population``, ``mean_<col>``,
        ``share_not_covered``, ``unreachable_pop``.
    """
    where = "access.underserved_districts"
    v, w = _prepare(values, population, where=where)
    col = _value_column(unit)
    if not np.isfinite(threshold) or threshold < 0:
        raise DataError(f"threshold must be finite and >= 0, found {threshold!r}", where=where)
    labels = pd.Series(district).reset_index(drop=True)
    if len(labels) != v.shape[0]:
        raise DataError(
            f"district must have one label per value ({v.shape[0]}), found {len(labels)}",
            where=where,
        )
    codes, uniques = pd.factorize(labels, sort=True, use_na_sentinel=False)
    g = len(uniques)
    ok = np.isfinite(v)
    pop = np.bincount(codes, weights=w, minlength=g)
    reach = np.bincount(codes, weights=w * ok, minlength=g)
    total_value = np.bincount(codes[ok], weights=w[ok] * v[ok], minlength=g)
    covered = np.bincount(codes, weights=w * (v <= threshold), minlength=g)
    mean_col = f"mean_{col}"
    with np.errstate(invalid="ignore", divide="ignore"):
        table = pd.DataFrame(
            {
                "district": np.asarray(uniques, dtype=object),
                "population": pop,
                mean_col: np.where(reach > 0, total_value / reach, np.nan),
                "share_not_covered": np.where(pop > 0, (pop - covered) / pop, np.nan),
                "unreachable_pop": pop - reach,
            }
        )
    # a district whose residents all are unreachable is the worst served by the mean too
    all_unreachable = (table["population"] > 0) & table[mean_col].isna()
    table["_mean_key"] = table[mean_col].mask(all_unreachable, np.inf)
    if by == "share_not_covered":
        keys = ["share_not_covered", "_mean_key"]
    elif by == "mean":
        keys = ["_mean_key", "share_not_covered"]
    else:
        raise DataError(f"by must be 'share_not_covered' or 'mean', found {by!r}", where=where)
    # a stable sort on the sorted district labels keeps ties deterministic
    table = table.sort_values(keys, ascending=False, kind="mergesort", na_position="last")
    table = table.reset_index(drop=True)
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    cols = ["rank", "district", "population", mean_col, "share_not_covered", "unreachable_pop"]
    table = table[cols]
    return table.head(top) if top is not None else table


def district_summary(
    values: ArrayLike,
    population: ArrayLike | None,
    district: ArrayLike,
    thresholds: Sequence[float],
    *,
    main: float,
    unit: Unit = "min",
) -> pd.DataFrame:
    """One row per district: residents, mean, share within every threshold, residents beyond
    the main standard; the district with the most residents beyond it first.

    Parameters
    ----------
    values, population, district
        As in :func:`underserved_districts`.
    thresholds : sequence of float
        Coverage thresholds (minutes or metres); a column ``within_<t>`` (share) each.
    main : float
        The standard for ``unserved`` (residents beyond it or unreachable) and the order.
    unit : {"min", "m"}
        Names the mean column ``mean_time_min`` or ``mean_dist_m``.

    Returns
    -------
    pandas.DataFrame
        ``rank`` (1 = most residents beyond ``main``), ``district``, ``residents``,
        ``mean_<col>``, ``within_<t:g>`` per threshold, ``unserved``, ``share_not_covered``.
        Ties go to the lower share within ``main``, then the district name.
    """
    col = _value_column(unit)
    base = underserved_districts(values, population, district, threshold=main, unit=unit)
    base = base.rename(columns={"population": "residents"}).drop(columns="rank")
    long = coverage_by_group(values, population, district, thresholds, unit=unit)
    wide = long.pivot_table(
        index="group", columns=f"threshold_{unit}", values="share", dropna=False, sort=True
    )
    wide.columns = [f"within_{float(t):g}" for t in wide.columns]
    table = base.merge(wide, left_on="district", right_index=True, how="left")
    table["unserved"] = table["residents"] * table["share_not_covered"].fillna(0.0)
    main_col = f"within_{float(main):g}"
    keys = ["unserved", main_col] if main_col in table else ["unserved"]
    order = [False, True] if len(keys) == 2 else [False]
    table = table.sort_values(keys, ascending=order, kind="mergesort").reset_index(drop=True)
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    shares = [c for c in table.columns if c.startswith("within_")]
    cols = ["rank", "district", "residents", f"mean_{col}", *shares, "unserved"]
    return table[[*cols, "share_not_covered"]]
