"""The sentences of the recommendations: one per :class:`libpolis.evidence.Recommendation`
key, filled with its values, in the language of the brief."""

from __future__ import annotations

from typing import Any

from libpolis.evidence import Evidence, Recommendation
from libpolis.report.i18n import N_, Lang
from libpolis.report.words import _SDG, area_name, measure_word, mode_word, tr

__all__ = ["announce", "render_recommendation"]

_COUNT_WORD = {1: N_("One"), 2: N_("Two"), 3: N_("Three")}


def announce(lang: Lang, n: int) -> str:
    """The line announcing ``n`` recommendations ("Two recommendations, ...")."""
    word = lang._(_COUNT_WORD[n]) if n in _COUNT_WORD else lang.int(n)
    return lang.ngettext(
        "{word} recommendation, derived from the data:",
        "{word} recommendations, derived from the data:",
        n,
        word=word,
    )


def _latlon(lang: Lang, lat: float, lon: float) -> tuple[str, str]:
    """Latitude and longitude written with their hemisphere: 30.032° S, 51.203° W."""
    ns = lang._("N") if lat >= 0 else lang._("S")
    ew = lang._("E") if lon >= 0 else lang._("W")
    return f"{lang.num(abs(lat), 3)}° {ns}", f"{lang.num(abs(lon), 3)}° {ew}"


def _site(lang: Lang, ev: Evidence, p: dict[str, Any], where: str | None) -> str:
    """What the plan or the straight-line estimate adds to a reach recommendation."""
    if not p.get("site_gain"):
        return ""
    lat, lon = _latlon(lang, float(p["site_lat"]), float(p["site_lon"]))
    if p.get("site_from_plan"):
        text = lang.ngettext(
            "The newest plan puts {n} new service point where it brings {gain} more residents "
            "within reach ({plan_mode}); it is marked on the map of gaps ({lat}, {lon}).",
            "The newest plan puts {n} new service points where they bring {gain} more "
            "residents within reach ({plan_mode}); the one that reaches most is marked on the "
            "map of gaps ({lat}, {lon}).",
            p.get("site_n", 1),
            gain=lang.int(p["site_gain"]),
            plan_mode=mode_word(lang, p.get("site_mode")),
            lat=lat,
            lon=lon,
        )
    else:
        place = p.get("site_district") or where
        text = (
            lang._(
                "A new service point, a mobile-library stop or outreach at the location marked "
                "on the map of gaps (in {where}, {lat}, {lon}) would bring {gain} "
                "residents within {radius} m in a straight line (an estimate, not a plan).",
                where=place,
                lat=lat,
                lon=lon,
                gain=lang.int(p["site_gain"]),
                radius=lang.int(p.get("site_radius_m")),
            )
            if place
            else lang._(
                "A new service point, a mobile-library stop or outreach at the location marked "
                "on the map of gaps ({lat}, {lon}) would bring {gain} residents within "
                "{radius} m in a straight line (an estimate, not a plan).",
                lat=lat,
                lon=lon,
                gain=lang.int(p["site_gain"]),
                radius=lang.int(p.get("site_radius_m")),
            )
        )
    if p.get("site_mode_differs"):
        text += " " + lang._(
            "Note that this estimate measures {site}, while the figures above are {head}.",
            site=measure_word(lang, p.get("site_mode")),
            head=measure_word(lang, ev.headline_mode),
        )
    return " " + text


def render_recommendation(lang: Lang, ev: Evidence, r: Recommendation) -> str:
    """The sentence of one recommendation."""
    p = r.params
    if r.key == "reach_district":
        return lang._(
            "Reach {district} first: {unserved} residents there live farther than {t} {unit} "
            "({mode}) from a library ({share} within reach).",
            district=p["district"],
            unserved=lang.int(p["unserved"]),
            t=lang.int(p["t"]),
            unit=p["unit"],
            mode=mode_word(lang, p["mode"]),
            share=lang.pct(p["share"]),
        ) + _site(lang, ev, p, p["district"])
    if r.key == "reach_gaps":
        return lang._(
            "Reach the residents left out: {unserved} residents of {area} live farther than "
            "{t} {unit} ({mode}) from a library.",
            unserved=lang.int(p["unserved"]),
            area=area_name(lang, ev),
            t=lang.int(p["t"]),
            unit=p["unit"],
            mode=mode_word(lang, p["mode"]),
        ) + _site(lang, ev, p, None)
    if r.key == "sunday_opening":
        return (
            lang.ngettext(
                "Open longer where most people live: only {n} of {of} libraries opens on Sundays.",
                "Open longer where most people live: only {n} of {of} libraries open on Sundays.",
                p["n"],
                of=lang.int(p["of"]),
            )
            + " "
            + lang._(
                "{name} is the nearest library ({mode}) for {residents} residents and is closed on "
                "Sundays; Sunday opening there would serve the most people.",
                name=p["name"],
                mode=mode_word(lang, p["mode"]),
                residents=lang.int(p["residents"]),
            )
        )
    if r.key == "sdg_story":
        text = lang.ngettext(
            "Tell the city's development story: library programmes already serve SDG {goal} "
            "({title}) with {n} programme.",
            "Tell the city's development story: library programmes already serve SDG {goal} "
            "({title}) with {n} programmes.",
            p["n"],
            goal=p["goal"],
            title=tr(lang, _SDG, p["goal"]),
        )
        if p["gaps"]:
            text += " " + lang._(
                "No programme yet addresses SDG {goals}: a partnership with the city's services "
                "would fill that gap.",
                goals=", ".join(p["gaps"]),
            )
        return text
    if r.key == "cultural_gateway":
        text = lang._(
            "Use the library as the city's cultural front door: for {share} of residents the "
            "nearest cultural venue ({mode}) is a library.",
            share=lang.pct(p["share"]),
            mode=mode_word(lang, p["mode"]),
        )
        if p.get("venue"):
            text += " " + lang._(
                "Bring the programme of the busiest venue, {venue} ({n} events), to the "
                "branches through a partnership.",
                venue=p["venue"],
                n=lang.int(p["venue_events"]),
            )
        return text
    if r.key == "record_evidence":
        return (
            lang.ngettext(
                "Record the evidence: the workspace holds {n} programme at the city's libraries.",
                "Record the evidence: the workspace holds {n} programmes at the city's libraries.",
                p["n"],
            )
            + " "
            + lang._(
                "Programmes reporting attendance: {a}; naming partners: {p}. Recording both, "
                "and running `libpolis align`, shows the council what the libraries deliver.",
                a=lang.int(ev.value("programmes_with_attendance") or 0),
                p=lang.int(p["partners"]),
            )
        )
    if r.key == "import_libraries":
        return lang._(
            "Put the city's libraries on the map: import them from OpenStreetMap "
            "(`libpolis import osm FILE.pbf`) or from the library service's own list "
            "(`libpolis import facilities FILE.csv --as library`), so that access can be measured."
        )
    if r.key == "import_population":
        return lang._(
            "Measure who can reach the {n} walk-in libraries: import where residents live "
            "(`libpolis import population FILE`, a census grid or points) and run "
            "`libpolis access --mode walk`.",
            n=lang.int(r.params.get("n")),
        )
    if r.key == "record_programmes":
        return lang._(
            "Record the libraries' programmes: import them with `libpolis import programmes "
            "FILE.csv` and run `libpolis align` to show which of the city's goals they serve."
        )
    return lang._(
        "Import libraries, population and programmes to derive recommendations: "
        "`libpolis import --help`."
    )
