"""Scenarios in the web API for city officers, on the demo workspace: the stored figures equal
the CLI's, and only admins and officers may run or read them."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from libpolis.pipeline import ScenarioRequest, run_scenario
from libpolis.store import open_store, read_result, session_scope
from libpolis.store.tables import AuditEntry, Run
from libpolis.web.app import create_app


@pytest.fixture(scope="module")
def demo_app(demo_copy, password_hash, web_kit):
    path: Path = demo_copy
    engine = open_store(f"sqlite:///{path}")
    web_kit.seed(engine, password_hash)
    app = create_app(engine, secret_key=web_kit.SECRET, documents_dir=path.parent / "docs")
    yield app, engine
    engine.dispose()


def test_officer_runs_a_closure_and_reads_it_back(demo_app, web_kit):
    app, engine = demo_app
    officer = web_kit.login(app, "officer")
    body = {"kind": "closure", "libraries": ["Kallion kirjasto"], "within": 1000,
            "population_source": "hsy-grid-2021", "label": "kallio"}  # fmt: skip
    r = officer.post("/api/scenarios", json=body)
    assert r.status_code == 201, r.text
    out = r.json()
    assert out["tables"] == ["scenario_kallio_groups", "scenario_kallio_units"]
    groups = read_result(engine, "scenario_kallio_groups").iloc[0]
    assert out["summary"]["lose_access"] == pytest.approx(groups["lose_access"])
    same = run_scenario(engine, ScenarioRequest(
        kind="closure", libraries=("Kallion kirjasto",), within=1000,
        population_source="hsy-grid-2021", label="cli",
    )).as_dict()  # fmt: skip
    assert same["lose_access"] == pytest.approx(out["summary"]["lose_access"])
    listed = officer.get("/api/scenarios").json()["items"]
    assert {"kallio", "cli"} <= {s["label"] for s in listed}
    shown = officer.get("/api/scenarios/kallio").json()
    assert shown["summary"]["closed"][0]["name"] == "Kallion kirjasto"
    with session_scope(engine) as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.entity == "scenario")).one()
        assert (entry.user_email, entry.action, entry.entity_id) == (
            "officer@example.org", "run", out["run_id"],
        )  # fmt: skip


def test_roles_and_bad_input(demo_app, web_kit):
    app, _ = demo_app
    with session_scope(app.state.engine) as s:
        runs = s.scalar(select(func.count()).select_from(Run))
    for role in ("staff", "viewer"):
        client = web_kit.login(app, role)
        assert client.post("/api/scenarios", json={"kind": "mobile"}).status_code == 403
        assert client.get("/api/scenarios").status_code == 403
    anonymous = web_kit.login(app, None)
    assert anonymous.post("/api/scenarios", json={"kind": "mobile"}).status_code == 401
    with session_scope(app.state.engine) as s:  # nothing ran
        assert s.scalar(select(func.count()).select_from(Run)) == runs
    assert web_kit.login(app, None).get("/api/scenarios").status_code == 401
    admin = web_kit.login(app, "admin")
    r = admin.post("/api/scenarios", json={"kind": "hours", "libraries": ["Atlantis"],
                                           "population_source": "hsy-grid-2021"})  # fmt: skip
    assert r.status_code == 422 and "no library 'Atlantis'" in r.json()["detail"]
    r = admin.post("/api/scenarios", json={"kind": "hours"})
    assert r.status_code == 422 and "exactly one --library" in r.json()["detail"]
    assert admin.get("/api/scenarios/nope").status_code == 404
