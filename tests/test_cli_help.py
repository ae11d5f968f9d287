"""Help written for people: every command and option of `libpolis` explains itself, and no
help screen shows a `<bool>` placeholder."""

from __future__ import annotations

from typing import Any

import typer
from typer.testing import CliRunner

from libpolis.cli import app

runner = CliRunner()


def _commands(cmd: Any, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    out = [(path, cmd)]
    for name, sub in sorted(getattr(cmd, "commands", {}).items()):
        out += _commands(sub, (*path, name))
    return out


def test_every_command_and_option_has_help() -> None:
    root = typer.main.get_command(app)
    lacking = []
    for path, cmd in _commands(root):
        if path and not (cmd.help or cmd.short_help):
            lacking.append(" ".join(path))
        for p in cmd.params:
            if isinstance(p, typer.core.TyperOption) and not (p.help or "").strip():
                lacking.append(f"{' '.join(path)} {p.opts[0]}")
    assert lacking == []


def test_no_help_screen_shows_a_bool_placeholder() -> None:
    root = typer.main.get_command(app)
    for path, _cmd in _commands(root):
        res = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "120"})
        assert res.exit_code == 0, (path, res.output)
        assert "<bool>" not in res.output, path
        assert "thin shell" not in res.output
