"""Workspace settings: the name of the city the workspace is about, and where it came from."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine

from libpolis.errors import DataError
from libpolis.store.engine import session_scope
from libpolis.store.tables import WorkspaceSetting

__all__ = ["set_workspace_name", "workspace_name", "workspace_name_source"]

_NAME = "name"
_MAX = 200


def _get(engine: Engine) -> WorkspaceSetting | None:
    with session_scope(engine) as session:
        return session.get(WorkspaceSetting, _NAME)


def workspace_name(engine: Engine) -> str | None:
    """The workspace's city name, or None when nobody set it and no import named it."""
    row = _get(engine)
    return row.value if row is not None else None


def workspace_name_source(engine: Engine) -> str | None:
    """Where the name came from: ``init --name``, or the import that named the place."""
    row = _get(engine)
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
    with session_scope(engine) as session:
        row = session.get(WorkspaceSetting, _NAME)
        if row is not None and not replace:
            return False
        if row is None:
            session.add(WorkspaceSetting(key=_NAME, value=clean, source=source,
                                         updated_at=datetime.now(UTC)))  # fmt: skip
        else:
            row.value, row.source, row.updated_at = clean, source, datetime.now(UTC)
    return True
