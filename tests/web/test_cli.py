"""The web commands of the CLI: ``db upgrade``, ``user add`` (and ``serve --help``)."""

from __future__ import annotations

import json

from alembic.script import ScriptDirectory
from sqlalchemy import select
from typer.testing import CliRunner

from libpolis.cli import app
from libpolis.store import open_store, session_scope
from libpolis.store.engine import alembic_config
from libpolis.store.tables import User
from libpolis.web.security import verify_password

runner = CliRunner()


def test_db_upgrade_and_first_admin(tmp_path) -> None:
    ws = tmp_path / "ws.sqlite"
    r = runner.invoke(app, ["db", "upgrade", "--workspace", str(ws), "--json"])
    assert r.exit_code == 0, r.output
    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert head is not None and json.loads(r.output)["revision"] == head
    r = runner.invoke(
        app,
        [
            "user",
            "add",
            "--email",
            "Admin@Example.org",
            "--password-stdin",
            "--workspace",
            str(ws),
            "--json",
        ],
        input="a long enough secret\n",
    )
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["role"] == "admin"
    engine = open_store(f"sqlite:///{ws}")
    with session_scope(engine) as s:
        user = s.scalar(select(User))
        assert user.email == "admin@example.org" and user.role == "admin"
        assert user.password_hash.startswith("$argon2id$")
        assert verify_password("a long enough secret", user.password_hash)
        assert not verify_password("wrong", user.password_hash)
    engine.dispose()
    again = runner.invoke(
        app,
        [
            "user",
            "add",
            "--email",
            "admin@example.org",
            "--password",
            "another secret!",
            "--workspace",
            str(ws),
        ],
    )
    assert again.exit_code == 2 and "exists already" in again.output


def test_user_add_refuses_bad_input(tmp_path) -> None:
    ws = str(tmp_path / "ws.sqlite")
    short = runner.invoke(
        app, ["user", "add", "--email", "a@b.org", "--password", "short", "--workspace", ws]
    )
    assert short.exit_code == 2 and "password" in short.output
    both = runner.invoke(app, ["user", "add", "--email", "a@b.org", "--workspace", ws])
    assert both.exit_code == 2 and "exactly one" in both.output
    role = runner.invoke(
        app,
        [
            "user",
            "add",
            "--email",
            "a@b.org",
            "--role",
            "mayor",
            "--password",
            "long enough pw",
            "--workspace",
            ws,
        ],
    )
    assert role.exit_code == 2 and "role" in role.output
    staff = runner.invoke(
        app,
        [
            "user",
            "add",
            "--email",
            "a@b.org",
            "--role",
            "staff",
            "--password",
            "long enough pw",
            "--workspace",
            ws,
        ],
    )
    assert staff.exit_code == 2 and "library_system_id" in staff.output


def test_serve_is_registered() -> None:
    r = runner.invoke(app, ["serve", "--help"])
    assert r.exit_code == 0 and "--port" in r.output and "--workers" in r.output
