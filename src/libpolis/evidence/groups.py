"""Access by age band, by income group and by kind of cultural venue, and the figures of a
network run that covers only part of the city."""

from __future__ import annotations

import re
from typing import Any

from libpolis.evidence.figures import Evidence
from libpolis.evidence.format import is_blank
from libpolis.evidence.headline import is_partial, main_threshold, run_unit
from libpolis.evidence.read import RunInfo, StoreReader
from libpolis.evidence.venues import sources_of

__all__ = ["add_age_groups", "add_culture_kinds", "add_income", "add_partial"]

_AGE_ATTR = re.compile(r"^(IKA|age_?)", re.IGNORECASE)


def add_age_groups(
    ev: Evidence, rd: StoreReader, runs: list[RunInfo], main: float | None, unit: str
) -> None:
    """Coverage by age band from the newest access run that stored it."""
    libs = rd.table("library")
    for r in runs:
        bands = rd.result(f"{r.step}_bands")
        if bands is None or bands.empty:
            continue
        runit = run_unit(r)
        tcol = "threshold_m" if runit == "m" else "threshold_min"
        if tcol not in bands:
            continue
        ts = sorted(set(bands[tcol].astype(float)))
        limit = main if runit == unit and main in ts else ts[-1]
        part = bands[bands[tcol].astype(float) == limit]
        tab = part[["group", "population", "share"]].rename(columns={"population": "residents"})
        ev.tables["age_groups"] = tab.reset_index(drop=True)
        src = str(r.summary.get("population_source", ""))
        ev.facts.update(age_source=src, age_limit=limit, age_unit=runit, age_mode=r.mode)
        for row in tab.itertuples():
            ev.figure(
                f"age_{row.group}_within",
                f"Residents aged {row.group} within {limit:g} {runit} of a library",
                float(row.share),
                "share",
                (src, *sources_of(libs)),
                f"Share of the residents of the age band within {limit:g} {runit} of a "
                "walk-in library; cells whose bands are all suppressed (99) left out.",
                r.command,
                mode=r.mode,
            )
        return
    has_ages = any(_AGE_ATTR.match(k) for k in rd.population_attr_keys())
    if not rd.population_units():
        ev.missing["age"] = (
            "no population, so access cannot be shown by age group: run `libpolis import "
            "population FILE --attr COLUMN` with age columns"
        )
    elif has_ages:
        ev.missing["age"] = (
            "no access results by age group: run `libpolis access --mode straight "
            "--population-source SOURCE --label ages` on the population with age bands"
        )
    else:
        ev.missing["age"] = (
            "the population data has no age groups: import a population file with age "
            "columns (`libpolis import population FILE --attr COLUMN`)"
        )


def add_income(ev: Evidence, rd: StoreReader, run: RunInfo, unit: str) -> None:
    """Mean distance or time by income quintile, when the population has incomes."""
    inc = rd.result(f"{run.step}_income")
    col = "mean_time_min" if unit == "min" else "mean_dist_m"
    if inc is not None and len(inc) and col in inc:
        ev.tables["income_groups"] = inc
        ev.facts["income_command"] = run.command
        return
    ev.missing["income"] = (
        "the population data has no income, so access cannot be shown by income group: "
        "run `libpolis import population FILE --income-column COLUMN` then `libpolis access`"
    )


def add_culture_kinds(ev: Evidence, rd: StoreReader, run: RunInfo, unit: str) -> None:
    """The median distance or time to each kind of cultural venue."""
    tab = rd.result(f"{run.step}_culture")
    col = f"median_{'time_min' if unit == 'min' else 'dist_m'}"
    if tab is not None and len(tab) and {"kind", col} <= set(tab.columns):
        ev.tables["culture_kinds"] = (
            tab[["kind", col]].rename(columns={col: "median"}).sort_values("median")
        )


def add_partial(ev: Evidence, rd: StoreReader, runs: list[RunInfo], primary: RunInfo) -> None:
    """Figures of a network run over part of the city (a central extract), with its scope."""
    libs = rd.table("library")
    partial = [r for r in runs if r is not primary and r.mode != "straight" and is_partial(r)]
    if partial:
        r = partial[0]
        s = r.summary
        net = s.get("network") or {}
        srcs = (str(s.get("population_source")), *sources_of(libs))
        scope = f"area covered by the street network {net.get('file', '')}"
        thresholds = sorted(float(t) for t in s["coverage"])
        main = main_threshold(r)
        ev.facts["partial_network"] = {
            "step": r.step,
            "mode": r.mode,
            "file": net.get("file"),
            "residents": s.get("residents"),
            "residents_outside": net.get("residents_outside"),
            "thresholds": thresholds,
            "main_threshold": main,
        }

        def fig(key: str, label: str, value: Any, unit: str, method: str) -> None:
            ev.figure(
                f"{r.step}_{key}",
                label,
                value,
                unit,
                srcs,
                method,
                r.command,
                mode=r.mode,
                scope=scope,
            )

        fig(
            "residents",
            f"Residents in the {r.mode} network area",
            s.get("residents"),
            "residents",
            "Residents of the units within the street network's reach (400 m); the others "
            "lie outside the extract.",
        )
        if s.get("mean_time_min") is not None:
            fig(
                "mean_time_min",
                f"Mean {r.mode} time to the nearest library",
                s["mean_time_min"],
                "min",
                "Population-weighted mean travel time on the street network to the nearest "
                "walk-in library.",
            )
        for t, share in s["coverage"].items():
            fig(
                f"coverage_{float(t):g}min",
                f"Residents within {float(t):g} min ({r.mode}) of a library",
                share,
                "share",
                "Share of the area's residents whose travel time to a walk-in library is at "
                f"most {float(t):g} min.",
            )
        e2 = s.get("e2sfca")
        if isinstance(e2, dict) and not is_blank(e2.get("mean")):
            fig(
                "e2sfca_mean",
                "Library capacity per 1,000 residents (E2SFCA), mean in the network area",
                e2["mean"],
                "per 1,000 residents",
                "Enhanced two-step floating catchment area score: library supply per 1,000 "
                "residents within the catchment, Gaussian decay, weighted by residents.",
            )
        if s.get("gini") is not None:
            fig(
                "gini",
                "Gini index of the travel time in the network area",
                s["gini"],
                "index",
                "Population-weighted Gini index of the travel time to the nearest walk-in "
                "library (0 = everyone equally near).",
            )
