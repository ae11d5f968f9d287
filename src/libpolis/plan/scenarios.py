"""Scenarios: what a closure costs, what longer hours or more floor area change, where a mobile
library should stop.

All travel times are long tables ``from_id`` (resident / demand point), ``to_id`` (library or
candidate stop), ``time_min`` as returned by :mod:`libpolis.access.nearest`; missing pairs are
not reachable within the table's limit.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from libpolis.access.fca import e2sfca, library_supply
from libpolis.errors import DataError, MissingColumnError
from libpolis.plan.cover import MaximalCoverage

__all__ = ["closure_impact", "mobile_stops", "supply_change"]

_OD = ("from_id", "to_id", "time_min")


def _check(frame: pd.DataFrame, cols: Sequence[str], what: str) -> None:
    missing = [c for c in cols if c not in frame.columns]
    if missing:
        raise MissingColumnError(f"{what} lacks column(s) {missing}; found {list(frame.columns)}")


def _reached(od: pd.DataFrame, ids: pd.Index, within_min: float, exclude=()) -> np.ndarray:
    """Which ids reach a library of ``od`` within ``within_min`` (libraries in ``exclude`` shut)."""
    times = pd.to_numeric(od["time_min"], errors="coerce")
    ok = (times <= within_min) & ~od["to_id"].isin(list(exclude))
    return ids.isin(pd.Index(od.loc[ok, "from_id"].unique()))


def closure_impact(
    residents: pd.DataFrame,
    od: pd.DataFrame,
    *,
    closed: Sequence[object],
    within_min: float,
    resident_id: str = "id",
    population: str = "population",
    groups: Sequence[str] = (),
) -> pd.DataFrame:
    """Residents who lose access within ``within_min`` minutes if the ``closed`` libraries shut.

    Parameters
    ----------
    residents : DataFrame
        One row per demand point: ``resident_id``, ``population`` and one count column per
        group of interest (e.g. ``children``, ``over_65``, ``low_income``).
    od : DataFrame
        ``from_id, to_id, time_min``: residents to today's libraries.
    closed : sequence
        Ids of the libraries that close (must appear in ``od.to_id``).
    within_min : float
        Access standard in minutes.
    groups : sequence of str
        Count columns of ``residents`` to report besides ``population``.

    Returns
    -------
    DataFrame
        One row per group (``population`` first): ``group``, ``within_before``,
        ``within_after``, ``lose_access`` (people) and ``share_losing`` (of the group's total).
    """
    _check(residents, [resident_id, population, *groups], "residents")
    _check(od, _OD, "travel-time table")
    unknown = [c for c in closed if c not in set(od["to_id"])]
    if unknown:
        raise DataError(f"closed library {unknown[0]!r} does not appear in the travel-time table")
    ids = pd.Index(residents[resident_id])
    before = _reached(od, ids, within_min)
    after = _reached(od, ids, within_min, exclude=closed)
    rows = []
    for col in (population, *groups):
        count = pd.to_numeric(residents[col], errors="coerce").fillna(0.0).to_numpy(float)
        total = float(count.sum())
        lose = float(count[before & ~after].sum())
        rows.append(
            {
                "group": col,
                "within_before": float(count[before].sum()),
                "within_after": float(count[after].sum()),
                "lose_access": lose,
                "share_losing": lose / total if total > 0 else 0.0,
            }
        )
    return pd.DataFrame(rows)


def supply_change(
    demand: pd.DataFrame,
    libraries: pd.DataFrame,
    od: pd.DataFrame,
    *,
    library: object,
    hours_factor: float = 1.0,
    floor_area_factor: float = 1.0,
    catchment_min: float = 30.0,
    demand_id: str = "id",
    population: str = "population",
    library_id: str = "id",
) -> pd.DataFrame:
    """E2SFCA access before and after longer opening hours or more floor area at one branch.

    Supply is :func:`libpolis.access.fca.library_supply` (hours x floor area relative to the
    median library); the branch's supply is multiplied by ``hours_factor * floor_area_factor``
    with the medians held at today's values (so other branches keep their supply).

    Returns
    -------
    DataFrame
        Per demand point: ``demand_id``, ``population``, ``access_before``, ``access_after``,
        ``change`` (supply per resident; see :func:`libpolis.access.fca.e2sfca`).
    """
    _check(libraries, [library_id], "libraries")
    for name, value in (("hours_factor", hours_factor), ("floor_area_factor", floor_area_factor)):
        if not value >= 0:
            raise DataError(f"{name} must be >= 0, got {value!r}")
    ids = libraries[library_id]
    if library not in set(ids):
        raise DataError(f"library {library!r} is not among the {len(ids)} libraries")
    supply = pd.DataFrame({"id": ids.to_numpy(), "supply": library_supply(libraries).to_numpy()})
    changed = supply.copy()
    changed.loc[changed["id"] == library, "supply"] *= hours_factor * floor_area_factor
    common = {
        "catchment_min": catchment_min,
        "demand_id": demand_id,
        "population": population,
        "supply_id": "id",
        "supply_col": "supply",
    }
    before = e2sfca(demand, supply, od, **common)
    after = e2sfca(demand, changed, od, **common)
    return pd.DataFrame(
        {
            demand_id: before[demand_id].to_numpy(),
            "population": before["population"].to_numpy(),
            "access_before": before["access"].to_numpy(),
            "access_after": after["access"].to_numpy(),
            "change": after["access"].to_numpy() - before["access"].to_numpy(),
        }
    )


def mobile_stops(
    residents: pd.DataFrame,
    od_libraries: pd.DataFrame,
    od_stops: pd.DataFrame,
    *,
    n_stops: int,
    within_min: float,
    resident_id: str = "id",
    weight: str = "population",
    stops: Sequence[object] | None = None,
    time_limit_s: float = 60.0,
) -> MaximalCoverage:
    """Choose ``n_stops`` mobile-library stops (MCLP) for residents farther than ``within_min``
    from every library.

    Parameters
    ----------
    residents : DataFrame
        ``resident_id`` and ``weight`` (residents, or need-weighted residents).
    od_libraries : DataFrame
        ``from_id, to_id, time_min``: residents to today's libraries.
    od_stops : DataFrame
        ``from_id, to_id, time_min``: residents to candidate stops.
    stops : sequence, optional
        All candidate stop ids (default: those in ``od_stops``).

    Returns
    -------
    MaximalCoverage
        The solved model; ``result.value`` is the weight of underserved residents a stop
        reaches within ``within_min`` minutes.
    """
    _check(residents, [resident_id, weight], "residents")
    _check(od_libraries, _OD, "travel-time table to libraries")
    ids = pd.Index(residents[resident_id])
    served = _reached(od_libraries, ids, within_min)
    w = pd.to_numeric(residents[weight], errors="coerce").to_numpy(float)
    underserved = pd.Series(np.where(served, 0.0, w), index=ids)
    known = od_stops["from_id"].isin(ids)
    model = MaximalCoverage.from_cost_matrix(
        od_stops[known], underserved, within_min=within_min, n_sites=n_stops, sites=stops,
        name="mobile stops",
    )  # fmt: skip
    return model.solve(time_limit_s=time_limit_s)
