"""`libpolis import population | pls | museums | programmes | facilities | areas`: open data
into the workspace through :func:`libpolis.pipeline.run_import` (``import osm`` is in
:mod:`libpolis.steps.osm`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from libpolis._cli_common import (
    DbOpt,
    EncodingOpt,
    JsonOpt,
    LayerOpt,
    SourceOpt,
    WorkspaceOpt,
    cli_errors,
    emit,
    engine_for,
    progress,
)

__all__ = ["register"]

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


def register(app: typer.Typer) -> None:
    """Add the file imports to the ``import`` command group of ``app``."""
    import_app = next(g.typer_instance for g in app.registered_groups if g.name == "import")
    assert import_app is not None

    @import_app.command("population")
    @cli_errors
    def import_population(
        path: Annotated[Path | None, typer.Argument(help="The population file.")] = None,
        id_column: Annotated[
            str,
            typer.Option(
                "--id-column", help="Column with a unique id per row (@row: number rows)."
            ),
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
        crs: Annotated[
            str | None, typer.Option("--crs", help="CRS of x/y, e.g. EPSG:3879.")
        ] = None,
        layer: LayerOpt = None,
        income_column: Annotated[
            str | None,
            typer.Option("--income-column", help="Column with income, to show access by income."),
        ] = None,
        district_column: Annotated[
            str | None,
            typer.Option("--district-column", help="Column naming each row's district."),
        ] = None,
        attr: Annotated[
            list[str] | None, typer.Option("--attr", help="Extra column to keep.")
        ] = None,
        encoding: EncodingOpt = "utf-8",
        h3_column: Annotated[
            str | None,
            typer.Option(
                "--h3-column", help="Column of H3 cell ids: each unit at its cell's centre."
            ),
        ] = None,
        from_osm_buildings: Annotated[
            Path | None,
            typer.Option("--from-osm-buildings", help="Put --total people in its homes."),
        ] = None,
        total: Annotated[
            float | None,
            typer.Option("--total", help="Residents in the buildings (a census count)."),
        ] = None,
        total_source: Annotated[
            str | None,
            typer.Option("--total-source", help="Who counted --total, e.g. 'IMSEE, Census 2016'."),
        ] = None,
        building_rule: Annotated[
            str,
            typer.Option("--building-rule", help="Which buildings are homes: residential or yes."),
        ] = "residential",
        expected_total: Annotated[
            float | None,
            typer.Option("--expected-total", help="Refuse a file >10 % off this total."),
        ] = None,
        accept_outside: Annotated[
            bool,
            typer.Option(
                "--accept-outside", help="Import points far outside the libraries and areas."
            ),
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
        encoding: EncodingOpt = "latin-1",
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
        encoding: EncodingOpt = "latin-1",
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
        encoding: EncodingOpt = "utf-8",
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
            str,
            typer.Option("--kind", help="Kind of every place when the file has no kind column."),
        ] = "",
        encoding: EncodingOpt = "utf-8",
        accept_outside: Annotated[
            bool,
            typer.Option(
                "--accept-outside", help="Import places far outside the libraries and areas."
            ),
        ] = False,
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
        cultural venues. Places whose coordinates look swapped, or that lie far
        outside the workspace's libraries and areas, are refused (--accept-outside
        takes the far ones).

        Example: libpolis import facilities libraries.csv --as library

        Example: libpolis import facilities venues.csv --as venue
        """
        from libpolis.pipeline import ImportKind, ImportRequest

        req = ImportRequest(
            ImportKind.FACILITIES, path, source=source,
            options={"as_": as_, "kind": kind, "encoding": encoding,
                     "accept_outside": accept_outside},
            dataset=_provenance(publisher, licence, attribution),
        )  # fmt: skip
        _import(req, workspace=workspace, db=db, json_out=json_out)

    @import_app.command("areas")
    @cli_errors
    def import_areas(
        path: Annotated[
            Path, typer.Argument(help="The areas as polygons (GeoJSON or GeoPackage).")
        ],
        name_column: Annotated[
            str, typer.Option("--name-column", help="Column holding each area's name.")
        ] = "name",
        kind: Annotated[
            str,
            typer.Option("--kind", help="What the areas are: district, or city for the boundary."),
        ] = "district",
        layer: LayerOpt = None,
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
