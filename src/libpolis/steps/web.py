"""CLI steps of the web app: ``libpolis serve``, ``libpolis db upgrade``, ``libpolis user add``."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from libpolis._cli_common import DbOpt, JsonOpt, WorkspaceOpt, cli_errors, emit, engine_for

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add the web commands to the ``libpolis`` command line."""
    db_app = typer.Typer(
        no_args_is_help=True,
        help="Keep the workspace's database up to date with the installed libpolis.",
    )
    user_app = typer.Typer(
        no_args_is_help=True,
        help="The people who may sign in to the web register, and what each may do.",
    )
    app.add_typer(db_app, name="db")
    app.add_typer(user_app, name="user")

    @app.command()
    @cli_errors
    def serve(
        host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
        port: Annotated[
            int, typer.Option("--port", min=1, max=65535, help="Port to listen on.")
        ] = 8000,
        workers: Annotated[
            int,
            typer.Option(
                "--workers",
                min=1,
                max=64,
                help="Worker processes (each keeps its own sign-in rate limit and caches).",
            ),
        ] = 1,
        log_level: Annotated[
            str, typer.Option("--log-level", help="How much the server logs: info, warning, error.")
        ] = "info",
        read_cache: Annotated[
            bool,
            typer.Option(
                "--read-cache/--no-read-cache",
                help="Keep responses to anonymous reads until the store changes.",
            ),
        ] = True,
        workspace: WorkspaceOpt = None,
        db: DbOpt = None,
    ) -> None:
        """Open the partnership register on the web: a site and a JSON API on the workspace.

        The database is brought up to date first. Set LIBPOLIS_SECRET_KEY so that
        people stay signed in after a restart; add the first admin with
        `libpolis user add`. The API is described at /api/docs.

        Example: libpolis serve --port 8000 -w out/demo/workspace.sqlite
        """
        import os
        import secrets

        import uvicorn

        from libpolis.web.app import READ_CACHE_ENV, STORE_URL_ENV, create_app

        engine = engine_for(workspace, db)  # migrates the schema once, before any worker
        typer.echo(f"libpolis web on http://{host}:{port}/ (API docs at /api/docs)", err=True)
        # forwarded headers are believed by the app, from LIBPOLIS_TRUSTED_PROXIES only
        opts = {"host": host, "port": port, "log_level": log_level, "proxy_headers": False}
        if workers == 1:
            uvicorn.run(create_app(engine, cache_reads=read_cache), **opts)
            return
        os.environ[READ_CACHE_ENV] = "1" if read_cache else "0"
        os.environ[STORE_URL_ENV] = engine.url.render_as_string(hide_password=False)
        # every worker must sign sessions with the same key
        os.environ.setdefault("LIBPOLIS_SECRET_KEY", secrets.token_urlsafe(32))
        engine.dispose()
        uvicorn.run("libpolis.web.app:app_from_env", factory=True, workers=workers, **opts)

    @db_app.command("upgrade")
    @cli_errors
    def db_upgrade(
        workspace: WorkspaceOpt = None, db: DbOpt = None, json_out: JsonOpt = False
    ) -> None:
        """Bring the workspace's database up to date after installing a new libpolis.

        Safe to run again: a database already up to date is left as it is.

        Example: libpolis db upgrade -w out/demo/workspace.sqlite

        Example: libpolis db upgrade --db postgresql://libpolis@localhost/libpolis
        """
        from alembic.runtime.migration import MigrationContext

        engine = engine_for(workspace, db)
        with engine.connect() as conn:
            rev = MigrationContext.configure(conn).get_current_revision()
        url = engine.url.render_as_string(hide_password=True)
        emit({"store": url, "revision": rev}, json_out, f"{url} is at revision {rev}")

    @user_app.command("add")
    @cli_errors
    def user_add(
        email: Annotated[str, typer.Option("--email", help="E-mail address (the login).")],
        role: Annotated[
            str, typer.Option("--role", help="admin, staff, officer or viewer")
        ] = "admin",
        password: Annotated[
            str | None,
            typer.Option(
                "--password", help="The password (visible in shell history; prefer stdin)."
            ),
        ] = None,
        password_stdin: Annotated[
            bool, typer.Option("--password-stdin", help="Read the password from standard input.")
        ] = False,
        name: Annotated[str, typer.Option("--name", help="The person's full name.")] = "",
        library_system_id: Annotated[
            int | None,
            typer.Option(
                "--library-system-id",
                help="For library staff: the library system whose records they may edit.",
            ),
        ] = None,
        workspace: WorkspaceOpt = None,
        db: DbOpt = None,
        json_out: JsonOpt = False,
    ) -> None:
        """Add a person who may sign in to the web register, for instance the first admin.

        Roles: admin (everything); staff (their library system's records, see
        --library-system-id); officer (city officer: partnerships, city goals,
        alignment decisions); viewer (reads what is published).

        Example: libpolis user add --email admin@city.example --role admin --password-stdin
        """
        from pydantic import ValidationError

        from libpolis.errors import DataError
        from libpolis.store import session_scope
        from libpolis.web.crud import create_user
        from libpolis.web.schemas import UserCreate

        if password_stdin == (password is not None):
            raise DataError("give exactly one of --password and --password-stdin")
        if password_stdin:
            password = sys.stdin.readline().rstrip("\r\n")
        try:
            data = UserCreate(
                email=email,
                name=name,
                role=role,
                password=password or "",
                library_system_id=library_system_id,
            )
        except ValidationError as exc:
            msg = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
            raise DataError(msg) from None
        engine = engine_for(workspace, db)
        with session_scope(engine) as session:
            user = create_user(session, data=data, user=None)
            result = {"id": user.id, "email": user.email, "role": user.role}
        emit(result, json_out, f"added {result['role']} {result['email']} (id {result['id']})")
