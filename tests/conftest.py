"""Shared fixtures: SQLite and PostgreSQL stores, test data paths, a CLI runner."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text

from libpolis.store import open_store

DATA = Path(__file__).parent / "data"

#: Debian's chromium, driven by Playwright in the browser tests (web pages and the brief's
#: HTML), and its flags in containers.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PG_BASE = os.environ.get("LIBPOLIS_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@pytest.fixture(scope="session", autouse=True)
def _network_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Street graphs parsed by the tests are cached in a folder of the session, never in the
    user's cache folder."""
    folder = tmp_path_factory.mktemp("cache")
    before = os.environ.get("LIBPOLIS_CACHE_DIR")
    os.environ["LIBPOLIS_CACHE_DIR"] = str(folder)
    yield folder
    if before is None:
        os.environ.pop("LIBPOLIS_CACHE_DIR", None)
    else:
        os.environ["LIBPOLIS_CACHE_DIR"] = before


def _pg_available() -> bool:
    try:
        eng = create_engine(PG_BASE, connect_args={"connect_timeout": 3})
        with eng.connect() as conn:
            conn.execute(text("select 1"))
        eng.dispose()
        return True
    except Exception:
        return False


@pytest.fixture(scope="session")
def pg_base() -> str:
    """The PostgreSQL server URL; with CI=true it must be reachable (never skipped)."""
    if not _pg_available():
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is not reachable at {PG_BASE} and CI=true")
        pytest.skip("PostgreSQL not reachable (set CI=true to make this a failure)")
    return PG_BASE


@pytest.fixture
def pg_url(pg_base: str) -> Iterator[str]:
    """A fresh schema on the real PostgreSQL server, dropped afterwards."""
    schema = f"lp_{uuid.uuid4().hex[:12]}"
    admin = create_engine(pg_base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    yield f"{pg_base}?options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A store URL on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'ws.sqlite'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def engine(store_url: str) -> Iterator[Engine]:
    eng = open_store(store_url)
    yield eng
    eng.dispose()


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    eng = open_store(f"sqlite:///{tmp_path / 'ws.sqlite'}")
    yield eng
    eng.dispose()


@pytest.fixture(scope="session")
def demo_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo workspace (bundled Helsinki data), built once per test session; tests that
    write to it take a copy with :func:`demo_copy`."""
    from libpolis.demo import build_demo_workspace

    path = tmp_path_factory.mktemp("demo-shared") / "demo.sqlite"
    build_demo_workspace(path, show_progress=False)
    return path


@pytest.fixture(scope="module")
def demo_copy(demo_workspace: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the demo workspace of the module's own."""
    import shutil

    path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    shutil.copy(demo_workspace, path)
    return path


@pytest.fixture(scope="module")
def demo_copy_engine(demo_copy: Path) -> Iterator[Engine]:
    """An engine on the module's copy of the demo workspace."""
    eng = open_store(f"sqlite:///{demo_copy}")
    yield eng
    eng.dispose()


@pytest.fixture(scope="session")
def chromium() -> SimpleNamespace:
    """Debian's chromium (``path``, ``args``): a browser test is skipped where it is missing,
    and fails in CI (``CI=true``), which installs it."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing and CI=true (apt-get install -y chromium)")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install -y chromium)")
    return SimpleNamespace(path=CHROMIUM, args=list(CHROMIUM_ARGS))


@pytest.fixture(scope="module")
def browser(chromium: SimpleNamespace) -> Iterator[Any]:
    """Debian's chromium under Playwright, one per test module."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium.path, args=chromium.args)
        yield b
        b.close()
