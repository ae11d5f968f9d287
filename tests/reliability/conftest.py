"""Fixtures of the reliability tests: one seeded workspace per backend per module, the store's
dump hash, and the command line run in-process."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

import pytest
import typer
from sqlalchemy import Engine, create_engine, select, text
from typer.testing import CliRunner

from libpolis.cli import app
from libpolis.store import open_store
from libpolis.store.tables import Base

#: Five Helsinki libraries (WGS84), the seed of every workspace.
LIBRARIES = (
    "id,name,lon,lat\n"
    "oodi,Oodi,24.9382,60.1738\n"
    "rikhardinkatu,Rikhardinkatu,24.9451,60.1647\n"
    "kallio,Kallio,24.9497,60.1840\n"
    "pasila,Pasila,24.9328,60.1990\n"
    "itakeskus,Itäkeskus,25.0813,60.2105\n"
)
PROGRAMMES = (
    "id,library,title,description,language,attendance,start_date,end_date\n"
    "p1,Oodi,Reading circle,Books and talk,fi,30,2025-01-01,2025-06-30\n"
    "p2,Kallio,Coding club,Code for children,en,12,,\n"
)
POPULATION = "id,lon,lat,population\na,24.94,60.17,100\nb,24.95,60.18,50\nc,25.0,60.2,70\n"

runner = CliRunner()
_COMMAND = typer.main.get_command(app)  # built once: Typer rebuilds it on every invoke


def run_cli(*args: str) -> tuple[int, str, str]:
    """``libpolis ARGS`` in-process: exit code, stdout, stderr."""
    with mock.patch("typer.testing._get_command", lambda _app: _COMMAND):
        res = runner.invoke(app, list(args))
    return res.exit_code, res.stdout, res.stderr


@dataclass
class Workspace:
    """A seeded store and how the command line names it."""

    backend: str
    url: str
    args: list[str]
    engine: Engine

    def run(self, *args: str) -> tuple[int, str, str]:
        """``libpolis ARGS`` on this store, in-process: exit code, stdout, stderr."""
        return run_cli(*args, *self.args)

    def cli(self, *args: str) -> tuple[int, str, str]:
        """``libpolis ARGS`` for a command that reads no store."""
        return run_cli(*args)

    def dump_hash(self) -> str:
        """SHA-256 of every table's rows, sorted: equal hashes, equal stores."""
        h = hashlib.sha256()
        with self.engine.connect() as conn:
            for table in Base.metadata.sorted_tables:
                rows = sorted(repr(tuple(r)) for r in conn.execute(select(table)))
                h.update(f"{table.name}:{len(rows)}\n".encode())
                for r in rows:
                    h.update(r.encode("utf-8", "surrogatepass") + b"\n")
        return h.hexdigest()


def seed(ws: Workspace, tmp: Path) -> None:
    """Libraries, programmes and a population, imported through the command line."""
    for name, body, cmd in (
        ("libs.csv", LIBRARIES, ["import", "facilities", "--as", "library"]),
        ("programmes.csv", PROGRAMMES, ["import", "programmes"]),
        ("pop.csv", POPULATION, ["import", "population"]),
    ):
        path = tmp / name
        path.write_text(body, encoding="utf-8")
        code, _, err = ws.run(*cmd, str(path))
        assert code == 0, err


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def workspace(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Workspace]:
    """A seeded workspace on each backend, shared by the tests of one module."""
    tmp = tmp_path_factory.mktemp(f"rel-{request.param}")
    schema = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp / 'ws.sqlite'}"
        args = ["--workspace", str(tmp / "ws.sqlite")]
    else:
        pg_base = request.getfixturevalue("pg_base")  # skips, or fails with CI=true
        schema = f"lp_{uuid.uuid4().hex[:12]}"
        admin = create_engine(pg_base)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        admin.dispose()
        url = f"{pg_base}?options=-csearch_path%3D{schema}"
        args = ["--db", url]
    engine = open_store(url)
    ws = Workspace(request.param, url, args, engine)
    seed(ws, tmp)
    yield ws
    engine.dispose()
    if schema is not None:
        admin = create_engine(request.getfixturevalue("pg_base"))
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
