"""Result tables: what an analysis step returned, stored next to the run that made it.

Each result is a real SQL table ``res_<name>`` (query it with SQL: ``SELECT district,
within_15 FROM res_access_walk_districts``), registered in table ``result`` with the run that
wrote it and how its columns read back. The newest result of a name wins. A step writes its
tables and its row in ``run`` (parameters, summary, command) in one transaction: a failed
write leaves the previous result whole.

Columns keep their dtypes (booleans, integers, floats, text); lists and dicts are stored as
JSON text; a shapely ``geometry`` column is stored as WKT text and read back as geometry, so
exports keep it.
"""

from __future__ import annotations

import json
import re
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine, delete, select, text
from sqlalchemy.orm import Session

from libpolis.errors import DataError, NotFoundError
from libpolis.store.engine import session_scope
from libpolis.store.tables import ResultTable, Run

__all__ = [
    "RESULT_PREFIX",
    "latest_run",
    "read_result",
    "result_names",
    "result_table_name",
    "write_result",
]

RESULT_PREFIX = "res_"
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,58}$")  # res_ + 59: within PostgreSQL's 63


def _check(name: str) -> str:
    if not _NAME.match(name):
        raise DataError(
            f"result name {name!r} must be 1-59 lower-case letters, digits and _, "
            "starting with a letter"
        )
    return name


def result_table_name(name: str) -> str:
    """The SQL table that holds result ``name``."""
    return RESULT_PREFIX + _check(name)


#: What pandas infers (in C) for object columns that hold no list, dict or tuple.
_FLAT = frozenset({"string", "empty", "integer", "floating", "mixed-integer-float", "boolean",
                   "decimal", "bytes", "datetime", "date", "time"})  # fmt: skip


def _is_nested(series: pd.Series) -> bool:
    if pd.api.types.infer_dtype(series, skipna=True) in _FLAT:
        return False
    sample = series.dropna()
    return len(sample) > 0 and sample.map(lambda v: isinstance(v, list | dict | tuple)).any()


def _encode(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The frame as plain SQL column values, and the spec that reads it back."""
    out = pd.DataFrame(frame).reset_index(drop=True).copy()
    out.columns = [str(c) for c in out.columns]
    spec: dict[str, Any] = {
        "columns": list(out.columns),
        "dtypes": {},
        "json": [],
        "geometry": None,
    }
    for col in out.columns:
        s = out[col]
        if col == "geometry" or s.dtype.name == "geometry":
            import shapely

            out[col] = [None if g is None else shapely.to_wkt(g) for g in s]
            spec["geometry"] = col
            continue
        if s.dtype == object and _is_nested(s):
            out[col] = [
                None if v is None else json.dumps(list(v) if isinstance(v, tuple) else v,
                                                  default=str, ensure_ascii=False)
                for v in s
            ]  # fmt: skip
            spec["json"].append(col)
            continue
        spec["dtypes"][col] = str(s.dtype)
        if s.dtype == object and pd.api.types.infer_dtype(s, skipna=True) in ("string", "empty"):
            out[col] = s.where(s.notna(), None)  # text and missing values only
        elif s.dtype == object:
            out[col] = [None if v is None or (isinstance(v, float) and np.isnan(v)) else
                        (v.item() if hasattr(v, "item") else v) for v in s]  # fmt: skip
    return pd.DataFrame(out), spec


def _decode(frame: pd.DataFrame, spec: dict[str, Any]) -> pd.DataFrame:
    cols = [c for c in spec.get("columns", list(frame.columns)) if c in frame.columns]
    frame = frame[cols]
    for col, dtype in spec.get("dtypes", {}).items():
        if col not in frame:
            continue
        if dtype == "bool":
            frame[col] = frame[col].astype(bool)
        elif dtype.startswith(("int", "uint")):
            frame[col] = (
                frame[col].astype(dtype) if frame[col].notna().all() else frame[col].astype(float)
            )
        elif dtype.startswith("float"):
            frame[col] = pd.to_numeric(frame[col], errors="coerce").astype(dtype)
        elif dtype == "object":
            frame[col] = frame[col].astype(object).where(frame[col].notna(), None)
    for col in spec.get("json", []):
        frame[col] = [None if v is None else json.loads(v) for v in frame[col]]
    geom = spec.get("geometry")
    if geom and geom in frame:
        import geopandas as gpd
        import shapely

        values = shapely.from_wkt(frame[geom].to_numpy(dtype=object))
        return gpd.GeoDataFrame(frame.drop(columns=geom), geometry=values, crs="EPSG:4326")
    return frame


def _insert_rows(table: Any, conn: Any, keys: list[str], data_iter: Any) -> int:
    """pandas ``to_sql`` insert method: one DB-API ``executemany`` of plain tuples (much
    faster than SQLAlchemy's per-row binding for large result tables)."""
    dbapi = conn.connection.driver_connection
    names = ", ".join(f'"{k}"' for k in keys)
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    sql = f'INSERT INTO "{table.name}" ({names}) VALUES ({", ".join([mark] * len(keys))})'
    rows = list(data_iter)  # tuples; pandas has already made missing values None
    cur = dbapi.cursor()
    try:
        cur.executemany(sql, rows)
    finally:
        cur.close()
    return len(rows)


def _drop(session: Session, table: str) -> None:
    session.execute(text(f'DROP TABLE IF EXISTS "{table}"'))


def write_result(
    engine: Engine,
    step: str,
    tables: dict[str, pd.DataFrame],
    *,
    params: dict[str, Any] | None = None,
    summary: dict[str, Any] | None = None,
    command: str = "",
) -> int:
    """Store the result tables of one run of ``step`` and the run itself atomically; return
    the run id."""
    encoded = {_check(name): (_encode(frame), len(frame)) for name, frame in tables.items()}
    with session_scope(engine) as session:
        run = Run(step=step, params=params or {}, summary=summary or {}, command=command)
        session.add(run)
        session.flush()
        session.execute(delete(ResultTable).where(ResultTable.name.in_(list(encoded))))
        conn = session.connection()
        for name, ((frame, spec), n) in encoded.items():
            table = result_table_name(name)
            _drop(session, table)
            frame.to_sql(table, conn, index=False, chunksize=50_000, method=_insert_rows)
            session.add(ResultTable(name=name, run_id=run.id, rows=n, columns=spec))
        return run.id


def read_result(engine: Engine, name: str) -> pd.DataFrame:
    """The newest stored result table ``name``.

    Raises
    ------
    NotFoundError
        When no step has written that result yet.
    """
    table = result_table_name(name)
    with session_scope(engine) as session:
        spec = session.scalar(select(ResultTable.columns).where(ResultTable.name == name))
        if spec is None:
            raise NotFoundError(f"no result {name!r} in the workspace yet")
        frame = pd.read_sql_query(text(f'SELECT * FROM "{table}"'), session.connection())
    return _decode(frame, spec)


def result_names(engine: Engine) -> list[str]:
    """Names of all stored result tables."""
    with session_scope(engine) as session:
        return sorted(session.scalars(select(ResultTable.name)))


def latest_run(engine: Engine, step: str) -> Run | None:
    """The newest run of ``step``, or None."""
    with session_scope(engine) as session:
        return session.scalar(select(Run).where(Run.step == step).order_by(Run.id.desc()).limit(1))
