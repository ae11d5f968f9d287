"""Migration 0008 (partnership records) on both backends: a workspace made before it keeps
its data; an indicator's measured value becomes its first measurement; it downgrades too."""

from __future__ import annotations

from alembic import command
from sqlalchemy import create_engine, inspect, text

from libpolis.store.engine import alembic_config, open_store


def _at(url: str, revision: str, *, down: bool = False) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        cfg = alembic_config(url)
        cfg.attributes["connection"] = conn
        (command.downgrade if down else command.upgrade)(cfg, revision)
    engine.dispose()


def test_0008_keeps_measured_values(store_url: str) -> None:
    _at(store_url, "0007")
    engine = create_engine(store_url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO partnership (id, source, source_id, attrs, updated_at, title, "
                "purpose, status, published) VALUES (1, 'web', 'p1', '{}', "
                "CURRENT_TIMESTAMP, 'Old pact', '', 'active', :f)"
            ),
            {"f": False},
        )
        conn.execute(
            text(
                "INSERT INTO indicator (id, partnership_id, name, unit, target, measured, "
                "measured_on) VALUES (1, 1, 'Visits', 'people', 400, 320, '2025-06-30'), "
                "(2, 1, 'Not yet', '', 10, NULL, NULL)"
            )
        )
    engine.dispose()
    eng = open_store(store_url)  # migrates to the head
    with eng.connect() as conn:
        rows = conn.execute(
            text("SELECT indicator_id, value, measured_on FROM measurement")
        ).all()
        assert [(i, v, str(d)) for i, v, d in rows] == [(1, 320.0, "2025-06-30")]
        cols = {c["name"] for c in inspect(conn).get_columns("partnership")}
        assert {"start_date", "end_date", "review_date", "budget", "funding_source"} <= cols
    eng.dispose()
    _at(store_url, "0007", down=True)
    engine = create_engine(store_url)
    insp = inspect(engine)
    assert "measurement" not in insp.get_table_names()
    assert "budget" not in {c["name"] for c in insp.get_columns("partnership")}
    engine.dispose()
