"""Fixtures of the brief tests: demo, enriched and empty workspaces."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from sqlalchemy import Engine

from libpolis.store import open_store


def _load_workspaces() -> ModuleType:
    path = Path(__file__).parent / "_workspaces.py"
    spec = importlib.util.spec_from_file_location("libpolis_test_workspaces", path)
    assert spec and spec.loader
    mod = sys.modules.get(spec.name)
    if mod is None:
        mod = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = mod
        spec.loader.exec_module(mod)
    return mod


ws = _load_workspaces()


@pytest.fixture(scope="session")
def demo_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return ws.shared_demo(tmp_path_factory)


@pytest.fixture
def demo_engine(demo_path: Path, tmp_path: Path) -> Iterator[Engine]:
    eng = ws.copy_of(demo_path, tmp_path)
    yield eng
    eng.dispose()


@pytest.fixture
def rich_engine(demo_engine: Engine) -> Engine:
    """The demo workspace with statistics, attendance, partners and alignments added."""
    ws.enrich(demo_engine)
    return demo_engine


@pytest.fixture
def empty_engine(tmp_path: Path) -> Iterator[Engine]:
    eng = open_store(f"sqlite:///{tmp_path / 'empty.sqlite'}")
    yield eng
    eng.dispose()
