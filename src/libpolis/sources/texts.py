"""Texts to align, read from a CSV file with columns ``id`` and ``text``."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from libpolis.errors import DataError, MissingColumnError, NotFoundError
from libpolis.rules import bad_character

__all__ = ["read_texts_csv"]


def read_texts_csv(path: str | Path, *, encoding: str = "utf-8") -> tuple[list[str], list[str]]:
    """Read ``id,text`` rows from a CSV file.

    Returns
    -------
    tuple of list
        Ids and texts, in file order.

    Raises
    ------
    NotFoundError
        No such file.
    MissingColumnError
        The header lacks ``id`` or ``text`` (the message lists the columns found).
    DataError
        A row has an empty or duplicate id, or too few fields; the file is not text. The
        message names the file, the file line (1 = header) and the column.
    """
    p = Path(path)
    if not p.is_file():
        raise NotFoundError(f"no input file at {p}")
    try:
        raw = p.read_bytes().decode(encoding.replace("utf-8", "utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise DataError(
            f"not {encoding} text ({exc.reason} at byte {exc.start})", where=str(p)
        ) from None
    except LookupError:
        raise DataError(f"unknown encoding {encoding!r}", where=str(p)) from None
    if "\x00" in raw:
        raise DataError("the file is binary, not CSV text (found NUL bytes)", where=str(p))
    reader = csv.reader(io.StringIO(raw, newline=""), strict=True)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise DataError(
            "the CSV file is empty: expected a header with id,text", where=str(p)
        ) from None
    except csv.Error as exc:
        raise DataError(f"line 1: {exc}", where=str(p)) from None
    missing = [c for c in ("id", "text") if c not in header]
    if missing:
        raise MissingColumnError(
            f"column(s) {', '.join(missing)} missing; found columns {header}", where=str(p)
        )
    i_id, i_text = header.index("id"), header.index("text")
    ids: list[str] = []
    texts: list[str] = []
    seen: dict[str, int] = {}
    row_no = 1
    try:
        end = reader.line_num
        for row in reader:
            row_no, end = end + 1, reader.line_num  # the file line the record starts on
            if not row:
                continue
            bad = next((b for f in row if (b := bad_character(f, multiline=True))), None)
            if bad is not None:
                raise DataError(
                    f"line {row_no}: the text holds the control character {bad[1]}", where=str(p)
                )
            if len(row) <= max(i_id, i_text):
                col = "text" if len(row) > i_id else "id"
                raise DataError(
                    f"line {row_no}, column {col}: missing (the record has {len(row)} fields)",
                    where=str(p),
                )
            rid = row[i_id].strip()
            if not rid:
                raise DataError(f"line {row_no}, column id: empty id", where=str(p))
            if rid in seen:
                raise DataError(
                    f"line {row_no}, column id: duplicate id {rid!r} (first on line {seen[rid]})",
                    where=str(p),
                )
            seen[rid] = row_no
            ids.append(rid)
            texts.append(row[i_text])
    except csv.Error as exc:
        raise DataError(f"line {reader.line_num}: {exc}", where=str(p)) from None
    return ids, texts
