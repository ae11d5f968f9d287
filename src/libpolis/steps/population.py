"""``libpolis population use NAME``: which imported population later analyses count."""

from __future__ import annotations

from typing import Annotated

import typer

from libpolis._cli_common import DbOpt, JsonOpt, WorkspaceOpt, cli_errors, emit, engine_for

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add the ``population`` command group to ``app``."""
    pop_app = typer.Typer(
        no_args_is_help=True,
        help="Choose the population analyses count (the first one imported, until you choose).",
    )
    app.add_typer(pop_app, name="population")

    @pop_app.command("use")
    @cli_errors
    def use(
        name: Annotated[str, typer.Argument(help="The population source, e.g. hsy-grid-2021.")],
        workspace: WorkspaceOpt = None,
        db: DbOpt = None,
        json_out: JsonOpt = False,
    ) -> None:
        """Choose which imported population later `access` and `plan` runs count.

        `libpolis list populations` shows the ones imported.

        Example: libpolis population use hsy-grid-2015 -w out/demo/workspace.sqlite
        """
        from libpolis.pipeline import use_population

        engine = engine_for(workspace, db, create=False)
        res = use_population(engine, name)
        emit(
            res,
            json_out,
            f"analyses now count {res['residents']:,.0f} residents in {res['units']:,} units "
            f"of {name!r}",
        )
