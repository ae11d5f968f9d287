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
    WorkspaceOpt,
    cli_errors,
    emit,
    engine_for,
    progress,
)
from libpolis.steps import STEP_MODULES

__all__ = ["app", "main"]

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)
import_app = typer.Typer(no_args_is_help=True, help="Import real open data into the workspace.")
app.add_typer(import_app, name="import")

SourceOpt = Annotated[
    str | None, typer.Option("--source", help="Source key (default: the file name).")
]
PublisherOpt = Annotated[str | None, typer.Option("--publisher", help="Who published the data.")]
LicenceOpt = Annotated[str | None, typer.Option("--licence", help="Licence of the data.")]
AttributionOpt = Annotated[str | None, typer.Option("--attribution", help="Required attribution.")]


def _dataset(
    kind: str, path: Path, publisher: str | None, licence: str | None, attribution: str | None
) -> dict:
    return {
        "kind": kind,
        "path": str(Path(path).resolve()),
        "publisher": publisher,
        "licence": licence,
        "attribution": attribution,
    }


def _store_one(
    table: str,
    frame: Any,
    path: Path,
    source: str | None,
    dataset: dict,
    *,
    workspace: Path | None,
    db: str | None,
    json_out: bool,
    what: str,
) -> None:
    """Write one reader's records as one import (one transaction) and report it."""
    from libpolis.imports import import_frames, source_name

    engine = engine_for(workspace, db)
    res = import_frames(engine, source_name(path, source), {table: frame}, dataset=dataset)
    emit(res.as_dict(), json_out, f"imported {len(frame)} {what}")


@app.command()
@cli_errors
def init(workspace: WorkspaceOpt = None, db: DbOpt = None, json_out: JsonOpt = False) -> None:
    """Create (or migrate) a workspace store."""
    engine = engine_for(workspace, db)
    emit(
        {"store": engine.url.render_as_string(hide_password=True), "ok": True},
        json_out,
        f"workspace ready: {engine.url.render_as_string(hide_password=True)}",
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
    source: SourceOpt = None,
    workspace: WorkspaceOpt = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Libraries and other cultural venues from an OpenStreetMap .pbf file."""
    from libpolis.imports import import_frames, source_name
    from libpolis.sources import osm

    frame = osm.read_osm_culture(path)
    libs = frame[frame["kind"] == "library"] if libraries else frame.iloc[0:0]
    venues = frame[frame["kind"] != "library"]
    engine = engine_for(workspace, db)
    res = import_frames(
        engine,
        source_name(path, source),
        {"library": libs, "venue": venues},
        dataset={
            **_dataset("osm", path, "OpenStreetMap", "ODbL 1.0", "© OpenStreetMap contributors"),
            "attrs": {"street_network": True},
        },
    )
    emit(res.as_dict(), json_out, f"imported {len(libs)} libraries, {len(venues)} venues")


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
    from libpolis.imports import import_frames, source_name
    from libpolis.sources import population

    frame = population.read_population(
        path,
        id_column=id_column,
        population_column=population_column,
        x_column=x_column,
        y_column=y_column,
        crs=crs,
        layer=layer,
        income_column=income_column,
        district_column=district_column,
        attr_columns=attr or [],
        encoding=encoding,
    )
    engine = engine_for(workspace, db)
    res = import_frames(
        engine,
        source_name(path, source),
        {"population_unit": frame},
        dataset=_dataset("population", path, publisher, licence, attribution),
    )
    emit(
        {**res.as_dict(), "residents": float(frame["population"].sum())},
        json_out,
        f"imported {len(frame)} population units, {frame['population'].sum():,.0f} residents",
    )


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
    from libpolis.imports import import_frames, source_name
    from libpolis.sources import pls

    with progress(not json_out) as prog:
        task = prog.add_task("reading outlets", total=3)
        out = pls.read_pls_outlets(outlets, encoding=encoding)
        prog.update(task, advance=1, description="reading systems")
        sys_frame, stats = pls.read_pls_systems(systems, year=year, encoding=encoding)
        prog.update(task, advance=1, description="writing to the store")
        engine = engine_for(workspace, db)
        src_out, src_sys = source_name(outlets), source_name(systems)
        res = import_frames(
            engine,
            src_out,
            {"library_system": sys_frame, "statistic": stats, "library": out},
            dataset={
                "kind": "pls",
                "path": str(Path(outlets).resolve()),
                "publisher": "Institute of Museum and Library Services (IMLS)",
                "licence": "US public domain",
                "attribution": f"IMLS Public Libraries Survey FY{year}",
                "attrs": {"systems": str(Path(systems).resolve()), "year": year},
            },
            extra_sources={"library_system": src_sys, "statistic": src_sys},
            link=(src_out, src_sys),
        )
        prog.advance(task)
    emit(
        res.as_dict(),
        json_out,
        f"imported {len(out)} outlets, {len(sys_frame)} systems, {len(stats)} statistics",
    )


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
    from libpolis.sources import tabular

    frame = tabular.read_museums(path, encoding=encoding)
    _store_one(
        "venue",
        frame,
        path,
        source,
        _dataset("museums", path, "IMLS", "US public domain", "IMLS Museum Data Files"),
        workspace=workspace,
        db=db,
        json_out=json_out,
        what="museums",
    )


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
    from libpolis.sources import tabular

    frame = tabular.read_programmes(path, encoding=encoding)
    _store_one(
        "programme",
        frame,
        path,
        source,
        _dataset("programmes", path, publisher, licence, attribution),
        workspace=workspace,
        db=db,
        json_out=json_out,
        what="programmes",
    )


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
    from libpolis.sources import tabular

    if as_ not in {"library", "venue"}:
        from libpolis.errors import DataError

        raise DataError(f"--as must be 'library' or 'venue', not {as_!r}")
    frame = tabular.read_facilities(path, default_kind=kind or as_, encoding=encoding)
    if as_ == "library" and "n_events" in frame.columns:
        frame["attrs"] = [
            {**a, "n_events": n} for a, n in zip(frame["attrs"], frame["n_events"], strict=True)
        ]
        frame = frame.drop(columns="n_events")
    _store_one(
        as_,
        frame,
        path,
        source,
        _dataset("facilities", path, publisher, licence, attribution),
        workspace=workspace,
        db=db,
        json_out=json_out,
        what=f"{as_} records",
    )


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
    from libpolis.sources import areas as areas_src

    frame = areas_src.read_areas(path, name_column=name_column, kind=kind, layer=layer)
    _store_one(
        "area",
        frame,
        path,
        source,
        _dataset("areas", path, publisher, licence, attribution),
        workspace=workspace,
        db=db,
        json_out=json_out,
        what="areas",
    )


@app.command()
@cli_errors
def access(
    mode: Annotated[str, typer.Option("--mode", help="straight, walk, bike or drive")] = "straight",
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
    label: Annotated[str | None, typer.Option("--label", help="Name of the stored result.")] = None,
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
    from libpolis.pipeline import run_access

    try:
        ts = [float(t) for t in thresholds.split(",") if t.strip()] if thresholds else None
    except ValueError:
        raise DataError(
            f"--thresholds must be numbers separated by commas, not {thresholds!r}"
        ) from None
    engine = engine_for(workspace, db, create=False)
    with progress(not json_out) as prog:
        prog.add_task(f"access ({mode})", total=None)
        summary = run_access(
            engine,
            mode=mode,
            thresholds=ts,
            population_source=population_source,
            network=network,
            max_access_m=max_access_m,
            label=label,
        )
    if export is not None:
        from libpolis.exports import export_result

        summary["export"] = str(export_result(engine, f"access_{label or mode}_units", export))
    key = "mean_dist_m" if mode == "straight" else "mean_time_min"
    unit = "m" if mode == "straight" else "min"
    cov_text = ", ".join(f"{k} {unit}: {100 * v:.1f}%" for k, v in summary["coverage"].items())
    emit(
        summary,
        json_out,
        f"{summary['residents']:,.0f} residents, {summary['libraries']} libraries, "
        f"{summary['unreachable']:,.0f} unreachable; mean {summary[key]:,.1f} {unit}; "
        f"within {cov_text}",
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
