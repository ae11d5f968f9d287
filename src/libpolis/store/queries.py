"""Read-side queries of the store: counts and tables as DataFrames."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import JSON, Engine, Float, Integer, Text, func, select, type_coerce

from libpolis.errors import NotFoundError
from libpolis.store.engine import session_scope
from libpolis.store.tables import (
    SOURCED_TABLES,
    Alignment,
    Base,
    Dataset,
    Indicator,
    PartnershipGoal,
)

__all__ = ["counts", "datasets", "read_table"]

_ALL_TABLES: dict[str, type[Base]] = {
    **SOURCED_TABLES,
    "alignment": Alignment,
    "dataset": Dataset,
    # the partnership register's goals and indicators (the human-rights submission)
    "partnership_goal": PartnershipGoal,
    "indicator": Indicator,
}


def counts(engine: Engine) -> dict[str, dict[str, int]]:
    """Rows per table and per source: ``{"library": {"total": 47, "<source>": 47}, ...}``."""
    out: dict[str, dict[str, int]] = {}
    with session_scope(engine) as session:
        for name, table in SOURCED_TABLES.items():
            rows = session.execute(
                select(table.source, func.count()).group_by(table.source).order_by(table.source)
            ).all()
            per = {str(src): int(n) for src, n in rows}
            out[name] = {"total": sum(per.values()), **per}
        n = session.scalar(select(func.count()).select_from(Alignment)) or 0
        out["alignment"] = {"total": int(n)}
    return out


def read_table(
    engine: Engine,
    name: str,
    *,
    source: str | None = None,
    columns: Sequence[str] | None = None,
) -> pd.DataFrame:
    """A table as a DataFrame (optionally one source, some columns); JSON columns become dicts.

    Reads column by column from the raw rows, so large tables (hundreds of thousands of
    population units) load in about a second.
    """
    try:
        table = _ALL_TABLES[name].__table__
    except KeyError:
        raise NotFoundError(f"no table {name!r}; tables are {', '.join(_ALL_TABLES)}") from None
    cols = [table.c[c] for c in columns] if columns else list(table.c)
    json_cols = [c.name for c in cols if isinstance(c.type, JSON)]
    stmt = select(*[type_coerce(c, Text) if c.name in json_cols else c for c in cols])
    if source is not None:
        stmt = stmt.where(table.c.source == source)
    with engine.connect() as conn:
        # the driver's own rows (plain tuples): much faster than SQLAlchemy Row objects
        compiled = stmt.compile(conn)
        params = (
            tuple(compiled.params[k] for k in compiled.positiontup or ())
            if compiled.positional
            else compiled.params
        )
        cursor = conn.exec_driver_sql(compiled.string, params).cursor
        rows = cursor.fetchall() if cursor is not None else []
    names = [c.name for c in cols]
    numeric = {c.name for c in cols if isinstance(c.type, Float | Integer)}
    if not rows:
        frame = pd.DataFrame({n: pd.Series([], dtype=object) for n in names})
    else:
        # the tuples become one 2-D array of the values as the store returned them (in C),
        # its columns the frame's; numbers are converted column by column below
        values = np.empty((len(rows), len(names)), dtype=object)
        values[:] = rows
        frame = pd.DataFrame(values, columns=names, dtype=object, copy=False)
    for n in json_cols:
        frame[n] = [_json(v) for v in frame[n]]
    for n in numeric:
        frame[n] = pd.to_numeric(frame[n])
    return frame


def _json(value: Any) -> Any:
    """A JSON text from the store as Python (the common empty object without the parser)."""
    if value == "{}":
        return {}
    return json.loads(value) if isinstance(value, str) else value


def datasets(engine: Engine) -> pd.DataFrame:
    """The provenance of every imported file."""
    return read_table(engine, "dataset")
