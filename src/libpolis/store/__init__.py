"""The workspace store: SQLAlchemy tables, migrations, upserts, result tables and queries.

The store never imports an analysis; analyses never import the store.
"""

from __future__ import annotations

from libpolis.store.engine import open_store, session_scope, side_engine, upgrade
from libpolis.store.queries import counts, read_table
from libpolis.store.results import read_result, write_result
from libpolis.store.revision import bump_revision, read_revision, track_revisions
from libpolis.store.upsert import UpsertCounts, record_dataset, upsert_records

__all__ = [
    "UpsertCounts",
    "bump_revision",
    "counts",
    "open_store",
    "read_result",
    "read_revision",
    "read_table",
    "record_dataset",
    "session_scope",
    "side_engine",
    "track_revisions",
    "upgrade",
    "upsert_records",
    "write_result",
]
