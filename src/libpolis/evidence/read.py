"""Every store read of the evidence: tables, runs and stored results. The only evidence module
that touches the store; the others work on what these functions return."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Engine, select

from libpolis.errors import NotFoundError
from libpolis.store import read_result, read_table, workspace_name
from libpolis.store.engine import session_scope
from libpolis.store.queries import datasets
from libpolis.store.tables import Run

__all__ = ["RunInfo", "StoreReader"]

_DATASET_COLUMNS = ["source", "kind", "publisher", "licence", "attribution", "rows", "imported_at"]


@dataclass(frozen=True)
class RunInfo:
    """One stored run of a step: its name, summary and the command that made it."""

    step: str
    summary: dict[str, Any]
    command: str
    created_at: str

    @property
    def mode(self) -> str:
        return str(self.summary.get("mode") or "straight")

    @property
    def label(self) -> str:
        return str(self.summary.get("label") or self.step.split("_", 1)[-1])


def _info(r: Run) -> RunInfo:
    summary = r.summary if isinstance(r.summary, dict) else {}
    return RunInfo(r.step, summary, r.command or "", str(r.created_at))


class StoreReader:
    """Reads one workspace; tables are read once and kept for the assembly."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._tables: dict[str, pd.DataFrame] = {}

    def table(self, name: str) -> pd.DataFrame:
        """A whole store table (read once)."""
        if name not in self._tables:
            self._tables[name] = read_table(self.engine, name)
        return self._tables[name]

    def result(self, name: str) -> pd.DataFrame | None:
        """The newest stored result table ``name``, or None when no step wrote it."""
        try:
            frame = read_result(self.engine, name)
        except NotFoundError:
            return None
        return frame if frame is not None and len(frame.columns) else None

    def _runs(self, pattern: str | None = None) -> list[RunInfo]:
        with session_scope(self.engine) as session:
            q = select(Run).order_by(Run.id.desc())
            if pattern:
                q = q.where(Run.step.like(pattern))
            return [_info(r) for r in session.scalars(q).all()]

    def runs_like(self, pattern: str) -> list[RunInfo]:
        """Runs whose step matches the SQL ``LIKE`` pattern, newest first."""
        return self._runs(pattern)

    def access_runs(self) -> list[RunInfo]:
        """Access runs with a coverage summary, newest first (one per step)."""
        seen: set[str] = set()
        out = []
        for r in self._runs("access%"):
            if r.step not in seen and "coverage" in r.summary:
                seen.add(r.step)
                out.append(r)
        return out

    def plan_run(self) -> RunInfo | None:
        """The newest planning run."""
        runs = self._runs("plan%")
        return runs[0] if runs else None

    def all_runs(self) -> list[dict[str, Any]]:
        """The newest run of every step, oldest step first."""
        newest: dict[str, dict[str, Any]] = {}
        for r in reversed(self._runs()):
            newest[r.step] = {"step": r.step, "command": r.command, "created_at": r.created_at}
        return list(newest.values())

    def datasets(self) -> pd.DataFrame:
        """The provenance of every imported file."""
        ds = datasets(self.engine)
        return ds[_DATASET_COLUMNS] if len(ds) else pd.DataFrame(columns=_DATASET_COLUMNS)

    def workspace_name(self) -> str | None:
        """The city's name kept by the workspace (``libpolis init --name``, a boundary, OSM)."""
        name = workspace_name(self.engine)
        return (str(name).strip() or None) if name is not None else None

    def population_units(self) -> int:
        """How many population units the workspace holds."""
        return len(self.table("population_unit"))

    def alignments(self) -> pd.DataFrame:
        """Alignment rows (not rejected) with their goal, framework and programme."""
        al = self.table("alignment")
        if al.empty:
            return al
        goals = self.table("goal").rename(
            columns={"id": "goal_id", "title": "goal_title", "attrs": "goal_attrs"}
        )
        fws = self.table("framework").rename(
            columns={"id": "framework_id", "name": "framework_name", "attrs": "framework_attrs"}
        )
        progs = self.table("programme").rename(columns={"id": "programme_id"})
        al = al[al["status"].astype(str).str.lower() != "rejected"]
        return (
            al[["programme_id", "goal_id", "score", "status", "method"]]
            .merge(
                goals[
                    ["goal_id", "framework_id", "code", "goal_title", "parent_code", "goal_attrs"]
                ]
            )
            .merge(fws[["framework_id", "key", "framework_name", "framework_attrs"]])
            .merge(
                progs[["programme_id", "title", "library_name", "attendance", "partners"]],
                how="left",
            )
        )
