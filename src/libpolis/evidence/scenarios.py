"""What-ifs on today's libraries, as a before/after table: the newest run of each stored
scenario (``libpolis plan closure | hours | mobile``, runs ``scenario_<label>``)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from libpolis.evidence.figures import Evidence
from libpolis.evidence.read import StoreReader

__all__ = ["add_scenarios"]

#: What the brief says when no scenario is stored, with the commands that add one.
NO_SCENARIOS = (
    "no scenarios: run `libpolis plan closure --within 1000`, `libpolis plan hours --library ID"
    " --factor 1.5` or `libpolis plan mobile --stops 3`"
)


def _row(s: dict[str, Any], command: str) -> dict[str, Any] | None:
    """One scenario's before/after: ``kind, label, subject, measure, before, after, within,
    unit, mode, command`` (``measure`` names what before and after count)."""
    base = {"kind": s.get("kind"), "label": s.get("label"), "within": s.get("within"),
            "unit": s.get("unit"), "mode": s.get("mode"), "command": command}  # fmt: skip
    kind = s.get("kind")
    if kind == "closure" and "closed" in s:
        names = ", ".join(str(c.get("name")) for c in s["closed"])
        return base | {"subject": names, "measure": "residents_within",
                       "before": s.get("within_before"), "after": s.get("within_after")}  # fmt: skip
    if kind == "closure" and s.get("ranking"):
        top = s["ranking"][0]
        return base | {"subject": str(top.get("name")), "measure": "lose_access_each",
                       "before": None, "after": top.get("lose_access"),
                       "ranking": [(str(r.get("name")), r.get("lose_access"))
                                   for r in s["ranking"][:3]]}  # fmt: skip
    if kind == "hours":
        lib = (s.get("library") or {}).get("name")
        return base | {"subject": str(lib), "factor": s.get("hours_factor"),
                       "measure": "capacity_per_1000", "before": s.get("mean_access_before"),
                       "after": s.get("mean_access_after")}  # fmt: skip
    if kind == "mobile":
        under = float(s.get("underserved_before") or 0.0)
        return base | {"subject": int(s.get("stops") or 0), "measure": "residents_beyond",
                       "before": under,
                       "after": under - float(s.get("reached_by_stops") or 0.0)}  # fmt: skip
    return None


def add_scenarios(ev: Evidence, rd: StoreReader) -> None:
    """``ev.tables["scenarios"]``: one before/after row per stored scenario (newest run of
    each label), or ``ev.missing["scenarios"]`` with the commands that add one."""
    seen: set[str] = set()
    rows = []
    for run in rd.runs_starting("scenario_"):
        if run.step in seen:
            continue
        seen.add(run.step)
        row = _row(run.summary, run.command)
        if row is not None:
            rows.append(row)
    if rows:
        ev.tables["scenarios"] = pd.DataFrame(rows)
    else:
        ev.missing["scenarios"] = NO_SCENARIOS
