"""result tables as real SQL tables; workspace settings

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 19:20:00

Each stored result moves from a Parquet blob in ``result.data`` to a table ``res_<name>``
(queryable with SQL); ``result`` keeps the register. The new table ``workspace_setting``
holds the workspace's city name.
"""

from __future__ import annotations

import io

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "workspace_setting",
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_workspace_setting")),
    )
    op.execute("INSERT INTO store_revision (name, n) VALUES ('workspace_setting', 0)")
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, name, data FROM result")).all()
    if rows:
        import pandas as pd

        from libpolis.store.results import _encode, result_table_name

        result = sa.table("result", sa.column("id", sa.Integer), sa.column("columns", sa.JSON))

        for rid, name, data in rows:
            frame = pd.read_parquet(io.BytesIO(data))
            plain, spec = _encode(frame)
            plain.to_sql(result_table_name(name), bind, index=False, if_exists="replace")
            bind.execute(result.update().where(result.c.id == rid).values(columns=spec))
    with op.batch_alter_table("result", schema=None) as batch_op:
        batch_op.drop_column("data")


def downgrade() -> None:
    with op.batch_alter_table("result", schema=None) as batch_op:
        batch_op.add_column(sa.Column("data", sa.LargeBinary(), nullable=True))
    op.drop_table("workspace_setting")
    op.execute("DELETE FROM store_revision WHERE name = 'workspace_setting'")
