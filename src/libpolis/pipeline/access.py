"""The access step: distance or travel time from every resident to the nearest library, with
coverage, equity, capacity-aware access (E2SFCA) and the nearest cultural institution.

Result tables written by :func:`run_access` (``<label>`` defaults to the mode), each a real SQL
table ``res_<name>``:

=================================== ========================================================
table                               content
=================================== ========================================================
``access_<label>_units``            one row per population unit: ``unit_id, district,
                                    population, lon, lat, library_id, value`` (``dist_m`` or
                                    ``time_min``), ``reachable``, ``nearest_culture``,
                                    ``e2sfca``, ``e2sfca_norm`` (network modes),
                                    ``shape_wkt`` (the cell's polygon, e.g. H3, when known)
``access_<label>_outside``          network modes: the units left out of every figure
                                    (``unit_id, population, lon, lat, access_m, reason``:
                                    ``network`` = farther than ``max_access_m`` from it,
                                    ``cut`` = outside the area the import was cut to); the
                                    export of ``access_<label>_units`` lists them flagged
``access_<label>_coverage``         share of residents within each threshold
``access_<label>_curve``            the coverage curve (1-60 min, or 100-3000 m)
``access_<label>_districts``        per district: residents, mean, ``within_<t>`` shares,
                                    residents beyond the main standard (``unserved``); the
                                    district with the most such residents first
``access_<label>_district_coverage`` coverage by district and threshold (long form)
``access_<label>_bands``            coverage by age band (when the units carry age bands)
``access_<label>_income``           mean by income quintile (when units carry income)
``access_<label>_culture``          median value to the nearest library vs other venue kinds
``access_<label>_catchments``       residents whose nearest library is each library
``access_<label>_best_site``        one row: where one new service point would reach the most
                                    residents beyond the standard (straight-line estimate)
=================================== ========================================================

The run's summary (``latest_run(engine, "access_<label>").summary``) holds the headline
numbers: ``mode, label, unit, residents, libraries, unreachable, mean_dist_m |
mean_time_min, coverage, main_threshold, underserved_residents, gini,
concentration_index`` (with income), ``share_nearest_culture_library``, ``e2sfca`` (network
modes: resident-weighted figures per 1,000 residents) and, for network modes, the network
file and the area it covers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import shapely
from sqlalchemy import Engine

from libpolis.access import coverage as cov
from libpolis.access import cultural, equity, fca
from libpolis.errors import DataError
from libpolis.model import TravelMode
from libpolis.pipeline.inputs import (
    age_bands,
    attr_keys,
    libraries_left_out,
    load_libraries,
    load_population,
    load_venues,
    points_gdf,
    street_network,
)
from libpolis.pipeline.network_cache import street_graph
from libpolis.pipeline.requests import AccessRequest, AccessResult
from libpolis.plan.quick import best_new_site
from libpolis.scale import executor_for
from libpolis.scale.executor import Notify
from libpolis.store import write_result

__all__ = ["run_access"]

#: Straight-line reach of a walk-in service point per minute of the standard (4.8 km/h).
_WALK_M_PER_MIN = 80.0


def run_access(
    engine: Engine,
    request: AccessRequest | None = None,
    *,
    notify: Notify | None = None,
    **options: Any,
) -> AccessResult:
    """Distance (straight) or travel time (walk, bike, drive) to the nearest library for every
    population unit, with coverage, equity and the nearest cultural institution; stored.

    In network modes, units farther than ``max_access_m`` from the street network lie outside
    the area the network covers: the figures are for the covered area, and the summary's
    ``network`` entry says how many units and residents lie outside it (and the network's
    bounding box). When the street network's import was cut to a city (``import osm
    --boundary|--bbox|--place``), units outside that polygon are left out too (``cut``).
    Units inside the area that cannot reach a library are reported as ``unreachable``, never
    dropped.

    The searches run on ``request.engine``: ``local`` (this process) or ``dask`` (spatial
    partitions on a cluster, see :mod:`libpolis.scale`), with the same per-unit values; every
    figure is computed here, once, from all units. ``notify`` receives the engine's progress
    events (the dashboard's address, partitions done).
    """
    req = request if request is not None else AccessRequest(**options)
    with executor_for(req, notify) as ex:
        return _run_access(engine, req, ex)


def _run_access(engine: Engine, req: AccessRequest, ex: Any) -> AccessResult:
    """:func:`run_access` with its executor ``ex``."""
    tm = req.mode
    mode, label = tm.value, req.label or tm.value
    unit, col = tm.unit, tm.value_col
    ts = req.resolved_thresholds
    population_source, network = req.population_source, req.network
    max_access_m, catchment_min = req.max_access_m, req.catchment_min
    pop = load_population(engine, population_source)
    libs = load_libraries(engine)
    venues = load_venues(engine)
    residents, facilities = points_gdf(pop), points_gdf(libs)
    summary: dict[str, Any] = {"mode": mode, "label": label}
    summary["libraries_left_out"] = libraries_left_out(engine)  # not walk-in, per kind
    graph = None
    if not tm.is_network:
        near = ex.nearest_straight(residents, facilities)
        values = near["dist_m"].to_numpy(float)
        reachable = np.isfinite(values)
    else:
        net, cut = (Path(network), None) if network else street_network(engine)
        graph, cached = street_graph(net, mode)
        near = ex.nearest_facility(graph, residents, facilities, max_access_m=max_access_m)
        # Units farther than max_access_m from the network lie outside the area it covers:
        # every figure of this run is for the covered area, and the summary says so.
        inside = near["access_m"].to_numpy() <= max_access_m
        summary["network"] = {
            "file": net.name,
            "nodes": graph.n_nodes,
            "edges": graph.n_edges,
            "cached": cached,
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
        far = ~inside  # farther than max_access_m from the network
        if cut is not None:  # the import was cut to a city: residents outside it are not counted
            in_cut = shapely.covers(shapely.from_wkt(cut), shapely.points(pop["lon"], pop["lat"]))
            summary["network"]["cut"] = {
                "units_outside": int((inside & ~in_cut).sum()),
                "residents_outside": float(pop.loc[inside & ~in_cut, "population"].sum()),
            }
            if not (inside & in_cut).any():
                raise DataError(f"no population unit lies inside the area {net.name} was cut to")
            inside &= in_cut
        # kept, not dropped: the units left out, in their own table (the export flags them)
        out = ~inside
        outside = pd.DataFrame(
            {
                "unit_id": pop.loc[out, "source_id"].to_numpy(),
                "population": pop.loc[out, "population"].to_numpy(float),
                "lon": pop.loc[out, "lon"].to_numpy(float),
                "lat": pop.loc[out, "lat"].to_numpy(float),
                "access_m": near.loc[out, "access_m"].to_numpy(float),
                "reason": np.where(far[out], "network", "cut"),
            }
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
    if "geometry_wkt" in attr_keys(pop):  # cells with a shape (H3 hexagons): kept for maps
        shapes = pop["attrs"].map(
            lambda a: (a or {}).get("geometry_wkt") if isinstance(a, dict) else None
        )
        if shapes.notna().any():
            units["shape_wkt"] = shapes.to_numpy(object)
    # nearest cultural institution: value to the nearest venue of each kind
    kinds = sorted(set(venues["culture_kind"])) if len(venues) else []
    per_kind = {"library": values}
    for kind in kinds:
        sub = points_gdf(venues[venues["culture_kind"] == kind])
        if not tm.is_network:
            per_kind[kind] = ex.nearest_straight(residents, sub)["dist_m"].to_numpy(float)
        else:
            per_kind[kind] = ex.nearest_facility(graph, residents, sub, max_access_m=max_access_m)[
                "time_min"
            ].to_numpy(float)
    tables: dict[str, pd.DataFrame] = {} if graph is None else {"outside": outside}
    if kinds:
        times = pd.DataFrame(per_kind)
        units["nearest_culture"] = cultural.nearest_kind(times)["nearest_kind"].to_numpy()
        share = cultural.library_nearest_share(times, w)
        summary["share_nearest_culture_library"] = share["share_with_ties"]
        summary["share_nearest_culture_library_strict"] = share["share_strict"]
        tables["culture"] = cultural.median_by_kind(times, w, unit=unit)
    if graph is not None:
        od = ex.travel_time_matrix(graph, residents, facilities, limit_min=catchment_min)
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
        summary["e2sfca"] = fca.e2sfca_summary(units["e2sfca"], w, catchment_min=catchment_min)
    tables["units"] = units
    tables["catchments"] = cov.residents_by_facility(
        np.where(reachable, units["library_id"].to_numpy(object), None), w
    )
    tables["coverage"] = cov.coverage(values, w, ts, unit=unit)
    step = 100.0 if unit == "m" else 1.0
    tables["curve"] = cov.coverage_curve(
        values, w, max_value=3000.0 if unit == "m" else 60.0, step=step, unit=unit
    )
    main = tm.main_threshold if tm.main_threshold in ts else ts[-1]
    if pop["district"].notna().any():
        groups = pop["district"].fillna("(no district)").to_numpy()
        tables["district_coverage"] = cov.coverage_by_group(values, w, groups, ts, unit=unit)
        tables["districts"] = equity.district_summary(values, w, groups, ts, main=main, unit=unit)
    site = best_new_site(
        units,
        col,
        main,
        radius_m=main if unit == "m" else main * _WALK_M_PER_MIN,
    )
    if site is not None:
        tables["best_site"] = pd.DataFrame([{**site, "mode": TravelMode.STRAIGHT.value}])
    bands = age_bands(pop)
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
            "main_threshold": main,
            "underserved_residents": float(w[~(values <= main)].sum()),
        }
    )
    cmd = req.command or (
        f"libpolis access --mode {mode} --thresholds {','.join(f'{t:g}' for t in ts)}"
        + f" --population-source {summary['population_source']}"
        + (f" --label {req.label}" if req.label else "")
        + (" --engine dask" if req.engine == "dask" else "")
    )
    names = {f"access_{label}_{k}": v for k, v in tables.items()}
    run_id = write_result(
        engine,
        req.step,
        names,
        params={
            "mode": mode,
            "thresholds": list(ts),
            "population_source": population_source,
            "max_access_m": max_access_m,
            "catchment_min": catchment_min,
            "engine": ex.report(),
        },
        summary=summary,
        command=cmd,
    )
    return AccessResult(run_id, summary, tuple(names), mode=tm, label=label)
