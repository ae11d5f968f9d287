"""Write what the source readers return into the store: one transaction per import.

Each function validates first (the readers raise before anything is written), then upserts
all records and the dataset's provenance in a single transaction, so a failing import leaves
the store exactly as it was.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine, select, update
from sqlalchemy.exc import DBAPIError

from libpolis.errors import DataError, StoreError
from libpolis.rules import check_records, check_value
from libpolis.sources.names import library_city, match_library
from libpolis.store import record_dataset, session_scope, upsert_records
from libpolis.store.tables import SOURCED_TABLES, Library, LibrarySystem, Programme

__all__ = [
    "ImportResult",
    "import_frames",
    "link_libraries_to_systems",
    "link_programmes_to_libraries",
    "source_name",
]


@dataclass
class ImportResult:
    """What an import did, per table."""

    source: str
    inserted: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    #: programmes per link method ("id", "name", "fuzzy", "unmatched") after this import
    programme_links: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "source": self.source, "inserted": self.inserted, "updated": self.updated
        }  # fmt: skip
        if self.programme_links:
            out["programme_links"] = self.programme_links
        return out


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


def _by_ref(libs: list[Any]) -> dict[str, list[Any]]:
    refs: dict[str, list[Any]] = {}
    for lib in libs:
        for ref in {str(lib.source_id), f"{lib.source}:{lib.source_id}"}:
            refs.setdefault(ref, []).append(lib)
    return refs


def link_programmes_to_libraries(session) -> dict[str, int]:
    """Link every programme to a library of the workspace; return the count per method.

    By the ``library_id`` the CSV gave (``attrs["library_ref"]``: a library's id in its source,
    or ``source:id`` where two sources share ids), else by name
    (:func:`libpolis.sources.names.match_library`: exact, then fuzzy). Each programme keeps
    ``attrs["library_link"]``: the method, the score, the library's name and town
    (:func:`libpolis.sources.names.library_city`) or, when unmatched, why. A programme whose
    library a person chose (the web app: ``library_id`` set, no ``library_link``) is kept
    as it is (counted as ``chosen``). Runs in the caller's transaction, so importing
    libraries after programmes re-links them.
    """
    libs = session.execute(
        select(Library.id, Library.source, Library.source_id, Library.name, Library.city,
               Library.attrs).order_by(Library.id)
    ).all()  # fmt: skip
    progs = session.execute(
        select(Programme.id, Programme.library_name, Programme.library_id, Programme.attrs)
    ).all()
    refs, names = _by_ref(libs), [str(lib.name) for lib in libs]
    counts: dict[str, int] = {}
    params = []
    for pk, name, chosen, attrs in progs:
        if chosen is not None and "library_link" not in (attrs or {}):
            counts["chosen"] = counts.get("chosen", 0) + 1  # set by a person (web app): kept
            continue
        attrs = {k: v for k, v in (attrs or {}).items() if k != "library_link"}
        ref = attrs.get("library_ref")
        hit = refs.get(str(ref), []) if ref else []
        if len(hit) == 1:
            lib, link = hit[0], {"method": "id", "score": 100.0}
        else:
            m = match_library(name, names)
            lib = libs[m.index] if m.index is not None else None
            link = {"method": m.method, "score": round(m.score, 1)}
            if lib is None:
                link["reason"] = m.reason
            if ref:
                link["library_ref"] = "ambiguous" if hit else "not found"
        if lib is not None:
            link |= {"library": lib.name, "city": library_city(lib.city, lib.attrs)}
        counts[link["method"] or "unmatched"] = counts.get(link["method"] or "unmatched", 0) + 1
        attrs["library_link"] = link
        params.append({"id": pk, "library_id": lib.id if lib is not None else None,
                       "attrs": attrs})  # fmt: skip
    if params:
        session.execute(update(Programme), params)
    return counts


def _write(
    engine: Engine,
    source: str,
    frames: dict[str, pd.DataFrame],
    result: ImportResult,
    dataset: dict[str, Any],
    extra_sources: dict[str, str],
    link: tuple[str, str] | None,
) -> None:
    with session_scope(engine) as session:
        for name, frame in frames.items():
            src = extra_sources.get(name, source)
            counts = upsert_records(session, SOURCED_TABLES[name], _records(frame, src))
            result.inserted[name] = result.inserted.get(name, 0) + counts.inserted
            result.updated[name] = result.updated.get(name, 0) + counts.updated
        if link is not None:
            link_libraries_to_systems(session, *link)
        if len(frames.get("programme", ())) or len(frames.get("library", ())):
            result.programme_links = link_programmes_to_libraries(session)
        rows = sum(len(f) for f in frames.values())
        record_dataset(session, source=source, rows=rows, **dataset)


def import_frames(
    engine: Engine,
    source: str,
    frames: dict[str, pd.DataFrame],
    *,
    dataset: dict[str, Any],
    extra_sources: dict[str, str] | None = None,
    link: tuple[str, str] | None = None,
    files: Mapping[str, str] | None = None,
    columns: Mapping[str, Mapping[str, str]] | None = None,
) -> ImportResult:
    """Upsert ``{table_name: records}`` under ``source`` and record the dataset, atomically.

    ``extra_sources`` lets one import write a table under another source key (e.g. the PLS
    statistics under the AE file's name); ``link`` names ``(library_source, system_source)``
    to join libraries to their systems in the same transaction. Importing programmes or
    libraries (re-)links every programme to its library
    (:func:`link_programmes_to_libraries`), in the same transaction.

    Every frame is first checked against its entity's rules (:mod:`libpolis.rules`), so
    nothing is stored that the web API or a page could not show; ``files`` names the file of
    each table in the message (default: ``source``), ``columns`` the file's column names.
    """
    result = ImportResult(source)
    extra_sources = extra_sources or {}
    for key, value in {"source": source, **dataset}.items():
        why = check_value("dataset", key, value)
        if why is not None:
            raise DataError(f"--{key} {why}")
    for name, frame in frames.items():
        check_records(
            frame,
            name,
            file=(files or {}).get(name, source),
            columns=(columns or {}).get(name),
        )
    try:
        _write(engine, source, frames, result, dataset, extra_sources, link)
    except DBAPIError as exc:  # one line, never the bound rows
        first = (str(exc.orig).strip().splitlines() or [type(exc.orig).__name__])[0]
        raise StoreError(
            f"{(files or {}).get(next(iter(frames), ''), source)}: the store refused the import"
            f" ({type(exc.orig).__name__}: {first[:300]}); nothing was written"
        ) from None
    return result
