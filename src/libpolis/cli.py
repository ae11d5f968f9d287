"""The ``libpolis`` command line: a thin shell over the modules.

Every command takes ``--workspace`` (or ``LIBPOLIS_WORKSPACE``), ``--db`` (or
``LIBPOLIS_DATABASE_URL``) and ``--json``. Domain errors become one line on stderr and exit
code 2.
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
import_app = typer.Typer(no_args_is_help=True, help="Import real open data into the workspace.")
app.add_typer(import_app, name="import")

SourceOpt = Annotated[
    str | None, typer.Option("--source", help="Source key (default: the file name).")
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
    """Create (or migrate) a workspace store; ``--name`` names its city for the brief."""
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
    """Rows per table and per source."""
    from libpolis.store import counts

    engine = engine_for(workspace, db, create=False)
    result = counts(engine)

    def human() -> None:
        for table, per in result.items():
            extra = ", ".join(f"{k}: {v}" for k, v in per.items() if k != "total")
            typer.echo(f"{table:16s} {per['total']:>8d}" + (f"  ({extra})" if extra else ""))

    emit({"counts": result}, json_out, human)


@import_app.command("osm")
@cli_errors
def import_osm(
    path: Path,
    libraries: Annotated[bool, typer.Option(help="Import libraries (amenity=library).")] = True,
    boundary: Annotated[
        Path | None,
        typer.Option(
            "--boundary",
            help="Keep only what lies inside this polygon file "
            "(GeoJSON or GeoPackage, e.g. the city limits).",
        ),
    ] = None,
    bbox: Annotated[
        str | None,
        typer.Option(
            "--bbox",
            help="Keep only what lies inside this box, W,S,E,N in degrees "
            "(e.g. 7.40,43.72,7.44,43.76).",
        ),
    ] = None,
    place: Annotated[
        str | None,
        typer.Option(
            "--place",
            help="Keep only what lies inside the administrative boundary "
            "of this name in the same file (e.g. 'Monaco-Ville'); names the workspace.",
        ),
    ] = None,
    merge_within: Annotated[
        float,
        typer.Option(
            "--merge-within",
            help="Metres within which two places of the same kind "
            "and name are taken as one (a node and its building).",
        ),
    ] = 50.0,
    source: SourceOpt = None,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Libraries and other cultural venues from an OpenStreetMap .pbf file, optionally cut to
    a city (``--boundary``, ``--bbox`` or ``--place``); the file is also the street network.

    Example: ``libpolis import osm monaco.osm.pbf --place Monaco-Ville``
    """
    from libpolis.pipeline import ImportKind, ImportRequest

    req = ImportRequest(ImportKind.OSM, path, source=source, libraries=libraries,
                        boundary=boundary, bbox=bbox, place=place,
                        merge_near_m=merge_within)  # fmt: skip
    _import(req, workspace=workspace, db=db, json_out=json_out)


@import_app.command("population")
@cli_errors
def import_population(
    path: Path,
    id_column: Annotated[str, typer.Option("--id-column")] = "id",
    population_column: Annotated[str, typer.Option("--population-column")] = "population",
    x_column: Annotated[str | None, typer.Option("--x-column")] = None,
    y_column: Annotated[str | None, typer.Option("--y-column")] = None,
    crs: Annotated[str | None, typer.Option("--crs", help="CRS of x/y, e.g. EPSG:3879.")] = None,
    layer: Annotated[str | None, typer.Option("--layer")] = None,
    income_column: Annotated[str | None, typer.Option("--income-column")] = None,
    district_column: Annotated[str | None, typer.Option("--district-column")] = None,
    attr: Annotated[list[str] | None, typer.Option("--attr", help="Extra column to keep.")] = None,
    encoding: Annotated[str, typer.Option("--encoding")] = "utf-8",
    source: SourceOpt = None,
    publisher: PublisherOpt = None,
    licence: LicenceOpt = None,
    attribution: AttributionOpt = None,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Population points or polygons (CSV, GeoPackage, GeoJSON, GeoParquet)."""
    from libpolis.pipeline import ImportKind, ImportRequest

    options = {
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
    encoding: Annotated[str, typer.Option("--encoding")] = "latin-1",
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """The US IMLS Public Libraries Survey: outlets and administrative entities."""
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
    path: Path,
    encoding: Annotated[str, typer.Option("--encoding")] = "latin-1",
    source: SourceOpt = None,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """IMLS Museum Data File rows with coordinates, as cultural venues."""
    from libpolis.pipeline import ImportKind, ImportRequest

    req = ImportRequest(ImportKind.MUSEUMS, path, source=source, options={"encoding": encoding})
    _import(req, workspace=workspace, db=db, json_out=json_out)


@import_app.command("programmes")
@cli_errors
def import_programmes(
    path: Path,
    encoding: Annotated[str, typer.Option("--encoding")] = "utf-8",
    source: SourceOpt = None,
    publisher: PublisherOpt = None,
    licence: LicenceOpt = None,
    attribution: AttributionOpt = None,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Library programmes from CSV (id, library, title, description, ...)."""
    from libpolis.pipeline import ImportKind, ImportRequest

    req = ImportRequest(
        ImportKind.PROGRAMMES, path, source=source, options={"encoding": encoding},
        dataset=_provenance(publisher, licence, attribution),
    )  # fmt: skip
    _import(req, workspace=workspace, db=db, json_out=json_out)


@import_app.command("facilities")
@cli_errors
def import_facilities(
    path: Path,
    as_: Annotated[str, typer.Option("--as", help="library or venue")] = "venue",
    kind: Annotated[str, typer.Option("--kind", help="Kind when the file has none.")] = "",
    encoding: Annotated[str, typer.Option("--encoding")] = "utf-8",
    source: SourceOpt = None,
    publisher: PublisherOpt = None,
    licence: LicenceOpt = None,
    attribution: AttributionOpt = None,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Any facility list (CSV id,name,lon,lat[,kind] or GeoJSON) as libraries or venues."""
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
    path: Path,
    name_column: Annotated[str, typer.Option("--name-column")] = "name",
    kind: Annotated[str, typer.Option("--kind")] = "district",
    layer: Annotated[str | None, typer.Option("--layer")] = None,
    source: SourceOpt = None,
    publisher: PublisherOpt = None,
    licence: LicenceOpt = None,
    attribution: AttributionOpt = None,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Administrative areas (districts) from a vector file."""
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
    population_source: Annotated[str | None, typer.Option("--population-source")] = None,
    network: Annotated[
        Path | None, typer.Option("--network", help="OSM .pbf (default: the imported one).")
    ] = None,
    max_access_m: Annotated[
        float, typer.Option("--max-access-m", help="Farther from the network = outside it.")
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
    """Distance or travel time from every resident to the nearest library, coverage, equity."""
    from libpolis.errors import DataError
    from libpolis.pipeline import AccessRequest, export_result, run_access

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
        f"{summary['residents']:,.0f} residents, {summary['libraries']} libraries, "
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
    """Build a fresh workspace from the bundled City of Helsinki data and write the brief."""
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
    """Print the version."""
    typer.echo(__version__)


for _name in STEP_MODULES:
    importlib.import_module(f"libpolis.steps.{_name}").register(app)


def main() -> None:
    """Entry point of the ``libpolis`` script."""
    app()


if __name__ == "__main__":
    main()
