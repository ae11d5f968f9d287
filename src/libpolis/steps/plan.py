"""``libpolis plan``: where new branches reach the most residents (MCLP) or cut travel most
(p-median); the step itself is :func:`libpolis.pipeline.run_plan`."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import Annotated

import typer

from libpolis._cli_common import DbOpt, JsonOpt, WorkspaceOpt, cli_errors, emit, engine_for
from libpolis.model import Objective, TravelMode

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add ``libpolis plan`` to the CLI."""

    @app.command("plan")
    @cli_errors
    def plan(
        objective: Annotated[
            Objective,
            typer.Option(
                "--objective", case_sensitive=False, help="coverage (MCLP) or median (p-median)"
            ),
        ] = Objective.COVERAGE,
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
            TravelMode,
            typer.Option(
                "--mode", case_sensitive=False, help="straight, or walk, bike, drive on the network"
            ),
        ] = TravelMode.STRAIGHT,
        network: Annotated[
            Path | None, typer.Option("--network", help="OSM .pbf (default: the imported one).")
        ] = None,
        workspace: WorkspaceOpt = None,
        db: DbOpt = None,
        json_out: JsonOpt = False,
    ) -> None:
        """Where N new branches reach the most residents, or cut travel time the most."""
        from libpolis.pipeline import PlanRequest, run_plan

        req = PlanRequest(
            objective=objective, n_sites=sites, within_min=within, candidates=candidates,
            weight=weight, speed_kph=speed_kph, time_limit_s=time_limit, label=label,
            population_source=population_source, mode=mode, network=network,
            command="libpolis " + " ".join(shlex.quote(a) for a in sys.argv[1:]),
        )  # fmt: skip
        engine = engine_for(workspace, db, create=False)
        summary = run_plan(engine, req).as_dict()
        proof = "proven optimal" if summary["proven_optimal"] else f"gap {summary['gap']:.2%}"
        if req.objective is Objective.COVERAGE:
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
