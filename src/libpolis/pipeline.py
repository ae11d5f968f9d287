"""Run analysis steps on a workspace: read inputs from the store, call the pure analysis,
write results back. The CLI, the web app and the Dask engine all call these functions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from libpolis.access.straight import nearest_straight
from libpolis.errors import DataError
from libpolis.store import read_table, write_result
from libpolis.store.queries import datasets

__all__ = [
    "NOT_WALK_IN_KINDS",
    "load_libraries",
    "load_population",
    "load_venues",
    "run_access_straight",
]

#: Library kinds whose point is not a place residents go to: a mobile library's depot, a
#: books-by-mail service, a hospital library that serves in-patients only.
NOT_WALK_IN_KINDS = frozenset(
    {"mobile_library", "bookmobile", "books_by_mail", "hospital_patient_library"}
)


def _newest_source(engine: Engine, table: str, frame: pd.DataFrame) -> str:
    sources = set(frame["source"].unique())
    ds = datasets(engine)
    ds = ds[ds["source"].isin(sources)].sort_values("imported_at")
    return str(ds["source"].iloc[-1]) if len(ds) else sorted(sources)[-1]


def load_population(engine: Engine, source: str | None = None) -> pd.DataFrame:
    """Population units of one source (default: the most recently imported population file)."""
    frame = read_table(engine, "population_unit", source=source)
    if frame.empty:
        where = f" from source {source!r}" if source else ""
        raise DataError(f"the workspace has no population{where}; run `libpolis import population`")
    if source is None and frame["source"].nunique() > 1:
        frame = frame[frame["source"] == _newest_source(engine, "population_unit", frame)]
    return frame.reset_index(drop=True)


def load_libraries(engine: Engine, *, walk_in_only: bool = True) -> pd.DataFrame:
    """Libraries with coordinates; by default without points residents do not go to."""
    frame = read_table(engine, "library")
    frame = frame[frame["lon"].notna() & frame["lat"].notna()]
    if walk_in_only:
        frame = frame[~frame["kind"].isin(NOT_WALK_IN_KINDS)]
    if frame.empty:
        raise DataError("the workspace has no libraries with coordinates; run `libpolis import`")
    return frame.reset_index(drop=True)


def load_venues(engine: Engine) -> pd.DataFrame:
    """Other cultural venues with coordinates."""
    frame = read_table(engine, "venue")
    return frame[frame["lon"].notna() & frame["lat"].notna()].reset_index(drop=True)


def run_access_straight(
    engine: Engine,
    *,
    thresholds_m: Sequence[float] = (250, 500, 1000),
    population_source: str | None = None,
    command: str = "libpolis access --mode straight",
) -> dict[str, Any]:
    """Straight-line distance to the nearest library for every population unit; store it.

    Stores ``res_access_units`` (one row per unit) and returns the summary: residents,
    libraries, population-weighted mean distance and coverage per threshold, city-wide and
    per district, and the share of residents whose nearest cultural venue is a library.
    """
    pop = load_population(engine, population_source)
    libs = load_libraries(engine)
    venues = load_venues(engine)
    near = nearest_straight(pop[["lon", "lat"]], libs[["lon", "lat"]])
    units = pd.DataFrame(
        {
            "unit_id": pop["source_id"],
            "district": pop["district"],
            "population": pop["population"],
            "lon": pop["lon"],
            "lat": pop["lat"],
            "library_id": libs["source_id"].to_numpy()[near["index"].to_numpy()],
            "dist_m": near["dist_m"].to_numpy(),
        }
    )
    if len(venues):
        vnear = nearest_straight(pop[["lon", "lat"]], venues[["lon", "lat"]])
        units["venue_dist_m"] = vnear["dist_m"].to_numpy()
        units["venue_kind"] = venues["kind"].to_numpy()[vnear["index"].to_numpy()]
        units["nearest_culture"] = np.where(
            units["dist_m"] <= units["venue_dist_m"], "library", units["venue_kind"]
        )
    w = units["population"].to_numpy()
    total = float(w.sum())

    def cover(frame: pd.DataFrame) -> dict[str, float]:
        tot = float(frame["population"].sum())
        return {
            str(int(t)): (
                float(frame.loc[frame["dist_m"] <= t, "population"].sum()) / tot if tot else 0.0
            )
            for t in thresholds_m
        }

    by_district = {
        str(name): {
            "residents": float(g["population"].sum()),
            "mean_dist_m": float(np.average(g["dist_m"], weights=g["population"]))
            if g["population"].sum() > 0
            else None,
            "coverage": cover(g),
        }
        for name, g in units[units["district"].notna()].groupby("district")
    }
    summary: dict[str, Any] = {
        "mode": "straight",
        "residents": total,
        "population_units": len(units),
        "libraries": len(libs),
        "unreachable": 0,
        "mean_dist_m": float(np.average(units["dist_m"], weights=w)) if total else None,
        "coverage": cover(units),
        "by_district": by_district,
        "population_source": str(pop["source"].iloc[0]),
    }
    if "nearest_culture" in units:
        summary["venues"] = len(venues)
        summary["share_nearest_culture_library"] = (
            float(units.loc[units["nearest_culture"] == "library", "population"].sum() / total)
            if total
            else None
        )
    write_result(
        engine,
        "access_straight",
        {"access_units": units},
        params={"thresholds_m": list(thresholds_m), "population_source": population_source},
        summary=summary,
        command=command,
    )
    return summary
