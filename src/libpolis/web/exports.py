"""Exports of the lists as CSV, XLSX and GeoJSON (pure functions over rows of plain values).

Every text cell that a spreadsheet would run as a formula (it begins with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return) gets a leading apostrophe, in CSV and XLSX alike; numbers,
dates and booleans stay what they are (an XLSX cell keeps its type). Lists (the goals of a
partnership) are written as one readable text, ``"SDG 4.1 Quality education; UDHR 27 …"``.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

__all__ = [
    "FORMULA_STARTS",
    "XLSX_TYPE",
    "neutralise",
    "readable_list",
    "rows_to_csv",
    "rows_to_geojson",
    "rows_to_xlsx",
]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""What a spreadsheet takes as the start of a formula (OWASP "CSV injection")."""
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# characters XML 1.0 (and so XLSX) cannot hold; the register's rules keep them out of stored
# text, imported attributes may still carry one
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def neutralise(text: str) -> str:
    """``text`` with a leading apostrophe if a spreadsheet would run it as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def readable_list(items: Sequence[Any]) -> str:
    """Items as one cell a person reads: ``"SDG 4.1 Quality education; UDHR 27 Culture"``."""
    return "; ".join(str(i) for i in items)


def _text(value: Any) -> str | None:
    """A cell's value as text (None for no value)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, list | tuple):
        return readable_list(value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    if isinstance(value, date | datetime):
        return value.isoformat()
    return str(value)


def _cell(value: Any) -> str:
    """A CSV cell: numbers as written, every text neutralised."""
    if isinstance(value, bool | int | float) and not (
        isinstance(value, float) and math.isnan(value)
    ):
        return str(value)
    text = _text(value)
    return "" if text is None else neutralise(text)


def rows_to_csv(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    """CSV text (RFC 4180, CRLF) with a header row; lists as readable text, dicts as JSON,
    formulas neutralised."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")  # RFC 4180; a lone CR in a value gets quoted
    w.writerow(columns)
    for r in rows:
        w.writerow([_cell(r.get(c)) for c in columns])
    return buf.getvalue()


def _xlsx_cell(value: Any) -> Any:
    """An XLSX cell: numbers, booleans and dates keep their type; text is neutralised (an
    XLSX writer would otherwise store a text beginning with ``=`` as a formula)."""
    if isinstance(value, bool | int) or (isinstance(value, float) and math.isfinite(value)):
        return value
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)  # XLSX has no time zones: UTC as stored
    if isinstance(value, date):
        return value
    text = _text(value)
    return None if text is None else neutralise(_NOT_XML.sub("\ufffd", text))


def rows_to_xlsx(rows: Sequence[dict[str, Any]], columns: Sequence[str], sheet: str) -> bytes:
    """An XLSX workbook with one sheet ``sheet``: a bold header row, frozen, then the rows."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=sheet[:31])
    ws.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for c in columns:
        cell = WriteOnlyCell(ws, value=neutralise(c))
        cell.font = bold
        header.append(cell)
    ws.append(header)
    for r in rows:
        ws.append([_xlsx_cell(r.get(c)) for c in columns])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def rows_to_geojson(
    rows: Sequence[dict[str, Any]], columns: Sequence[str], geometries: Sequence[dict | None]
) -> dict[str, Any]:
    """A FeatureCollection (WGS84) with one feature per row; rows without a place get
    ``"geometry": null``."""
    feats = []
    for r, g in zip(rows, geometries, strict=True):
        props = {c: r.get(c) for c in columns}
        feats.append({"type": "Feature", "geometry": g, "properties": props})
    return {"type": "FeatureCollection", "features": feats}
