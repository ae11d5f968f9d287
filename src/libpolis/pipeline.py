"""Run analysis steps on a workspace: read inputs from the store, call the pure analysis,
write results back. The CLI, the web app and the Dask engine all call these functions.

Result names written by :func:`run_access` (``<label>`` defaults to the mode):

=================================  ==========================================================
table                              content
=================================  ==========================================================
``access_<label>_units``           one row per population unit: ``unit_id, district,
                                   population, lon, lat, library_id, value`` (``dist_m`` or
                                   ``time_min``), ``reachable``, ``nearest_culture``, ``e2sfca``
``access_<label>_coverage``        share of residents within each threshold
``access_<label>_curve``           the coverage curve (1-60 min, or 100-3000 m)
``access_<label>_districts``       mean and share not covered by district, least served first
``access_<label>_district_coverage`` coverage by district and threshold
``access_<label>_bands``           coverage by age band (when the units carry age bands)
``access_<label>_income``          mean by income quintile (when units carry income)
``access_<label>_culture``         median value to the nearest library vs other venue kinds
=================================  ==========================================================

The run's summary (``latest_run(engine, "access_<label>").summary``) holds the headline
numbers: ``mode, residents, libraries, unreachable, mean_dist_m | mean_time_min, coverage,
gini, share_nearest_culture_library`` and, for network modes, the network file and the area
it covers.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from sqlalchemy import Engine

from libpolis.access import coverage as cov
from libpolis.access import cultural, equity, fca
from libpolis.access.nearest import nearest_facility, nearest_straight, travel_time_matrix
from libpolis.access.network import MODES, graph_from_pbf
from libpolis.errors import DataError, NotFoundError
from libpolis.store import read_table, write_result
from libpolis.store.queries import datasets

__all__ = [
    "AGE_BANDS",
    "NOT_WALK_IN_KINDS",
    "load_libraries",
    "load_population",
    "load_venues",
    "points_gdf",
    "run_access",
    "street_network_file",
]

#: Library kinds whose point is not a place residents go to: a mobile library's depot, a
#: books-by-mail service, a hospital library that serves in-patients only.
NOT_WALK_IN_KINDS = frozenset(
    {"mobile_library", "bookmobile", "books_by_mail", "hospital_patient_library"}
)

#: Age-band attributes recognised on population units (HSY grid names) -> label.
AGE_BANDS = {
    "IKA0_9": "0-9",
    "IKA10_19": "10-19",
    "IKA20_29": "20-29",
    "IKA30_39": "30-39",
    "IKA40_49": "40-49",
    "IKA50_59": "50-59",
    "IKA60_69": "60-69",
    "IKA70_79": "70-79",
    "IKA_YLI80": "80+",
}
_SUPPRESSED = 99  # HSY marks every band 99 in thinly populated cells

_DEFAULT_THRESHOLDS = {"straight": (250.0, 500.0, 1000.0), "network": (5.0, 10.0, 15.0, 30.0)}


def _newest_source(engine: Engine, frame: pd.DataFrame) -> str:
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
        frame = frame[frame["source"] == _newest_source(engine, frame)]
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
    """Other cultural venues with coordinates, with ``culture_kind`` grouping museum types."""
    frame = read_table(engine, "venue")
    frame = frame[frame["lon"].notna() & frame["lat"].notna()].reset_index(drop=True)
    kind = frame["kind"].astype(str)
    frame["culture_kind"] = np.where(
        kind.str.contains("museum") | (kind == "historical_society"), "museum", kind
    )
    return frame


def street_network_file(engine: Engine) -> Path:
    """The newest imported OpenStreetMap file marked as the street network."""
    ds = datasets(engine).sort_values("imported_at")
    for _, row in ds.iloc[::-1].iterrows():
        if row["kind"] == "osm" and (row["attrs"] or {}).get("street_network"):
            path = Path(row["path"])
            if path.exists():
                return path
    raise NotFoundError(
        "the workspace has no street network: run `libpolis import osm FILE.pbf` or pass --network"
    )


def points_gdf(
    frame: pd.DataFrame, id_col: str = "source_id", as_col: str = "id"
) -> gpd.GeoDataFrame:
    """WGS84 points of a frame with ``lon``/``lat``, keeping its id (as text) in ``as_col``."""
    return gpd.GeoDataFrame(
        {as_col: frame[id_col].astype(str).to_numpy()},
        geometry=gpd.points_from_xy(frame["lon"], frame["lat"]),
        crs="EPSG:4326",
    )


def _age_bands(pop: pd.DataFrame) -> pd.DataFrame | None:
    attrs = pd.DataFrame(list(pop["attrs"].map(lambda a: a or {})))
    cols = [c for c in AGE_BANDS if c in attrs.columns]
    if not cols:
        return None
    bands = attrs[cols].apply(pd.to_numeric, errors="coerce").astype(float)
    suppressed = (bands == _SUPPRESSED).all(axis=1)
    bands[suppressed] = 0.0  # unknown ages: these residents are left out of the band figures
    return bands.fillna(0.0).rename(columns=AGE_BANDS)


def run_access(
    engine: Engine,
    *,
    mode: str = "straight",
    thresholds: Sequence[float] | None = None,
    population_source: str | None = None,
    network: Path | None = None,
    max_access_m: float = 400.0,
    catchment_min: float = 30.0,
    label: str | None = None,
    command: str | None = None,
) -> dict[str, Any]:
    """Distance (straight) or travel time (walk, bike, drive) to the nearest library for every
    population unit, with coverage, equity and the nearest cultural institution; stored.

    In network modes, units farther than ``max_access_m`` from the street network lie outside
    the area the network covers: the figures are for the covered area, and the summary's
    ``network`` entry says how many units and residents lie outside it (and the network's
    bounding box). Units inside the area that cannot reach a library are reported as
    ``unreachable``, never dropped.
    """
    if mode != "straight" and mode not in MODES:
        raise DataError(f"unknown mode {mode!r}; use straight or one of {', '.join(MODES)}")
    label = label or mode
    unit = "m" if mode == "straight" else "min"
    col = "dist_m" if unit == "m" else "time_min"
    ts = tuple(thresholds or _DEFAULT_THRESHOLDS["straight" if unit == "m" else "network"])
    pop = load_population(engine, population_source)
    libs = load_libraries(engine)
    venues = load_venues(engine)
    residents, facilities = points_gdf(pop), points_gdf(libs)
    summary: dict[str, Any] = {"mode": mode, "label": label}
    graph = None
    if mode == "straight":
        near = nearest_straight(residents, facilities)
        values = near["dist_m"].to_numpy(float)
        reachable = np.isfinite(values)
    else:
        net = Path(network) if network else street_network_file(engine)
        graph = graph_from_pbf(net, mode)
        near = nearest_facility(graph, residents, facilities, max_access_m=max_access_m)
        # Units farther than max_access_m from the network lie outside the area it covers:
        # every figure of this run is for the covered area, and the summary says so.
        inside = near["access_m"].to_numpy() <= max_access_m
        summary["network"] = {
            "file": net.name,
            "nodes": graph.n_nodes,
            "edges": graph.n_edges,
            "max_access_m": max_access_m,
            "units_outside": int((~inside).sum()),
            "residents_outside": float(pop.loc[~inside, "population"].sum()),
            "bbox": [
                float(graph.lon.min()),
                float(graph.lat.min()),
                float(graph.lon.max()),
                float(graph.lat.max()),
            ],
        }
        if not inside.any():
            raise DataError(
                f"no population unit lies within {max_access_m:g} m of the street network in {net.name}"
            )
        pop, near = pop[inside].reset_index(drop=True), near[inside].reset_index(drop=True)
        residents = residents[inside].reset_index(drop=True)
        values = near["time_min"].to_numpy(float)
        reachable = near["reachable"].to_numpy(bool)
    w = pop["population"].to_numpy(float)
    units = pd.DataFrame(
        {
            "unit_id": pop["source_id"],
            "district": pop["district"],
            "population": w,
            "lon": pop["lon"],
            "lat": pop["lat"],
            "library_id": near["to_id"].to_numpy(),
            col: values,
            "reachable": reachable,
        }
    )
    # nearest cultural institution: value to the nearest venue of each kind
    kinds = sorted(set(venues["culture_kind"])) if len(venues) else []
    per_kind = {"library": values}
    for kind in kinds:
        sub = points_gdf(venues[venues["culture_kind"] == kind])
        if mode == "straight":
            per_kind[kind] = nearest_straight(residents, sub)["dist_m"].to_numpy(float)
        else:
            per_kind[kind] = nearest_facility(graph, residents, sub, max_access_m=max_access_m)[
                "time_min"
            ].to_numpy(float)
    tables: dict[str, pd.DataFrame] = {}
    if kinds:
        times = pd.DataFrame(per_kind)
        units["nearest_culture"] = cultural.nearest_kind(times)["nearest_kind"].to_numpy()
        share = cultural.library_nearest_share(times, w)
        summary["share_nearest_culture_library"] = share["share_with_ties"]
        summary["share_nearest_culture_library_strict"] = share["share_strict"]
        tables["culture"] = cultural.median_by_kind(times, w, unit=unit)
    if graph is not None:
        od = travel_time_matrix(graph, residents, facilities, limit_min=catchment_min)
        demand = pd.DataFrame({"id": residents["id"], "population": w})
        # supply from opening hours and floor area where known, else one per library
        supply = pd.DataFrame(
            {
                "id": facilities["id"],
                "supply": fca.library_supply(
                    libs, hours="hours_per_year", floor_area="floor_area_m2", staff=None
                ).to_numpy(),
            }
        )
        score = fca.e2sfca(demand, supply, od, catchment_min=catchment_min)
        units["e2sfca"] = score["access"].to_numpy()
        units["e2sfca_norm"] = score["access_norm"].to_numpy()
    tables["units"] = units
    tables["coverage"] = cov.coverage(values, w, ts, unit=unit)
    step = 100.0 if unit == "m" else 1.0
    tables["curve"] = cov.coverage_curve(
        values, w, max_value=3000.0 if unit == "m" else 60.0, step=step, unit=unit
    )
    if pop["district"].notna().any():
        tables["district_coverage"] = cov.coverage_by_group(
            values, w, pop["district"].fillna("(no district)").to_numpy(), ts, unit=unit
        )
        tables["districts"] = equity.underserved_districts(
            values,
            w,
            pop["district"].fillna("(no district)").to_numpy(),
            threshold=ts[len(ts) // 2],
            unit=unit,
        )
    bands = _age_bands(pop)
    if bands is not None:
        tables["bands"] = cov.coverage_by_band(values, bands, ts, unit=unit)
    if pop["income"].notna().any():
        has = pop["income"].notna().to_numpy()
        tables["income"] = equity.mean_by_income_quantile(
            values[has], pop["income"].to_numpy(float)[has], w[has], unit=unit
        )
        summary["concentration_index"] = equity.concentration_index(
            np.where(reachable, values, np.nan)[has & reachable],
            pop["income"].to_numpy(float)[has & reachable],
            w[has & reachable],
        )
    ok = reachable & np.isfinite(values)
    summary.update(
        {
            "residents": float(w.sum()),
            "population_units": len(pop),
            "libraries": len(libs),
            "venues": len(venues),
            "unreachable": float(w[~ok].sum()),
            "unreachable_units": int((~ok).sum()),
            f"mean_{col}": float(np.average(values[ok], weights=w[ok]))
            if w[ok].sum() > 0
            else None,
            "coverage": {
                f"{t:g}": float(s) for t, s in zip(ts, tables["coverage"]["share"], strict=True)
            },
            "gini": equity.gini(values[ok], w[ok]) if ok.any() else None,
            "population_source": str(pop["source"].iloc[0]),
            "thresholds": list(ts),
            "unit": unit,
        }
    )
    cmd = command or (
        f"libpolis access --mode {mode} --thresholds {','.join(f'{t:g}' for t in ts)}"
        + (f" --population-source {population_source}" if population_source else "")
    )
    write_result(
        engine,
        f"access_{label}",
        {f"access_{label}_{k}": v for k, v in tables.items()},
        params={
            "mode": mode,
            "thresholds": list(ts),
            "population_source": population_source,
            "max_access_m": max_access_m,
            "catchment_min": catchment_min,
        },
        summary=summary,
        command=cmd,
    )
    return summary
