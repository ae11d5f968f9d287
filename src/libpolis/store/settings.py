"""Workspace settings: the name of the city the workspace is about and the population basis
of its analyses, each with where it came from."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine

from libpolis.errors import DataError
from libpolis.store.engine import session_scope
from libpolis.store.tables import WorkspaceSetting

__all__ = [
    "population_basis",
    "set_population_basis",
    "set_workspace_name",
    "workspace_name",
    "workspace_name_source",
]

_NAME = "name"
_BASIS = "population_source"
_MAX = 200


def _get(engine: Engine, key: str) -> WorkspaceSetting | None:
    with session_scope(engine) as session:
        return session.get(WorkspaceSetting, key)


def _set(engine: Engine, key: str, value: str, *, source: str, replace: bool) -> bool:
    with session_scope(engine) as session:
        row = session.get(WorkspaceSetting, key)
        if row is not None and not replace:
            return False
        now = datetime.now(UTC)
        if row is None:
            session.add(WorkspaceSetting(key=key, value=value, source=source, updated_at=now))
        else:
            row.value, row.source, row.updated_at = value, source, now
    return True


def workspace_name(engine: Engine) -> str | None:
    """The workspace's city name, or None when nobody set it and no import named it."""
    row = _get(engine, _NAME)
    return row.value if row is not None else None


def workspace_name_source(engine: Engine) -> str | None:
    """Where the name came from: ``init --name``, or the import that named the place."""
    row = _get(engine, _NAME)
    return row.source if row is not None else None


def set_workspace_name(
    engine: Engine, name: str, *, source: str = "init --name", replace: bool = True
) -> bool:
    """Set the workspace's city name; with ``replace=False`` only when none is set yet (a name
    taken from imported data never overrides one a person gave). True when it was written."""
    clean = " ".join(str(name).split())
    if not clean:
        raise DataError("the workspace name must not be empty")
    if len(clean) > _MAX:
        raise DataError(f"the workspace name has {len(clean)} characters; at most {_MAX}")
    return _set(engine, _NAME, clean, source=source, replace=replace)


def population_basis(engine: Engine) -> str | None:
    """The population source analyses use when none is named (``libpolis population use``,
    else the first population imported), or None before any population import."""
    row = _get(engine, _BASIS)
    return row.value if row is not None else None


def set_population_basis(
    engine: Engine, source: str, *, how: str = "population use", replace: bool = True
) -> bool:
    """Make ``source`` the default population of later analyses (``replace=False``: only when
    none is set yet). True when it was written."""
    return _set(engine, _BASIS, source, source=how, replace=replace)
