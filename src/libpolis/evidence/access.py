"""Access figures of the headline run, read from what the access step stored: residents,
mean distance or time, coverage per threshold, residents beyond the main threshold, the
coverage curve, the district table, inequality (Gini, concentration index) and E2SFCA."""

from __future__ import annotations

from typing import Any

import pandas as pd

from libpolis.evidence.figures import Evidence
from libpolis.evidence.format import is_blank
from libpolis.evidence.groups import add_age_groups, add_culture_kinds, add_income, add_partial
from libpolis.evidence.headline import choose_headline, set_headline
from libpolis.evidence.read import RunInfo, StoreReader
from libpolis.evidence.sites import add_new_site
from libpolis.evidence.venues import flag, sources_of

__all__ = ["add_access", "how_measured"]

#: E2SFCA statistics stored in an access run's summary and the figure label of each.
E2SFCA_STATS: dict[str, str] = {
    "mean": "Library capacity per 1,000 residents (E2SFCA), mean",
    "median": "Library capacity per 1,000 residents (E2SFCA), median",
    "p10": "Library capacity per 1,000 residents (E2SFCA), the 10 % least served",
    "p90": "Library capacity per 1,000 residents (E2SFCA), the 10 % best served",
}


def how_measured(mode: str) -> str:
    """The measure of access of ``mode``, in words (for methods)."""
    if mode == "straight":
        return "straight-line distance computed in the local UTM CRS"
    return f"{mode} travel time on the street network"


def _missing_access(ev: Evidence, rd: StoreReader) -> None:
    """Name the input that is really missing before access can be measured."""
    no_population = rd.population_units() == 0
    no_libraries = ev.value("walk_in_libraries") == 0
    needs = "population" if no_population else "libraries" if no_libraries else "run"
    ev.facts["access_needs"] = needs
    if needs == "population":
        ev.missing["access"] = (
            "no population, so access cannot be measured: run `libpolis import population "
            "FILE` then `libpolis access --mode walk`"
        )
    elif needs == "libraries":
        ev.missing["access"] = (
            "no walk-in libraries, so access cannot be measured: run `libpolis import osm "
            "FILE.pbf` then `libpolis access --mode walk`"
        )
    else:
        ev.missing["access"] = (
            "no access results yet: run `libpolis access --mode walk` (or `--mode straight` "
            "without a street network)"
        )


def population_method(rd: StoreReader, source: Any) -> str:
    """`` Population: ...`` from the population dataset's ``attrs["population_method"]``."""
    ds = rd.table("dataset")
    if not source or ds.empty:
        return ""
    rows = ds[ds["source"] == str(source)]
    attrs = rows["attrs"].iloc[0] if len(rows) else None
    text = attrs.get("population_method") if isinstance(attrs, dict) else None
    return f" Population: {text}" if text else ""


def add_access(ev: Evidence, rd: StoreReader) -> None:
    """Every access figure and table; ``ev.missing["access"]`` when there is none."""
    runs = rd.access_runs()
    run = choose_headline(runs)
    if run is None:
        _missing_access(ev, rd)
        return
    h = set_headline(ev, run)
    mode, unit, main = h["mode"], h["unit"], h["main"]
    s = run.summary
    pop_src = (str(s["population_source"]),) if s.get("population_source") else ()
    if pop_src:
        ev.facts["population_source"] = pop_src[0]
    both = pop_src + sources_of(rd.table("library"))
    cmd = run.command or f"libpolis access --mode {mode}"
    how = how_measured(mode)
    units = rd.result(f"{run.step}_units")
    if units is not None and len(units):
        ev.tables["access_units"] = units

    partial = ev.facts.get("headline_partial")
    scope = (
        f"area covered by the street network {partial.get('file') or ''}".strip()
        if partial
        else None
    )

    def fig(key: str, label: str, value: Any, u: str, method: str, src: tuple = both) -> None:
        ev.figure(key, label, value, u, src, method, cmd, mode=mode, scope=scope)

    fig(
        "residents",
        "Residents",
        s.get("residents"),
        "residents",
        "Sum of residents over the population units used by the access run."
        + population_method(rd, s.get("population_source")),
        pop_src,
    )
    mean_key = "mean_time_min" if unit == "min" else "mean_dist_m"
    fig(
        mean_key,
        f"Mean {'travel time' if unit == 'min' else 'distance'} to the nearest library",
        s.get(mean_key),
        unit,
        f"Population-weighted mean of the {how} from each unit to the nearest walk-in library.",
    )
    cov = s.get("coverage") or {}
    for t in h["thresholds"]:
        tk = f"{t:g}"
        fig(
            f"coverage_{tk}{unit}",
            f"Residents within {tk} {unit} of a library",
            cov.get(tk, cov.get(str(int(t)))),
            "share",
            f"Share of residents whose {how} to a walk-in library is at most {tk} {unit}.",
        )
    if s.get("underserved_residents") is not None and main is not None:
        fig(
            "underserved_residents",
            f"Residents farther than {main:g} {unit} from a library",
            s["underserved_residents"],
            "residents",
            f"Sum of residents of the units whose {how} to the nearest walk-in library "
            f"exceeds {main:g} {unit}, or who cannot reach one.",
        )
    _inequality(ev, run, fig)
    if s.get("share_nearest_culture_library") is not None:
        fig(
            "share_nearest_culture_library",
            "Residents whose nearest cultural venue is a library",
            s["share_nearest_culture_library"],
            "share",
            "Share of residents for whom the nearest of all libraries and other cultural "
            "venues is a library (ties count for the library).",
            both + sources_of(rd.table("venue")),
        )
    _curve(ev, rd, run, unit)
    _districts(ev, rd, run, unit, main, fig)
    _catchments(ev, rd)
    add_new_site(ev, rd, run, both)
    add_age_groups(ev, rd, runs, main, unit)
    add_income(ev, rd, run, unit)
    add_culture_kinds(ev, rd, run, unit)
    add_partial(ev, rd, runs, run)


def _inequality(ev: Evidence, run: RunInfo, fig: Any) -> None:
    """Gini, concentration index and E2SFCA statistics, as the access step stored them."""
    s = run.summary
    what = "travel time" if ev.headline_unit == "min" else "distance"
    if s.get("gini") is not None:
        fig(
            "gini",
            f"Gini index of the {what} to the nearest library",
            s["gini"],
            "index",
            f"Population-weighted Gini index of the {what} to the nearest walk-in library over "
            "the residents who can reach one: 0 when everyone is equally near, towards 1 when "
            "the long journeys fall on few.",
        )
    if s.get("concentration_index") is not None:
        fig(
            "concentration_index",
            f"Concentration index of the {what} by income",
            s["concentration_index"],
            "index",
            f"Population-weighted concentration index of the {what} over residents ranked by "
            "income (-1..1): below 0 the longer journeys fall on lower incomes, above 0 on "
            "higher incomes.",
        )
    e2 = s.get("e2sfca")
    if isinstance(e2, dict) and not is_blank(e2.get("mean")):
        ev.facts["e2sfca_catchment_min"] = e2.get("catchment_min")
        catch = f"{float(e2['catchment_min']):g}-minute" if e2.get("catchment_min") else "a"
        method = (
            "Enhanced two-step floating catchment area (E2SFCA) score per population unit: "
            f"library supply (opening hours and floor area where known) per 1,000 residents "
            f"reachable within {catch} catchment with Gaussian distance decay; statistics "
            "weighted by residents."
        )
        for k, label in E2SFCA_STATS.items():
            if not is_blank(e2.get(k)):
                fig(f"e2sfca_{k}", label, e2[k], "per 1,000 residents", method)
        if e2.get("residents_zero") is not None:
            fig(
                "e2sfca_residents_zero",
                "Residents with no library within the E2SFCA catchment",
                e2["residents_zero"],
                "residents",
                method,
            )


def _curve(ev: Evidence, rd: StoreReader, run: RunInfo, unit: str) -> None:
    """The stored coverage curve; a point at 0 is added for the chart."""
    curve = rd.result(f"{run.step}_curve")
    tcol = "threshold_m" if unit == "m" else "threshold_min"
    if curve is None or not {tcol, "share"} <= set(curve.columns) or not len(curve):
        return
    curve = curve.rename(columns={tcol: "threshold"})[["threshold", "share"]]
    if float(curve["threshold"].iloc[0]) > 0:
        curve = pd.concat(
            [pd.DataFrame({"threshold": [0.0], "share": [0.0]}), curve], ignore_index=True
        )
    ev.tables["coverage_curve"] = curve.reset_index(drop=True)


def _districts(
    ev: Evidence, rd: StoreReader, run: RunInfo, unit: str, main: float | None, fig: Any
) -> None:
    """The stored district table (least served first) and its least-served district."""
    d = rd.result(f"{run.step}_districts")
    col = f"mean_{'time_min' if unit == 'min' else 'dist_m'}"
    if d is None or not {"district", "residents", "unserved"} <= set(d.columns) or not len(d):
        if not len(ev.tables.get("district_areas", [])):
            ev.missing["districts"] = (
                "no districts, so access cannot be shown by district: run `libpolis import "
                "areas FILE --name-column name --kind district` then `libpolis access`"
            )
        else:
            ev.missing["districts"] = (
                f"the access results hold no table by district: run `{run.command or 'libpolis access'}`"
            )
        return
    d = d.rename(columns={col: "mean"}).reset_index(drop=True)
    ev.tables["districts"] = d
    mk = f"within_{main:g}" if main is not None else ""
    cand = d[(d["residents"] > 0) & (d["unserved"] > 0)]
    if not len(cand) or mk not in d:
        return
    worst = cand.iloc[0]
    name = str(worst["district"])
    ev.facts["worst_district"] = name
    fig(
        "worst_district_coverage",
        f"Residents within {main:g} {unit} of a library in {name}",
        float(worst[mk]),
        "share",
        "The least-served district of the access run's district table; its share of "
        "residents within the main threshold.",
    )
    fig(
        "worst_district_unserved",
        f"Residents farther than {main:g} {unit} in {name}",
        float(worst["unserved"]),
        "residents",
        "Residents of that district beyond the main threshold.",
    )


def _catchments(ev: Evidence, rd: StoreReader) -> None:
    """Residents whose nearest library is each library (the access step's catchments), with
    its Sunday opening."""
    step = ev.facts.get("access_step")
    table = rd.result(f"{step}_catchments") if step else None
    if table is None or not len(table):
        return
    served = table.set_index("library_id")["residents"]
    libs = rd.table("library")
    lib = libs.set_index("source_id") if len(libs) else libs
    rows = []
    for lid, n in served.sort_values(ascending=False).items():
        if lid not in lib.index:
            continue
        r = lib.loc[lid]
        r = r.iloc[0] if isinstance(r, pd.DataFrame) else r
        a = r["attrs"] if isinstance(r["attrs"], dict) else {}
        rows.append(
            {
                "library_id": lid,
                "name": r["name"],
                "residents": float(n),
                "open_sundays": flag(a["open_sundays"]) if "open_sundays" in a else None,
            }
        )
    ev.tables["library_catchments"] = pd.DataFrame(
        rows, columns=["library_id", "name", "residents", "open_sundays"]
    )
