"""``libpolis plan``: where new branches reach the most residents (MCLP) or cut travel most
(p-median), the step :func:`libpolis.pipeline.run_plan`; and the scenarios ``plan closure``,
``plan hours`` and ``plan mobile`` (:func:`libpolis.pipeline.run_scenario`, commands in
:mod:`libpolis.steps.scenarios`)."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import Annotated

import typer

from libpolis._cli_common import (
    DbOpt,
    EngineOpt,
    JsonOpt,
    PartitionsOpt,
    PopulationSourceOpt,
    SchedulerOpt,
    WorkersOpt,
    WorkspaceOpt,
    cli_errors,
    emit,
    engine_for,
    engine_progress,
    progress,
)
from libpolis.model import Objective, TravelMode

__all__ = ["register"]


def _sites(summary: dict) -> str:
    return "site" if summary["sites"] == 1 else "sites"


def _site_lines(summary: dict) -> str:
    lines = []
    for site in summary.get("new_sites", []):
        lines.append(
            f"\n  {site['name']} ({site['kind']}) at {site['lon']:.5f}, {site['lat']:.5f}"
            f" [{site['site_id']}]: serves {site['residents']:,.0f} residents"
        )
    return "".join(lines)


def register(app: typer.Typer) -> None:
    """Add ``libpolis plan`` (and its scenario subcommands) to the CLI."""
    from libpolis.steps import scenarios

    plan_app = typer.Typer(no_args_is_help=False)  # help: the docstring of plan() below

    @plan_app.callback(invoke_without_command=True)
    @cli_errors
    def plan(
        ctx: typer.Context,
        objective: Annotated[
            Objective,
            typer.Option(
                "--objective",
                case_sensitive=False,
                help="coverage: bring the most residents within the standard (maximal covering); "
                "median: cut everyone's travel time the most (p-median)",
            ),
        ] = Objective.COVERAGE,
        sites: Annotated[int, typer.Option("--sites", help="How many new branches to place.")] = 3,
        within: Annotated[
            float,
            typer.Option(
                "--within", help="Access standard: minutes within which a library is near."
            ),
        ] = 15.0,
        candidates: Annotated[
            str,
            typer.Option(
                "--candidates",
                help="Possible sites: osm (places in the imported OpenStreetMap file) or your own"
                " CSV/GeoJSON (id,name,lon,lat).",
            ),
        ] = "osm",
        weight: Annotated[
            str,
            typer.Option(
                "--weight",
                help="Count everyone once (population), or count low-income residents, children and "
                "older people twice (need), where the data tells who they are",
            ),
        ] = "population",
        speed_kph: Annotated[
            float,
            typer.Option(
                "--speed-kph",
                help="Speed in km/h that turns straight-line metres into minutes (walk 4.8).",
            ),
        ] = 4.8,
        time_limit: Annotated[
            float,
            typer.Option("--time-limit", help="Seconds the search for the best sites may take."),
        ] = 60.0,
        label: Annotated[
            str | None,
            typer.Option("--label", help="Name of the stored plan (default: the objective)."),
        ] = None,
        population_source: PopulationSourceOpt = None,
        mode: Annotated[
            TravelMode,
            typer.Option(
                "--mode",
                case_sensitive=False,
                help="How residents travel: a straight line at --speed-kph, or walking, cycling "
                "or driving on the imported street network",
            ),
        ] = TravelMode.STRAIGHT,
        network: Annotated[
            Path | None,
            typer.Option(
                "--network", help="Street network .osm.pbf (default: the imported OSM file)."
            ),
        ] = None,
        engine_name: EngineOpt = "local",
        scheduler: SchedulerOpt = None,
        partitions: PartitionsOpt = None,
        workers: WorkersOpt = None,
        workspace: WorkspaceOpt = None,
        db: DbOpt = None,
        json_out: JsonOpt = False,
    ) -> None:
        """Find where new library branches would reach the most residents, or save most travel.

        --objective coverage puts --sites new branches where the most residents come
        within --within minutes of a library; median puts them where the mean travel
        time falls most. Candidate sites are places in the imported OpenStreetMap
        file, or your own CSV/GeoJSON list. What-ifs on today's libraries:
        `plan closure`, `plan hours`, `plan mobile`.

        Example: libpolis plan --objective coverage --sites 3 --within 15

        Example: libpolis plan --objective median --sites 2 --candidates sites.csv --mode walk
        """
        if ctx.invoked_subcommand is not None:
            return
        from libpolis.pipeline import PlanRequest, run_plan

        req = PlanRequest(
            objective=objective, n_sites=sites, within_min=within, candidates=candidates,
            weight=weight, speed_kph=speed_kph, time_limit_s=time_limit, label=label,
            population_source=population_source, mode=mode, network=network,
            command="libpolis " + " ".join(shlex.quote(a) for a in sys.argv[1:]),
            engine=engine_name, scheduler=scheduler, partitions=partitions, workers=workers,
        )  # fmt: skip
        engine = engine_for(workspace, db, create=False)
        with progress(not json_out and engine_name == "dask") as prog:
            task = prog.add_task(f"plan times ({req.mode.value})", total=None)
            summary = run_plan(engine, req, notify=engine_progress(prog, task)).as_dict()
        proof = "proven optimal" if summary["proven_optimal"] else f"gap {summary['gap']:.2%}"
        if req.objective is Objective.COVERAGE:
            text = (
                f"{summary['sites']} new {_sites(summary)} "
                f"{'reaches' if summary['sites'] == 1 else 'reach'} "
                f"{summary['residents_gained']:,.0f} more residents within {within:g} min"
                f" ({summary['times']}; {proof}):"
            )
        else:
            text = (
                f"{summary['sites']} new {_sites(summary)}: mean travel time of residents"
                f" {summary['mean_time_min_before']:,.1f} min before,"
                f" {summary['mean_time_min_after']:,.1f} min after ({proof}):"
            )
        emit(summary, json_out, text + _site_lines(summary))

    scenarios.register(plan_app)
    app.add_typer(plan_app, name="plan")
