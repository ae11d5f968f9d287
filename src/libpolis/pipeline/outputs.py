"""What a workspace holds, and every result out as a file: the lists, records and exports
behind ``libpolis list``, ``show``, ``export`` and ``status``.

Lists (:data:`LIST_KINDS`) are tables: ``libraries``, ``programmes``, ``populations``
(population sources), ``analyses`` (stored runs), ``plans`` (plan runs with their before and
after figures), ``scenarios``, ``results`` (stored result tables) and ``alignments``.

:func:`export_named` writes any of them, any stored result table (``res_<name>``), or a plan
(``plan_<label>``, or its label): the plan's libraries and new sites with names, kinds,
coordinates and the plan's before/after figures (coverage: residents within the standard;
median: mean travel time). The export of ``access_<label>_units`` of a network mode lists the
units left out of its figures too, with an empty value and ``left_out`` saying why
(``network``: outside the street network, ``inside_network = false``; ``cut``: outside the
area the import was cut to), so every unit is in the file.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from libpolis.errors import DataError, NotFoundError
from libpolis.exports import export_frame, export_partitions, format_of
from libpolis.store import counts, read_result, result_names
from libpolis.store.catalog import (
    alignment_table,
    library_table,
    population_sources,
    programme_table,
    result_catalog,
    run_records,
    run_table,
)

__all__ = [
    "LIST_KINDS",
    "export_named",
    "export_partitioned",
    "export_result",
    "format_of",
    "jsonable",
    "list_items",
    "plan_figures",
    "plan_table",
    "records",
    "show_item",
    "workspace_status",
]

LIST_KINDS = (
    "libraries", "programmes", "populations", "analyses", "plans", "scenarios", "results",
    "alignments",
)  # fmt: skip
_SHOW_KINDS = ("library", "programme", "population", "analysis", "plan", "scenario", "result")
_PLURAL = {k: k[:-3] + "y" if k.endswith("ies") else k[:-1] for k in LIST_KINDS} | {
    "analyses": "analysis", "populations": "population",
}  # fmt: skip
_UNITS = re.compile(r"^access_(?P<label>[a-z][a-z0-9_]*)_units$")


def jsonable(value: Any) -> Any:
    """A JSON-ready value: NaN -> None, numpy scalars -> Python, timestamps -> ISO text."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of ``frame`` as JSON-ready dicts (geometry left out)."""
    cols = [c for c in frame.columns if c != "geometry"]
    return [jsonable(dict(zip(cols, row, strict=True))) for row in frame[cols].itertuples(False)]


def plan_figures(summary: dict[str, Any]) -> dict[str, Any]:
    """A plan's before/after figures for everyone (the first group of the plan)."""
    group = (summary.get("groups") or [{}])[0]
    keys = ("within_before", "within_after", "gained", "mean_time_min_before",
            "mean_time_min_after", "people")  # fmt: skip
    return {k: group[k] for k in keys if k in group}


def _plans(engine: Engine) -> list[dict[str, Any]]:
    return [r for r in run_records(engine, "plan_") if r["summary"].get("objective")]


def _plan_list(engine: Engine) -> pd.DataFrame:
    rows = []
    seen: set[str] = set()
    for r in _plans(engine):
        if r["step"] in seen:  # the newest run of a label holds its tables
            continue
        seen.add(r["step"])
        s = r["summary"]
        rows.append(
            {"label": s.get("label", r["step"][5:]), "run_id": r["id"],
             "created_at": r["created_at"], "objective": s.get("objective"),
             "mode": s.get("mode"), "sites": s.get("sites"), "within_min": s.get("within_min"),
             **plan_figures(s),
             "new_sites": ", ".join(str(x.get("name", x.get("site_id")))
                                    for x in s.get("new_sites", [])) or
                          ", ".join(map(str, s.get("selected", []))),
             "command": r["command"]}
        )  # fmt: skip
    return pd.DataFrame(rows)


def _scenario_list(engine: Engine) -> pd.DataFrame:
    rows, seen = [], set()
    for r in run_records(engine, "scenario_"):
        if r["step"] in seen:
            continue
        seen.add(r["step"])
        s = r["summary"]
        rows.append({"label": s.get("label"), "run_id": r["id"], "created_at": r["created_at"],
                     "kind": s.get("kind"), "mode": s.get("mode"), "within": s.get("within"),
                     "unit": s.get("unit"), "tables": ", ".join(r["tables"]),
                     "command": r["command"]})  # fmt: skip
    return pd.DataFrame(rows)


def list_items(engine: Engine, kind: str) -> pd.DataFrame:
    """The table behind ``libpolis list KIND`` (one of :data:`LIST_KINDS`)."""
    readers = {
        "libraries": library_table, "programmes": programme_table,
        "populations": population_sources, "analyses": run_table, "plans": _plan_list,
        "scenarios": _scenario_list, "results": result_catalog, "alignments": alignment_table,
    }  # fmt: skip
    if kind not in readers:
        raise DataError(f"cannot list {kind!r}: choose one of {', '.join(LIST_KINDS)}")
    return readers[kind](engine)


def _pick(frame: pd.DataFrame, key: str, cols: tuple[str, ...], what: str) -> dict[str, Any]:
    for col in cols:
        values = frame[col].astype(str)
        hit = frame[values.str.casefold() == key.strip().casefold()] if col in (
            "name", "title") else frame[values == key.strip()]  # fmt: skip
        if len(hit):
            return records(hit.head(1))[0]
    raise NotFoundError(f"no {what} {key!r} in the workspace; `libpolis list` shows them")


def _run(engine: Engine, prefix: str, key: str, what: str) -> dict[str, Any]:
    runs = run_records(engine, prefix)
    for r in runs:
        if str(r["id"]) == key or r["step"] in (key, f"{prefix}{key}"):
            return jsonable(r)
    raise NotFoundError(
        f"no {what} {key!r} in the workspace; `libpolis list {what}s` shows them"
        if what != "analysis" else
        f"no analysis {key!r} in the workspace; `libpolis list analyses` shows them"
    )  # fmt: skip


def show_item(engine: Engine, kind: str, key: str) -> dict[str, Any]:
    """One record behind ``libpolis show KIND ID|NAME``, with what belongs to it."""
    kind = _PLURAL.get(kind.lower(), kind.lower())
    if kind not in _SHOW_KINDS:
        raise DataError(f"cannot show {kind!r}: choose one of {', '.join(_SHOW_KINDS)}")
    if kind == "library":
        rec = _pick(library_table(engine), key, ("id", "source_id", "name"), "library")
        progs = programme_table(engine)
        rec["programmes"] = records(progs.loc[progs["library_id"] == rec["id"],
                                              ["id", "title", "start_date"]])  # fmt: skip
        return rec
    if kind == "programme":
        rec = _pick(programme_table(engine), key, ("id", "source_id", "title"), "programme")
        al = alignment_table(engine)
        rec["alignments"] = records(al[al["programme_id"] == rec["id"]].drop(
            columns=["programme_id", "programme", "library"]))  # fmt: skip
        return rec
    if kind == "population":
        return _pick(population_sources(engine), key, ("source",), "population source")
    if kind == "result":
        if key not in result_names(engine):
            raise NotFoundError(
                f"no result {key!r} in the workspace; `libpolis list results` shows them"
            )
        frame = read_result(engine, key)
        return {"name": key, "rows": len(frame), "columns": [str(c) for c in frame.columns],
                "head": records(frame.head(20))}  # fmt: skip
    if kind == "analysis":
        return _run(engine, "", key, "analysis")
    prefix = "plan_" if kind == "plan" else "scenario_"
    rec = _run(engine, prefix, key, kind)
    if kind == "plan":
        rec["figures"] = plan_figures(rec["summary"])
        rec["new_sites"] = rec["summary"].get("new_sites") or _new_sites(engine, rec)
    return rec


def _new_sites(engine: Engine, run: dict[str, Any]) -> list[dict[str, Any]]:
    name = f"{run['step']}_sites"
    if name not in result_names(engine):
        return []
    sites = read_result(engine, name)
    cols = ["site_id", "name", "kind", "lon", "lat", "residents"]
    return records(sites.loc[sites["status"] == "new", [c for c in cols if c in sites]])


def plan_table(engine: Engine, key: str) -> pd.DataFrame:
    """A plan as one table: today's libraries and the new sites (``site_id, name, kind,
    status, lon, lat, residents``), each row with the plan's objective, label and before/after
    figures for everyone."""
    run = _run(engine, "plan_", key, "plan")
    sites = read_result(engine, f"{run['step']}_sites")
    out = pd.DataFrame(sites).copy()
    s = run["summary"]
    out["plan"] = s.get("label", run["step"][5:])
    out["objective"] = s.get("objective")
    for k, v in plan_figures(s).items():
        out[f"plan_{k}"] = v
    return out


def _units_with_outside(engine: Engine, name: str) -> pd.DataFrame:
    """``access_<label>_units`` with the units outside the street network appended, flagged."""
    units = read_result(engine, name)
    m = _UNITS.match(name)
    outside_name = f"access_{m['label']}_outside" if m else ""
    if not m or outside_name not in result_names(engine):
        return units
    outside = read_result(engine, outside_name)
    units = units.assign(inside_network=True)
    extra = pd.DataFrame({c: [None] * len(outside) for c in units.columns})
    for col in ("unit_id", "population", "lon", "lat"):
        extra[col] = outside[col].to_numpy()
    reason = outside["reason"] if "reason" in outside else pd.Series(["network"] * len(outside))
    extra["inside_network"] = (reason != "network").to_numpy()  # else: outside the cut city
    extra["left_out"] = reason.to_numpy()
    units["left_out"] = None
    if "reachable" in extra:
        extra["reachable"] = False
    extra["access_m"] = outside["access_m"].to_numpy(float)
    units["access_m"] = np.nan
    frame = pd.concat([units, extra[units.columns]], ignore_index=True)
    for col in units.columns:  # keep numeric columns numeric (missing = NaN, empty in files)
        if units[col].dtype.kind in "fi":
            frame[col] = pd.to_numeric(frame[col], errors="coerce")
    return frame


def export_named(engine: Engine, name: str, out: Path, fmt: str | None = None) -> dict[str, Any]:
    """Write ``name`` to ``out``: a stored result table, a plan (``plan_<label>`` or its
    label), or a list (:data:`LIST_KINDS`). Returns ``name, path, format, rows``."""
    key = format_of(out, fmt)
    stored = set(result_names(engine))
    plans = {r["step"] for r in _plans(engine)}
    if name in stored:
        frame = _units_with_outside(engine, name)
    elif name in plans or f"plan_{name}" in plans:
        frame = plan_table(engine, name)
    elif name in LIST_KINDS:
        frame = list_items(engine, name)
    else:
        raise NotFoundError(
            f"nothing named {name!r} to export; `libpolis list results` and `libpolis list "
            "plans` show what the workspace holds"
        )
    path = export_frame(frame, Path(out), key, layer=name)
    return {"name": name, "path": str(path), "format": key, "rows": len(frame)}


def export_result(engine: Engine, name: str, path: Path, fmt: str | None = None) -> Path:
    """Export the stored result table ``name`` (every unit kept, see the module doc)."""
    return Path(export_named(engine, name, Path(path), fmt)["path"])


def export_partitioned(
    engine: Engine, name: str, directory: Path, *, rows_per_part: int = 250_000
) -> Path:
    """Export the per-unit table ``name`` as GeoParquet partitioned by spatial tile
    (``DIR/part-<tile>.parquet``, tiles of the grid :func:`libpolis.scale.tiles.tile_grid`
    lays over the units, about ``rows_per_part`` units each)."""
    from libpolis.scale.tiles import tile_grid

    frame = _units_with_outside(engine, name)
    lon = pd.to_numeric(frame["lon"], errors="coerce").fillna(0.0).to_numpy(float)
    lat = pd.to_numeric(frame["lat"], errors="coerce").fillna(0.0).to_numpy(float)
    grid = tile_grid(lon, lat, partitions=max(1, -(-len(frame) // rows_per_part)))
    return export_partitions(frame, Path(directory), grid.tile_of(lon, lat))


def workspace_status(engine: Engine) -> dict[str, Any]:
    """Rows per table and per source, and the stored analyses (``id, step, created_at,
    command``), newest first."""
    runs = run_table(engine)
    return {"counts": counts(engine), "analyses": records(runs)}
