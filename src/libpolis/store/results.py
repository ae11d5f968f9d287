"""Result tables: what an analysis step returned, stored next to the run that made it.

A step writes one DataFrame per result name into table ``res_<name>`` (replaced on each run,
the newest result wins) and a row in ``run`` with its parameters, summary and command.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd
from sqlalchemy import Engine, inspect, select

from libpolis.errors import NotFoundError
from libpolis.store.engine import session_scope
from libpolis.store.tables import Run

__all__ = ["latest_run", "read_result", "write_result"]

_NAME = re.compile(r"^[a-z][a-z0-9_]{0,50}$")


def _table(name: str) -> str:
    if not _NAME.match(name):
        raise ValueError(f"result name {name!r} must be lower-case letters, digits and _")
    return f"res_{name}"


def write_result(
    engine: Engine,
    step: str,
    tables: dict[str, pd.DataFrame],
    *,
    params: dict[str, Any] | None = None,
    summary: dict[str, Any] | None = None,
    command: str = "",
) -> int:
    """Store the result tables of one run of ``step`` in a single transaction; return the run id."""
    with engine.begin() as conn:
        for name, frame in tables.items():
            frame = pd.DataFrame(frame).drop(columns="geometry", errors="ignore")
            frame.to_sql(_table(name), conn, if_exists="replace", index=False, chunksize=10_000)
    with session_scope(engine) as session:
        run = Run(step=step, params=params or {}, summary=summary or {}, command=command)
        session.add(run)
        session.flush()
        return run.id


def read_result(engine: Engine, name: str) -> pd.DataFrame:
    """The newest stored result table ``name``.

    Raises
    ------
    NotFoundError
        When no step has written that result yet.
    """
    table = _table(name)
    if not inspect(engine).has_table(table):
        raise NotFoundError(f"no result {name!r} in the workspace yet")
    with engine.connect() as conn:
        return pd.read_sql_table(table, conn)


def latest_run(engine: Engine, step: str) -> Run | None:
    """The newest run of ``step``, or None."""
    with session_scope(engine) as session:
        return session.scalar(select(Run).where(Run.step == step).order_by(Run.id.desc()).limit(1))
