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
from typing import Annotated, Any

import typer

from libpolis import __version__
from libpolis._cli_common import (
    DbOpt,
    JsonOpt,
    OneLineErrors,
    WorkspaceOpt,
    cli_errors,
    emit,
    engine_for,
    progress,
)
from libpolis.model import TravelMode
from libpolis.steps import STEP_MODULES

__all__ = ["app", "main"]

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__, cls=OneLineErrors)
import_app = typer.Typer(
    no_args_is_help=True,
    help="Bring open data in: libraries, cultural venues, residents, districts, programmes.",
)
app.add_typer(import_app, name="import")

SourceOpt = Annotated[
    str | None,
    typer.Option("--source", help="Name of this data in the workspace (default: the file name)."),
]
PublisherOpt = Annotated[str | None, typer.Option("--publisher", help="Who published the data.")]
LicenceOpt = Annotated[str | None, typer.Option("--licence", help="Licence of the data.")]
AttributionOpt = Annotated[str | None, typer.Option("--attribution", help="Required attribution.")]


def _provenance(
    publisher: str | None, licence: str | None, attribution: str | None
) -> dict[str, Any]:
    return {"publisher": publisher, "licence": licence, "attribution": attribution}


def _import(request: Any, *, workspace: Path | None, db: str | None, json_out: bool) -> None:
    """Run one import through the pipeline and report it."""
    from libpolis.pipeline import run_import

    engine = engine_for(workspace, db)
    try:
        res = run_import(engine, request)
    finally:
        engine.dispose()  # no connection left for the garbage collector (PostgreSQL)
    emit(res.as_dict(), json_out, res.message)


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


@import_app.command("population")
@cli_errors
def import_population(
    path: Annotated[Path | None, typer.Argument(help="The population file.")] = None,
    id_column: Annotated[
        str,
        typer.Option("--id-column", help="Column with a unique id per row (@row: number rows)."),
    ] = "id",
    population_column: Annotated[
        str, typer.Option("--population-column", help="Column with the residents of each row.")
    ] = "population",
    x_column: Annotated[
        str | None, typer.Option("--x-column", help="Column with x or longitude (CSV).")
    ] = None,
    y_column: Annotated[
        str | None, typer.Option("--y-column", help="Column with y or latitude (CSV).")
    ] = None,
    crs: Annotated[str | None, typer.Option("--crs", help="CRS of x/y, e.g. EPSG:3879.")] = None,
    layer: Annotated[
        str | None, typer.Option("--layer", help="Layer of a GeoPackage with several layers.")
    ] = None,
    income_column: Annotated[
        str | None,
        typer.Option("--income-column", help="Column with income, to show access by income."),
    ] = None,
    district_column: Annotated[
        str | None,
        typer.Option("--district-column", help="Column naming each row's district."),
    ] = None,
    attr: Annotated[list[str] | None, typer.Option("--attr", help="Extra column to keep.")] = None,
    encoding: Annotated[
        str, typer.Option("--encoding", help="Text encoding of the file (e.g. utf-8, latin-1).")
    ] = "utf-8",
    h3_column: Annotated[
        str | None,
        typer.Option("--h3-column", help="Column of H3 cell ids: each unit at its cell's centre."),
    ] = None,
    from_osm_buildings: Annotated[
        Path | None, typer.Option("--from-osm-buildings", help="Put --total people in its homes.")
    ] = None,
    total: Annotated[
        float | None, typer.Option("--total", help="Residents in the buildings (a census count).")
    ] = None,
    total_source: Annotated[
        str | None,
        typer.Option("--total-source", help="Who counted --total, e.g. 'IMSEE, Census 2016'."),
    ] = None,
    building_rule: Annotated[
        str, typer.Option("--building-rule", help="Which buildings are homes: residential or yes.")
    ] = "residential",
    expected_total: Annotated[
        float | None, typer.Option("--expected-total", help="Refuse a file >10 % off this total.")
    ] = None,
    accept_outside: Annotated[
        bool,
        typer.Option("--accept-outside", help="Import points far outside the libraries and areas."),
    ] = False,
    source: SourceOpt = None,
    publisher: PublisherOpt = None,
    licence: LicenceOpt = None,
    attribution: AttributionOpt = None,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    r"""Import where residents live: grid, points, areas, H3 cells or OSM buildings.

    Give a file (CSV with coordinate columns, GeoPackage, GeoJSON or
    GeoParquet), or give --from-osm-buildings with an OpenStreetMap extract and
    a census --total to spread over its homes. The first population imported is
    the one analyses count, until you choose another with
    `libpolis population use`.

    Example: libpolis import population grid.csv --id-column id --population-column inhabitants

    Example: libpolis import population districts.gpkg --id-column code --population-column pop

    Example: libpolis import population hexgrid.csv --h3-column id

    Example: libpolis import population --from-osm-buildings city.osm.pbf \
        --total 37308 --total-source "IMSEE, Census 2016"
    """
    from libpolis.errors import DataError
    from libpolis.pipeline import ImportKind, ImportRequest

    if (path is None) == (from_osm_buildings is None):
        raise DataError("give a population file or --from-osm-buildings FILE.pbf (one of them)")
    options: dict[str, Any] = {"expected_total": expected_total, "total": total,
                               "accept_outside": accept_outside, "total_source": total_source}  # fmt: skip
    if from_osm_buildings is not None:
        path = from_osm_buildings
        options |= {"from_osm_buildings": True, "building_rule": building_rule}
    else:
        options |= {
            "h3_column": h3_column,
            "id_column": id_column,
            "population_column": population_column,
            "x_column": x_column,
            "y_column": y_column,
            "crs": crs,
            "layer": layer,
            "income_column": income_column,
            "district_column": district_column,
            "attr_columns": attr or [],
            "encoding": encoding,
        }
    req = ImportRequest(
        ImportKind.POPULATION, path, source=source, options=options,
        dataset=_provenance(publisher, licence, attribution),
    )  # fmt: skip
    _import(req, workspace=workspace, db=db, json_out=json_out)


@import_app.command("pls")
@cli_errors
def import_pls(
    outlets: Annotated[Path, typer.Option("--outlets", help="PLS outlet file (CSV).")],
    systems: Annotated[Path, typer.Option("--systems", help="PLS administrative-entity file.")],
    year: Annotated[int, typer.Option("--year", help="Fiscal year of the survey.")] = 2021,
    encoding: Annotated[
        str,
        typer.Option("--encoding", help="Text encoding of the file (e.g. utf-8, latin-1, cp1252)."),
    ] = "latin-1",
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    r"""Import US public libraries from the IMLS Public Libraries Survey.

    Give the outlet file and the administrative-entity file of one survey year,
    as published by the Institute of Museum and Library Services.

    Example: libpolis import pls --outlets pls_fy21_outlet_pud21i.csv \
        --systems PLS_FY21_AE_pud21i.csv
    """
    from libpolis.pipeline import ImportKind, ImportRequest

    req = ImportRequest(
        ImportKind.PLS, outlets, systems=systems, year=year, options={"encoding": encoding}
    )
    with progress(not json_out) as prog:
        prog.add_task("reading the Public Libraries Survey", total=None)
        _import(req, workspace=workspace, db=db, json_out=json_out)


@import_app.command("museums")
@cli_errors
def import_museums(
    path: Annotated[Path, typer.Argument(help="The Museum Data File (CSV).")],
    encoding: Annotated[
        str,
        typer.Option("--encoding", help="Text encoding of the file (e.g. utf-8, latin-1, cp1252)."),
    ] = "latin-1",
    source: SourceOpt = None,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Import US museums from the IMLS Museum Data File as cultural venues.

    Only museums with coordinates are kept.

    Example: libpolis import museums MuseumFile2018_File1_Nulls.csv
    """
    from libpolis.pipeline import ImportKind, ImportRequest

    req = ImportRequest(ImportKind.MUSEUMS, path, source=source, options={"encoding": encoding})
    _import(req, workspace=workspace, db=db, json_out=json_out)


@import_app.command("programmes")
@cli_errors
def import_programmes(
    path: Annotated[Path, typer.Argument(help="The programmes file (CSV).")],
    encoding: Annotated[
        str, typer.Option("--encoding", help="Text encoding of the file (e.g. utf-8, latin-1).")
    ] = "utf-8",
    source: SourceOpt = None,
    publisher: PublisherOpt = None,
    licence: LicenceOpt = None,
    attribution: AttributionOpt = None,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    r"""Import the libraries' programmes and events from a CSV file, to link them to goals.

    Columns: id, library, title, description; optional: library_id (an imported
    library's id), audience, start_date, end_date, attendance, language,
    partners, keywords, link. Each programme is tied to the imported library of
    that id or name.

    Example: libpolis import programmes programmes.csv --publisher "City of Helsinki" \
        --licence "CC BY 4.0"
    """
    from libpolis.pipeline import ImportKind, ImportRequest

    req = ImportRequest(
        ImportKind.PROGRAMMES, path, source=source, options={"encoding": encoding},
        dataset=_provenance(publisher, licence, attribution),
    )  # fmt: skip
    _import(req, workspace=workspace, db=db, json_out=json_out)


@import_app.command("facilities")
@cli_errors
def import_facilities(
    path: Annotated[Path, typer.Argument(help="The list of places (CSV or GeoJSON).")],
    as_: Annotated[
        str, typer.Option("--as", help="What the places are: library or venue.")
    ] = "venue",
    kind: Annotated[
        str, typer.Option("--kind", help="Kind of every place when the file has no kind column.")
    ] = "",
    encoding: Annotated[
        str,
        typer.Option("--encoding", help="Text encoding of the file (e.g. utf-8, latin-1, cp1252)."),
    ] = "utf-8",
    source: SourceOpt = None,
    publisher: PublisherOpt = None,
    licence: LicenceOpt = None,
    attribution: AttributionOpt = None,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Import your own list of libraries or cultural venues (CSV or GeoJSON with places).

    A CSV needs the columns id, name, lon, lat (WGS84 degrees) and may have
    kind. With --as library they are the libraries analyses measure; otherwise
    cultural venues.

    Example: libpolis import facilities libraries.csv --as library

    Example: libpolis import facilities venues.csv --as venue
    """
    from libpolis.pipeline import ImportKind, ImportRequest

    req = ImportRequest(
        ImportKind.FACILITIES, path, source=source,
        options={"as_": as_, "kind": kind, "encoding": encoding},
        dataset=_provenance(publisher, licence, attribution),
    )  # fmt: skip
    _import(req, workspace=workspace, db=db, json_out=json_out)


@import_app.command("areas")
@cli_errors
def import_areas(
    path: Annotated[Path, typer.Argument(help="The areas as polygons (GeoJSON or GeoPackage).")],
    name_column: Annotated[
        str, typer.Option("--name-column", help="Column holding each area's name.")
    ] = "name",
    kind: Annotated[
        str,
        typer.Option("--kind", help="What the areas are: district, or city for the boundary."),
    ] = "district",
    layer: Annotated[
        str | None, typer.Option("--layer", help="Layer of a GeoPackage with several layers.")
    ] = None,
    source: SourceOpt = None,
    publisher: PublisherOpt = None,
    licence: LicenceOpt = None,
    attribution: AttributionOpt = None,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Import districts (or the city boundary) from a GeoJSON or GeoPackage file.

    Districts let the brief show the city part by part; a boundary (--kind city)
    names an unnamed workspace.

    Example: libpolis import areas districts.geojson --name-column name --kind district
    """
    from libpolis.pipeline import ImportKind, ImportRequest

    req = ImportRequest(
        ImportKind.AREAS, path, source=source,
        options={"name_column": name_column, "kind": kind, "layer": layer},
        dataset=_provenance(publisher, licence, attribution),
    )  # fmt: skip
    _import(req, workspace=workspace, db=db, json_out=json_out)


@app.command()
@cli_errors
def access(
    mode: Annotated[
        TravelMode, typer.Option("--mode", case_sensitive=False, help="How residents travel.")
    ] = TravelMode.STRAIGHT,
    thresholds: Annotated[
        str | None,
        typer.Option("--thresholds", help="Comma-separated: metres (straight) or minutes."),
    ] = None,
    population_source: Annotated[
        str | None,
        typer.Option(
            "--population-source",
            help="Which imported population to count (default: the workspace's population, "
            "see `libpolis population use`).",
        ),
    ] = None,
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
        typer.Option("--export", help="Write per-unit results (.parquet, .gpkg or .csv)."),
    ] = None,
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
    """
    from libpolis.errors import DataError
    from libpolis.pipeline import AccessRequest, export_result, format_of, run_access

    try:
        ts = tuple(float(t) for t in thresholds.split(",") if t.strip()) if thresholds else None
    except ValueError:
        raise DataError(
            f"--thresholds must be numbers separated by commas, not {thresholds!r}"
        ) from None
    req = AccessRequest(
        mode=mode, thresholds=ts, population_source=population_source, network=network,
        max_access_m=max_access_m, label=label,
    )  # fmt: skip
    if export is not None:
        format_of(export)  # a file we cannot write is said before the run, not after
    engine = engine_for(workspace, db, create=False)
    with progress(not json_out) as prog:
        prog.add_task(f"access ({req.mode.value})", total=None)
        res = run_access(engine, req)
    summary = res.as_dict()
    if export is not None:
        summary["export"] = str(export_result(engine, f"{req.step}_units", export))
    unit = req.mode.unit
    mean = summary.get(f"mean_{req.mode.value_col}")
    cov_text = ", ".join(f"{k} {unit}: {100 * v:.1f}%" for k, v in summary["coverage"].items())
    emit(
        summary,
        json_out,
        f"{summary['residents']:,.0f} residents ({summary['population_source']}), "
        f"{summary['libraries']} libraries, "
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
