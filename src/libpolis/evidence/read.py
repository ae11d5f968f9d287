"""Every store read of the evidence: tables, runs and stored results. The only evidence module
that touches the store; the others work on what these functions return."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Engine, func, select

from libpolis.errors import NotFoundError
from libpolis.store import read_result, read_table, workspace_name
from libpolis.store.engine import session_scope
from libpolis.store.queries import datasets
from libpolis.store.tables import PopulationUnit, Run

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
        self._all_runs: list[RunInfo] | None = None

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

    def _runs(self, prefix: str = "") -> list[RunInfo]:
        """Runs whose step starts with ``prefix``, newest first (all runs read once)."""
        if self._all_runs is None:
            with session_scope(self.engine) as session:
                rows = session.scalars(select(Run).order_by(Run.id.desc())).all()
                self._all_runs = [_info(r) for r in rows]
        return [r for r in self._all_runs if r.step.startswith(prefix)]

    def runs_starting(self, prefix: str) -> list[RunInfo]:
        """Runs whose step starts with ``prefix``, newest first."""
        return self._runs(prefix)

    def access_runs(self) -> list[RunInfo]:
        """Access runs with a coverage summary, newest first (one per step)."""
        seen: set[str] = set()
        out = []
        for r in self._runs("access"):
            if r.step not in seen and "coverage" in r.summary:
                seen.add(r.step)
                out.append(r)
        return out

    def plan_run(self) -> RunInfo | None:
        """The newest planning run."""
        runs = self._runs("plan")
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
        """How many population units the workspace holds (counted, not read)."""
        with session_scope(self.engine) as session:
            return int(session.scalar(select(func.count()).select_from(PopulationUnit)) or 0)

    def population_attr_keys(self) -> set[str]:
        """The attribute names of the population units: those of one unit per source (a
        source's units carry the same columns), without reading every unit."""
        with session_scope(self.engine) as session:
            first = select(func.min(PopulationUnit.id)).group_by(PopulationUnit.source)
            rows = session.scalars(select(PopulationUnit.attrs).where(PopulationUnit.id.in_(first)))
            return {str(k) for a in rows if isinstance(a, dict) for k in a}

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
