"""Shared pieces of the command line: options, error boundary, output and progress."""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from typer.core import TyperGroup

from libpolis.errors import LibpolisError

if TYPE_CHECKING:
    from collections.abc import Iterator

    from rich.console import Console
    from rich.progress import Progress
    from sqlalchemy import Engine

# The command line starts in a fraction of a second because nothing heavy is imported here:
# settings (pydantic), rich's console, the store (SQLAlchemy) and every analysis are imported
# by the command that uses them (tests/test_cli_startup.py checks it).

__all__ = [
    "DbOpt",
    "EncodingOpt",
    "JsonOpt",
    "LayerOpt",
    "OneLineErrors",
    "PopulationSourceOpt",
    "SourceOpt",
    "WorkspaceOpt",
    "cli_errors",
    "emit",
    "engine_for",
    "progress",
    "stderr",
]


@functools.cache
def stderr() -> Console:
    """The rich console on stderr that progress displays use (made on first use)."""
    from rich.console import Console

    return Console(stderr=True)


WorkspaceOpt = Annotated[
    Path | None,
    typer.Option(
        "--workspace",
        "-w",
        envvar="LIBPOLIS_WORKSPACE",
        help="SQLite workspace file (default libpolis.sqlite).",
    ),
]
DbOpt = Annotated[
    str | None,
    typer.Option(
        "--db",
        envvar="LIBPOLIS_DATABASE_URL",
        help="SQLAlchemy URL of a PostgreSQL store; overrides --workspace.",
    ),
]
SourceOpt = Annotated[
    str | None,
    typer.Option("--source", help="Name of this data in the workspace (default: the file name)."),
]
EncodingOpt = Annotated[
    str, typer.Option("--encoding", help="Text encoding of the file (e.g. utf-8, latin-1, cp1252).")
]
LayerOpt = Annotated[
    str | None, typer.Option("--layer", help="Layer of a GeoPackage with several layers.")
]
PopulationSourceOpt = Annotated[
    str | None,
    typer.Option(
        "--population-source",
        help="Which imported population to count (default: the workspace's population, see"
        " `libpolis population use`).",
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the result as one JSON object.")]
EngineOpt = Annotated[
    str,
    typer.Option(
        "--engine",
        help="Where the searches run: local (this process) or dask (spatial partitions on a"
        " Dask cluster; the same results).",
    ),
]
SchedulerOpt = Annotated[
    str | None,
    typer.Option(
        "--scheduler",
        help="With --engine dask: a running cluster's scheduler, tcp://HOST:PORT (default: a"
        " local cluster started for this run).",
    ),
]
PartitionsOpt = Annotated[
    int | None,
    typer.Option("--partitions", help="With --engine dask: about this many spatial tiles."),
]
WorkersOpt = Annotated[
    int | None,
    typer.Option(
        "--workers", help="With --engine dask and no --scheduler: worker processes to start."
    ),
]


def engine_progress(prog: Any, task: Any) -> Callable[..., None]:
    """A progress callback for the Dask engine: prints the dashboard's address and advances
    ``task`` of the rich progress ``prog`` partition by partition."""

    def notify(event: str, **info: Any) -> None:
        if event == "dashboard":
            stderr().print(f"Dask dashboard: {info['link']} (scheduler {info['scheduler']})")
        elif event == "partitions":
            prog.update(task, total=info["total"], completed=0, description=info["what"])
        elif event == "partition":
            prog.update(task, completed=info["done"])

    return notify


F = TypeVar("F", bound=Callable[..., Any])


def cli_errors(func: F) -> F:
    """Turn libpolis errors into one line on stderr and exit code 2; close the stores the
    command opened with :func:`engine_for` when it ends."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except LibpolisError as exc:
            print(f"error: {exc}", file=sys.stderr)
            raise typer.Exit(2) from None
        finally:  # every store the command opened is closed when it ends
            while _OPEN:
                _OPEN.pop().dispose()

    return wrapper  # type: ignore[return-value]


# Typer's own (vendored) click: the usage-error and error roots, found from its public names
_USAGE_ERROR: type[Exception] = next(
    c for c in typer.BadParameter.__mro__ if c.__name__ == "UsageError"
)
_CLICK_ERROR: type[Exception] = next(
    c for c in typer.BadParameter.__mro__ if c.__name__ in ("ClickException", "TyperException")
)


def _quiet_flags(cmd: Any) -> None:
    """Show on/off options (``--json``, ``--help``) without a ``<bool>`` placeholder in help:
    they take no value."""
    for param in getattr(cmd, "params", []):
        if getattr(param, "is_flag", False) and param.metavar is None:
            param.metavar = ""
    if not getattr(cmd, "_libpolis_quiet_help", False):
        get_help = cmd.get_help_option

        def help_option(ctx: Any) -> Any:
            opt = get_help(ctx)
            if opt is not None:
                opt.metavar = ""
                # an unset flag reads False, not None: Typer then has nothing to convert and does
                # not load pydantic (a third of the start-up time) to print the version
                if opt.default is None:
                    opt.default = False
            return opt

        cmd.get_help_option = help_option
        cmd._libpolis_quiet_help = True
    if hasattr(cmd, "format_commands"):
        cmd.format_commands = functools.partial(_format_commands, cmd)
    for sub in getattr(cmd, "commands", {}).values():
        _quiet_flags(sub)


def _format_commands(group: Any, ctx: Any, formatter: Any) -> None:
    """List a group's commands with their whole first line of help (click would cut it at
    the width of the screen; the formatter wraps it instead)."""
    rows = []
    for name in group.list_commands(ctx):
        sub = group.get_command(ctx, name)
        if sub is not None and not sub.hidden:
            rows.append((name, sub.get_short_help_str(limit=200)))
    if rows:
        with formatter.section("Commands"):
            formatter.write_dl(rows)


class OneLineErrors(TyperGroup):
    """The command group of the ``libpolis`` app: a bad option or value (an unknown
    ``--mode``, a missing argument) is one line on stderr and exit code 2, like every other
    error of the command line."""

    def main(self, *args: Any, standalone_mode: bool = True, **kwargs: Any) -> Any:
        _quiet_flags(self)
        if not standalone_mode:
            return super().main(*args, standalone_mode=False, **kwargs)
        try:
            code = super().main(*args, standalone_mode=False, **kwargs)
        except _USAGE_ERROR as exc:
            if type(exc).__name__ == "NoArgsIsHelpError":  # the help of a bare group
                exc.show()  # type: ignore[attr-defined]
                sys.exit(2)
            text = exc.format_message()  # type: ignore[attr-defined]
            message = " ".join(text.split()).replace("Value error, ", "")
            print(f"error: {message}", file=sys.stderr)
            sys.exit(2)
        except typer.Abort:
            print("aborted", file=sys.stderr)
            sys.exit(1)
        except _CLICK_ERROR as exc:
            exc.show()  # type: ignore[attr-defined]
            sys.exit(getattr(exc, "exit_code", 1))
        sys.exit(code if isinstance(code, int) else 0)


_OPEN: list[Engine] = []


def engine_for(workspace: Path | None, db: str | None, *, create: bool = True) -> Engine:
    """Open (and migrate) the store named by the options or the environment."""
    from libpolis.settings import get_settings
    from libpolis.store import open_store

    settings = get_settings()
    url = db or settings.store_url(workspace)
    if not create and url.startswith("sqlite:///") and not Path(url[10:]).exists():
        from libpolis.errors import NotFoundError

        raise NotFoundError(f"no workspace at {url[10:]}; run `libpolis init` first")
    engine = open_store(url)
    _OPEN.append(engine)
    return engine


def _default(obj: Any) -> Any:
    if hasattr(obj, "item"):
        return obj.item()
    if isinstance(obj, Path):
        return str(obj)
    return str(obj)


def emit(result: dict[str, Any], as_json: bool, human: str | Callable[[], None]) -> None:
    """Print ``result`` as one JSON object, or the human summary."""
    if as_json:
        typer.echo(json.dumps(result, default=_default, ensure_ascii=False))
    elif callable(human):
        human()
    else:
        typer.echo(human)


class _NoProgress:
    """What :func:`progress` yields when nothing would be shown: rich is not even loaded."""

    def add_task(self, description: str, **fields: Any) -> int:
        return 0

    def update(self, task: int, **fields: Any) -> None:
        return None

    def advance(self, task: int, advance: float = 1) -> None:
        return None


def _shows_progress(enabled: bool) -> bool:
    """Whether a progress display would show: enabled, and stderr a terminal (or rich told
    so by ``FORCE_COLOR`` / ``TTY_INTERACTIVE``, which only rich can read)."""
    if not enabled:
        return False
    if os.environ.get("FORCE_COLOR") or os.environ.get("TTY_INTERACTIVE"):
        return bool(stderr().is_terminal)
    return sys.stderr.isatty()


@contextmanager
def progress(enabled: bool = True) -> Iterator[Progress]:
    """A rich progress display on stderr (transient; quiet when stderr is not a terminal, and
    then without loading rich: scripts and pipelines do not pay for it)."""
    if not _shows_progress(enabled):
        yield _NoProgress()  # type: ignore[misc]
        return
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    prog = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=stderr(),
        transient=True,
    )
    with prog:
        yield prog
