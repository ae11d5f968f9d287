"""partnership records as a city keeps them

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 04:00:00

Partnerships get dates (start, end, review), a budget and its funding source; partners a
contact, e-mail, phone, website and address; indicators a baseline. New tables: the people
responsible on both sides (``partnership_contact``), the libraries and programmes a partnership
involves (``partnership_library``, ``partnership_programme``) and the measurements of an
indicator over time (``measurement``). An indicator's measured value recorded before this
revision becomes its first measurement (dated by ``measured_on``, else by the day of upgrade).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete="CASCADE"
    )


def upgrade() -> None:
    with op.batch_alter_table("partnership", schema=None) as b:
        b.add_column(sa.Column("start_date", sa.Date(), nullable=True))
        b.add_column(sa.Column("end_date", sa.Date(), nullable=True))
        b.add_column(sa.Column("review_date", sa.Date(), nullable=True))
        b.add_column(sa.Column("budget", sa.Float(), nullable=True))
        b.add_column(sa.Column("funding_source", sa.String(length=300), nullable=True))
    with op.batch_alter_table("partner", schema=None) as b:
        b.add_column(sa.Column("contact_name", sa.String(length=200), nullable=True))
        b.add_column(sa.Column("email", sa.String(length=320), nullable=True))
        b.add_column(sa.Column("phone", sa.String(length=50), nullable=True))
        b.add_column(sa.Column("website", sa.String(length=500), nullable=True))
        b.add_column(sa.Column("address", sa.String(length=1000), nullable=True))
    with op.batch_alter_table("indicator", schema=None) as b:
        b.add_column(sa.Column("baseline", sa.Float(), nullable=True))

    op.create_table(
        "measurement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("measured_on", sa.Date(), nullable=False),
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.Column("recorded_by", sa.String(length=320), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        _fk("measurement", "indicator_id", "indicator"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_measurement")),
    )
    op.create_index(
        op.f("ix_measurement_indicator_id"), "measurement", ["indicator_id"], unique=False
    )
    op.create_table(
        "partnership_contact",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partnership_id", sa.Integer(), nullable=False),
        sa.Column("side", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        _fk("partnership_contact", "partnership_id", "partnership"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partnership_contact")),
    )
    op.create_index(
        op.f("ix_partnership_contact_partnership_id"),
        "partnership_contact",
        ["partnership_id"],
        unique=False,
    )
    for table, other in (("partnership_library", "library"), ("partnership_programme", "programme")):
        op.create_table(
            table,
            sa.Column("partnership_id", sa.Integer(), nullable=False),
            sa.Column(f"{other}_id", sa.Integer(), nullable=False),
            _fk(table, "partnership_id", "partnership"),
            _fk(table, f"{other}_id", other),
            sa.PrimaryKeyConstraint("partnership_id", f"{other}_id", name=op.f(f"pk_{table}")),
        )
        op.create_index(op.f(f"ix_{table}_{other}_id"), table, [f"{other}_id"], unique=False)

    # the measured values recorded so far become the first measurement of their indicator
    conn = op.get_bind()
    rows = conn.execute(
        sa.text("SELECT id, measured, measured_on FROM indicator WHERE measured IS NOT NULL")
    ).all()
    if rows:
        now = datetime.now(UTC)
        conn.execute(
            sa.text(
                "INSERT INTO measurement (indicator_id, value, measured_on, source, recorded_at) "
                "VALUES (:i, :v, :d, '', :t)"
            ),
            [{"i": i, "v": v, "d": d or date.today(), "t": now} for i, v, d in rows],
        )
    # a revision counter per new table: writes to it refresh the web's read cache
    op.execute(
        "INSERT INTO store_revision (name, n) "
        "VALUES ('measurement', 0), "
        "('partnership_contact', 0), "
        "('partnership_library', 0), "
        "('partnership_programme', 0)"
    )


def downgrade() -> None:
    op.execute("DELETE FROM store_revision WHERE name IN ('measurement', 'partnership_contact', 'partnership_library', 'partnership_programme')")
    for table, other in (("partnership_library", "library"), ("partnership_programme", "programme")):
        op.drop_index(op.f(f"ix_{table}_{other}_id"), table_name=table)
        op.drop_table(table)
    op.drop_index(op.f("ix_partnership_contact_partnership_id"), table_name="partnership_contact")
    op.drop_table("partnership_contact")
    op.drop_index(op.f("ix_measurement_indicator_id"), table_name="measurement")
    op.drop_table("measurement")
    with op.batch_alter_table("indicator", schema=None) as b:
        b.drop_column("baseline")
    with op.batch_alter_table("partner", schema=None) as b:
        for col in ("address", "website", "phone", "email", "contact_name"):
            b.drop_column(col)
    with op.batch_alter_table("partnership", schema=None) as b:
        for col in ("funding_source", "budget", "review_date", "end_date", "start_date"):
            b.drop_column(col)
