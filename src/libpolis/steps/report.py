"""``libpolis report brief``: the city brief for the mayor, in HTML and PDF, in en/fr/es/pt."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from libpolis._cli_common import DbOpt, JsonOpt, WorkspaceOpt, cli_errors, emit, engine_for

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add the ``report`` command group to ``app``."""
    report_app = typer.Typer(
        no_args_is_help=True,
        help="The brief for the mayor, written from what the workspace has measured.",
    )
    app.add_typer(report_app, name="report")

    @report_app.command("brief")
    @cli_errors
    def brief(
        area: Annotated[
            str | None,
            typer.Option(
                "--area",
                help="Name of the place the brief is about (default: the workspace's name, set "
                "by `libpolis init --name` or taken from an imported boundary or OSM place).",
            ),
        ] = None,
        lang: Annotated[str, typer.Option("--lang", help="Language: en, fr, es or pt.")] = "en",
        format_: Annotated[
            str, typer.Option("--format", help="Comma-separated formats: html,pdf.")
        ] = "html,pdf",
        out: Annotated[Path, typer.Option("--out", help="Directory to write into.")] = Path("."),
        workspace: WorkspaceOpt = None,
        db: DbOpt = None,
        json_out: JsonOpt = False,
    ) -> None:
        """Write the brief for the mayor (web page and A4 PDF) from the workspace's evidence.

        The brief says what the data show and which analyses are still missing, and
        how to run them.

        Example: libpolis report brief --out brief -w out/demo/workspace.sqlite

        Example: libpolis report brief --lang fr --format html --out brief-fr
        """
        from libpolis.pipeline import ReportRequest, run_report

        req = ReportRequest(out=out, lang=lang, formats=tuple(format_.split(",")), area=area)
        engine = engine_for(workspace, db, create=False)
        try:
            res = run_report(engine, req).as_dict()
        finally:
            engine.dispose()

        def human() -> None:
            for k in ("html", "pdf"):
                if k in res:
                    typer.echo(f"{k}: {res[k]}")
            for topic in res["missing"]:
                typer.echo(f"  missing: {topic}")

        emit(res, json_out, human)
