"""Culture 21 Actions self-assessment: one answer per city, year and action

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 04:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "assessment_answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("city", sa.String(length=200), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("updated_by", sa.String(length=320), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_answer")),
        sa.UniqueConstraint(
            "city", "year", "action", name=op.f("uq_assessment_answer_city")
        ),
    )
    op.create_index(
        op.f("ix_assessment_answer_city"), "assessment_answer", ["city"], unique=False
    )
    # a revision counter per new table: writes to it refresh the web's read cache
    op.execute("INSERT INTO store_revision (name, n) VALUES ('assessment_answer', 0)")


def downgrade() -> None:
    op.execute("DELETE FROM store_revision WHERE name IN ('assessment_answer')")
    op.drop_index(op.f("ix_assessment_answer_city"), table_name="assessment_answer")
    op.drop_table("assessment_answer")
