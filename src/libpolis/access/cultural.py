"""The nearest cultural institution: how often it is the library.

Input is a frame with one row per population unit and one column per kind of cultural venue
(``library``, ``museum``, ``theatre``, ``gallery``, ``arts_centre``, ``cinema``, ...) holding
the travel time in minutes (or distance in metres) from the unit to the nearest venue of that
kind, as computed per kind by ``libpolis.access.nearest``. ``NaN`` or ``+inf`` means no venue of
that kind can be reached. Rows are aligned by position with the population.

Ties: when two kinds are equally near, :func:`nearest_kind` names the kind of the first
column among them and flags the row as ``tied``; :func:`library_nearest_share` reports the
share with the library strictly nearest and the share with the library among the nearest.

Medians are population-weighted: the smallest value ``m`` such that the residents with a
value ``<= m`` are at least half of all residents. Unreachable residents count as infinitely
far, so the median is ``inf`` when more than half cannot reach a venue of that kind.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from libpolis.access.coverage import _unit_suffix, _values, _weights
from libpolis.errors import DataError, MissingColumnError

__all__ = [
    "CULTURAL_KINDS",
    "compare_to_library",
    "library_nearest_share",
    "median_by_kind",
    "nearest_kind",
]

#: Kinds of cultural venue, with the OpenStreetMap tags they usually come from:
#: library (amenity=library), museum (tourism=museum), theatre (amenity=theatre),
#: gallery (tourism=gallery), arts_centre (amenity=arts_centre), cinema (amenity=cinema),
#: concert_hall (amenity=concert_hall), community_centre (amenity=community_centre).
CULTURAL_KINDS: tuple[str, ...] = (
    "library",
    "museum",
    "theatre",
    "gallery",
    "arts_centre",
    "cinema",
    "concert_hall",
    "community_centre",
)

Unit = Literal["min", "m"]


def _matrix(times: pd.DataFrame, *, where: str) -> np.ndarray:
    if not isinstance(times, pd.DataFrame) or times.shape[1] == 0:
        raise DataError("times must be a DataFrame with one column per venue kind", where=where)
    cols = [_values(times[c].to_numpy(dtype=np.float64), where=f"{where}[{c}]") for c in times]
    return np.column_stack(cols)


def _need(times: pd.DataFrame, kind: str, *, where: str) -> None:
    if kind not in times.columns:
        raise MissingColumnError(
            f"times has no column {kind!r}; found {list(times.columns)}", where=where
        )


def nearest_kind(times: pd.DataFrame) -> pd.DataFrame:
    """Which kind of cultural venue is nearest to each unit.

    Parameters
    ----------
    times : pandas.DataFrame
        One column per venue kind, one row per unit: minutes or metres to the nearest venue
        of that kind (``NaN``/``+inf`` = none reachable).

    Returns
    -------
    pandas.DataFrame
        Indexed like ``times``: ``nearest_kind`` (the column name; missing, i.e. ``NaN``,
        when no kind is reachable), ``nearest_value`` (its minutes or metres; ``inf`` when
        none) and ``tied`` (another kind is exactly as near).
    """
    m = _matrix(times, where="access.nearest_kind")
    best = m.min(axis=1)
    arg = m.argmin(axis=1)  # first column among ties
    reachable = np.isfinite(best)
    tied = reachable & ((m == best[:, None]).sum(axis=1) > 1)
    kinds = np.asarray(times.columns, dtype=object)[arg]
    kinds = np.where(reachable, kinds, None)
    return pd.DataFrame(
        {"nearest_kind": kinds, "nearest_value": best, "tied": tied}, index=times.index
    )


def library_nearest_share(
    times: pd.DataFrame,
    population: npt.ArrayLike | None = None,
    *,
    library: str = "library",
) -> dict[str, float]:
    """Share of residents for whom the library is the nearest cultural institution.

    Parameters
    ----------
    times : pandas.DataFrame
        As in :func:`nearest_kind`; must have the ``library`` column and at least one other.
    population : array-like, optional
        Residents of each row; ``None`` weighs rows equally.
    library : str
        Name of the library column.

    Returns
    -------
    dict
        ``population`` (total residents), ``share_strict`` (library strictly nearer than
        every other kind), ``share_with_ties`` (library at least as near as every other
        kind), ``share_no_venue`` (no venue of any kind reachable); shares are 0-1 of all
        residents.
    """
    where = "access.library_nearest_share"
    _need(times, library, where=where)
    if times.shape[1] < 2:
        raise DataError("times needs the library column and at least one other", where=where)
    m = _matrix(times, where=where)
    w = _weights(population, m.shape[0], where=where)
    total = float(w.sum())
    if total <= 0:
        raise DataError("total population must be > 0", where=where)
    k = times.columns.get_loc(library)
    lib = m[:, k]
    others = np.delete(m, k, axis=1).min(axis=1)
    reach = np.isfinite(lib)
    strict = reach & (lib < others)
    ties = reach & (lib <= others)
    none = ~np.isfinite(m).any(axis=1)
    return {
        "population": total,
        "share_strict": float(w[strict].sum() / total),
        "share_with_ties": float(w[ties].sum() / total),
        "share_no_venue": float(w[none].sum() / total),
    }


def _weighted_median(v: np.ndarray, w: np.ndarray) -> float:
    """Smallest v with at least half of the weight at or below it (inf may be returned)."""
    total = w.sum()
    if total <= 0:
        return float("nan")
    order = np.argsort(v, kind="stable")
    cum = np.cumsum(w[order])
    k = int(np.searchsorted(cum, 0.5 * total, side="left"))
    return float(v[order][min(k, v.shape[0] - 1)])


def median_by_kind(
    times: pd.DataFrame,
    population: npt.ArrayLike | None = None,
    *,
    unit: Unit = "min",
) -> pd.DataFrame:
    """Population-weighted median (and mean) minutes or metres to the nearest venue, by kind.

    Parameters
    ----------
    times : pandas.DataFrame
        As in :func:`nearest_kind`.
    population : array-like, optional
        Residents of each row.
    unit : {"min", "m"}
        Names the columns ``median_time_min``/``mean_time_min`` or ``median_dist_m``/...

    Returns
    -------
    pandas.DataFrame
        One row per kind in column order: ``kind``, ``median_<col>`` (unreachable = inf, see
        module docstring), ``mean_<col>`` (reachable residents only), ``unreachable_pop``.
    """
    where = "access.median_by_kind"
    col = "time_min" if _unit_suffix(unit) == "min" else "dist_m"
    m = _matrix(times, where=where)
    w = _weights(population, m.shape[0], where=where)
    if w.sum() <= 0:
        raise DataError("total population must be > 0", where=where)
    rows = []
    for k, kind in enumerate(times.columns):
        v = m[:, k]
        ok = np.isfinite(v)
        reach = w[ok].sum()
        rows.append(
            {
                "kind": kind,
                f"median_{col}": _weighted_median(v, w),
                f"mean_{col}": float(np.sum(w[ok] * v[ok]) / reach) if reach > 0 else np.nan,
                "unreachable_pop": float(w[~ok].sum()),
            }
        )
    return pd.DataFrame(rows)


def compare_to_library(
    times: pd.DataFrame,
    population: npt.ArrayLike | None = None,
    *,
    library: str = "library",
    others: Sequence[str] | None = ("museum", "theatre", "arts_centre"),
    unit: Unit = "min",
) -> pd.DataFrame:
    """Median time to the nearest library against the nearest museum, theatre, arts centre.

    Parameters
    ----------
    times : pandas.DataFrame
        As in :func:`nearest_kind`, with the ``library`` column.
    population : array-like, optional
        Residents of each row.
    library : str
        Name of the library column.
    others : sequence of str, optional
        Kinds to compare with; those absent from ``times`` are skipped. ``None`` compares
        with every other column.
    unit : {"min", "m"}
        Names the columns (``..._time_min`` or ``..._dist_m``).

    Returns
    -------
    pandas.DataFrame
        One row per compared kind: ``kind``, ``median_library_<col>``, ``median_<col>``
        (that kind), ``median_ratio`` (kind / library; NaN when the library median is 0 or
        either is infinite) and ``share_library_nearer`` (residents whose library is strictly
        nearer than that kind, 0-1).
    """
    where = "access.compare_to_library"
    _need(times, library, where=where)
    col = "time_min" if _unit_suffix(unit) == "min" else "dist_m"
    m = _matrix(times, where=where)
    w = _weights(population, m.shape[0], where=where)
    total = float(w.sum())
    if total <= 0:
        raise DataError("total population must be > 0", where=where)
    lib = m[:, times.columns.get_loc(library)]
    lib_median = _weighted_median(lib, w)
    kinds = [c for c in times.columns if c != library] if others is None else list(others)
    rows = []
    for kind in kinds:
        if kind not in times.columns or kind == library:
            continue
        v = m[:, times.columns.get_loc(kind)]
        med = _weighted_median(v, w)
        finite = np.isfinite(med) and np.isfinite(lib_median) and lib_median > 0
        rows.append(
            {
                "kind": kind,
                f"median_library_{col}": lib_median,
                f"median_{col}": med,
                "median_ratio": med / lib_median if finite else np.nan,
                "share_library_nearer": float(w[lib < v].sum() / total),
            }
        )
    columns = ["kind", f"median_library_{col}", f"median_{col}", "median_ratio",
               "share_library_nearer"]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)
