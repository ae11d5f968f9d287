"""The charts and maps of the brief, drawn from the evidence's tables (access units, library
points, district boundaries, the coverage curve, age groups, SDGs)."""

from __future__ import annotations

import pandas as pd

from libpolis.evidence import Evidence
from libpolis.report import charts, maps
from libpolis.report.blocks import Chart
from libpolis.report.i18n import Lang
from libpolis.report.words import _AGE, _SDG, area_name, mode_word, tr

__all__ = ["charts_of"]


def charts_of(lang: Lang, ev: Evidence) -> dict[str, Chart]:
    """The charts and maps of the brief, by key (only those the evidence supports)."""
    ctx: dict[str, Chart] = {}
    f = ev.facts
    area = area_name(lang, ev)
    libs = ev.tables.get("library_points", pd.DataFrame(columns=["name", "lon", "lat"]))
    districts = ev.tables.get("district_areas", pd.DataFrame(columns=["name", "geometry_wkt"]))
    units = ev.tables.get("access_units")
    unit = ev.headline_unit or "m"
    cost = "time_min" if unit == "min" else "dist_m"
    if (
        units is not None
        and len(units)
        and "access" not in ev.missing
        and cost in units
        and f.get("main_threshold") is not None
    ):
        cap = 2000.0 if unit == "m" else 30.0
        legend = (
            lang._("distance to the nearest library (m, capped at {cap})", cap=lang.int(cap))
            if unit == "m"
            else lang._(
                "travel time to the nearest library (min, capped at {cap})", cap=lang.int(cap)
            )
        )
        words = {
            "library": lang._("library"),
            "legend": legend,
            "site": lang._("suggested new service point"),
            "unserved": lang._("beyond {t} {unit}", t=lang.int(f["main_threshold"]), unit=unit),
            "served": lang._("within reach"),
        }
        base = ev.tables.get("basemap")
        roads = base is not None and bool(base["layer"].isin(["major", "waterway", "water"]).any())
        streets = (
            " "
            + lang._(
                "The main streets and the water of the workspace's OpenStreetMap file are drawn "
                "as thin grey and blue lines."
            )
            if roads
            else ""
        )
        svg = maps.access_map_svg(
            units, libs, districts, cost_col=cost, cap=cap, words=words, basemap=base
        )
        ctx["access_map"] = Chart(
            "access_map",
            svg,
            lang._(
                "Map of {area}: each populated cell coloured by its {what} to the nearest "
                "library, from light (near) to dark (far); libraries as triangles; district "
                "boundaries in grey.",
                area=area,
                what=lang._("travel time") if unit == "min" else lang._("distance"),
            )
            + streets,
            lang._(
                "Access map ({mode}): distance or travel time to the nearest library for every "
                "populated cell.",
                mode=mode_word(lang, ev.headline_mode),
            ),
            geojson=maps.access_geojson(
                units, libs, districts, cost_col=cost, site=f.get("new_site"), basemap=base
            ),
        )
        main = f["main_threshold"]
        site = f.get("new_site")
        ctx["gap_map"] = Chart(
            "gap_map",
            maps.gap_map_svg(
                units,
                libs,
                districts,
                cost_col=cost,
                threshold=main,
                site=site,
                words=words,
                basemap=base,
            ),
            lang._(
                "Map of gaps in {area}: cells whose residents live beyond {t} {unit} of a "
                "library in orange, cells within reach in light blue, libraries as triangles "
                "and the suggested new service point as a star.",
                area=area,
                t=lang.int(main),
                unit=unit,
            )
            + streets,
            lang._(
                "Who is underserved: residents beyond {t} {unit} ({mode}) of a library.",
                t=lang.int(main),
                unit=unit,
                mode=mode_word(lang, ev.headline_mode),
            ),
        )
    curve = ev.tables.get("coverage_curve")
    if curve is not None and len(curve) and "access" not in ev.missing:
        ctx["coverage_chart"] = Chart(
            "coverage_chart",
            charts.coverage_curve_svg(
                curve,
                xlabel=(
                    lang._("distance to the nearest library (m)")
                    if unit == "m"
                    else lang._("travel time to the nearest library (min)")
                ),
                ylabel=lang._("share of residents within reach"),
                marks=f["thresholds"],
                fmt_pct=lambda v: lang.pct(v, 0),
                fmt_x=lang.int,
            ),
            lang._(
                "Coverage curve: the share of residents within each {what} of a library "
                "rises from {a} at {t0} {unit} to {b} at {t1} {unit}.",
                what=lang._("travel time") if unit == "min" else lang._("distance"),
                a=lang.pct(curve["share"].iloc[0]),
                t0=lang.int(curve["threshold"].iloc[0]),
                b=lang.pct(curve["share"].iloc[-1]),
                t1=lang.int(curve["threshold"].iloc[-1]),
                unit=unit,
            ),
            lang._(
                "Coverage curve ({mode}): share of residents within reach by {what}.",
                what=lang._("travel time") if unit == "min" else lang._("distance"),
                mode=mode_word(lang, ev.headline_mode),
            ),
        )
    ag = ev.tables.get("age_groups")
    if ag is not None and len(ag):
        labels = [tr(lang, _AGE, g) for g in ag["group"]]
        lo, hi = ag.loc[ag["share"].idxmin()], ag.loc[ag["share"].idxmax()]
        ctx["age_chart"] = Chart(
            "age_chart",
            charts.bar_svg(
                labels,
                ag["share"].to_list(),
                xlabel=lang._(
                    "share within {t} {unit} of a library",
                    t=lang.int(f["age_limit"]),
                    unit=f.get("age_unit", "m"),
                ),
                fmt=lambda v: lang.pct(v, 0),
                share=True,
            ),
            lang._(
                "Bar chart by age group: the share within reach ranges from {lo} ({glo}) to "
                "{hi} ({ghi}).",
                lo=lang.pct(lo["share"]),
                glo=tr(lang, _AGE, lo["group"]),
                hi=lang.pct(hi["share"]),
                ghi=tr(lang, _AGE, hi["group"]),
            ),
            lang._("Access by age group."),
        )
    sdg = ev.tables.get("sdg")
    if sdg is not None and len(sdg):
        labels = [f"{g}. {tr(lang, _SDG, g)}" for g in sdg["goal"]]
        served = [f"{g}" for g, n in zip(sdg["goal"], sdg["programmes"], strict=True) if n]
        ctx["sdg_chart"] = Chart(
            "sdg_chart",
            charts.bar_svg(
                labels,
                sdg["programmes"].astype(float).to_list(),
                xlabel=lang._("programmes aligned"),
                fmt=lang.int,
                share=False,
                values2=sdg["attendance"].fillna(0.0).astype(float).to_list()
                if sdg["attendance"].notna().any()
                else None,
                xlabel2=lang._("attendance"),
            ),
            lang._(
                "Bar chart of all 17 SDGs with the number of aligned programmes (and their "
                "attendance where reported); goals with at least one programme: {goals}.",
                goals=", ".join(served) or "–",
            ),
            lang._("Programmes by Sustainable Development Goal (all 17 goals)."),
        )
    return ctx
