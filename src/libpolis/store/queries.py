"""Read-side queries of the store: counts and tables as DataFrames."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, func, select

from libpolis.errors import NotFoundError
from libpolis.store.engine import session_scope
from libpolis.store.tables import SOURCED_TABLES, Alignment, Base, Dataset

__all__ = ["counts", "datasets", "read_table"]

_ALL_TABLES: dict[str, type[Base]] = {**SOURCED_TABLES, "alignment": Alignment, "dataset": Dataset}


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


def read_table(engine: Engine, name: str, *, source: str | None = None) -> pd.DataFrame:
    """A whole table as a DataFrame (optionally one source only); JSON ``attrs`` stay dicts."""
    try:
        table = _ALL_TABLES[name]
    except KeyError:
        raise NotFoundError(f"no table {name!r}; tables are {', '.join(_ALL_TABLES)}") from None
    stmt = select(table.__table__)
    if source is not None:
        stmt = stmt.where(table.__table__.c.source == source)
    with engine.connect() as conn:
        result = conn.execute(stmt)
        return pd.DataFrame(result.fetchall(), columns=list(result.keys()))


def datasets(engine: Engine) -> pd.DataFrame:
    """The provenance of every imported file."""
    return read_table(engine, "dataset")
