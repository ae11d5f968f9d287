"""Help written for people: every command and option of `libpolis` explains itself, and no
help screen shows a `<bool>` placeholder."""

from __future__ import annotations

import re
import shlex
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


def _runnable() -> list[tuple[tuple[str, ...], Any]]:
    """Every command that does something itself (leaf commands, and `plan`)."""
    root = typer.main.get_command(app)
    return [(p, c) for p, c in _commands(root) if p and c.callback is not None]


def test_every_command_help_shows_examples_on_their_own_lines() -> None:
    for path, _cmd in _runnable():
        res = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "100"}, terminal_width=100)
        assert res.exit_code == 0, (path, res.output)
        lines = [ln.strip() for ln in res.output.splitlines()]
        examples = [ln for ln in lines if "Example" in ln]
        assert examples, f"libpolis {' '.join(path)} --help shows no example"
        # an example folded into the text before it would not start its line
        assert all(ln.startswith(("Example: libpolis ", "Examples: libpolis ")) for ln in examples)


def test_first_line_of_every_help_is_one_short_line() -> None:
    root = typer.main.get_command(app)
    for path, cmd in _commands(root):
        first = (cmd.help or "").strip().split("\n\n")[0]
        # the first paragraph is what command lists show: one line, under 100 characters
        assert "\n" not in first and 0 < len(first) < 100, (path, first)


def test_help_is_written_for_people_not_developers() -> None:
    root = typer.main.get_command(app)
    for path, cmd in _commands(root):
        text = cmd.help or ""
        assert "``" not in text, path  # reStructuredText markup, shown as is by Typer
        assert not re.search(r"\blibpolis\.(?!sqlite\b)[a-z_]+", text), path  # module names
        assert ":func:" not in text and ":mod:" not in text, path


def _example_commands(help_text: str) -> list[list[str]]:
    out = []
    for para in help_text.split("\n\n"):
        para = " ".join(para.replace("\\\n", " ").split())  # shell-style continued lines
        if para.startswith(("Example: ", "Examples: ")):
            out.append(shlex.split(para.split(": ", 1)[1]))
    return out


def test_every_example_is_a_valid_command_line() -> None:
    """Each example names a real command with options it has and values it accepts (parsed
    as the CLI would parse it, without running it)."""
    root = typer.main.get_command(app)
    seen = 0
    for path, cmd in _commands(root):
        for args in _example_commands(cmd.help or ""):
            assert args[0] == "libpolis", (path, args)
            target, rest = root, args[1:]
            while rest and rest[0] in getattr(target, "commands", {}):
                target, rest = target.commands[rest[0]], rest[1:]
            assert target.callback is not None, (path, args)
            try:
                target.make_context(args[0], list(rest))
            except typer.TyperException as exc:  # click's errors (Typer bundles click)
                raise AssertionError(f"{' '.join(args)}: {exc}") from None
            seen += 1
    assert seen >= len(_runnable())
