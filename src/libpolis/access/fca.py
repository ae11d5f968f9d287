"""Capacity-aware access: the enhanced two-step floating catchment area (E2SFCA).

A library's capacity is shared among everyone who can reach it, so a large, long-open branch
serving few residents gives more access per resident than a small one serving many. With
``P_i`` residents at demand point ``i``, supply ``S_j`` at library ``j``, travel time
``t_ij`` in minutes and catchment ``d0`` minutes:

1. Each library's supply-to-demand ratio, with demand weighted by distance decay::

       R_j = S_j / sum_{i: t_ij <= d0} P_i * f(t_ij)

2. Each demand point's access, summing the ratios it can reach, with the same decay::

       A_i = sum_{j: t_ij <= d0} R_j * f(t_ij)

The decay is the Gaussian of PySAL ``access`` (``access.weights.gaussian``), without the
normalising constant, so ``f(0) = 1``::

       f(t) = exp(-t^2 / (2 sigma^2))

with ``sigma`` in minutes (default ``d0 / 2``, which gives ``f(d0) = exp(-2) ~ 0.135``; pairs
beyond ``d0`` weigh 0). ``A_i`` is in supply units per resident ("library-equivalents per
resident" with the default supply). The result equals PySAL ``access``'s
``Access.enhanced_two_stage_fca(max_cost=d0, weight_fn=weights.gaussian(sigma))`` on the same
inputs, except that demand points with no library within the catchment get ``A_i = 0``
(PySAL gives NaN) and a library with no residents within its catchment gets ``R_j = 0``
(PySAL leaves it out).

Supply: :func:`library_supply` builds ``S_j`` from opening hours and floor area (or staff)
where known, and gives 1 per library otherwise.

Partitioning: ``R_j`` needs every resident within ``d0`` of library ``j``. A partition of
residents must therefore come with the libraries within ``d0`` of it *and* the residents
within ``d0`` of those libraries (two catchment buffers), or the ``R_j`` computed on the whole
area.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from libpolis.errors import DataError, MissingColumnError

__all__ = ["e2sfca", "e2sfca_ratios", "e2sfca_summary", "gaussian_weight", "library_supply"]


def gaussian_weight(time_min: np.ndarray | float, sigma_min: float) -> np.ndarray:
    """Gaussian distance decay ``exp(-t^2 / (2 sigma^2))``, equal to 1 at ``t = 0``.

    Parameters
    ----------
    time_min : array-like of float
        Travel times in minutes.
    sigma_min : float
        Width of the Gaussian in minutes, > 0.

    Returns
    -------
    numpy.ndarray
        Weights in ``(0, 1]``, same shape as ``time_min``.
    """
    if not (np.isfinite(sigma_min) and sigma_min > 0):
        raise DataError(f"sigma_min must be > 0, found {sigma_min!r}", where="access.fca")
    t = np.asarray(time_min, dtype=np.float64)
    return np.exp(-(t * t) / (2.0 * sigma_min * sigma_min))


def _relative(col: pd.Series) -> np.ndarray | None:
    """Values divided by their median over known values; unknown (NaN, < 0) -> 1."""
    x = pd.to_numeric(col, errors="coerce").to_numpy(dtype=np.float64)
    known = np.isfinite(x) & (x >= 0)
    if not known.any():
        return None
    med = float(np.median(x[known]))
    if med <= 0:
        return None
    return np.where(known, x / med, 1.0)


def library_supply(
    libraries: pd.DataFrame,
    *,
    hours: str | None = "hours_per_week",
    floor_area: str | None = "floor_area_m2",
    staff: str | None = "staff_fte",
) -> pd.Series:
    """Supply of each library for E2SFCA, in "median-library equivalents".

    ``S_j = (h_j / median h) * (a_j / median a)`` where ``h`` is opening hours and ``a`` is
    floor area, or staff (FTE) when no floor area is known. Each factor is used only when its
    column exists and has at least one known value; a library whose value is unknown (``NaN``
    or negative, e.g. the IMLS codes -1/-3/-9) gets the median, i.e. factor 1. A library with
    0 hours has supply 0. Without any of the columns every library gets 1.

    Parameters
    ----------
    libraries : pandas.DataFrame
        One row per library.
    hours : str or None
        Column of opening hours (any period, e.g. per week or per year; only ratios matter).
    floor_area : str or None
        Column of floor area (any unit, e.g. m2 or sq ft).
    staff : str or None
        Column of staff (FTE), used when no floor area is known.

    Returns
    -------
    pandas.Series
        Named ``supply``, indexed like ``libraries``, values >= 0.
    """
    supply = np.ones(len(libraries), dtype=np.float64)
    if hours is not None and hours in libraries.columns:
        factor = _relative(libraries[hours])
        if factor is not None:
            supply *= factor
    size = None
    if floor_area is not None and floor_area in libraries.columns:
        size = _relative(libraries[floor_area])
    if size is None and staff is not None and staff in libraries.columns:
        size = _relative(libraries[staff])
    if size is not None:
        supply *= size
    return pd.Series(supply, index=libraries.index, name="supply")


def _column(frame: pd.DataFrame, col: str, *, what: str, where: str) -> pd.Series:
    if col not in frame.columns:
        raise MissingColumnError(
            f"{what} has no column {col!r}; found {list(frame.columns)}", where=where
        )
    return frame[col]


def _unique_index(ids: pd.Series, *, what: str, where: str) -> pd.Index:
    index = pd.Index(ids)
    if not index.is_unique:
        dup = index[index.duplicated()].unique()[:5].tolist()
        raise DataError(f"{what} ids must be unique; duplicated: {dup}", where=where)
    return index


def _codes(index: pd.Index, ids: np.ndarray, *, what: str, where: str) -> np.ndarray:
    codes = index.get_indexer(ids)
    missing = codes < 0
    if missing.any():
        examples = pd.unique(ids[missing])[:5].tolist()
        raise DataError(
            f"{int(missing.sum())} OD pairs within the catchment name {what} ids that are not "
            f"in the {what} frame, e.g. {examples}",
            where=where,
        )
    return codes


_CHUNK = 1 << 17  # OD rows per chunk (131,072): bounds the temporaries to about 1 MB each


def _chunks(n: int) -> list[tuple[int, int]]:
    return [(a, min(a + _CHUNK, n)) for a in range(0, n, _CHUNK)]


def _numeric(col: pd.Series) -> np.ndarray:
    """A float64 view of a numeric column (no copy when it already is float64)."""
    if pd.api.types.is_float_dtype(col.dtype) or pd.api.types.is_integer_dtype(col.dtype):
        return col.to_numpy(dtype=np.float64, na_value=np.nan)
    return pd.to_numeric(col, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)


def _check_unique_pairs(
    i: np.ndarray, j: np.ndarray, n_s: int, *, where: str, cols: tuple[str, str]
) -> None:
    key = i.astype(np.int64)
    key *= n_s
    key += j
    key.sort()
    dup = key.size > 1 and bool(np.any(key[1:] == key[:-1]))
    del key
    if dup:
        raise DataError(
            f"od has duplicated ({cols[0]}, {cols[1]}) pairs within the catchment", where=where
        )


def _e2sfca(
    demand: pd.DataFrame,
    supply: pd.DataFrame,
    od: pd.DataFrame,
    *,
    catchment_min: float,
    sigma_min: float | None,
    demand_id: str,
    population: str,
    supply_id: str,
    supply_col: str | None,
    from_col: str,
    to_col: str,
    time_col: str,
) -> dict[str, np.ndarray]:
    where = "access.e2sfca"
    if not (np.isfinite(catchment_min) and catchment_min > 0):
        raise DataError(f"catchment_min must be > 0, found {catchment_min!r}", where=where)
    sigma = catchment_min / 2.0 if sigma_min is None else float(sigma_min)
    d_index = _unique_index(
        _column(demand, demand_id, what="demand", where=where), what="demand", where=where
    )
    s_index = _unique_index(
        _column(supply, supply_id, what="supply", where=where), what="supply", where=where
    )
    pop = pd.to_numeric(
        _column(demand, population, what="demand", where=where), errors="coerce"
    ).to_numpy(dtype=np.float64)
    if not (np.isfinite(pop) & (pop >= 0)).all():
        raise DataError(f"demand column {population!r} must be finite and >= 0", where=where)
    if supply_col is None:
        cap = np.ones(len(supply), dtype=np.float64)
    else:
        cap = pd.to_numeric(
            _column(supply, supply_col, what="supply", where=where), errors="coerce"
        ).to_numpy(dtype=np.float64)
        if not (np.isfinite(cap) & (cap >= 0)).all():
            raise DataError(f"supply column {supply_col!r} must be finite and >= 0", where=where)

    t = _numeric(_column(od, time_col, what="od", where=where))
    if np.any(t < 0):
        raise DataError(f"od column {time_col!r} has negative travel times", where=where)
    from_all = _column(od, from_col, what="od", where=where).to_numpy()
    to_all = _column(od, to_col, what="od", where=where).to_numpy()
    n_d, n_s = len(d_index), len(s_index)
    code_dtype = np.int32 if max(n_d, n_s) < 2**31 else np.int64

    # The OD frame is processed in chunks so that no temporary spans all of it: pass 1 maps the
    # ids of the pairs within the catchment to compact integer codes and sums each library's
    # weighted demand; pass 2 recomputes the weights chunk by chunk and sums each resident's
    # access. Only the codes of the kept pairs persist between the passes.
    n_keep = sum(
        int(np.count_nonzero(t[a:b] <= catchment_min)) for a, b in _chunks(t.shape[0])
    )  # NaN (unreachable) compares False
    i = np.empty(n_keep, dtype=code_dtype)
    j = np.empty(n_keep, dtype=code_dtype)
    weighted_demand = np.zeros(n_s)
    pos = 0
    for a, b in _chunks(t.shape[0]):
        keep = t[a:b] <= catchment_min
        k = int(np.count_nonzero(keep))
        if k == 0:
            continue
        ic = _codes(d_index, from_all[a:b][keep], what="demand", where=where)
        jc = _codes(s_index, to_all[a:b][keep], what="supply", where=where)
        i[pos : pos + k] = ic
        j[pos : pos + k] = jc
        f = gaussian_weight(t[a:b][keep], sigma)
        weighted_demand += np.bincount(jc, weights=f * pop[ic], minlength=n_s)
        pos += k
    _check_unique_pairs(i, j, n_s, where=where, cols=(from_col, to_col))
    ratio = np.divide(cap, weighted_demand, out=np.zeros(n_s), where=weighted_demand > 0)
    access = np.zeros(n_d)
    pos = 0
    for a, b in _chunks(t.shape[0]):
        keep = t[a:b] <= catchment_min
        k = int(np.count_nonzero(keep))
        if k == 0:
            continue
        f = gaussian_weight(t[a:b][keep], sigma)
        access += np.bincount(i[pos : pos + k], weights=f * ratio[j[pos : pos + k]], minlength=n_d)
        pos += k
    return {
        "access": access,
        "n_libraries": np.bincount(i, minlength=n_d),
        "pop": pop,
        "supply": cap,
        "weighted_demand": weighted_demand,
        "ratio": ratio,
    }


def e2sfca(
    demand: pd.DataFrame,
    supply: pd.DataFrame,
    od: pd.DataFrame,
    *,
    catchment_min: float = 30.0,
    sigma_min: float | None = None,
    demand_id: str = "id",
    population: str = "population",
    supply_id: str = "id",
    supply_col: str | None = "supply",
    from_col: str = "from_id",
    to_col: str = "to_id",
    time_col: str = "time_min",
) -> pd.DataFrame:
    """E2SFCA access score of every demand point (formula in the module docstring).

    Parameters
    ----------
    demand : pandas.DataFrame
        One row per demand point, with a unique ``demand_id`` and ``population`` (>= 0).
    supply : pandas.DataFrame
        One row per library, with a unique ``supply_id`` and ``supply_col`` (>= 0, e.g. from
        :func:`library_supply`); ``supply_col=None`` gives every library supply 1.
    od : pandas.DataFrame
        Travel times ``from_col`` (demand id) -> ``to_col`` (library id) in minutes
        (``time_col``), long format as returned by ``libpolis.access.nearest``. Pairs beyond
        the catchment or with a NaN time are ignored; pairs within it must be unique and name
        known ids. Missing pairs mean "not reachable within the catchment".
    catchment_min : float
        Catchment ``d0`` in minutes.
    sigma_min : float, optional
        Gaussian width in minutes; default ``catchment_min / 2``.
    demand_id, population, supply_id, supply_col, from_col, to_col, time_col : str
        Column names.

    Returns
    -------
    pandas.DataFrame
        In the row order of ``demand``: the ``demand_id`` column, ``population``,
        ``access`` (supply per resident, 0 where no library is within the catchment),
        ``access_norm`` (``access`` divided by its population-weighted mean, as PySAL's
        ``normalize=True``; NaN when that mean is 0) and ``libraries_in_catchment``.

    Raises
    ------
    MissingColumnError
        When a named column is absent.
    DataError
        On duplicated ids or pairs, unknown ids, negative values or a bad catchment.
    """
    r = _e2sfca(
        demand, supply, od, catchment_min=catchment_min, sigma_min=sigma_min,
        demand_id=demand_id, population=population, supply_id=supply_id,
        supply_col=supply_col, from_col=from_col, to_col=to_col, time_col=time_col,
    )  # fmt: skip
    pop, access = r["pop"], r["access"]
    total = pop.sum()
    mean = float(np.sum(pop * access) / total) if total > 0 else 0.0
    norm = access / mean if mean > 0 else np.full_like(access, np.nan)
    return pd.DataFrame(
        {
            demand_id: demand[demand_id].to_numpy(),
            "population": pop,
            "access": access,
            "access_norm": norm,
            "libraries_in_catchment": r["n_libraries"],
        }
    )


def e2sfca_ratios(
    demand: pd.DataFrame,
    supply: pd.DataFrame,
    od: pd.DataFrame,
    *,
    catchment_min: float = 30.0,
    sigma_min: float | None = None,
    demand_id: str = "id",
    population: str = "population",
    supply_id: str = "id",
    supply_col: str | None = "supply",
    from_col: str = "from_id",
    to_col: str = "to_id",
    time_col: str = "time_min",
) -> pd.DataFrame:
    """Step 1 of E2SFCA for every library: its supply per decay-weighted resident.

    Parameters are those of :func:`e2sfca`.

    Returns
    -------
    pandas.DataFrame
        In the row order of ``supply``: the ``supply_id`` column, ``supply``,
        ``weighted_demand`` (``sum_i P_i f(t_ij)``, residents) and ``ratio``
        (``R_j = supply / weighted_demand``; 0 when no resident is within the catchment).
        High ratios mark libraries with spare capacity, low ones crowded catchments.
    """
    r = _e2sfca(
        demand, supply, od, catchment_min=catchment_min, sigma_min=sigma_min,
        demand_id=demand_id, population=population, supply_id=supply_id,
        supply_col=supply_col, from_col=from_col, to_col=to_col, time_col=time_col,
    )  # fmt: skip
    return pd.DataFrame(
        {
            supply_id: supply[supply_id].to_numpy(),
            "supply": r["supply"],
            "weighted_demand": r["weighted_demand"],
            "ratio": r["ratio"],
        }
    )


def _weighted_quantile(v: np.ndarray, w: np.ndarray, q: float) -> float:
    order = np.argsort(v, kind="stable")
    v, cw = v[order], np.cumsum(w[order])
    return float(v[min(int(np.searchsorted(cw, q * cw[-1], side="left")), len(v) - 1)])


def e2sfca_summary(
    access: pd.Series | np.ndarray, population: pd.Series | np.ndarray, *, catchment_min: float
) -> dict[str, float]:
    """Resident-weighted figures of E2SFCA scores, per 1,000 residents.

    Parameters
    ----------
    access : array of float
        :func:`e2sfca` ``access`` per demand point (supply units per resident).
    population : array of float
        Residents per demand point.
    catchment_min : float
        The catchment the scores were computed with (reported back).

    Returns
    -------
    dict
        ``catchment_min``; ``mean``, ``median``, ``p10``, ``p90`` (the resident-weighted
        mean and quantiles of ``1000 * access``: library-equivalents per 1,000 residents);
        ``residents_zero`` (residents with no library within the catchment) and
        ``share_zero``. Empty or zero population gives NaN figures and 0 residents.
    """
    a = np.asarray(access, dtype=np.float64) * 1000.0
    w = np.asarray(population, dtype=np.float64)
    if a.shape != w.shape:
        raise DataError(
            f"access and population must have the same length ({a.size} vs {w.size})",
            where="access.e2sfca_summary",
        )
    ok = np.isfinite(a) & (w > 0)
    total = float(w[ok].sum())
    if total <= 0:
        nan = float("nan")
        return {"catchment_min": float(catchment_min), "mean": nan, "median": nan, "p10": nan,
                "p90": nan, "residents_zero": 0.0, "share_zero": nan}  # fmt: skip
    a, w = a[ok], w[ok]
    zero = float(w[a <= 0].sum())
    return {
        "catchment_min": float(catchment_min),
        "mean": float(np.average(a, weights=w)),
        "median": _weighted_quantile(a, w, 0.5),
        "p10": _weighted_quantile(a, w, 0.1),
        "p90": _weighted_quantile(a, w, 0.9),
        "residents_zero": zero,
        "share_zero": zero / total,
    }
