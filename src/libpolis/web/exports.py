"""Exports of the lists as CSV and GeoJSON (pure functions over rows of plain values)."""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Sequence
from typing import Any

__all__ = ["rows_to_csv", "rows_to_geojson"]


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str)
    if isinstance(value, float) and math.isnan(value):
        return ""
    text = str(value)
    # a spreadsheet must not run a cell as a formula
    return (
        "'" + text
        if text[:1] in {"=", "+", "-", "@", "\t", "\r"} and not _is_number(text)
        else text
    )


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def rows_to_csv(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    """CSV text (RFC 4180, CRLF) with a header row; lists and dicts as JSON, formulas
    neutralised."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")  # RFC 4180; a lone CR in a value gets quoted
    w.writerow(columns)
    for r in rows:
        w.writerow([_cell(r.get(c)) for c in columns])
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
