"""Where a new service point would reach the most residents: the newest planning run, else the
one-site straight-line estimate the access step stored (``access_<label>_best_site``)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from libpolis.evidence.figures import Evidence
from libpolis.evidence.format import is_blank
from libpolis.evidence.read import RunInfo, StoreReader

__all__ = ["add_new_site"]


def _first(*values: Any) -> float | None:
    return next((float(v) for v in values if not is_blank(v)), None)


def _site_fact(site: Any, gain: float | None, *, from_plan: bool, n_sites: int) -> dict[str, Any]:
    """What ``facts["new_site"]`` says of every new site, however it was chosen."""
    return {
        "lon": float(site["lon"]),
        "lat": float(site["lat"]),
        "district": None if is_blank(site.get("district")) else str(site.get("district")),
        "residents_gained": gain,
        "from_plan": from_plan,
        "n_sites": n_sites,
    }


def add_new_site(ev: Evidence, rd: StoreReader, run: RunInfo, sources: tuple[str, ...]) -> None:
    """``ev.facts["new_site"]`` and the ``new_site_gain`` figure, each stating its mode."""
    plan = rd.plan_run()
    if plan is not None and _from_plan(ev, rd, plan, sources):
        return
    best = rd.result(f"{run.step}_best_site")
    has_best = best is not None and len(best) and {"lon", "lat"} <= set(best.columns)
    ev.missing["plan"] = (
        "no planning results: run `libpolis plan --objective coverage --sites 3 --mode walk` "
        "for sites chosen on the street network"
        + ("; the brief shows a one-site straight-line estimate" if has_best else "")
    )
    if not has_best:
        return
    row = best.iloc[0]
    gain = _first(row.get("residents_gained"))
    radius = _first(row.get("radius_m"))
    mode = str(row.get("mode") or "straight")
    ev.facts["new_site"] = {
        **_site_fact(row, gain, from_plan=False, n_sites=1),
        "radius_m": radius,
        "mode": mode,
        "mode_differs": mode != ev.headline_mode,
    }
    if gain is None:
        return
    ev.figure(
        "new_site_gain",
        "Residents a new service point at the best unit location would bring within "
        f"{radius or 0:g} m (straight-line estimate)",
        gain,
        "residents",
        sources,
        "One-site maximal covering estimate by the access step: among the population units "
        "beyond the main threshold, the one whose straight-line radius of "
        f"{radius or 0:g} m holds the most of them. A straight-line estimate, not a plan.",
        run.command,
        mode=mode,
    )


def _from_plan(ev: Evidence, rd: StoreReader, plan: RunInfo, sources: tuple[str, ...]) -> bool:
    sites = None
    for name in (f"{plan.step}_sites", "plan_sites"):
        sites = rd.result(name)
        if sites is not None:
            break
    if sites is None or not {"lon", "lat"} <= set(sites.columns):
        return False
    if "status" in sites:
        sites = sites[sites["status"] == "new"]  # existing libraries are listed too
    if not len(sites):
        return False
    if "residents" in sites:
        sites = sites.sort_values("residents", ascending=False, kind="stable")
    s0 = sites.iloc[0]
    s = plan.summary
    gain = _first(
        s.get("residents_gained"), s.get("gain"), s0.get("residents_gained"), s0.get("gain")
    )
    mode = str(s.get("mode") or "straight")
    within = _first(s.get("within_min"))
    ev.facts["new_site"] = {
        **_site_fact(s0, gain, from_plan=True, n_sites=len(sites)),
        "mode": mode,
        "within_min": within,
        "mode_differs": mode != ev.headline_mode,
    }
    ev.tables["plan_sites"] = pd.DataFrame(sites).reset_index(drop=True)
    if gain is not None:
        reach = f" within {within:g} min" if within is not None else ""
        measure = (
            "straight lines at a walking speed" if mode == "straight" else f"the {mode} network"
        )
        ev.figure(
            "new_site_gain",
            f"Residents {len(sites)} recommended new service point(s) would bring{reach} ({mode})",
            gain,
            "residents",
            sources,
            f"From the newest planning run ({s.get('objective') or 'coverage'} objective), "
            f"travel measured on {measure}.",
            plan.command or "libpolis plan",
            mode=mode,
        )
    return True
