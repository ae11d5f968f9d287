"""The workspace store: SQLAlchemy tables, migrations, upserts, result tables and queries.

The store never imports an analysis; analyses never import the store.
"""

from __future__ import annotations

from libpolis.store import assessment as _assessment  # noqa: F401  (its table in Base.metadata)
from libpolis.store import surveys as _surveys  # noqa: F401  (their tables in Base.metadata)
from libpolis.store.engine import open_store, session_scope, side_engine, upgrade
from libpolis.store.queries import counts, read_table
from libpolis.store.results import latest_run, read_result, result_names, write_result
from libpolis.store.revision import bump_revision, read_revision, track_revisions
from libpolis.store.settings import (
    population_basis,
    set_population_basis,
    set_workspace_name,
    workspace_name,
)
from libpolis.store.upsert import UpsertCounts, record_dataset, upsert_records

__all__ = [
    "UpsertCounts",
    "bump_revision",
    "counts",
    "latest_run",
    "open_store",
    "population_basis",
    "read_result",
    "read_revision",
    "read_table",
    "record_dataset",
    "result_names",
    "session_scope",
    "set_population_basis",
    "set_workspace_name",
    "side_engine",
    "track_revisions",
    "upgrade",
    "upsert_records",
    "workspace_name",
    "write_result",
]
