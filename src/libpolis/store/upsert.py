"""Insert-or-update of imported records keyed by ``(source, source_id)``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from libpolis.store.tables import Base, Dataset

__all__ = ["UpsertCounts", "existing_ids", "record_dataset", "upsert_records"]

_CHUNK = 5_000


@dataclass(frozen=True)
class UpsertCounts:
    """How many rows an upsert inserted and updated."""

    inserted: int
    updated: int


def upsert_records(
    session: Session,
    table: type[Base],
    records: Sequence[dict[str, Any]],
    *,
    existing: dict[tuple[str, str], int] | None = None,
) -> UpsertCounts:
    """Insert new records and update existing ones of ``table``, matched on source and id.

    Every record must carry ``source`` and ``source_id``. Runs inside the caller's transaction,
    so a failing import leaves the store as it was. ``existing`` (``(source, source_id) ->
    id`` of the rows stored before, from :func:`existing_ids`) spares the look-up when one
    import writes its records in several parts.
    """
    if not records:
        return UpsertCounts(0, 0)
    now = datetime.now(UTC)
    if existing is None:
        existing = existing_ids(session, table, {r["source"] for r in records})
    new, old = [], []
    for rec in records:
        rec = {**rec, "updated_at": now}
        pk = existing.get((rec["source"], rec["source_id"]))
        if pk is None:
            new.append(rec)
        else:
            old.append({**rec, "id": pk})
    for i in range(0, len(new), _CHUNK):
        session.execute(insert(table), new[i : i + _CHUNK])
    for i in range(0, len(old), _CHUNK):
        session.execute(update(table), old[i : i + _CHUNK])
    return UpsertCounts(len(new), len(old))


def existing_ids(
    session: Session, table: type[Base], sources: set[str]
) -> dict[tuple[str, str], int]:
    """``(source, source_id) -> id`` of the rows of ``table`` stored under ``sources``."""
    existing: dict[tuple[str, str], int] = {}
    for source in sources:
        rows = session.execute(
            select(table.source_id, table.id).where(table.source == source)  # type: ignore[attr-defined]
        )
        existing.update({(source, sid): pk for sid, pk in rows})
    return existing


def record_dataset(session: Session, **fields: Any) -> None:
    """Record (or refresh) the provenance of one imported file in the ``dataset`` table."""
    row = session.scalar(select(Dataset).where(Dataset.source == fields["source"]))
    fields = {**fields, "imported_at": datetime.now(UTC)}
    if row is None:
        session.add(Dataset(**fields))
    else:
        for key, value in fields.items():
            setattr(row, key, value)
