"""libpolis: evidence for the partnership of a city's libraries and its city hall.

How near residents live to a library, where new branches would help most,
which goals the libraries' programmes serve, and a brief for the mayor, from
your city's open data.

Every command works on one workspace file (--workspace, default
libpolis.sqlite in the current folder) or a PostgreSQL database (--db), and
prints JSON with --json. A problem with your input is reported in one line
that says what and where, and nothing is half-written. Each command explains
itself: libpolis COMMAND --help.

Try it on the bundled City of Helsinki data, then look at it with
-w out/demo/workspace.sqlite:

Example: libpolis demo --out out/demo

Or start with your own city:

Example: libpolis init --name "Porto Alegre"

Example: libpolis import osm city.osm.pbf

Example: libpolis import population grid.csv --population-column inhabitants

Example: libpolis access --mode walk

Example: libpolis report brief --out brief
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Annotated

import typer

from libpolis import __version__
from libpolis._cli_common import (
    DbOpt,
    EngineOpt,
    JsonOpt,
    OneLineErrors,
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
from libpolis.steps import STEP_MODULES

__all__ = ["app", "main"]

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help=__doc__,
    cls=OneLineErrors,
    rich_markup_mode=None,
)
import_app = typer.Typer(
    no_args_is_help=True,
    help="Bring open data in: libraries, cultural venues, residents, districts, programmes.",
)
app.add_typer(import_app, name="import")


@app.command()
@cli_errors
def init(
    name: Annotated[
        str | None,
        typer.Option("--name", help="The city (or country) the workspace is about."),
    ] = None,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Start a workspace for your city, or update an older one, and name its city.

    The workspace is one file that keeps everything you import and every
    analysis you run; the name appears on the brief for the mayor.

    Example: libpolis init --name "Porto Alegre" --workspace poa.sqlite
    """
    from libpolis.store import set_workspace_name, workspace_name

    engine = engine_for(workspace, db)
    if name is not None:
        set_workspace_name(engine, name)
    url = engine.url.render_as_string(hide_password=True)
    current = workspace_name(engine)
    emit(
        {"store": url, "name": current, "ok": True},
        json_out,
        f"workspace ready: {url}" + (f" ({current})" if current else ""),
    )


@app.command()
@cli_errors
def status(workspace: WorkspaceOpt = None, db: DbOpt = None, json_out: JsonOpt = False) -> None:
    """Show what the workspace holds: records per table and source, and the analyses run.

    Each analysis is listed with its number, when it ran and the command that
    ran it.

    Example: libpolis status -w out/demo/workspace.sqlite
    """
    from libpolis.pipeline import workspace_status

    engine = engine_for(workspace, db, create=False)
    status = workspace_status(engine)
    result = status["counts"]

    def human() -> None:
        for table, per in result.items():
            extra = ", ".join(f"{k}: {v}" for k, v in per.items() if k != "total")
            typer.echo(f"{table:16s} {per['total']:>8d}" + (f"  ({extra})" if extra else ""))
        typer.echo(f"analyses: {len(status['analyses'])}")
        for run in status["analyses"]:
            when = str(run["created_at"])[:19].replace("T", " ")
            typer.echo(f"  {run['id']:>4d}  {run['step']:24s} {when}  {run['command']}")

    emit(status, json_out, human)


@app.command()
@cli_errors
def access(
    mode: Annotated[
        TravelMode,
        typer.Option(
            "--mode",
            case_sensitive=False,
            help="How residents travel: straight-line distance (metres), or walking, cycling or "
            "driving time on the imported street network (minutes).",
        ),
    ] = TravelMode.STRAIGHT,
    thresholds: Annotated[
        str | None,
        typer.Option("--thresholds", help="Comma-separated: metres (straight) or minutes."),
    ] = None,
    population_source: PopulationSourceOpt = None,
    network: Annotated[
        Path | None,
        typer.Option("--network", help="Street network .pbf (default: the imported OSM file)."),
    ] = None,
    max_access_m: Annotated[
        float,
        typer.Option(
            "--max-access-m",
            help="Residents farther than this (metres) from any street lie outside the network's "
            "area and are counted apart.",
        ),
    ] = 400.0,
    label: Annotated[
        str | None,
        typer.Option("--label", help="Name of the stored result (lower-case letters, digits, _)."),
    ] = None,
    export: Annotated[
        Path | None,
        typer.Option(
            "--export",
            help="Write per-unit results (.parquet, .gpkg or .csv), or into a folder (DIR/, no"
            " suffix) as GeoParquet partitioned by tile.",
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
    """Measure how near residents live to a library: who is within reach, who is left out.

    --mode straight measures metres in a straight line; walk, bike and drive
    measure minutes on the streets of the imported OpenStreetMap file. The
    result (also how unequal access is) is stored for the brief and for
    `libpolis export`.

    Example: libpolis access --mode straight --thresholds 250,500,1000

    Example: libpolis access --mode walk --thresholds 5,10,15,30 --export walk.gpkg

    Example: libpolis access --mode straight --engine dask --partitions 16 --export out/
    """
    from libpolis.errors import DataError
    from libpolis.pipeline import AccessRequest, run_access

    try:
        ts = tuple(float(t) for t in thresholds.split(",") if t.strip()) if thresholds else None
    except ValueError:
        raise DataError(
            f"--thresholds must be numbers separated by commas, not {thresholds!r}"
        ) from None
    req = AccessRequest(
        mode=mode, thresholds=ts, population_source=population_source, network=network,
        max_access_m=max_access_m, label=label, engine=engine_name, scheduler=scheduler,
        partitions=partitions, workers=workers,
    )  # fmt: skip
    to_dir = export is not None and (export.is_dir() or not export.suffix)
    if export is not None and not to_dir:
        from libpolis.pipeline import format_of

        format_of(export)  # a file we cannot write is said before the run, not after
    engine = engine_for(workspace, db, create=False)
    with progress(not json_out) as prog:
        task = prog.add_task(f"access ({req.mode.value})", total=None)
        res = run_access(engine, req, notify=engine_progress(prog, task))
    summary = res.as_dict()
    if export is not None and to_dir:
        from libpolis.pipeline import export_partitioned

        summary["export"] = str(export_partitioned(engine, f"{req.step}_units", export))
    elif export is not None:
        from libpolis.pipeline import export_result

        summary["export"] = str(export_result(engine, f"{req.step}_units", export))
    unit = req.mode.unit
    mean = summary.get(f"mean_{req.mode.value_col}")
    cov_text = ", ".join(f"{k} {unit}: {100 * v:.1f}%" for k, v in summary["coverage"].items())
    emit(
        summary,
        json_out,
        f"{summary['residents']:,.0f} residents ({summary['population_source']}), "
        f"{summary['libraries']} {'library' if summary['libraries'] == 1 else 'libraries'}, "
        f"{summary['unreachable']:,.0f} unreachable; "
        + (f"mean {mean:,.1f} {unit}; " if mean is not None else "")
        + f"within {cov_text}",
    )


@app.command()
@cli_errors
def demo(
    out: Annotated[Path, typer.Option("--out", help="Output folder.")] = Path("out/demo"),
    json_out: JsonOpt = False,
) -> None:
    """Try libpolis on Helsinki's real open data, from import to the brief for the mayor.

    Builds a workspace from the bundled City of Helsinki data (libraries,
    cultural venues, residents, streets, events) in the --out folder, runs the
    analyses and writes brief.html (and brief.pdf). Look at it afterwards with
    -w out/demo/workspace.sqlite.

    Example: libpolis demo --out out/demo
    """
    from libpolis.demo import run_demo

    result = run_demo(out)
    f = result["figures"]

    def human() -> None:
        typer.echo("libpolis demo: City of Helsinki")
        typer.echo(
            f"  libraries (service points): {f['libraries']}  other cultural venues: {f['venues']}"
        )
        typer.echo(f"  residents: {f['residents']:,.0f}")
        for t in (250, 500, 1000):
            typer.echo(f"  within {t:>4d} m of a library: {100 * f[f'coverage_{t}m']:.1f} %")
        typer.echo(
            f"  nearest cultural venue is a library for {100 * f['share_nearest_culture_library']:.1f} % of residents"
        )
        typer.echo(
            f"  brief: {result['html']}" + (f" and {result['pdf']}" if result.get("pdf") else "")
        )

    emit(result, json_out, human)


@app.command()
def version() -> None:
    """Print the version of libpolis (say it when you report a problem).

    Example: libpolis version
    """
    typer.echo(__version__)


for _name in STEP_MODULES:
    importlib.import_module(f"libpolis.steps.{_name}").register(app)


def main() -> None:
    """Entry point of the ``libpolis`` script."""
    app()


if __name__ == "__main__":
    main()
