"""Workspaces for the evidence and brief tests (loaded by path from both conftest files):
the demo workspace (built once per session), an enriched copy with statistics and
alignments."""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, delete, select, update

from libpolis.demo import build_demo_workspace
from libpolis.store import open_store
from libpolis.store.engine import session_scope
from libpolis.store.tables import (
    Alignment,
    Framework,
    Goal,
    Partner,
    Partnership,
    Programme,
    Statistic,
)


def shared_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled Helsinki demo workspace, built once per session (shared by test modules)."""
    path = tmp_path_factory.getbasetemp() / "shared-demo" / "workspace.sqlite"
    done = path.with_suffix(".done")
    if not done.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        build_demo_workspace(path, show_progress=False)
        done.touch()
    return path


def copy_of(path: Path, tmp_path: Path) -> Engine:
    """An engine on a private copy of the workspace at ``path``."""
    copy = tmp_path / "demo.sqlite"
    shutil.copy(path, copy)
    return open_store(f"sqlite:///{copy}")


def drop_alignments(engine: Engine) -> None:
    """Remove the frameworks, goals and alignments the demo's `align run` stored."""
    with session_scope(engine) as s:
        s.execute(delete(Alignment))
        s.execute(delete(Goal))
        s.execute(delete(Framework))


def enrich(engine: Engine) -> None:
    """Add statistics, attendance, partners, frameworks, goals and alignments to the demo
    (replacing the demo's own alignment suggestions with a known set)."""
    now = datetime(2026, 1, 1, tzinfo=UTC)
    drop_alignments(engine)
    with session_scope(engine) as s:
        # the programmes at Helsinki's libraries first (4 of the 14), then those left out
        progs = sorted(
            s.scalars(select(Programme)).all(), key=lambda p: (p.library_id is None, p.id)
        )
        for i, p in enumerate(progs):
            s.execute(
                update(Programme)
                .where(Programme.id == p.id)
                .values(
                    attendance=10 * (i + 1), partners="City youth services" if i % 3 == 0 else None
                )
            )
        for name, value in (("visits", 1000.0), ("loans", 2500.0), ("wifi_sessions", 40.0)):
            for lib in ("kirkanta:84921", "kirkanta:84880"):
                s.add(
                    Statistic(
                        source="test-stats",
                        source_id=f"{lib}:{name}",
                        subject_type="library",
                        subject_source_id=lib,
                        year=2024,
                        name=name,
                        value=value,
                        unit="count",
                    )
                )
        youth = Partner(source="test-reg", source_id="p1", name="City youth services", kind="city")
        school = Partner(source="test-reg", source_id="p2", name="Vuosaari school", kind="school")
        s.add_all([youth, school])
        s.flush()
        s.add(
            Partnership(
                source="test-reg",
                source_id="s1",
                title="Homework club",
                status="active",
                partner_id=youth.id,
                district="Itäinen",
            )
        )
        fws = {}
        for key, name in (
            ("sdg", "UN Sustainable Development Goals"),
            ("udhr", "Universal Declaration of Human Rights"),
            ("culture21", "Culture 21 Actions"),
            ("helsinki-strategy", "Helsinki City Strategy"),
        ):
            fw = Framework(source="test-fw", source_id=key, key=key, name=name)
            s.add(fw)
            s.flush()
            fws[key] = fw.id
        goals = {}
        for key, code, title in (
            ("sdg", "4", "Quality education"),
            ("sdg", "10", "Reduced inequalities"),
            ("udhr", "19", "Freedom of opinion and expression"),
            ("udhr", "27", "Cultural life"),
            ("culture21", "3", "Culture and education"),
            ("helsinki-strategy", "1", "A city of learning"),
        ):
            g = Goal(
                source="test-fw",
                source_id=f"{key}:{code}",
                framework_id=fws[key],
                code=code,
                title=title,
            )
            s.add(g)
            s.flush()
            goals[(key, code)] = g.id
        plan = [
            (0, ("sdg", "4"), "confirmed"),
            (1, ("sdg", "4"), "suggested"),
            (2, ("sdg", "10"), "suggested"),
            (3, ("sdg", "10"), "rejected"),
            (0, ("udhr", "19"), "suggested"),
            (3, ("udhr", "27"), "confirmed"),
            # a programme at a library outside Helsinki: left out of the city's counts
            (4, ("sdg", "4"), "confirmed"),
            (5, ("udhr", "27"), "confirmed"),
            (0, ("culture21", "3"), "suggested"),
            (3, ("helsinki-strategy", "1"), "confirmed"),
        ]
        for i, g, status in plan:
            s.add(
                Alignment(
                    programme_id=progs[i].id,
                    goal_id=goals[g],
                    score=0.5 + i / 100,
                    method="test",
                    method_version="1",
                    status=status,
                    created_at=now,
                )
            )


def need_tool(path: str, package: str) -> None:
    """Skip when a Debian tool is missing; with CI=true that is a failure instead."""
    if shutil.which(path) is None and not Path(path).exists():
        msg = f"{path} is missing (apt-get install -y {package})"
        if os.environ.get("CI") == "true":
            pytest.fail(msg)
        pytest.skip(msg)
