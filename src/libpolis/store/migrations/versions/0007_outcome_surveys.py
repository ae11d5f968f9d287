"""outcome surveys: a survey link per programme session and its anonymous responses

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 04:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "survey_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("area", sa.String(length=50), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("district", sa.String(length=200), nullable=True),
        sa.Column("held_on", sa.Date(), nullable=True),
        sa.Column("is_open", sa.Boolean(), server_default="1", nullable=False),
        sa.Column("created_by", sa.String(length=320), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programme.id"],
            name=op.f("fk_survey_session_programme_id_programme"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_session")),
        sa.UniqueConstraint("token", name=op.f("uq_survey_session_token")),
    )
    op.create_index(
        op.f("ix_survey_session_programme_id"), "survey_session", ["programme_id"], unique=False
    )
    op.create_table(
        "survey_response",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("consent", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["survey_session.id"],
            name=op.f("fk_survey_response_session_id_survey_session"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_response")),
    )
    op.create_index(
        op.f("ix_survey_response_session_id"), "survey_response", ["session_id"], unique=False
    )
    # a revision counter per new table: writes to it refresh the web's read cache
    op.execute(
        "INSERT INTO store_revision (name, n) "
        "VALUES ('survey_session', 0), "
        "('survey_response', 0)"
    )


def downgrade() -> None:
    op.execute("DELETE FROM store_revision WHERE name IN ('survey_session', 'survey_response')")
    op.drop_index(op.f("ix_survey_response_session_id"), table_name="survey_response")
    op.drop_table("survey_response")
    op.drop_index(op.f("ix_survey_session_programme_id"), table_name="survey_session")
    op.drop_table("survey_session")
