"""``libpolis plan``: where new branches reach the most residents (MCLP) or cut travel most
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

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from libpolis._cli_common import DbOpt, JsonOpt, WorkspaceOpt, cli_errors, emit, engine_for

__all__ = ["register", "run_plan"]

_CHILD_BANDS = ("IKA0_9", "IKA10_19")
_OLDER_BANDS = ("IKA70_79", "IKA_YLI80")
_SUPPRESSED = 99


def _groups(pop):  # -> DataFrame with low_income, children, older (people), where known
    import numpy as np
    import pandas as pd

    out = pd.DataFrame(index=pop.index)
    people = pop["population"].astype(float).fillna(0.0)
    income = pd.to_numeric(pop.get("income"), errors="coerce") if "income" in pop else None
    if income is not None and income.notna().any():
        known = income.notna()
        order = np.argsort(income[known].to_numpy(), kind="stable")
        cum = np.cumsum(people[known].to_numpy()[order])
        cut_pos = int(np.searchsorted(cum, 0.2 * cum[-1]))
        cut = income[known].to_numpy()[order][min(cut_pos, len(order) - 1)]
        out["low_income"] = np.where(known & (income <= cut), people, 0.0)
    attrs = pd.DataFrame(list(pop["attrs"].map(lambda a: a or {})), index=pop.index)
    for name, bands in (("children", _CHILD_BANDS), ("older", _OLDER_BANDS)):
        cols = [c for c in bands if c in attrs.columns]
        if cols:
            vals = attrs[cols].apply(pd.to_numeric, errors="coerce").astype(float)
            vals[vals == _SUPPRESSED] = np.nan
            out[name] = vals.fillna(0.0).sum(axis=1)
    return out


def _mean(people, times) -> float:
    """People-weighted mean of ``times`` (NaN when there are no people)."""
    total = float(people.sum())
    return float((people * times.to_numpy(float)).sum() / total) if total > 0 else float("nan")


def _candidate_sites(engine, candidates: str):
    from libpolis.errors import NotFoundError
    from libpolis.plan.candidates import candidates_from_file, candidates_from_pbf
    from libpolis.store.queries import datasets

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
    engine,
    *,
    objective: str = "coverage",
    n_sites: int = 3,
    within_min: float = 15.0,
    candidates: str = "osm",
    weight: str = "population",
    speed_kph: float = 4.8,
    time_limit_s: float = 60.0,
    label: str | None = None,
    population_source: str | None = None,
    mode: str = "straight",
    network: Path | None = None,
    command: str = "",
) -> dict[str, Any]:
    """Solve the plan on the workspace and store it.

    Times are straight lines at ``speed_kph`` in a local UTM CRS (``mode="straight"``) or
    door-to-door on the street network (``walk``, ``bike``, ``drive``; the imported network or
    ``network``), as in ``libpolis access``. Pairs beyond the standard (coverage) or four times
    it (median, where an unserved resident is charged that limit) are not computed.
    """
    import pandas as pd

    from libpolis.errors import DataError
    from libpolis.pipeline import load_libraries, load_population, points_gdf
    from libpolis.plan import MaximalCoverage, PMedian
    from libpolis.plan.cover import straight_line_times
    from libpolis.plan.need import need_weights
    from libpolis.store import write_result

    if objective not in ("coverage", "median"):
        raise DataError(f"--objective must be coverage or median, not {objective!r}")
    if mode not in ("straight", "walk", "bike", "drive"):
        raise DataError(f"--mode must be straight, walk, bike or drive, not {mode!r}")
    if weight not in ("population", "need"):
        raise DataError(f"--weight must be population or need, not {weight!r}")
    label = label or objective
    pop = load_population(engine, population_source)
    libs = load_libraries(engine)
    cand = _candidate_sites(engine, candidates)
    if cand.empty:
        raise DataError(f"no candidate sites found in {candidates!r}")
    groups = _groups(pop)
    units = pd.DataFrame(
        {
            "id": pop["source_id"].astype(str),
            "population": pop["population"].astype(float),
            "lon": pop["lon"].astype(float),
            "lat": pop["lat"].astype(float),
        }
    )
    units = pd.concat([units, groups], axis=1)
    if weight == "need":
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
    n_sites = min(n_sites, int((~existing).sum()))
    limit = within_min if objective == "coverage" else 4.0 * within_min
    site_ids = list(sites["site_id"])
    if mode == "straight":
        times = straight_line_times(residents, site_pts, speed_kph=speed_kph, limit_min=limit)
    else:
        from libpolis.access.nearest import travel_time_matrix
        from libpolis.access.network import graph_from_pbf
        from libpolis.pipeline import street_network_file

        graph = graph_from_pbf(network or street_network_file(engine), mode)
        times = travel_time_matrix(
            graph, residents, site_pts, limit_min=limit, destination_id="site_id"
        )
    if objective == "coverage":
        model = MaximalCoverage.from_cost_matrix(
            times, weights, within_min=within_min, n_sites=n_sites, existing=existing,
            sites=site_ids,
        )  # fmt: skip
    else:
        model = PMedian.from_cost_matrix(
            times, weights, n_sites=n_sites, existing=existing, sites=site_ids,
            unreachable_min=limit,
        )  # fmt: skip
    result = model.solve(time_limit_s=time_limit_s).result
    table = model.client_table()
    sites.loc[sites["site_id"].isin(result.selected), "status"] = "new"
    served = table.groupby("site_id")["weight"].sum() if len(table) else pd.Series(dtype=float)
    if objective == "coverage":
        served = table[table["covered"]].groupby("site_id")["weight"].sum()
    sites["residents"] = sites["site_id"].map(served).fillna(0.0)
    out_sites = sites[sites["status"] != "candidate"].reset_index(drop=True)
    unit_table = units[["id", "population", "lon", "lat"]].rename(columns={"id": "unit_id"})
    unit_table["weight"] = weights.to_numpy()
    unit_table["site_id"] = table["site_id"].to_numpy()
    rows = []
    group_cols = ["population", *groups.columns]  # residents, then the groups known
    if objective == "coverage":
        unit_table["covered_before"] = table["covered_before"].to_numpy()
        unit_table["covered_after"] = table["covered"].to_numpy()
        for col in group_cols:
            people = units[col].to_numpy(float)
            before = float(people[unit_table["covered_before"]].sum())
            after = float(people[unit_table["covered_after"]].sum())
            rows.append(
                {"group": col, "people": float(people.sum()), "within_before": before,
                 "within_after": after, "gained": after - before}
            )  # fmt: skip
    else:
        base = PMedian.from_cost_matrix(
            times, weights, n_sites=0, existing=existing, sites=list(sites["site_id"]),
            unreachable_min=limit,
        ).solve()  # fmt: skip
        unit_table["time_min_before"] = base.client_table()["time_min"].to_numpy()
        unit_table["time_min_after"] = table["time_min"].to_numpy()
        for col in group_cols:
            people = units[col].to_numpy(float)
            total = float(people.sum())
            rows.append(
                {"group": col, "people": total,
                 "mean_time_min_before": _mean(people, unit_table["time_min_before"]),
                 "mean_time_min_after": _mean(people, unit_table["time_min_after"])}
            )  # fmt: skip
    group_table = pd.DataFrame(rows)
    summary: dict[str, Any] = {
        "objective": objective,
        "label": label,
        "sites": n_sites,
        "within_min": within_min,
        "weight": weight,
        "speed_kph": speed_kph,
        "mode": mode,
        "times": (
            "straight line in a local UTM CRS" if mode == "straight" else f"{mode} street network"
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
    if objective == "coverage":
        summary["residents_gained"] = float(group_table.loc[0, "gained"])
    write_result(
        engine,
        f"plan_{label}",
        {
            f"plan_{label}_sites": out_sites,
            f"plan_{label}_units": unit_table,
            f"plan_{label}_groups": group_table,
        },
        params={
            k: summary[k]
            for k in ("objective", "sites", "within_min", "weight", "speed_kph", "mode")
        }
        | {"candidates": candidates, "time_limit_s": time_limit_s},
        summary=summary,
        command=command,
    )
    return summary


def register(app: typer.Typer) -> None:
    """Add ``libpolis plan`` to the CLI."""

    @app.command("plan")
    @cli_errors
    def plan(
        objective: Annotated[
            str, typer.Option("--objective", help="coverage (MCLP) or median (p-median)")
        ] = "coverage",
        sites: Annotated[int, typer.Option("--sites", help="Number of new sites N.")] = 3,
        within: Annotated[
            float, typer.Option("--within", help="Access standard T in minutes.")
        ] = 15.0,
        candidates: Annotated[
            str, typer.Option("--candidates", help="osm (the imported .pbf) or a CSV/GeoJSON.")
        ] = "osm",
        weight: Annotated[
            str, typer.Option("--weight", help="population, or need (low income, children, older)")
        ] = "population",
        speed_kph: Annotated[
            float, typer.Option("--speed-kph", help="Straight-line travel speed (walk 4.8).")
        ] = 4.8,
        time_limit: Annotated[
            float, typer.Option("--time-limit", help="Solver budget in seconds.")
        ] = 60.0,
        label: Annotated[str | None, typer.Option("--label", help="Name of the result.")] = None,
        population_source: Annotated[
            str | None, typer.Option("--population-source", help="Default: newest import.")
        ] = None,
        mode: Annotated[
            str, typer.Option("--mode", help="straight, or walk, bike, drive on the network")
        ] = "straight",
        network: Annotated[
            Path | None, typer.Option("--network", help="OSM .pbf (default: the imported one).")
        ] = None,
        workspace: WorkspaceOpt = None,
        db: DbOpt = None,
        json_out: JsonOpt = False,
    ) -> None:
        """Where N new branches reach the most residents, or cut travel time the most."""
        engine = engine_for(workspace, db, create=False)
        summary = run_plan(
            engine, objective=objective, n_sites=sites, within_min=within, candidates=candidates,
            weight=weight, speed_kph=speed_kph, time_limit_s=time_limit, label=label,
            population_source=population_source, mode=mode, network=network,
            command="libpolis " + " ".join(sys.argv[1:]),
        )  # fmt: skip
        proof = "proven optimal" if summary["proven_optimal"] else f"gap {summary['gap']:.2%}"
        if objective == "coverage":
            text = (
                f"{summary['sites']} new sites reach {summary['residents_gained']:,.0f} more"
                f" residents within {within:g} min ({proof}): {', '.join(summary['selected'])}"
            )
        else:
            text = (
                f"{summary['sites']} new sites: weighted travel {summary['value']:,.0f}"
                f" resident-minutes ({proof}): {', '.join(summary['selected'])}"
            )
        emit(summary, json_out, text)
