"""The one place that decides which access run the headline reports, in which mode and unit,
at which threshold, and which figures head the brief and the dashboard."""

from __future__ import annotations

from typing import Any

from libpolis.evidence.figures import Evidence
from libpolis.evidence.format import cost_unit
from libpolis.evidence.read import RunInfo

__all__ = [
    "choose_headline",
    "headline_keys",
    "is_partial",
    "main_threshold",
    "set_headline",
]


def is_partial(run: RunInfo) -> bool:
    """True when a network run covers less than 95 % of the residents (a central extract)."""
    net = run.summary.get("network") or {}
    outside = float(net.get("residents_outside") or 0.0)
    total = float(run.summary.get("residents") or 0.0) + outside
    return bool(total) and outside / total > 0.05


def choose_headline(runs: list[RunInfo]) -> RunInfo | None:
    """The run the headline uses: a city-wide network run of a default label if there is one,
    else the default straight-line run, else the newest run (``runs`` newest first)."""
    default = [r for r in runs if r.label == r.mode]
    for pool in (
        [r for r in default if r.mode != "straight" and not is_partial(r)],
        [r for r in default if r.mode == "straight"],
        runs,
    ):
        if pool:
            return pool[0]
    return None


def run_unit(run: RunInfo) -> str:
    """``m`` or ``min``: what the run's distances or times are measured in."""
    unit = run.summary.get("unit")
    return str(unit) if unit in ("m", "min") else cost_unit(run.mode)


def main_threshold(run: RunInfo) -> float | None:
    """The threshold the headline reports: the stored ``main_threshold``, else 1000 m
    (straight line) or 15 min (network) when the run measured it, else the largest."""
    s = run.summary
    if s.get("main_threshold") is not None:
        return float(s["main_threshold"])
    ts = sorted(float(t) for t in (s.get("coverage") or {}))
    if not ts:
        return None
    main = 1000.0 if run_unit(run) == "m" else 15.0
    return main if main in ts else ts[-1]


def set_headline(ev: Evidence, run: RunInfo) -> dict[str, Any]:
    """Record the headline run, mode, unit and threshold on ``ev`` and return them; when the
    run's street network covers only part of the residents, ``facts["headline_partial"]``."""
    unit = run_unit(run)
    main = main_threshold(run)
    thresholds = sorted(float(t) for t in (run.summary.get("coverage") or {}))
    ev.headline_mode, ev.headline_unit = run.mode, unit
    ev.facts.update(
        access_mode=run.mode,
        access_unit=unit,
        access_step=run.step,
        main_threshold=main,
        thresholds=thresholds,
    )
    net = run.summary.get("network") or {}
    if run.mode != "straight" and float(net.get("residents_outside") or 0) > 0:
        ev.facts["headline_outside"] = {
            "residents_outside": float(net["residents_outside"]),
            "max_access_m": net.get("max_access_m"),
        }
    if run.mode != "straight" and is_partial(run):
        net = run.summary.get("network") or {}
        ev.facts["headline_partial"] = {
            "file": net.get("file"),
            "residents": run.summary.get("residents"),
            "residents_outside": net.get("residents_outside"),
        }
    return {"mode": run.mode, "unit": unit, "main": main, "thresholds": thresholds}


def headline_keys(ev: Evidence) -> list[str]:
    """The five headline figures, the best available first (all in the headline mode)."""
    unit = ev.headline_unit or "m"
    main = ev.facts.get("main_threshold")
    prefer = [
        "walk_in_libraries",
        f"coverage_{main:g}{unit}" if main is not None else "",
        "mean_time_min" if unit == "min" else "mean_dist_m",
        "share_nearest_culture_library",
        "underserved_residents",
        "sdg_goals_served",
        "programmes",
        "venues",
        "libraries",
    ]
    # a count of what was never imported is no headline (the brief says it is missing)
    absent = {"venues"} if "venues" in ev.missing else set()
    absent |= {"programmes"} if "programmes" in ev.missing else set()
    return [k for k in prefer if k in ev.figures and ev.value(k) is not None and k not in absent][
        :5
    ]
