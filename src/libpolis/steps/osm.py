"""``libpolis import osm FILE.pbf``: libraries and cultural venues from OpenStreetMap,
optionally cut to a city (``--boundary``, ``--bbox`` or ``--place``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from libpolis._cli_common import (
    DbOpt,
    JsonOpt,
    SourceOpt,
    WorkspaceOpt,
    cli_errors,
    emit,
    engine_for,
)

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add ``osm`` to the ``import`` command group of ``app``."""
    import_app = next(g.typer_instance for g in app.registered_groups if g.name == "import")
    assert import_app is not None

    @import_app.command("osm")
    @cli_errors
    def import_osm(
        path: Annotated[Path, typer.Argument(help="An OpenStreetMap extract (.osm.pbf or .osm).")],
        libraries: Annotated[
            bool, typer.Option(help="Import libraries (amenity=library) as well as venues.")
        ] = True,
        boundary: Annotated[
            Path | None,
            typer.Option(
                "--boundary",
                help="Keep only what lies inside this polygon file (GeoJSON or GeoPackage, "
                "e.g. the city limits).",
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
                help="Keep only what lies inside the administrative boundary of this name in "
                "the same file (e.g. 'La Condamine'); it also names an unnamed workspace.",
            ),
        ] = None,
        merge_within: Annotated[
            float,
            typer.Option(
                "--merge-within",
                help="Metres within which two places of the same kind and name are taken as "
                "one (a node and its building).",
            ),
        ] = 50.0,
        source: SourceOpt = None,
        workspace: WorkspaceOpt = None,
        db: DbOpt = None,
        json_out: JsonOpt = False,
    ) -> None:
        """Import libraries and cultural venues from OpenStreetMap, optionally cut to a city.

        The file is also kept as the street network for walking, cycling and driving
        times.

        Example: libpolis import osm monaco.osm.pbf --place "La Condamine"

        Example: libpolis import osm region.osm.pbf --boundary city.geojson
        """
        from libpolis.pipeline import ImportKind, ImportRequest, run_import

        req = ImportRequest(ImportKind.OSM, path, source=source, libraries=libraries,
                            boundary=boundary, bbox=bbox, place=place,
                            merge_near_m=merge_within)  # fmt: skip
        engine = engine_for(workspace, db)
        try:
            res = run_import(engine, req)
        finally:
            engine.dispose()
        emit(res.as_dict(), json_out, res.message)
