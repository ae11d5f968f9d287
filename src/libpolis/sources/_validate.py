"""Shared input checks for importers: each failure is one DataError naming file, line and column.

Line numbers are those of the file as a person sees it in an editor: the header is line 1, the
first data row line 2.
"""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from libpolis.errors import DataError, MissingColumnError, NotFoundError
from libpolis.rules import bad_character

__all__ = [
    "check_lonlat",
    "check_numeric",
    "check_unique",
    "line_of",
    "read_csv_checked",
    "require_columns",
    "require_file",
]

_MAGIC = {
    b"PK\x03\x04": "a ZIP archive",
    b"\x1f\x8b": "gzip-compressed data",
    b"%PDF": "a PDF document",
    b"SQLite format 3": "an SQLite database",
    b"\x89PNG": "a PNG image",
    b"PAR1": "a Parquet file",
}


def require_file(path: Path) -> Path:
    """The path, if it names a readable non-empty file; else a clear error."""
    path = Path(path)
    if not path.exists():
        raise NotFoundError(f"{path}: no such file")
    if not path.is_file():
        raise DataError(f"{path}: is not a file")
    try:
        with path.open("rb"):
            pass
    except OSError as exc:
        raise DataError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if path.stat().st_size == 0:
        raise DataError(f"{path}: the file is empty")
    return path


def _check_characters(path: Path, text: str) -> None:
    """Refuse the first control character (but tab and line breaks) with its line and column."""
    bad = bad_character(text, multiline=True)
    if bad is None:
        return
    pos, code = bad
    line = text.count("\n", 0, pos) + 1
    column = pos - (text.rfind("\n", 0, pos) + 1) + 1
    what = " (a NUL byte)" if code == "U+0000" else ""
    raise DataError(
        f"{path}, line {line}, column {column}: the file holds the control character {code}"
        f"{what}; remove it and retry"
    )


def _record_lines(text: str, n: int, sep: str | None) -> np.ndarray:
    """The file line on which each of the ``n`` data records starts (the header is line 1).

    Blank lines (skipped by the reader) and quoted fields over several lines shift records
    from ``row + 2``: the file is then walked with the csv module to find each start.
    """
    flat = text.replace("\r\n", "\n").replace("\r", "\n").strip("\n")
    if '"' not in flat and "\n\n" not in flat:
        return np.arange(2, n + 2)
    if sep is None:
        return np.arange(2, n + 2)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    starts: list[int] = []
    end = 0
    try:
        for row in reader:
            start, end = end + 1, reader.line_num
            if row:
                starts.append(start)
    except csv.Error:
        return np.arange(2, n + 2)
    return np.asarray(starts[1 : n + 1]) if len(starts) == n + 1 else np.arange(2, n + 2)


def line_of(frame: pd.DataFrame, pos: int) -> int:
    """The file line of row ``pos`` of a frame read by :func:`read_csv_checked`."""
    return int(frame.index[pos]) if frame.index.name == "line" else pos + 2


def _sniff(head: bytes) -> str | None:
    for magic, what in _MAGIC.items():
        if head.startswith(magic):
            return what
    return None


def _line_of_offset(raw: bytes, offset: int) -> int:
    return raw.count(b"\n", 0, offset) + 1


def read_csv_checked(
    path: Path,
    *,
    encoding: str = "utf-8",
    sep: str | None = ",",
    dtype: type | dict[str, type] | None = str,
) -> pd.DataFrame:
    """Read a (optionally gzip) CSV file with every value as text, failing clearly.

    Errors name the file and, for undecodable bytes, the line. A file whose bytes say it is
    something else (ZIP, PDF, SQLite, ...) is refused.
    """
    path = require_file(path)
    raw = path.read_bytes()
    if path.suffix == ".gz" or raw.startswith(b"\x1f\x8b"):
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise DataError(f"{path}: not a readable gzip file ({exc})") from exc
    what = _sniff(raw[:16])
    if what is not None or raw[:4096].count(b"\x00") > 8:
        raise DataError(f"{path}: expected a CSV text file but found {what or 'binary data'}")
    try:
        text = raw.decode(encoding)
    except LookupError:
        raise DataError(f"{path}: unknown encoding {encoding!r}") from None
    except UnicodeDecodeError as exc:
        line = _line_of_offset(raw, exc.start)
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise DataError(
            f"{path}, line {line}, column {column}: cannot decode byte {raw[exc.start]:#04x}"
            f" as {encoding} (is the file in another encoding? try --encoding latin-1)"
        ) from None
    if not text.strip():
        raise DataError(f"{path}: the file is empty")
    _check_characters(path, text)
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=sep,
            dtype=dtype,
            keep_default_na=False,
            engine="python" if sep is None else "c",
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise DataError(f"{path}: not a valid CSV file ({str(exc).strip()})") from exc
    if frame.empty:
        raise DataError(f"{path}: the file has a header but no rows")
    frame.columns = [str(c).strip() for c in frame.columns]
    frame.index = pd.Index(_record_lines(text, len(frame), sep), name="line")
    return frame


def require_columns(frame: pd.DataFrame, columns: Iterable[str], path: Path | str) -> None:
    """Raise MissingColumnError naming the missing and the found columns."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        found = ", ".join(map(str, frame.columns[:30]))
        raise MissingColumnError(f"{path}: missing column(s) {', '.join(missing)}; found: {found}")


def _bad_row(path: Path | str, frame: pd.DataFrame, mask: np.ndarray, column: str, why: str):
    pos = int(np.flatnonzero(mask)[0])
    value = frame[column].iloc[pos]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        value = f"{value:.10g}"
    return DataError(f"{path}, {_row(frame, pos)}, column {column!r}: {str(value)!r} {why}")


def _row(frame: pd.DataFrame, pos: int) -> str:
    if frame.index.name == "feature":
        return f"feature {frame.index[pos]}"
    return f"line {line_of(frame, pos)}"


def check_numeric(
    frame: pd.DataFrame,
    column: str,
    path: Path | str,
    *,
    minimum: float | None = None,
    allow_missing: bool = False,
    missing_codes: Sequence[float] = (),
) -> pd.Series:
    """Parse ``column`` as numbers; refuse text, values below ``minimum`` and (unless allowed) blanks.

    Values in ``missing_codes`` become NaN (e.g. the IMLS negative codes).
    """
    series = frame[column]
    if not pd.api.types.is_numeric_dtype(series):
        text = series.astype(str).str.strip()
        values = pd.to_numeric(text.replace("", np.nan), errors="coerce")
        bad = values.isna() & (text != "")
        if bad.any():
            raise _bad_row(path, frame, bad.to_numpy(), column, "is not a number")
    else:
        values = pd.to_numeric(series, errors="coerce")
    values = values.astype(float)
    if missing_codes:
        values = values.mask(values.isin(list(missing_codes)))
    if not allow_missing and values.isna().any():
        raise _bad_row(path, frame, values.isna().to_numpy(), column, "is missing")
    if not np.isfinite(values.dropna()).all():
        raise _bad_row(
            path,
            frame,
            (~np.isfinite(values) & values.notna()).to_numpy(),
            column,
            "is not finite",
        )
    if minimum is not None:
        low = (values < minimum).to_numpy()
        if low.any():
            raise _bad_row(path, frame, low, column, f"is below {minimum:g}")
    return values


def check_unique(frame: pd.DataFrame, column: str, path: Path | str) -> None:
    """Refuse duplicate ids, naming the first repeated value and both lines (a frame that is a
    subset of the file's rows keeps the file's row numbers as its index)."""
    dup = frame[column].duplicated(keep=False).to_numpy()
    if dup.any():
        value = frame[column].iloc[int(np.flatnonzero(dup)[0])]
        at = np.flatnonzero((frame[column] == value).to_numpy())[:2]
        first, second = (_row(frame, int(i)) for i in at)
        raise DataError(
            f"{path}, {second}, column {column!r}: duplicate id {str(value)[:200]!r}"
            f" (also on {first})"
        )


def check_lonlat(lon: pd.Series, lat: pd.Series, path: Path | str, cols: tuple[str, str]) -> None:
    """Refuse coordinates outside WGS84 ranges, and say so when they look swapped or projected."""
    frame = pd.DataFrame({cols[0]: lon, cols[1]: lat})
    bad_lat = (lat.abs() > 90).to_numpy()
    bad_lon = (lon.abs() > 180).to_numpy()
    if bad_lat.any() or bad_lon.any():
        mask = bad_lat | bad_lon
        pos = int(np.flatnonzero(mask)[0])
        x, y = float(lon.iloc[pos]), float(lat.iloc[pos])
        col = cols[0] if bad_lon[pos] else cols[1]
        if abs(x) <= 90 < abs(y) <= 180:
            hint = "longitude and latitude look swapped"
        elif abs(x) > 180 or abs(y) > 180:
            hint = "these look like projected coordinates: give x/y columns with --crs"
        else:
            hint = "out of range for WGS84"
        raise _bad_row(path, frame, mask, col, f"is out of range ({hint})")
