"""Result tables: what an analysis step returned, stored next to the run that made it.

A step writes one DataFrame per result name (stored as Parquet in table ``result``; the newest
result of a name wins) and a row in ``run`` with its parameters, summary and command, in one
transaction.
"""

from __future__ import annotations

import io
import re
from typing import Any

import pandas as pd
from sqlalchemy import Engine, delete, select

from libpolis.errors import NotFoundError
from libpolis.store.engine import session_scope
from libpolis.store.tables import ResultTable, Run

__all__ = ["latest_run", "read_result", "result_names", "write_result"]

_NAME = re.compile(r"^[a-z][a-z0-9_]{0,99}$")


def _check(name: str) -> str:
    if not _NAME.match(name):
        raise ValueError(f"result name {name!r} must be lower-case letters, digits and _")
    return name


def _to_parquet(frame: pd.DataFrame) -> bytes:
    frame = pd.DataFrame(frame).drop(columns="geometry", errors="ignore")
    buf = io.BytesIO()
    frame.to_parquet(buf, index=False)
    return buf.getvalue()


def write_result(
    engine: Engine,
    step: str,
    tables: dict[str, pd.DataFrame],
    *,
    params: dict[str, Any] | None = None,
    summary: dict[str, Any] | None = None,
    command: str = "",
) -> int:
    """Store the result tables of one run of ``step`` atomically; return the run id."""
    blobs = {_check(name): (_to_parquet(frame), frame) for name, frame in tables.items()}
    with session_scope(engine) as session:
        run = Run(step=step, params=params or {}, summary=summary or {}, command=command)
        session.add(run)
        session.flush()
        session.execute(delete(ResultTable).where(ResultTable.name.in_(list(blobs))))
        for name, (data, frame) in blobs.items():
            session.add(
                ResultTable(
                    name=name,
                    run_id=run.id,
                    rows=len(frame),
                    data=data,
                    columns={"columns": [str(c) for c in frame.columns]},
                )
            )
        return run.id


def read_result(engine: Engine, name: str) -> pd.DataFrame:
    """The newest stored result table ``name``.

    Raises
    ------
    NotFoundError
        When no step has written that result yet.
    """
    with session_scope(engine) as session:
        data = session.scalar(select(ResultTable.data).where(ResultTable.name == _check(name)))
    if data is None:
        raise NotFoundError(f"no result {name!r} in the workspace yet")
    return pd.read_parquet(io.BytesIO(data))


def result_names(engine: Engine) -> list[str]:
    """Names of all stored result tables."""
    with session_scope(engine) as session:
        return sorted(session.scalars(select(ResultTable.name)))


def latest_run(engine: Engine, step: str) -> Run | None:
    """The newest run of ``step``, or None."""
    with session_scope(engine) as session:
        return session.scalar(select(Run).where(Run.step == step).order_by(Run.id.desc()).limit(1))
