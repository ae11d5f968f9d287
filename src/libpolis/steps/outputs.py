"""``libpolis list``, ``libpolis show`` and ``libpolis export``: what a workspace holds, as a
table for people (``--json`` for machines), and every result out as a file; the work is in
:mod:`libpolis.pipeline.outputs`."""

from __future__ import annotations

import math
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from libpolis._cli_common import DbOpt, JsonOpt, WorkspaceOpt, cli_errors, emit, engine_for

__all__ = ["print_table", "register"]


class ListKind(StrEnum):
    """What ``libpolis list`` lists (:data:`libpolis.pipeline.LIST_KINDS`)."""

    LIBRARIES = "libraries"
    PROGRAMMES = "programmes"
    POPULATIONS = "populations"
    ANALYSES = "analyses"
    PLANS = "plans"
    SCENARIOS = "scenarios"
    RESULTS = "results"
    ALIGNMENTS = "alignments"


class ShowKind(StrEnum):
    """What ``libpolis show`` shows."""

    LIBRARY = "library"
    PROGRAMME = "programme"
    POPULATION = "population"
    ANALYSIS = "analysis"
    PLAN = "plan"
    SCENARIO = "scenario"
    RESULT = "result"


class ExportFormat(StrEnum):
    """The file formats of ``libpolis export``."""

    GPKG = "gpkg"
    PARQUET = "parquet"
    CSV = "csv"
    GEOJSON = "geojson"


_WIDTH = 48  # characters shown of a long text cell


def _cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float):
        return f"{value:,.6g}" if abs(value) < 1e6 else f"{value:,.0f}"
    text = str(value)
    return text if len(text) <= _WIDTH else text[: _WIDTH - 1] + "…"


def print_table(rows: list[dict[str, Any]], columns: list[str] | None = None) -> None:
    """Print ``rows`` as an aligned text table (``columns`` in that order)."""
    if not rows:
        typer.echo("(none)")
        return
    cols = columns or list(rows[0])
    cells = [[_cell(r.get(c)) for c in cols] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(cols)]
    typer.echo("  ".join(c.ljust(w) for c, w in zip(cols, widths, strict=True)).rstrip())
    for row in cells:
        typer.echo("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())


_SHOWN = {
    "libraries": ["id", "source_id", "name", "kind", "city", "lon", "lat"],
    "programmes": ["id", "source_id", "title", "library", "start_date"],
    "analyses": ["id", "step", "created_at", "command"],
    "plans": ["label", "objective", "mode", "sites", "within_before", "within_after",
              "mean_time_min_before", "mean_time_min_after", "new_sites"],
    "scenarios": ["label", "kind", "mode", "within", "unit", "tables"],
    "alignments": ["programme_id", "programme", "framework", "goal_code", "goal_title",
                   "score", "status", "why"],
}  # fmt: skip


def register(app: typer.Typer) -> None:
    """Add ``libpolis list``, ``show`` and ``export`` to the CLI."""

    @app.command("list")
    @cli_errors
    def list_(
        kind: Annotated[ListKind, typer.Argument(help="What to list.", case_sensitive=False)],
        workspace: WorkspaceOpt = None,
        db: DbOpt = None,
        json_out: JsonOpt = False,
    ) -> None:
        """List what the workspace holds: libraries, programmes, analyses, plans and more.

        KIND is one of libraries, programmes, populations, analyses, plans,
        scenarios, results or alignments.

        Example: libpolis list libraries -w out/demo/workspace.sqlite

        Example: libpolis list results
        """
        from libpolis.pipeline import list_items
        from libpolis.pipeline.outputs import records

        engine = engine_for(workspace, db, create=False)
        rows = records(list_items(engine, kind.value))
        shown = [c for c in _SHOWN.get(kind.value, []) if rows and c in rows[0]] or None
        emit({"kind": kind.value, "rows": rows}, json_out, lambda: print_table(rows, shown))

    @app.command("show")
    @cli_errors
    def show(
        kind: Annotated[ShowKind, typer.Argument(help="What to show.", case_sensitive=False)],
        key: Annotated[str, typer.Argument(help="Its id or name (see `libpolis list`).")],
        workspace: WorkspaceOpt = None,
        db: DbOpt = None,
        json_out: JsonOpt = False,
    ) -> None:
        """Show everything about one library, programme, population, analysis, plan or result.

        KIND is library, programme, population, analysis, plan, scenario or result;
        KEY is its id or name as `libpolis list` shows it.

        Example: libpolis show library "Kallion kirjasto" -w out/demo/workspace.sqlite

        Example: libpolis show plan coverage
        """
        from libpolis.pipeline import show_item

        engine = engine_for(workspace, db, create=False)
        rec = show_item(engine, kind.value, key)

        def human() -> None:
            for k, v in rec.items():
                if isinstance(v, list) and v and isinstance(v[0], dict):
                    typer.echo(f"{k}:")
                    print_table(v)
                elif isinstance(v, dict):
                    typer.echo(f"{k}:")
                    for kk, vv in v.items():
                        typer.echo(
                            f"  {kk}: {_cell(vv) if not isinstance(vv, list | dict) else vv}"
                        )
                else:
                    typer.echo(f"{k}: {_cell(v) if not isinstance(v, list) else v}")

        emit(rec, json_out, human)

    @app.command("export")
    @cli_errors
    def export(
        name: Annotated[
            str,
            typer.Argument(
                help="A stored result (`libpolis list results`), a plan (`libpolis list plans`)"
                " or a list (libraries, programmes, alignments, ...)."
            ),
        ],
        out: Annotated[Path, typer.Option("--out", help="File to write.")],
        fmt: Annotated[
            ExportFormat | None,
            typer.Option("--format", case_sensitive=False, help="Default: from the file's suffix."),
        ] = None,
        workspace: WorkspaceOpt = None,
        db: DbOpt = None,
        json_out: JsonOpt = False,
    ) -> None:
        """Save a result, a plan or a list as a file for maps (GIS) or spreadsheets.

        Formats: GeoPackage (.gpkg), GeoParquet (.parquet), CSV (.csv) or GeoJSON
        (.geojson), chosen from the file's suffix unless --format says otherwise.

        Example: libpolis export plan_coverage --out plan.gpkg -w out/demo/workspace.sqlite

        Example: libpolis export alignments --out alignments.csv
        """
        from libpolis.pipeline import export_named

        engine = engine_for(workspace, db, create=False)
        res = export_named(engine, name, out, fmt.value if fmt is not None else None)
        emit(res, json_out, f"wrote {res['rows']:,d} rows of {name} to {res['path']}")
