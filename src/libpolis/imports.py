"""Write what the source readers return into the store: one transaction per import.

Each function validates first (the readers raise before anything is written), then upserts
all records and the dataset's provenance in a single transaction, so a failing import leaves
the store exactly as it was.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine, select, update

from libpolis.store import record_dataset, session_scope, upsert_records
from libpolis.store.tables import SOURCED_TABLES, Library, LibrarySystem

__all__ = ["ImportResult", "import_frames", "link_libraries_to_systems", "source_name"]


@dataclass
class ImportResult:
    """What an import did, per table."""

    source: str
    inserted: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"source": self.source, "inserted": self.inserted, "updated": self.updated}


def source_name(path: Path, given: str | None = None) -> str:
    """The source key of an import: the given one, else the file name."""
    return given or Path(path).name


def _records(frame: pd.DataFrame, source: str) -> list[dict[str, Any]]:
    frame = frame.astype(object).where(pd.notna(frame), None)
    recs = frame.to_dict("records")
    for r in recs:
        r["source"] = source
        r["source_id"] = str(r["source_id"])
        for k, v in r.items():
            if isinstance(v, np.generic):
                r[k] = v.item()
    return recs


def link_libraries_to_systems(session, library_source: str, system_source: str) -> None:
    """Set ``library.system_id`` from ``system_source_id`` for one pair of sources."""
    ids = dict(
        session.execute(
            select(LibrarySystem.source_id, LibrarySystem.id).where(
                LibrarySystem.source == system_source
            )
        ).all()
    )
    rows = session.execute(
        select(Library.id, Library.system_source_id).where(Library.source == library_source)
    ).all()
    params = [{"id": pk, "system_id": ids.get(sid)} for pk, sid in rows if sid in ids]
    if params:
        session.execute(update(Library), params)


def import_frames(
    engine: Engine,
    source: str,
    frames: dict[str, pd.DataFrame],
    *,
    dataset: dict[str, Any],
    extra_sources: dict[str, str] | None = None,
    link: tuple[str, str] | None = None,
) -> ImportResult:
    """Upsert ``{table_name: records}`` under ``source`` and record the dataset, atomically.

    ``extra_sources`` lets one import write a table under another source key (e.g. the PLS
    statistics under the AE file's name); ``link`` names ``(library_source, system_source)``
    to join libraries to their systems in the same transaction.
    """
    result = ImportResult(source)
    extra_sources = extra_sources or {}
    with session_scope(engine) as session:
        for name, frame in frames.items():
            src = extra_sources.get(name, source)
            counts = upsert_records(session, SOURCED_TABLES[name], _records(frame, src))
            result.inserted[name] = result.inserted.get(name, 0) + counts.inserted
            result.updated[name] = result.updated.get(name, 0) + counts.updated
        if link is not None:
            link_libraries_to_systems(session, *link)
        rows = sum(len(f) for f in frames.values())
        record_dataset(session, source=source, rows=rows, **dataset)
    return result
