"""National library statistics files in the shape of the IMLS PLS system (AE) file.

One row per library system (administrative entity); one column per figure. A JSON *column
map* says which column holds which figure, so another country's file (one row per library
authority or municipality) is read by the same code. The map for the IMLS PLS AE file ships
with libpolis (``data/indicators/pls_ae.json``); write one for your own file like it:

.. code-block:: json

    {"country": "FI", "year": 2022, "source": "Finnish public library statistics 2022",
     "encoding": "utf-8",
     "codes": {"-1": "missing"},
     "columns": {"system_id": "municipality_code", "name": "municipality",
                 "region": "region", "population": "inhabitants",
                 "libraries": ["main_libraries", "branch_libraries"],
                 "visits": "visits", "loans": "loans_total"}}

``columns`` maps a libpolis field to one column, or to a list of columns that are added (a
code in any of them makes the sum that code). ``system_id`` and ``name`` are required; a field
without a column is simply absent from the file. ``codes`` maps negative numbers that are
codes, not counts, to what they mean (``missing``, ``closed``, ``suppressed``,
``not_applicable``); a code is never added to a total.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from libpolis.errors import DataError
from libpolis.sources._validate import (
    check_numeric,
    check_unique,
    read_csv_checked,
    require_columns,
    require_file,
)

__all__ = [
    "CODE_MEANINGS",
    "NUMERIC_FIELDS",
    "TEXT_FIELDS",
    "ColumnMap",
    "load_column_map",
    "pls_column_map",
    "read_national_systems",
]

#: Text fields of a system row (``system_id`` and ``name`` required).
TEXT_FIELDS: tuple[str, ...] = ("system_id", "name", "city", "region", "macro_region", "status")
#: Numeric fields a column map may give, in the order of the indicator tables.
NUMERIC_FIELDS: tuple[str, ...] = (
    "population",
    "locale",
    "locale_mod",
    "libraries",
    "bookmobiles",
    "internet_computers",
    "staff",
    "volunteers",
    "registered_users",
    "visits",
    "loans",
    "programmes",
    "attendance",
    "expenditure",
)
#: What a code may mean.
CODE_MEANINGS: tuple[str, ...] = ("missing", "closed", "suppressed", "not_applicable")


@dataclass(frozen=True)
class ColumnMap:
    """Which column of a national file holds which field, and what its codes mean."""

    country: str
    year: int
    source: str
    columns: dict[str, tuple[str, ...]]
    codes: dict[float, str] = field(default_factory=dict)
    encoding: str = "utf-8"
    region_names: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "country": self.country,
            "year": self.year,
            "source": self.source,
            "encoding": self.encoding,
            "codes": {f"{k:g}": v for k, v in self.codes.items()},
            "columns": {k: list(v) for k, v in self.columns.items()},
        }


def _parse_map(raw: Any, where: str) -> ColumnMap:
    if not isinstance(raw, dict):
        raise DataError(f"{where}: a column map is a JSON object")
    cols = raw.get("columns")
    if not isinstance(cols, dict):
        raise DataError(f'{where}: the column map has no "columns" object')
    known = set(TEXT_FIELDS) | set(NUMERIC_FIELDS)
    unknown = sorted(set(cols) - known)
    if unknown:
        raise DataError(
            f"{where}: unknown field(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}"
        )
    for need in ("system_id", "name"):
        if need not in cols:
            raise DataError(f"{where}: the column map must name the column of {need!r}")
    columns: dict[str, tuple[str, ...]] = {}
    for key, val in cols.items():
        names = (val,) if isinstance(val, str) else tuple(val) if isinstance(val, list) else ()
        if not names or not all(isinstance(n, str) and n for n in names):
            raise DataError(f"{where}: field {key!r} must name a column or a list of columns")
        columns[key] = names
    codes: dict[float, str] = {}
    for k, v in (raw.get("codes") or {}).items():
        try:
            num = float(k)
        except ValueError:
            raise DataError(f"{where}: code {k!r} is not a number") from None
        if v not in CODE_MEANINGS or num >= 0:
            raise DataError(
                f"{where}: code {k!r} must be negative and mean one of {', '.join(CODE_MEANINGS)}"
            )
        codes[num] = v
    try:
        year = int(raw.get("year", 0))
    except (TypeError, ValueError):
        raise DataError(f'{where}: "year" must be a whole number') from None
    return ColumnMap(
        country=str(raw.get("country") or ""),
        year=year,
        source=str(raw.get("source") or ""),
        columns=columns,
        codes=codes,
        encoding=str(raw.get("encoding") or "utf-8"),
        region_names={str(k): str(v) for k, v in (raw.get("region_names") or {}).items()},
    )


def load_column_map(path: Path) -> ColumnMap:
    """Read a JSON column map (see the module docstring)."""
    path = require_file(Path(path))
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DataError(f"{path}, line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    return _parse_map(raw, str(path))


def pls_column_map() -> ColumnMap:
    """The column map of the IMLS PLS system (AE) file, FY2021 (shipped with libpolis)."""
    res = files("libpolis") / "data" / "indicators" / "pls_ae.json"
    return _parse_map(json.loads(res.read_text(encoding="utf-8")), "pls_ae.json")


def read_national_systems(path: Path, mapping: ColumnMap | None = None) -> pd.DataFrame:
    """One row per system with the fields of ``mapping`` (default: the IMLS PLS AE map).

    Text fields are stripped strings; numeric fields are floats in which the codes of the
    map stay as their negative numbers (the analysis counts them apart); a blank cell is
    ``NaN``. A text cell in a numeric column, a repeated id or a missing column is refused
    with the file, line and column.
    """
    path = Path(path)
    cmap = mapping or pls_column_map()
    frame = read_csv_checked(path, encoding=cmap.encoding)
    require_columns(frame, [c for cols in cmap.columns.values() for c in cols], path)
    out = pd.DataFrame(index=frame.index)
    for key in TEXT_FIELDS:
        if key in cmap.columns:
            parts = [frame[c].astype("string").fillna("").str.strip() for c in cmap.columns[key]]
            text = parts[0]
            for p in parts[1:]:
                text = text + " " + p
            out[key] = text.astype(object)
    check_unique(out.assign(_id=out["system_id"]), "_id", path)
    codes = sorted(cmap.codes)
    for key in NUMERIC_FIELDS:
        if key not in cmap.columns:
            continue
        cols = [check_numeric(frame, c, path, allow_missing=True) for c in cmap.columns[key]]
        total = cols[0].to_numpy(float).copy()
        for extra in cols[1:]:
            e = extra.to_numpy(float)
            coded_t = np.isin(total, codes)
            coded_e = np.isin(e, codes)
            total = np.where(coded_t, total, np.where(coded_e, e, total + e))
        bad = (total < 0) & ~np.isin(total, codes)
        if bad.any():
            pos = int(np.flatnonzero(bad)[0])
            raise DataError(
                f"{path}, line {pos + 2}, column {cmap.columns[key][0]!r}: "
                f"{total[pos]:g} is negative and not one of the file's codes "
                f"({', '.join(f'{c:g}' for c in codes) or 'none'})"
            )
        out[key] = total
    out["country"] = cmap.country
    return out.reset_index(drop=True)
