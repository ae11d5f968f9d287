"""The planning step: where new branches reach the most residents (MCLP) or cut travel most
(p-median), on the workspace's residents and libraries; results stored in the workspace.

Stored result tables (``<label>`` defaults to the objective):

``plan_<label>_sites``   existing libraries and chosen sites: ``site_id, name, kind, status``
                         (``existing`` / ``new``), ``lon, lat``, ``residents`` (weight served:
                         within the standard for coverage, assigned for the median)
``plan_<label>_units``   per population unit: ``unit_id, population, weight``, before/after
                         (``covered_*`` or ``time_min_*``) and the serving ``site_id``
``plan_<label>_groups``  residents gained (coverage) or mean time (median) by group:
                         everyone, low income, children, older people where known
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
from sqlalchemy import Engine

from libpolis.errors import DataError, NotFoundError
from libpolis.model import Objective
from libpolis.pipeline.inputs import (
    load_libraries,
    load_population,
    points_gdf,
    street_network_file,
)
from libpolis.pipeline.network_cache import street_graph
from libpolis.pipeline.requests import PlanRequest, PlanResult
from libpolis.plan import MaximalCoverage, PMedian
from libpolis.plan.need import group_gains, need_weights, target_groups
from libpolis.scale import executor_for
from libpolis.scale.executor import Notify
from libpolis.sources.candidates import candidates_from_file, candidates_from_pbf
from libpolis.store import write_result
from libpolis.store.queries import datasets

__all__ = ["candidate_sites", "run_plan"]


def candidate_sites(engine: Engine, candidates: str) -> gpd.GeoDataFrame:
    """Candidate sites: from a file, or (``"osm"``) from the newest imported OSM file that
    has any (schools, community centres, town halls, post offices, ...)."""
    if candidates != "osm":
        return candidates_from_file(Path(candidates))
    ds = datasets(engine)
    ds = ds[ds["kind"] == "osm"].sort_values("imported_at")
    for path in ds["path"].iloc[::-1]:  # newest first; street-only extracts have no candidates
        if Path(path).exists():
            found = candidates_from_pbf(path)
            if len(found):
                return found
    raise NotFoundError(
        "no OpenStreetMap file in the workspace with candidate sites (schools, community"
        " centres, town halls, post offices, shopping centres, stations); run"
        " `libpolis import osm FILE.pbf` or pass --candidates FILE.csv"
    )


def run_plan(
    engine: Engine,
    request: PlanRequest | None = None,
    *,
    notify: Notify | None = None,
    **options: Any,
) -> PlanResult:
    """Solve the plan on the workspace and store it.

    Times are straight lines at ``speed_kph`` in a local UTM CRS (``mode=straight``) or
    door-to-door on the street network (``walk``, ``bike``, ``drive``; the imported network or
    ``network``), as in ``libpolis access``. Pairs beyond the standard (coverage) or four times
    it (median, where an unserved resident is charged that limit) are not computed. The
    times are found on ``request.engine`` (``local``, or ``dask``: partitions on a cluster,
    the same pairs and times); the model is solved here on all of them.
    """
    req = request if request is not None else PlanRequest(**options)
    with executor_for(req, notify) as ex:
        return _run_plan(engine, req, ex)


def _run_plan(engine: Engine, req: PlanRequest, ex: Any) -> PlanResult:
    """:func:`run_plan` with its executor ``ex``."""
    objective, mode = req.objective, req.mode
    label = req.label or objective.value
    pop = load_population(engine, req.population_source)
    libs = load_libraries(engine)
    cand = candidate_sites(engine, req.candidates)
    if cand.empty:
        raise DataError(f"no candidate sites found in {req.candidates!r}")
    groups = target_groups(pop)
    units = pd.DataFrame(
        {
            "id": pop["source_id"].astype(str),
            "population": pop["population"].astype(float),
            "lon": pop["lon"].astype(float),
            "lat": pop["lat"].astype(float),
        }
    )
    units = pd.concat([units, groups], axis=1)
    if req.weight == "need":
        if groups.empty or not len(groups.columns):
            raise DataError(
                "--weight need needs income or age bands on the population units; none found"
            )
        w = need_weights(units, groups=dict.fromkeys(groups.columns, 2.0))
    else:
        w = units["population"]
    sites = pd.DataFrame(
        {
            "site_id": ["library:" + s for s in libs["source_id"].astype(str)]
            + list(cand["candidate_id"]),
            "name": list(libs["name"]) + list(cand["name"]),
            "kind": ["library"] * len(libs) + list(cand["kind"]),
            "status": ["existing"] * len(libs) + ["candidate"] * len(cand),
            "lon": list(libs["lon"]) + list(cand.geometry.x),
            "lat": list(libs["lat"]) + list(cand.geometry.y),
        }
    )
    residents = points_gdf(units, "id")
    site_pts = points_gdf(sites, "site_id", "site_id")
    existing = (sites["status"] == "existing").to_numpy()
    weights = pd.Series(w.to_numpy(float), index=units["id"])
    n_sites = min(int(req.n_sites), int((~existing).sum()))
    within_min = req.within_min
    limit = within_min if objective is Objective.COVERAGE else 4.0 * within_min
    site_ids = list(sites["site_id"])
    if not mode.is_network:
        times = ex.straight_line_times(
            residents, site_pts, speed_kph=req.speed_kph, limit_min=limit
        )
    else:
        graph, _ = street_graph(req.network or street_network_file(engine), mode.value)
        times = ex.travel_time_matrix(
            graph, residents, site_pts, limit_min=limit, destination_id="site_id"
        )
    if objective is Objective.COVERAGE:
        model = MaximalCoverage.from_cost_matrix(
            times, weights, within_min=within_min, n_sites=n_sites, existing=existing,
            sites=site_ids,
        )  # fmt: skip
    else:
        model = PMedian.from_cost_matrix(
            times, weights, n_sites=n_sites, existing=existing, sites=site_ids,
            unreachable_min=limit,
        )  # fmt: skip
    result = model.solve(time_limit_s=req.time_limit_s).result
    table = model.client_table()
    sites.loc[sites["site_id"].isin(result.selected), "status"] = "new"
    served = table.groupby("site_id")["weight"].sum() if len(table) else pd.Series(dtype=float)
    if objective is Objective.COVERAGE:
        served = table[table["covered"]].groupby("site_id")["weight"].sum()
    sites["residents"] = sites["site_id"].map(served).fillna(0.0)
    out_sites = sites[sites["status"] != "candidate"].reset_index(drop=True)
    unit_table = units[["id", "population", "lon", "lat"]].rename(columns={"id": "unit_id"})
    unit_table["weight"] = weights.to_numpy()
    unit_table["site_id"] = table["site_id"].to_numpy()
    people = {col: units[col].to_numpy(float) for col in ["population", *groups.columns]}
    if objective is Objective.COVERAGE:
        unit_table["covered_before"] = table["covered_before"].to_numpy()
        unit_table["covered_after"] = table["covered"].to_numpy()
        before, after = unit_table["covered_before"], unit_table["covered_after"]
    else:
        base = PMedian.from_cost_matrix(
            times, weights, n_sites=0, existing=existing, sites=site_ids,
            unreachable_min=limit,
        ).solve()  # fmt: skip
        unit_table["time_min_before"] = base.client_table()["time_min"].to_numpy()
        unit_table["time_min_after"] = table["time_min"].to_numpy()
        before, after = unit_table["time_min_before"], unit_table["time_min_after"]
    group_table = group_gains(
        people, before.to_numpy(), after.to_numpy(), objective=objective.value
    )
    summary: dict[str, Any] = {
        "objective": objective.value,
        "label": label,
        "sites": n_sites,
        "within_min": within_min,
        "weight": req.weight,
        "speed_kph": req.speed_kph,
        "mode": mode.value,
        "population_source": str(pop["source"].iloc[0]),
        "times": (
            f"{mode.value} on the street network"
            if mode.is_network
            else f"straight line at {req.speed_kph:g} km/h"
        ),
        "candidates": int((~existing).sum()),
        "existing_libraries": int(existing.sum()),
        "selected": list(result.selected),
        "value": result.value,
        "bound": result.bound,
        "gap": result.gap,
        "proven_optimal": result.proven_optimal,
        "method": result.method,
        "runtime_s": result.runtime_s,
        "groups": group_table.to_dict(orient="records"),
    }
    if objective is Objective.COVERAGE:
        summary["residents_gained"] = float(group_table.loc[0, "gained"])
    else:
        for key in ("mean_time_min_before", "mean_time_min_after"):
            summary[key] = float(group_table.loc[0, key])
    new = out_sites[out_sites["status"] == "new"].set_index("site_id")
    summary["new_sites"] = [
        {"site_id": sid, "name": str(new.at[sid, "name"]), "kind": str(new.at[sid, "kind"]),
         "lon": float(new.at[sid, "lon"]), "lat": float(new.at[sid, "lat"]),
         "residents": float(new.at[sid, "residents"])}
        for sid in result.selected
    ]  # fmt: skip
    names = {
        f"plan_{label}_sites": out_sites,
        f"plan_{label}_units": unit_table,
        f"plan_{label}_groups": group_table,
    }
    run_id = write_result(
        engine,
        req.step,
        names,
        params={
            k: summary[k]
            for k in ("objective", "sites", "within_min", "weight", "speed_kph", "mode")
        }
        | {"candidates": req.candidates, "time_limit_s": req.time_limit_s},
        summary=summary,
        command=req.command,
    )
    return PlanResult(run_id, summary, tuple(names), objective=objective, mode=mode)
