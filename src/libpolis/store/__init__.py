"""The workspace store: SQLAlchemy tables, migrations, upserts, result tables and queries.

The store never imports an analysis; analyses never import the store.
"""

from __future__ import annotations

from libpolis.store.engine import open_store, session_scope, upgrade
from libpolis.store.queries import counts, read_table
from libpolis.store.results import read_result, write_result
from libpolis.store.upsert import UpsertCounts, record_dataset, upsert_records

__all__ = [
    "UpsertCounts",
    "counts",
    "open_store",
    "read_result",
    "read_table",
    "record_dataset",
    "session_scope",
    "upgrade",
    "upsert_records",
    "write_result",
]
