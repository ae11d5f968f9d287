"""The one way a section turns an evidence table into a :class:`Table` block."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from libpolis.report.blocks import Section, Table

__all__ = ["add_table"]


def add_table(
    sec: Section,
    frame: pd.DataFrame | None,
    caption: str,
    header: list[str],
    row: Callable[[Any], list[str]],
    numeric: list[bool],
    *,
    records: bool = False,
    head: int | None = None,
) -> bool:
    """Append ``frame`` to ``sec`` as a table, one ``row(r)`` per record (a named tuple, or a
    dict with ``records``; the first ``head`` only when given). An absent or empty frame adds
    nothing; the answer says whether a table was added."""
    if frame is None or not len(frame):
        return False
    if head is not None:
        frame = frame.head(head)
    items = frame.to_dict("records") if records else frame.itertuples()
    sec.blocks.append(Table(caption, header, [row(r) for r in items], numeric))
    return True
