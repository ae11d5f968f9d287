"""Check a whole frame of records against its entity's rules before anything is stored.

Vectorised over the columns (a country's population grid is checked in well under a second);
the first broken value is one :class:`~libpolis.errors.DataError` naming the file, the row
(its line in a CSV file, its feature in a vector file, else its id) and the column.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import numpy as np
import pandas as pd

from libpolis.errors import DataError
from libpolis.rules.fields import (
    CONTROL_LINE,
    CONTROL_MULTILINE,
    DATE_ORDER,
    ENTITIES,
    SURROGATE,
    Day,
    Number,
    Text,
    check_value,
)

__all__ = ["ROW_NAMES", "check_records", "row_label"]

ROW_NAMES = ("line", "feature")
"""Names of a frame's index that say what it counts: the file line of each record, or its
1-based feature number in a vector file; another index names rows by their id."""


def row_label(frame: pd.DataFrame, pos: int) -> str:
    """How a message names row ``pos`` of ``frame``: ``line 12``, ``feature 3`` or ``id 'a1'``."""
    kind = frame.index.name
    if kind in ROW_NAMES:
        return f"{kind} {frame.index[pos]}"
    if "source_id" in frame.columns:
        return f"id {str(frame['source_id'].iloc[pos])[:80]!r}"
    return f"record {pos + 1}"


def _first_bad_text(series: pd.Series, r: Text) -> int | None:
    present = series.notna().to_numpy()
    bad = np.zeros(len(series), dtype=bool)
    if series.dtype == object:  # Python strings may hold lone surrogates, refused first
        bad |= np.fromiter(
            (isinstance(v, str) and bool(SURROGATE.search(v)) for v in series),
            dtype=bool,
            count=len(series),
        )
        if bad.any():
            return int(np.flatnonzero(bad)[0])
    text = series.where(series.notna(), "").astype(str)
    if r.required:
        bad |= ~present | (text.str.strip() == "").to_numpy()
    bad |= (text.str.len() > r.max_length).to_numpy()
    pattern = CONTROL_MULTILINE if r.multiline else CONTROL_LINE
    bad |= text.str.contains(pattern, regex=True).to_numpy(dtype=bool)
    return int(np.flatnonzero(bad)[0]) if bad.any() else None


def _first_bad_number(series: pd.Series, r: Number) -> int | None:
    values = pd.to_numeric(series, errors="coerce").astype(float).to_numpy()
    given = series.notna().to_numpy()
    bad = given & ~np.isfinite(values)
    if r.required:
        bad |= ~given
    with np.errstate(invalid="ignore"):
        if r.ge is not None:
            bad |= values < r.ge
        if r.le is not None:
            bad |= values > r.le
        if r.integer:
            bad |= np.isfinite(values) & (values != np.round(values))
    return int(np.flatnonzero(bad)[0]) if bad.any() else None


def _why(frame: pd.DataFrame, entity: str, col: str, pos: int) -> str:
    value = frame[col].iloc[pos]
    if hasattr(value, "item"):
        value = value.item()
    if value is None or (isinstance(value, float) and np.isnan(value)):
        r = ENTITIES[entity][col]
        if isinstance(r, Number) and value is not None:
            return "is not a finite number" if not r.required else "is missing"
        return "is missing" if not isinstance(r, Text) else "is empty"
    return check_value(entity, col, value) or "is not allowed"


def check_records(
    frame: pd.DataFrame,
    entity: str,
    *,
    file: str,
    columns: Mapping[str, str] | None = None,
) -> None:
    """Refuse the first value of ``frame`` that breaks a rule of ``entity``.

    Parameters
    ----------
    frame
        Records as the store takes them (one column per field); columns without a rule are
        not checked, a required column that is absent is refused.
    entity
        A key of :data:`libpolis.rules.fields.ENTITIES` (the store table's name).
    file
        The file named in the message.
    columns
        The file's name of a frame column, where they differ (``{"source_id": "id"}``).

    Raises
    ------
    DataError
        ``FILE, line 12, column 'language': is 11 characters long (at most 10)``.
    """
    rules = ENTITIES.get(entity, {})
    columns = columns or {}
    found: list[tuple[int, str]] = []
    for col, r in rules.items():
        if col not in frame.columns:
            if getattr(r, "required", False) and len(frame):
                raise DataError(f"{file}: the records have no {columns.get(col, col)!r}")
            continue
        series = frame[col]
        if isinstance(r, Text):
            pos = _first_bad_text(series, r)
        elif isinstance(r, Number):
            pos = _first_bad_number(series, r)
        else:
            pos = _first_bad_day(series, r)
        if pos is not None:
            found.append((pos, col))
    if entity in DATE_ORDER and all(c in frame.columns for c in DATE_ORDER[entity]):
        start, end = (frame[c] for c in DATE_ORDER[entity])
        both = start.notna().to_numpy() & end.notna().to_numpy()
        early = np.fromiter(
            (bool(b and e < s) for b, s, e in zip(both, start, end, strict=True)),
            dtype=bool,
            count=len(frame),
        )
        if early.any():
            pos = int(np.flatnonzero(early)[0])
            s, e = start.iloc[pos], end.iloc[pos]
            found.append((pos, f"!{DATE_ORDER[entity][1]}:ends {e}, before it starts ({s})"))
    if not found:
        return
    pos, col = min(found)
    if col.startswith("!"):
        col, why = col[1:].split(":", 1)
    else:
        why = _why(frame, entity, col, pos)
    name = columns.get(col, col)
    raise DataError(f"{file}, {row_label(frame, pos)}, column {name!r}: {why}")


def _first_bad_day(series: pd.Series, r: Day) -> int | None:
    bad = np.fromiter(
        (isinstance(v, date) and not r.min_year <= v.year <= r.max_year for v in series),
        dtype=bool,
        count=len(series),
    )
    return int(np.flatnonzero(bad)[0]) if bad.any() else None
