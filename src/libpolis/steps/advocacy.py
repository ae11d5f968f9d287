"""``libpolis submission`` (the human-rights evidence submission) and ``libpolis assess``
(the Culture 21 Actions self-assessment: scores and a CSV export of the answers)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from libpolis._cli_common import DbOpt, JsonOpt, WorkspaceOpt, cli_errors, emit, engine_for

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add ``submission`` and the ``assess`` command group to ``app``."""

    @app.command("submission")
    @cli_errors
    def submission(
        lang: Annotated[str, typer.Option("--lang", help="Language: en, fr, es or pt.")] = "en",
        format_: Annotated[
            str, typer.Option("--format", help="Comma-separated formats: html,pdf.")
        ] = "html,pdf",
        out: Annotated[Path, typer.Option("--out", help="Directory to write into.")] = Path("."),
        area: Annotated[
            str | None, typer.Option("--area", help="Name of the city (default: the workspace's).")
        ] = None,
        workspace: WorkspaceOpt = None,
        db: DbOpt = None,
        json_out: JsonOpt = False,
    ) -> None:
        """Write the human-rights evidence submission (web page and A4 PDF), by right.

        Access to information, education, participation in cultural life,
        non-discrimination and freedom of expression, each with who is within reach, the
        programmes and published partnerships that advance it, and the gaps; every figure
        traced in an appendix.

        Example: libpolis submission --lang fr --out submission -w out/demo/workspace.sqlite
        """
        from libpolis.pipeline.submission import run_submission

        engine = engine_for(workspace, db, create=False)
        try:
            res = run_submission(
                engine, out, lang=lang, formats=tuple(format_.split(",")), area=area
            )
        finally:
            engine.dispose()

        def human() -> None:
            for k in ("html", "pdf"):
                if k in res:
                    typer.echo(f"{k}: {res[k]}")
            typer.echo(f"figures cited: {len(res['figures'])}")
            for topic in res["missing"]:
                typer.echo(f"  missing: {topic}")

        emit(res, json_out, human)

    assess_app = typer.Typer(
        no_args_is_help=True,
        help="The Culture 21 Actions self-assessment of the city's library services.",
    )
    app.add_typer(assess_app, name="assess")

    @assess_app.command("export")
    @cli_errors
    def export(
        out: Annotated[Path, typer.Option("--out", help="CSV file to write.")],
        workspace: WorkspaceOpt = None,
        db: DbOpt = None,
    ) -> None:
        """Write every answer (year, commitment, action, level, stage, evidence) as CSV.

        The answers are filled in in the web app (`libpolis serve`, page /assessment).

        Example: libpolis assess export --out assessment.csv -w out/demo/workspace.sqlite
        """
        from libpolis.pipeline.assessment import answers_csv, assessment_city, assessment_result
        from libpolis.report.brief import write_atomic

        engine = engine_for(workspace, db, create=False)
        try:
            res = assessment_result(engine, city=assessment_city(engine))
        finally:
            engine.dispose()
        write_atomic(out, answers_csv(res))
        typer.echo(f"{len(res.answers)} answers of {len(res.years)} year(s): {out}")

    @assess_app.command("scores")
    @cli_errors
    def scores(workspace: WorkspaceOpt = None, db: DbOpt = None, json_out: JsonOpt = False) -> None:
        """Print the score per commitment (mean level, 1–9) for each assessed year.

        Example: libpolis assess scores --json -w out/demo/workspace.sqlite
        """
        from libpolis.pipeline.assessment import assessment_city, assessment_result

        engine = engine_for(workspace, db, create=False)
        try:
            res = assessment_result(engine, city=assessment_city(engine))
        finally:
            engine.dispose()
        rows = [
            {k: (None if v != v else v) for k, v in r.items()}
            for r in res.scores.to_dict("records")
        ]

        def human() -> None:
            if not rows:
                typer.echo("no year has been assessed yet (fill it in at /assessment)")
            for r in rows:
                score = "–" if r["score"] is None else f"{r['score']:.1f}"
                typer.echo(f"{r['year']}  {r['commitment']}  {score}  ({r['rated']}/{r['actions']})")

        emit({"city": res.city, "scores": rows}, json_out, human)
