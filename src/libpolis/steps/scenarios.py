"""``libpolis plan closure | hours | mobile``: what-ifs on today's libraries, each stored as
``scenario_<label>_*`` (export with ``libpolis export``); the step is
:func:`libpolis.pipeline.run_scenario`. Registered by :mod:`libpolis.steps.plan`."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import Annotated, Any

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
from libpolis.model import TravelMode

__all__ = ["register"]

WithinOpt = Annotated[
    float | None,
    typer.Option(
        "--within",
        help="Access standard: metres in a straight line (default 1000) or minutes on the"
        " street network (default 15).",
    ),
]
ModeOpt = Annotated[
    TravelMode,
    typer.Option(
        "--mode",
        case_sensitive=False,
        help="How residents travel: a straight line, or walking, cycling or driving on the "
        "imported street network",
    ),
]
SpeedOpt = Annotated[
    float,
    typer.Option(
        "--speed-kph", help="Speed in km/h that turns straight-line metres into minutes (walk 4.8)."
    ),
]
NetOpt = Annotated[
    Path | None,
    typer.Option("--network", help="Street network .osm.pbf (default: the imported OSM file)."),
]
LabelOpt = Annotated[
    str | None, typer.Option("--label", help="Name of the stored scenario (default: its kind).")
]


def _command() -> str:
    return "libpolis " + " ".join(shlex.quote(a) for a in sys.argv[1:])


def _engine(
    engine: str, scheduler: str | None, partitions: int | None, workers: int | None
) -> dict[str, Any]:
    """The engine options of a scenario command, as :class:`ScenarioRequest` fields."""
    return {"engine": engine, "scheduler": scheduler, "partitions": partitions, "workers": workers}


def _run(
    workspace: Path | None, db: str | None, json_out: bool, engine: dict[str, Any], **fields: Any
) -> dict[str, Any]:
    """Run the scenario of ``fields`` on the workspace, on ``engine`` (:func:`_engine`); its
    summary. With ``--engine dask`` the partitions' progress is shown (not with ``--json``)."""
    from libpolis.pipeline import ScenarioRequest, run_scenario

    req = ScenarioRequest(**fields, **engine, command=_command())
    store = engine_for(workspace, db, create=False)
    with progress(not json_out and req.engine == "dask") as prog:
        task = prog.add_task(f"scenario times ({req.mode.value})", total=None)
        return run_scenario(store, req, notify=engine_progress(prog, task)).as_dict()


def _std(s: dict[str, Any]) -> str:
    return f"{s['within']:g} {s['unit']}" + (
        f" ({s['mode']})" if s["mode"] != "straight" else " in a straight line"
    )


def _outside(s: dict[str, Any]) -> str:
    net = s.get("network")
    if not net or not net["units_outside"]:
        return ""
    return (
        f"\n  ({net['residents_outside']:,.0f} residents farther than {net['max_access_m']:g} m"
        f" from the street network of {net['file']} are outside its area and left out)"
    )


def register(plan_app: typer.Typer) -> None:
    """Add ``closure``, ``hours`` and ``mobile`` to the ``libpolis plan`` group."""

    @plan_app.command("closure")
    @cli_errors
    def closure(
        library: Annotated[
            list[str] | None,
            typer.Option(
                "--library",
                help="Library that closes (id or exact name; repeat for several). Without it,"
                " each library in turn, ranked by residents who lose access.",
            ),
        ] = None,
        within: WithinOpt = None,
        mode: ModeOpt = TravelMode.STRAIGHT,
        speed_kph: SpeedOpt = 4.8,
        population_source: PopulationSourceOpt = None,
        network: NetOpt = None,
        label: LabelOpt = None,
        engine_name: EngineOpt = "local",
        scheduler: SchedulerOpt = None,
        partitions: PartitionsOpt = None,
        workers: WorkersOpt = None,
        workspace: WorkspaceOpt = None,
        db: DbOpt = None,
        json_out: JsonOpt = False,
    ) -> None:
        """Count the residents who would lose a library within reach if a branch closed.

        Without --library: each library in turn, ranked by the residents who would
        lose access.

        Example: libpolis plan closure --library "Kallion kirjasto" --within 1000

        Example: libpolis plan closure --mode walk --within 15
        """
        s = _run(
            workspace,
            db,
            json_out,
            _engine(engine_name, scheduler, partitions, workers),
            kind="closure",
            libraries=tuple(library or ()),
            within=within,
            mode=mode,
            speed_kph=speed_kph,
            population_source=population_source,
            network=network,
            label=label,
        )
        if "closed" in s:
            names = ", ".join(c["name"] for c in s["closed"])
            text = (
                f"closing {names}: {s['lose_access']:,.0f} residents lose a library within"
                f" {_std(s)} ({100 * s['share_losing']:.1f}%); within before"
                f" {s['within_before']:,.0f}, after {s['within_after']:,.0f}"
            )
        else:
            rows = [
                f"\n  {r['rank']:>3d}. {r['name']} [{r['library_id']}]: {r['lose_access']:,.0f}"
                f" ({100 * r['share_losing']:.1f}%)"
                for r in s["ranking"]
            ]
            text = f"residents who lose a library within {_std(s)} if it closes:" + "".join(rows)
        emit(s, json_out, text + _outside(s))

    @plan_app.command("hours")
    @cli_errors
    def hours(
        library: Annotated[str, typer.Option("--library", help="The library (id or name).")],
        factor: Annotated[
            float, typer.Option("--factor", help="Opening hours times this (1.5 = 50% more).")
        ] = 1.0,
        floor_area_factor: Annotated[
            float, typer.Option("--floor-area-factor", help="Floor area times this.")
        ] = 1.0,
        catchment: Annotated[
            float,
            typer.Option("--catchment", help="Minutes within which residents share a library."),
        ] = 30.0,
        mode: ModeOpt = TravelMode.STRAIGHT,
        speed_kph: SpeedOpt = 4.8,
        population_source: PopulationSourceOpt = None,
        network: NetOpt = None,
        label: LabelOpt = None,
        engine_name: EngineOpt = "local",
        scheduler: SchedulerOpt = None,
        partitions: PartitionsOpt = None,
        workers: WorkersOpt = None,
        workspace: WorkspaceOpt = None,
        db: DbOpt = None,
        json_out: JsonOpt = False,
    ) -> None:
        """Compare library capacity per resident before and after longer hours at a branch.

        Each library's opening hours (and floor area, where known) are shared among
        the residents within --catchment minutes, nearer ones counting more (the
        E2SFCA method).

        Example: libpolis plan hours --library "Kallion kirjasto" --factor 1.5
        """
        s = _run(
            workspace,
            db,
            json_out,
            _engine(engine_name, scheduler, partitions, workers),
            kind="hours",
            libraries=(library,),
            factor=factor,
            floor_area_factor=floor_area_factor,
            catchment_min=catchment,
            mode=mode,
            speed_kph=speed_kph,
            population_source=population_source,
            network=network,
            label=label,
        )
        b, a = s["mean_access_before"], s["mean_access_after"]
        text = (
            f"{s['library']['name']} with hours x{factor:g}: library capacity per 1,000"
            f" residents {b if b is None else f'{b:.3f}'} before,"
            f" {a if a is None else f'{a:.3f}'} after;"
            f" {s['residents_changed']:,.0f} residents see a change"
        )
        emit(s, json_out, text + _outside(s))

    @plan_app.command("mobile")
    @cli_errors
    def mobile(
        stops: Annotated[int, typer.Option("--stops", help="Number of mobile stops.")] = 3,
        candidates: Annotated[
            str,
            typer.Option(
                "--candidates",
                help="Possible stops: osm (places in the imported OpenStreetMap file) or your own"
                " CSV/GeoJSON (id,name,lon,lat).",
            ),
        ] = "osm",
        within: WithinOpt = None,
        mode: ModeOpt = TravelMode.STRAIGHT,
        speed_kph: SpeedOpt = 4.8,
        time_limit: Annotated[
            float,
            typer.Option("--time-limit", help="Seconds the search for the best stops may take."),
        ] = 60.0,
        population_source: PopulationSourceOpt = None,
        network: NetOpt = None,
        label: LabelOpt = None,
        engine_name: EngineOpt = "local",
        scheduler: SchedulerOpt = None,
        partitions: PartitionsOpt = None,
        workers: WorkersOpt = None,
        workspace: WorkspaceOpt = None,
        db: DbOpt = None,
        json_out: JsonOpt = False,
    ) -> None:
        """Find stops for a mobile library that reach the most residents far from every library.

        Example: libpolis plan mobile --stops 3

        Example: libpolis plan mobile --stops 5 --candidates sites.csv --within 1000
        """
        s = _run(
            workspace,
            db,
            json_out,
            _engine(engine_name, scheduler, partitions, workers),
            kind="mobile",
            stops=stops,
            candidates=candidates,
            within=within,
            mode=mode,
            speed_kph=speed_kph,
            time_limit_s=time_limit,
            population_source=population_source,
            network=network,
            label=label,
        )
        lines = "".join(
            f"\n  {x['name']} ({x['kind']}) at {x['lon']:.5f}, {x['lat']:.5f}:"
            f" {x['residents']:,.0f} residents"
            for x in s["selected"]
        )
        text = (
            f"{s['stops']} mobile stops reach {s['reached_by_stops']:,.0f} of the"
            f" {s['underserved_before']:,.0f} residents beyond {_std(s)} of a library:" + lines
        )
        emit(s, json_out, text + _outside(s))
