"""Need weights: count residents in groups the city wants to reach first more than once."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from libpolis.errors import DataError, MissingColumnError

__all__ = ["need_weights"]


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
