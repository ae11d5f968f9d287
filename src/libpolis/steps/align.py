"""``libpolis align`` and ``libpolis frameworks``: programmes aligned to goal frameworks,
frameworks listed and shown, city strategies imported; the steps live in
:mod:`libpolis.pipeline.align`."""

from __future__ import annotations

import json
import shlex
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from libpolis._cli_common import DbOpt, JsonOpt, WorkspaceOpt, cli_errors, emit, engine_for
from libpolis.goal_names import NUMBERED_TITLES

__all__ = ["register"]


def _goal_line(goal: dict[str, Any], framework: str) -> str:
    """A goal as `frameworks show` prints it: its short name, and its official title when that
    is a name too ("Culture as everyone's right (Cultural rights)"), not a number ("Article
    19")."""
    title, official = str(goal["title"]), str(goal.get("official_title") or "")
    if official and official != title and framework not in NUMBERED_TITLES:
        return f"{title} ({official})"
    return title


def register(app: typer.Typer) -> None:
    """Add the ``align`` and ``frameworks`` sub-apps to the libpolis CLI."""
    align_app = typer.Typer(
        no_args_is_help=True,
        help="Link programmes to the SDGs, human rights, Culture 21 or your city's strategy.",
    )
    fw_app = typer.Typer(
        no_args_is_help=True,
        help="The goal frameworks programmes are linked to, and your city's own strategy.",
    )
    app.add_typer(align_app, name="align")
    app.add_typer(fw_app, name="frameworks")

    @align_app.command("texts")
    @cli_errors
    def align_texts_cmd(
        input: Annotated[Path, typer.Option("--input", "-i", help="CSV with columns id,text.")],
        framework: Annotated[
            str,
            typer.Option(
                "--framework", "-f", help="sdg, udhr, culture21, sdg_targets or a strategy file."
            ),
        ] = "sdg",
        threshold: Annotated[
            float | None,
            typer.Option(
                help="Score from which a goal is suggested (default: the calibrated one)."
            ),
        ] = None,
        explain: Annotated[
            bool, typer.Option("--explain", help="Also show why: the sentence behind each goal.")
        ] = False,
        encoding: Annotated[
            str, typer.Option("--encoding", help="Text encoding of the CSV file.")
        ] = "utf-8",
        programmes: Annotated[
            bool,
            typer.Option(
                "--programmes",
                help="The texts are programme descriptions: suggest what `align run` would "
                "(no evidence in the text, no goal).",
            ),
        ] = False,
    ) -> None:
        """Suggest goals for any texts in a CSV file (columns id,text), one JSON line per text.

        Nothing is stored: try a framework on descriptions before importing them.
        Each line holds the id, the suggested goals ("sdgs" for the SDGs, "goals"
        for the others) and their scores. With --programmes each text gets the
        suggestions the register would make for a programme with that description.

        Example: libpolis align texts --input texts.csv --framework sdg --explain

        Example: libpolis align texts --input programmes.csv --programmes
        """
        from libpolis.pipeline import align_text_file

        results = align_text_file(
            input, framework, threshold=threshold, encoding=encoding, programmes=programmes
        )
        for res in results:
            key = "sdgs" if framework == "sdg" else "goals"
            line: dict[str, Any] = {"id": res["id"], key: res[key], "scores": res["scores"]}
            if explain:
                line["explanations"] = res["explanations"]
            typer.echo(json.dumps(line, ensure_ascii=False))

    @align_app.command("run")
    @cli_errors
    def align_run_cmd(
        framework: Annotated[
            list[str] | None,
            typer.Option(
                "--framework", "-f", help="A framework (repeat for several; default: all)."
            ),
        ] = None,
        workspace: WorkspaceOpt = None,
        db: DbOpt = None,
        json_out: JsonOpt = False,
    ) -> None:
        """Suggest which goals each programme in the workspace serves, and store the suggestions.

        Without --framework: the SDGs, human rights (UDHR), Culture 21, every city
        strategy imported and the city's goals in the register. See them with
        `libpolis list alignments`.

        Example: libpolis align run -w out/demo/workspace.sqlite

        Example: libpolis align run -f sdg -f culture21
        """
        from libpolis.pipeline import AlignRequest, run_align

        command = "libpolis align run" + "".join(f" -f {shlex.quote(f)}" for f in framework or [])
        req = AlignRequest(frameworks=tuple(framework or ()), command=command)
        engine = engine_for(workspace, db, create=False)
        try:
            summary = run_align(engine, req).as_dict()
        finally:
            engine.dispose()

        def human() -> None:
            typer.echo(f"{summary['programmes']} programmes")
            for name, info in summary["frameworks"].items():
                if "skipped" in info:
                    typer.echo(f"  {name:12s} skipped: {info['skipped']}")
                else:
                    typer.echo(
                        f"  {name:12s} {info['suggestions']:>6d} suggestions "
                        f"({info['method']} v{info['version']})"
                    )

        emit(summary, json_out, human)

    @align_app.command("train")
    @cli_errors
    def align_train_cmd(
        out: Annotated[
            Path | None,
            typer.Option("--out", help="Model folder (default: the one shipped with libpolis)."),
        ] = None,
        seed: Annotated[int, typer.Option("--seed", help="Seed of the shipped model.")] = 0,
        data_dir: Annotated[
            Path | None,
            typer.Option(
                "--data-dir", help="Folder with sdg-labelled-texts (default shared/data)."
            ),
        ] = None,
        json_out: JsonOpt = False,
    ) -> None:
        """Rebuild the SDG model shipped with libpolis from its labelled texts, to check it.

        The split of the data and the seed are fixed and documented, so anyone can
        reproduce the model and its validation score.

        Example: libpolis align train --out models/sdg
        """
        from libpolis.pipeline import train_sdg

        folder, meta = train_sdg(out, seed=seed, data_dir=data_dir)
        payload = {"out": str(folder), **(meta if isinstance(meta, dict) else {})}
        emit(
            payload,
            json_out,
            f"SDG model written to {folder}"
            + (
                f" (validation micro-F1 {payload['val_micro_f1']:.3f})"
                if "val_micro_f1" in payload
                else ""
            ),
        )

    @fw_app.command("list")
    @cli_errors
    def frameworks_list_cmd(
        workspace: WorkspaceOpt = None, db: DbOpt = None, json_out: JsonOpt = False
    ) -> None:
        """List the goal frameworks you can align to, and the city strategies imported.

        Example: libpolis frameworks list

        Example: libpolis frameworks list -w out/demo/workspace.sqlite
        """
        from libpolis.pipeline import list_frameworks

        engine = None
        if workspace is not None or db is not None:
            engine = engine_for(workspace, db, create=False)
        try:
            items = list_frameworks(engine)
        finally:
            if engine is not None:
                engine.dispose()
        emit(
            {"frameworks": items},
            json_out,
            "\n".join(f"{i['name']:24s} {i['goals']:>4d}  {i['title']}" for i in items),
        )

    @fw_app.command("show")
    @cli_errors
    def frameworks_show_cmd(
        name: Annotated[
            str, typer.Argument(help="sdg, udhr, culture21, sdg_targets, a strategy or its file.")
        ],
        language: Annotated[str, typer.Option("--language", help="en, fr, es, ...")] = "en",
        workspace: WorkspaceOpt = None,
        db: DbOpt = None,
        json_out: JsonOpt = False,
    ) -> None:
        """Show the goals of a framework, in another language where it has one.

        NAME is a framework of `libpolis frameworks list`, a stored city strategy,
        or a strategy file.

        Example: libpolis frameworks show sdg --language fr
        """
        from libpolis.pipeline import framework_goals

        engine = None
        if workspace is not None or db is not None:
            engine = engine_for(workspace, db, create=False)
        try:
            shown = framework_goals(engine, name, language)
        finally:
            if engine is not None:
                engine.dispose()
        emit(
            shown,
            json_out,
            "\n".join(
                [
                    shown["title"],
                    *(f"{g['code']:>5s}  {_goal_line(g, shown['name'])}" for g in shown["goals"]),
                ]
            ),
        )

    @fw_app.command("import-strategy")
    @cli_errors
    def import_strategy_cmd(
        path: Annotated[Path, typer.Argument(help="The strategy document (txt, md or pdf).")],
        name: Annotated[
            str | None, typer.Option("--name", help="Framework name (default: file name).")
        ] = None,
        language: Annotated[
            str | None, typer.Option("--language", help="en, fr, es, fi, sv...")
        ] = None,
        workspace: WorkspaceOpt = None,
        db: DbOpt = None,
        json_out: JsonOpt = False,
    ) -> None:
        """Store your city's strategy (txt, md or pdf) as goals that programmes can serve.

        The text is split into its goals; `libpolis align run` then links programmes
        to them.

        Example: libpolis frameworks import-strategy strategy.pdf --name city-strategy
        """
        from libpolis.pipeline import store_strategy

        engine = engine_for(workspace, db)
        try:
            payload = store_strategy(engine, path, name=name, language=language)
        finally:
            engine.dispose()
        payload["stored_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        emit(
            payload,
            json_out,
            f"stored strategy {payload['name']!r} with {len(payload['goals'])} goals: "
            + "; ".join(f"{g['code']}. {g['title']}" for g in payload["goals"]),
        )
