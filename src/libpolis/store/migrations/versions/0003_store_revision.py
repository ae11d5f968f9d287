"""store revision counters

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 04:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# "*" goes up with every write, "**" when the tables cannot be told; one row per table
# (a later migration that adds a table adds its row; until then writes to it bump "**").
_ROWS = (
    "*",
    "**",
    "alignment",
    "app_user",
    "area",
    "audit_entry",
    "dataset",
    "framework",
    "goal",
    "indicator",
    "library",
    "library_system",
    "partner",
    "partnership",
    "partnership_document",
    "partnership_goal",
    "partnership_note",
    "partnership_status_change",
    "population_unit",
    "programme",
    "result",
    "run",
    "statistic",
    "venue",
)


def upgrade() -> None:
    table = op.create_table(
        "store_revision",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_store_revision")),
    )
    op.bulk_insert(table, [{"name": name, "n": 0} for name in _ROWS])


def downgrade() -> None:
    op.drop_table("store_revision")
