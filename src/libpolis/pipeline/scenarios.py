"""The scenario step: what a closure costs, what longer hours change, where mobile stops help,
on the workspace's residents and libraries (the pure :mod:`libpolis.plan.scenarios`); stored.

Stored result tables (``<label>`` defaults to the kind):

==================================  =========================================================
table                               content
==================================  =========================================================
``scenario_<label>_groups``         closure: per group (population first, children and older
                                    people where known) ``within_before, within_after,
                                    lose_access, share_losing``
``scenario_<label>_units``          per population unit with ``lon, lat``: closure
                                    ``within_before, within_after, loses``; hours
                                    ``access_before, access_after, change`` (E2SFCA per
                                    1,000 residents)
``scenario_<label>_ranking``        closure of each library in turn (no ``--library``): one
                                    row per library with ``name, lon, lat, lose_access,
                                    share_losing``, the largest loss first (``rank`` 1)
``scenario_<label>_stops``          mobile: the chosen stops ``stop_id, name, kind, lon, lat,
                                    residents`` (underserved residents each stop reaches)
==================================  =========================================================
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from sqlalchemy import Engine

from libpolis.access.network import snap_points
from libpolis.errors import DataError
from libpolis.pipeline.inputs import (
    load_libraries,
    load_population,
    points_gdf,
    street_network_file,
)
from libpolis.pipeline.network_cache import street_graph
from libpolis.pipeline.requests import ScenarioKind, ScenarioRequest, ScenarioResult
from libpolis.plan.need import target_groups
from libpolis.plan.scenarios import closure_impact, mobile_stops, supply_change
from libpolis.scale import executor_for
from libpolis.scale.executor import Notify
from libpolis.store import write_result

__all__ = ["resolve_library", "run_scenario"]


def resolve_library(libs: pd.DataFrame, key: str) -> int:
    """Row of ``libs`` named by ``key``: its store id, imported id or exact name (any case)."""
    key_s = str(key).strip()
    for col in ("source_id", "id"):
        hit = np.flatnonzero(libs[col].astype(str).to_numpy() == key_s)
        if len(hit):
            return int(hit[0])
    hit = np.flatnonzero(libs["name"].astype(str).str.casefold().to_numpy() == key_s.casefold())
    if len(hit) == 1:
        return int(hit[0])
    what = "several libraries are named" if len(hit) else "no library"
    raise DataError(
        f"{what} {key!r} in the workspace; `libpolis list libraries` shows their ids and names"
    )


def _od(
    req: ScenarioRequest, ex: Any, origins: gpd.GeoDataFrame,
    destinations: gpd.GeoDataFrame, limit_min: float, graph: Any = None,
) -> pd.DataFrame:  # fmt: skip
    """``from_id, to_id, time_min`` of every pair within ``limit_min`` in the request's mode,
    found on the executor ``ex``."""
    if not req.mode.is_network:
        coo = ex.straight_line_times(
            origins, destinations, speed_kph=req.speed_kph, limit_min=limit_min
        ).tocoo()
        return pd.DataFrame(
            {
                "from_id": origins["id"].to_numpy()[coo.row],
                "to_id": destinations["id"].to_numpy()[coo.col],
                "time_min": coo.data.astype(float),
            }
        )
    return ex.travel_time_matrix(graph, origins, destinations, limit_min=limit_min)


def _reached(od: pd.DataFrame, ids: np.ndarray, within_min: float, shut: set[str]) -> np.ndarray:
    ok = (od["time_min"].to_numpy(float) <= within_min) & ~od["to_id"].isin(shut).to_numpy()
    return np.isin(ids, od.loc[ok, "from_id"].unique())


def _closure(req: ScenarioRequest, ctx: dict[str, Any]) -> tuple[dict[str, pd.DataFrame], dict]:
    pop, libs, residents, od = ctx["pop"], ctx["libs"], ctx["residents"], ctx["od"]
    groups = target_groups(pop)
    people = pd.concat(
        [pd.DataFrame({"id": residents["id"], "population": pop["population"].astype(float)}),
         groups.reset_index(drop=True)], axis=1,
    )  # fmt: skip
    within_min = req.within_min
    reached_libs = set(od["to_id"])
    lib_ids = libs["source_id"].astype(str).to_numpy()

    def impact(closed: list[str]) -> pd.DataFrame:
        # a library no resident reaches within the standard closes at no cost
        return closure_impact(
            people, od, closed=[c for c in closed if c in reached_libs], within_min=within_min,
            groups=list(groups.columns),
        )  # fmt: skip

    tables: dict[str, pd.DataFrame] = {}
    summary: dict[str, Any] = {}
    if req.libraries:
        rows = [resolve_library(libs, k) for k in req.libraries]
        closed = [lib_ids[r] for r in rows]
        table = impact(closed)
        ids = residents["id"].to_numpy()
        before = _reached(od, ids, within_min, set())
        after = _reached(od, ids, within_min, set(closed))
        tables["groups"] = table
        tables["units"] = pd.DataFrame(
            {"unit_id": ids, "population": people["population"].to_numpy(),
             "lon": pop["lon"].to_numpy(float), "lat": pop["lat"].to_numpy(float),
             "within_before": before, "within_after": after, "loses": before & ~after}
        )  # fmt: skip
        summary["closed"] = [
            {"library_id": lib_ids[r], "name": str(libs["name"].iloc[r])} for r in rows
        ]
        summary.update({k: float(table.loc[0, k]) for k in table.columns if k != "group"})
        summary["groups"] = table.to_dict(orient="records")
    else:
        rows_out = []
        for r, lib in enumerate(lib_ids):
            t = impact([lib]).set_index("group")
            row = {"library_id": lib, "name": str(libs["name"].iloc[r]),
                   "lon": float(libs["lon"].iloc[r]), "lat": float(libs["lat"].iloc[r])}  # fmt: skip
            row |= {k: float(t.loc["population", k]) for k in t.columns}
            row |= {f"{g}_lose_access": float(t.loc[g, "lose_access"]) for g in groups.columns}
            rows_out.append(row)
        ranking = pd.DataFrame(rows_out).sort_values(
            ["lose_access", "library_id"], ascending=[False, True], kind="stable"
        )
        ranking.insert(0, "rank", np.arange(1, len(ranking) + 1))
        tables["ranking"] = ranking.reset_index(drop=True)
        summary["ranking"] = [
            {k: rec[k] for k in ("rank", "library_id", "name", "lose_access", "share_losing")}
            for rec in tables["ranking"].head(10).to_dict(orient="records")
        ]
    return tables, summary


def _hours(req: ScenarioRequest, ctx: dict[str, Any]) -> tuple[dict[str, pd.DataFrame], dict]:
    pop, libs, residents, od = ctx["pop"], ctx["libs"], ctx["residents"], ctx["od"]
    r = resolve_library(libs, req.libraries[0])
    lib = str(libs["source_id"].astype(str).iloc[r])
    # only ratios to the median library count, so hours per year serve as well as per week
    supply = pd.DataFrame(
        {"id": libs["source_id"].astype(str).to_numpy(),
         "hours_per_week": pd.to_numeric(libs["hours_per_year"], errors="coerce").to_numpy(),
         "floor_area_m2": pd.to_numeric(libs["floor_area_m2"], errors="coerce").to_numpy()}
    )  # fmt: skip
    demand = pd.DataFrame({"id": residents["id"], "population": pop["population"].astype(float)})
    out = supply_change(
        demand, supply, od, library=lib, hours_factor=req.factor,
        floor_area_factor=req.floor_area_factor, catchment_min=req.catchment_min,
    )  # fmt: skip
    w = out["population"].to_numpy(float)
    per_1000 = {c: out[c].to_numpy(float) * 1000.0 for c in ("access_before", "access_after")}
    units = pd.DataFrame(
        {"unit_id": out["id"].to_numpy(), "population": w, "lon": pop["lon"].to_numpy(float),
         "lat": pop["lat"].to_numpy(float), **per_1000,
         "change": per_1000["access_after"] - per_1000["access_before"]}
    )  # fmt: skip

    def mean(col: str) -> float | None:
        v = units[col].to_numpy(float)
        ok = np.isfinite(v)
        return float(np.average(v[ok], weights=w[ok])) if w[ok].sum() > 0 else None

    summary = {
        "library": {"library_id": lib, "name": str(libs["name"].iloc[r])},
        "hours_factor": req.factor,
        "floor_area_factor": req.floor_area_factor,
        "catchment_min": req.catchment_min,
        "mean_access_before": mean("access_before"),
        "mean_access_after": mean("access_after"),
        "access_unit": "library capacity per 1,000 residents (E2SFCA)",
        "residents_changed": float(w[np.abs(units["change"].to_numpy(float)) > 1e-12].sum()),
    }
    return {"units": units}, summary


def _mobile(
    req: ScenarioRequest, ctx: dict[str, Any], engine: Engine, ex: Any
) -> tuple[dict[str, pd.DataFrame], dict]:
    from libpolis.pipeline.plan import candidate_sites

    pop, residents, od = ctx["pop"], ctx["residents"], ctx["od"]
    cand = candidate_sites(engine, req.candidates)
    if cand.empty:
        raise DataError(f"no candidate stops found in {req.candidates!r}")
    stops = points_gdf(
        pd.DataFrame({"id": cand["candidate_id"], "lon": cand.geometry.x, "lat": cand.geometry.y}),
        "id",
    )
    od_stops = _od(req, ex, residents, stops, req.within_min, ctx["graph"])
    weights = pd.DataFrame({"id": residents["id"], "population": pop["population"].astype(float)})
    n = min(int(req.stops), len(cand))
    model = mobile_stops(
        weights, od, od_stops, n_stops=n, within_min=req.within_min,
        stops=list(stops["id"]), time_limit_s=req.time_limit_s,
    )  # fmt: skip
    res = model.result
    table = model.client_table()
    reached = table[table["covered"]].groupby("site_id")["weight"].sum()
    chosen = cand.set_index("candidate_id").loc[list(res.selected)]
    stop_table = pd.DataFrame(
        {"stop_id": list(res.selected), "name": chosen["name"].astype(str).to_numpy(),
         "kind": chosen["kind"].astype(str).to_numpy(), "lon": chosen.geometry.x.to_numpy(),
         "lat": chosen.geometry.y.to_numpy(),
         "residents": [float(reached.get(s, 0.0)) for s in res.selected]}
    )  # fmt: skip
    ids = residents["id"].to_numpy()
    served = _reached(od, ids, req.within_min, set())
    summary = {
        "stops": n,
        "candidates": len(cand),
        "underserved_before": float(weights["population"].to_numpy()[~served].sum()),
        "reached_by_stops": float(res.value),
        "proven_optimal": bool(res.proven_optimal),
        "gap": res.gap,
        "selected": stop_table.to_dict(orient="records"),
    }
    return {"stops": stop_table}, summary


def run_scenario(
    engine: Engine,
    request: ScenarioRequest | None = None,
    *,
    notify: Notify | None = None,
    **options: Any,
) -> ScenarioResult:
    """Run one scenario on the workspace (times as in ``libpolis plan``: straight lines at
    ``speed_kph`` or door to door on the street network) and store its tables and run.

    On the street network, units farther than ``max_access_m`` from it lie outside the area it
    covers, as in ``libpolis access``: the figures are for the covered area and the summary's
    ``network`` entry says how many units and residents lie outside. The times are found on
    ``request.engine`` (``local``, or ``dask``: partitions on a cluster, the same times);
    every figure is then computed here, once, from all of them. ``notify`` receives the
    engine's progress events."""
    req = request if request is not None else ScenarioRequest(**options)
    with executor_for(req, notify) as ex:
        return _run_scenario(engine, req, ex)


def _run_scenario(engine: Engine, req: ScenarioRequest, ex: Any) -> ScenarioResult:
    """:func:`run_scenario` with its executor ``ex``."""
    label = req.label or req.kind.value
    pop = load_population(engine, req.population_source)
    libs = load_libraries(engine)
    graph, network = None, None
    if req.mode.is_network:  # as in `access`: units far from the network lie outside its area
        net = Path(req.network or street_network_file(engine))
        graph, _ = street_graph(net, req.mode.value)
        _, acc = snap_points(graph, pop["lon"].to_numpy(float), pop["lat"].to_numpy(float))
        inside = acc <= req.max_access_m
        if not inside.any():
            raise DataError(
                f"no population unit lies within {req.max_access_m:g} m of the street network"
                f" in {net.name}"
            )
        network = {
            "file": net.name, "max_access_m": req.max_access_m,
            "units_outside": int((~inside).sum()),
            "residents_outside": float(pop.loc[~inside, "population"].sum()),
        }  # fmt: skip
        pop = pop[inside].reset_index(drop=True)
    residents, facilities = points_gdf(pop), points_gdf(libs)
    limit = req.catchment_min if req.kind is ScenarioKind.HOURS else req.within_min
    od = _od(req, ex, residents, facilities, limit, graph)
    ctx = {"pop": pop, "libs": libs, "residents": residents, "od": od, "graph": graph}
    if req.kind is ScenarioKind.CLOSURE:
        tables, figures = _closure(req, ctx)
    elif req.kind is ScenarioKind.HOURS:
        tables, figures = _hours(req, ctx)
    else:
        tables, figures = _mobile(req, ctx, engine, ex)
    summary: dict[str, Any] = {
        "kind": req.kind.value,
        "label": label,
        "mode": req.mode.value,
        "within": req.resolved_within,
        "unit": req.mode.unit,
        "within_min": req.within_min,
        "residents": float(pop["population"].sum()),
        "libraries": len(libs),
        "population_source": str(pop["source"].iloc[0]),
        **figures,
    }
    if network is not None:
        summary["network"] = network
    names = {f"scenario_{label}_{k}": v for k, v in tables.items()}
    params = {
        "kind": req.kind.value, "libraries": list(req.libraries), "factor": req.factor,
        "floor_area_factor": req.floor_area_factor, "stops": req.stops,
        "within": req.resolved_within, "mode": req.mode.value, "speed_kph": req.speed_kph,
        "catchment_min": req.catchment_min, "candidates": req.candidates,
        "population_source": req.population_source, "engine": ex.report(),
    }  # fmt: skip
    run_id = write_result(
        engine, req.step, names, params=params, summary=summary,
        command=req.command or f"libpolis plan {req.kind.value}",
    )  # fmt: skip
    return ScenarioResult(run_id, summary, tuple(names), kind=req.kind, label=label)
