"""sign-out that revokes sessions and tokens; per-account sign-in back-off

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 01:10:00

``app_user.token_version`` is carried by every session cookie and API token and goes up on
sign-out and on a change of password, role or status; ``failed_logins`` and
``last_failed_login_at`` hold the per-account back-off of failed sign-ins.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("token_version", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("failed_logins", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("last_failed_login_at", sa.DateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.drop_column("last_failed_login_at")
        batch_op.drop_column("failed_logins")
        batch_op.drop_column("token_version")
