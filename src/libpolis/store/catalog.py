"""What a workspace holds, as tables for people and machines: libraries, programmes,
population sources, stored analyses (runs) and their result tables, alignments."""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import Engine, func, select

from libpolis.model import explanation_basis
from libpolis.store.engine import session_scope
from libpolis.store.queries import datasets, read_table
from libpolis.store.tables import (
    Alignment,
    Framework,
    Goal,
    PopulationUnit,
    Programme,
    ResultTable,
    Run,
)

__all__ = [
    "alignment_table",
    "library_table",
    "population_sources",
    "programme_table",
    "result_catalog",
    "run_records",
    "run_table",
]


def library_table(engine: Engine) -> pd.DataFrame:
    """Every library: ``id, source, source_id, name, kind, city, lon, lat, address,
    hours_per_year, floor_area_m2``."""
    cols = ["id", "source", "source_id", "name", "kind", "city", "lon", "lat", "address",
            "hours_per_year", "floor_area_m2"]  # fmt: skip
    return read_table(engine, "library", columns=cols).sort_values("id").reset_index(drop=True)


def programme_table(engine: Engine) -> pd.DataFrame:
    """Every programme: ``id, source, source_id, title, library_id, library_name, library``
    (the linked library's name), ``start_date, audience, language``."""
    cols = ["id", "source", "source_id", "title", "library_id", "library_name", "start_date",
            "audience", "language"]  # fmt: skip
    frame = read_table(engine, "programme", columns=cols).sort_values("id")
    names = read_table(engine, "library", columns=["id", "name"]).set_index("id")["name"]
    frame.insert(6, "library", frame["library_id"].map(names))
    return frame.reset_index(drop=True)


def population_sources(engine: Engine) -> pd.DataFrame:
    """Each population source: ``source, basis`` (the one analyses count by default),
    ``units, residents, path, imported_at``."""
    from libpolis.store.settings import population_basis

    with session_scope(engine) as session:
        rows = session.execute(
            select(PopulationUnit.source, func.count(), func.sum(PopulationUnit.population))
            .group_by(PopulationUnit.source)
            .order_by(PopulationUnit.source)
        ).all()
    frame = pd.DataFrame(
        [(str(s), int(n), float(p or 0.0)) for s, n, p in rows],
        columns=["source", "units", "residents"],
    )
    frame.insert(1, "basis", frame["source"] == population_basis(engine))
    ds = datasets(engine)[["source", "path", "imported_at"]]
    return frame.merge(ds, on="source", how="left")


def run_records(engine: Engine, step_prefix: str = "") -> list[dict[str, Any]]:
    """Every run whose step starts with ``step_prefix``, newest first: ``id, step,
    created_at, command, params, summary, tables``."""
    with session_scope(engine) as session:
        runs = session.scalars(
            select(Run).where(Run.step.startswith(step_prefix)).order_by(Run.id.desc())
        ).all()
        held = session.execute(select(ResultTable.run_id, ResultTable.name)).all()
        by_run: dict[int, list[str]] = {}
        for run_id, name in held:
            by_run.setdefault(int(run_id), []).append(str(name))
        return [
            {"id": r.id, "step": r.step, "created_at": r.created_at, "command": r.command or "",
             "params": dict(r.params or {}), "summary": dict(r.summary or {}),
             "tables": sorted(by_run.get(r.id, []))}
            for r in runs
        ]  # fmt: skip


def run_table(engine: Engine) -> pd.DataFrame:
    """Every stored analysis (run), newest first: ``id, step, created_at, command, tables``
    (the result tables it still holds, comma-separated)."""
    with session_scope(engine) as session:
        runs = session.execute(
            select(Run.id, Run.step, Run.created_at, Run.command).order_by(Run.id.desc())
        ).all()
        held = session.execute(select(ResultTable.run_id, ResultTable.name)).all()
    by_run: dict[int, list[str]] = {}
    for run_id, name in held:
        by_run.setdefault(int(run_id), []).append(str(name))
    return pd.DataFrame(
        [
            (int(i), str(step), created, str(cmd or ""), ", ".join(sorted(by_run.get(i, []))))
            for i, step, created, cmd in runs
        ],
        columns=["id", "step", "created_at", "command", "tables"],
    )


def result_catalog(engine: Engine) -> pd.DataFrame:
    """Every stored result table: ``name, rows, run_id, step, created_at``."""
    with session_scope(engine) as session:
        rows = session.execute(
            select(ResultTable.name, ResultTable.rows, ResultTable.run_id, Run.step,
                   ResultTable.created_at)
            .join(Run, Run.id == ResultTable.run_id, isouter=True)
            .order_by(ResultTable.name)
        ).all()  # fmt: skip
    return pd.DataFrame(
        [tuple(r) for r in rows], columns=["name", "rows", "run_id", "step", "created_at"]
    )


def alignment_table(engine: Engine) -> pd.DataFrame:
    """Every alignment of a programme to a goal: ``programme_id, programme, library,
    framework, goal_code, goal_title, score, status, method, why``, best score first per
    programme. ``why`` is what the explanation rests on, in a line: the programme's own words
    ("in the text: Story time"; "named in the text, not by the model: Hora do conto" for a goal
    the text named alone, whose score is the model's probability), the words shared with the
    goal, or the sentence behind it."""
    from libpolis.store.tables import Library

    with session_scope(engine) as session:
        rows = session.execute(
            select(Programme.id, Programme.title, Library.name, Framework.key, Goal.code,
                   Goal.title, Alignment.score, Alignment.status, Alignment.method,
                   Alignment.explanation)
            .join(Programme, Programme.id == Alignment.programme_id)
            .join(Goal, Goal.id == Alignment.goal_id)
            .join(Framework, Framework.id == Goal.framework_id)
            .join(Library, Library.id == Programme.library_id, isouter=True)
            .order_by(Programme.id, Framework.key, Alignment.score.desc(), Goal.code)
        ).all()  # fmt: skip
    return pd.DataFrame(
        [(*r[:-1], _why(r[-1])) for r in rows],
        columns=["programme_id", "programme", "library", "framework", "goal_code",
                 "goal_title", "score", "status", "method", "why"],
    )  # fmt: skip


#: How the CLI and the exports introduce each kind of :func:`explanation_basis`.
_WHY_HEAD = {
    "named": "named in the text, not by the model: ",
    "text": "in the text: ",
    "terms": "shared words: ",
    "sentence": "",
}


def _why(explanation: Any) -> str:
    """One line of an alignment's explanation (see :func:`alignment_table`)."""
    kind, words = explanation_basis(explanation)
    return _WHY_HEAD[kind] + ", ".join(words) if kind else ""
