"""The brief as a document model: sections of blocks, every word translated, every number
formatted for the locale. The HTML and Typst renderers draw the same :class:`Document`.

Inline code in text is written between backticks (a command); both renderers honour it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd

from libpolis.evidence import FOCUS_ARTICLES, Evidence, Figure
from libpolis.report import charts, maps
from libpolis.report.i18n import N_, Lang

__all__ = [
    "SECTION_IDS",
    "Bullets",
    "Chart",
    "Document",
    "Headline",
    "Para",
    "Section",
    "Table",
    "build_document",
    "display_value",
    "headline_keys",
]

SECTION_IDS: tuple[str, ...] = (
    "summary",
    "libraries",
    "culture",
    "city",
    "development",
    "rights",
    "partnerships",
    "methods",
)


@dataclass
class Para:
    text: str
    kind: str = "p"  # "p", "missing" (data the workspace lacks), "note"


@dataclass
class Bullets:
    items: list[str]
    ordered: bool = False


@dataclass
class Table:
    caption: str
    header: list[str]
    rows: list[list[str]]
    numeric: list[bool]


@dataclass
class Chart:
    key: str
    svg: str
    alt: str
    caption: str
    geojson: dict[str, Any] | None = None  # for the interactive map (HTML only)


@dataclass
class Headline:
    items: list[tuple[str, str, str]]  # key, formatted value, label


@dataclass
class Section:
    id: str
    title: str
    blocks: list[Any] = field(default_factory=list)


@dataclass
class Document:
    lang: str
    title: str
    subtitle: str
    date: str
    sections: list[Section]
    strings: dict[str, str]  # interface words of the renderers (contents, page, ...)
    headline: list[tuple[str, str]]  # (key, formatted value) as printed


_KIND = {
    "library": N_("library"),
    "children_library": N_("children's library"),
    "service_centre_library": N_("service-centre library"),
    "hospital_patient_library": N_("hospital patient library"),
    "special_collection_library": N_("special-collection library"),
    "mobile_library": N_("mobile library"),
    "museum": N_("museum"),
    "gallery": N_("gallery"),
    "theatre": N_("theatre"),
    "arts_centre": N_("arts centre"),
    "cinema": N_("cinema"),
    "community_centre": N_("community centre"),
    "concert_hall": N_("concert hall"),
    "historical_society": N_("historical society"),
    "central": N_("central library"),
    "branch": N_("branch library"),
    "bookmobile": N_("bookmobile"),
    "books_by_mail": N_("books by mail"),
}

_FLAG = {
    "open_saturdays": N_("open on Saturdays"),
    "open_sundays": N_("open on Sundays"),
    "self_service_hours": N_("self-service hours (open without staff)"),
    "has_meeting_or_group_room": N_("meeting or group room"),
    "has_computers": N_("computers for the public"),
    "has_maker_equipment": N_("maker equipment"),
    "has_studio_or_music_room": N_("studio or music room"),
    "has_3d_printer": N_("3D printer"),
    "has_game_consoles": N_("game consoles"),
}

_STAT = {
    "visits": N_("visits"),
    "loans": N_("loans"),
    "circulation": N_("loans"),
    "registered_users": N_("registered users"),
    "users": N_("registered users"),
    "programmes": N_("programmes"),
    "programme_attendance": N_("programme attendance"),
    "attendance": N_("programme attendance"),
    "computer_sessions": N_("computer sessions"),
    "wifi_sessions": N_("wifi sessions"),
    "public_computers": N_("public computers"),
    "staff_fte": N_("staff (full-time equivalent)"),
    "operating_expenditure": N_("operating expenditure"),
    "hours_open": N_("opening hours"),
    "service_area_population": N_("population of the service area"),
}

_SDG = {
    "1": N_("No poverty"),
    "2": N_("Zero hunger"),
    "3": N_("Good health and well-being"),
    "4": N_("Quality education"),
    "5": N_("Gender equality"),
    "6": N_("Clean water and sanitation"),
    "7": N_("Affordable and clean energy"),
    "8": N_("Decent work and economic growth"),
    "9": N_("Industry, innovation and infrastructure"),
    "10": N_("Reduced inequalities"),
    "11": N_("Sustainable cities and communities"),
    "12": N_("Responsible consumption and production"),
    "13": N_("Climate action"),
    "14": N_("Life below water"),
    "15": N_("Life on land"),
    "16": N_("Peace, justice and strong institutions"),
    "17": N_("Partnerships for the goals"),
}

_ARTICLE = {
    "19": N_("Freedom of opinion and expression, and to seek and receive information"),
    "21": N_("Taking part in the government of one's country"),
    "26": N_("The right to education"),
    "27": N_("Taking part in the cultural life of the community"),
}

_AGE = {
    "0-9": N_("0–9 years"),
    "10-19": N_("10–19 years"),
    "20-29": N_("20–29 years"),
    "30-39": N_("30–39 years"),
    "40-49": N_("40–49 years"),
    "50-59": N_("50–59 years"),
    "60-69": N_("60–69 years"),
    "70-79": N_("70–79 years"),
    "80+": N_("80 years and over"),
}

_STATUS = {
    "idea": N_("idea"),
    "proposed": N_("proposed"),
    "agreed": N_("agreed"),
    "active": N_("active"),
    "evaluated": N_("evaluated"),
}

_MODE = {
    "walk": N_("walking"),
    "bike": N_("cycling"),
    "drive": N_("driving"),
    "straight": N_("straight line"),
}

_TOPIC = {
    "libraries": N_("Library records"),
    "library_events": N_("Events at libraries"),
    "statistics": N_("Library statistics"),
    "service_flags": N_("Library services"),
    "programmes": N_("Programmes"),
    "attendance": N_("Attendance"),
    "partners": N_("Partners"),
    "access": N_("Access"),
    "plan": N_("Planning"),
    "income": N_("Income groups"),
    "age": N_("Age groups"),
    "venues": N_("Cultural venues"),
    "sdg": N_("Sustainable Development Goals"),
    "rights": N_("Human rights"),
    "culture": N_("Culture 21 Actions"),
    "strategy": N_("City strategy"),
}


def _tr(lang: Lang, table: dict[str, str], key: Any) -> str:
    k = str(key)
    return lang._(table[k]) if k in table else k


def _missing(lang: Lang, ev: Evidence, topic: str) -> Para:
    """The sentence saying what is missing, translated around the (untranslated) command."""
    msg = ev.missing.get(topic, "")
    cmds = [part for i, part in enumerate(msg.split("`")) if i % 2 == 1]
    how = " · ".join(f"`{c}`" for c in cmds)
    return Para(
        lang._(
            "Missing data — {topic}: {what}",
            topic=_tr(lang, _TOPIC, topic),
            what=_missing_text(lang, topic),
        )
        + (" " + lang._("Command that adds it: {commands}", commands=how) if how else ""),
        kind="missing",
    )


def _missing_text(lang: Lang, topic: str) -> str:
    texts = {
        "libraries": N_("the workspace holds no libraries."),
        "library_events": N_(
            "the library records carry no event counts, so libraries and "
            "other venues cannot be compared by events."
        ),
        "statistics": N_(
            "the workspace holds no library statistics (visits, loans, registered "
            "users, programmes, attendance, computer and wifi sessions)."
        ),
        "service_flags": N_(
            "the library records carry no service flags (meeting rooms, opening days)."
        ),
        "programmes": N_("the workspace holds no programmes."),
        "attendance": N_("no programme reports its attendance."),
        "partners": N_("no programme names a partner."),
        "access": N_("no access results yet."),
        "plan": N_(
            "no planning results; the brief shows a one-site straight-line estimate instead."
        ),
        "income": N_(
            "the population data has no income, so access cannot be shown by income group."
        ),
        "age": N_("the population data has no age groups."),
        "venues": N_("the workspace holds no other cultural venues."),
        "sdg": N_("no programme is aligned to the Sustainable Development Goals yet."),
        "rights": N_("no programme is aligned to the Universal Declaration of Human Rights yet."),
        "culture": N_("no programme is aligned to the Culture 21 Actions commitments yet."),
        "strategy": N_("the workspace holds no city strategy goals aligned with programmes."),
    }
    return lang._(texts[topic]) if topic in texts else topic


def display_value(lang: Lang, f: Figure) -> str:
    """The value of a figure as printed in ``lang``."""
    if f.value is None:
        return "–"
    if f.unit == "share":
        return lang.pct(float(f.value))
    if f.unit == "m":
        return lang.int(f.value) + " m"
    if f.unit == "min":
        return lang.num(f.value) + " min"
    return lang.int(f.value)


def _label(lang: Lang, ev: Evidence, f: Figure) -> str:
    """Translated label of a figure."""
    k = f.key
    unit = ev.facts.get("access_unit", "m")
    fixed = {
        "libraries": N_("Library service points"),
        "walk_in_libraries": N_("Walk-in library service points"),
        "venues": N_("Other cultural venues"),
        "venue_events": N_("Events at other cultural venues (where counted)"),
        "library_events": N_("Events at libraries (where counted)"),
        "library_hours_per_year": N_("Public opening hours per year"),
        "programmes": N_("Library programmes and events recorded"),
        "programme_attendance": N_("Attendance at recorded programmes"),
        "programmes_with_partners": N_("Programmes run with partners"),
        "residents": N_("Residents"),
        "mean_dist_m": N_("Mean distance to the nearest library"),
        "mean_time_min": N_("Mean travel time to the nearest library"),
        "share_nearest_culture_library": N_("Residents whose nearest cultural venue is a library"),
        "sdg_goals_served": N_("SDGs with at least one aligned programme"),
        "sdg_aligned_programmes": N_("Programmes aligned to at least one SDG"),
        "udhr_articles": N_("Universal Declaration articles advanced by programmes"),
    }
    if k in fixed:
        return lang._(fixed[k])
    main = ev.facts.get("main_threshold")
    if k.startswith("coverage_"):
        t = k[len("coverage_") :].removesuffix(unit)
        return lang._("Residents within {t} {unit} of a library", t=lang.int(float(t)), unit=unit)
    if k == "underserved_residents":
        return lang._(
            "Residents farther than {t} {unit} from a library", t=lang.int(main), unit=unit
        )
    if k == "worst_district_coverage":
        return lang._(
            "Residents within {t} {unit} of a library in {district}",
            t=lang.int(main),
            unit=unit,
            district=ev.facts.get("worst_district"),
        )
    if k == "worst_district_unserved":
        return lang._(
            "Residents farther than {t} {unit} from a library in {district}",
            t=lang.int(main),
            unit=unit,
            district=ev.facts.get("worst_district"),
        )
    if k == "new_site_gain":
        n = (ev.facts.get("new_site") or {}).get("n_sites", 1)
        if n > 1:
            return lang._(
                "Residents {n} new service points at the best locations would bring within reach",
                n=lang.int(n),
            )
        return lang._("Residents a new service point at the best location would reach")
    if k.startswith("libraries_"):
        return lang._("Libraries: {service}", service=_tr(lang, _FLAG, k[len("libraries_") :]))
    if k.startswith("partnerships_"):
        return lang._(
            "Partnerships with status: {status}",
            status=_tr(lang, _STATUS, k[len("partnerships_") :]),
        )
    if k.startswith("stat_"):
        return lang._("Library statistic: {name}", name=_tr(lang, _STAT, k[5:]))
    if k.startswith("age_") and k.endswith("_within"):
        return lang._(
            "Residents aged {group} within {t} {unit} of a library",
            group=_tr(lang, _AGE, k[4:-7]),
            t=lang.int(ev.facts.get("age_limit")),
            unit=ev.facts.get("age_unit", "m"),
        )
    if k.startswith("access_") and "_coverage_" in k:
        pn = ev.facts.get("partial_network", {})
        return lang._(
            "Residents of the {mode} network area within {t} min of a library",
            mode=_tr(lang, _MODE, pn.get("mode", "")),
            t=lang.int(float(k.rsplit("_", 1)[1][:-3])),
        )
    if k.startswith("access_") and k.endswith("_mean_time_min"):
        return lang._("Mean travel time to the nearest library in the network area")
    if k.startswith("access_") and k.endswith("_residents"):
        return lang._("Residents in the area the street network covers")
    return f.label


def headline_keys(ev: Evidence) -> list[str]:
    """The five headline figures, the best available first."""
    unit = ev.facts.get("access_unit", "m")
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
    return [k for k in prefer if k in ev.figures and ev.value(k) is not None][:5]


# --------------------------------------------------------------------------- sections


def _summary(lang: Lang, ev: Evidence, area: str) -> Section:
    sec = Section("summary", lang._("Summary for the mayor"))
    keys = headline_keys(ev)
    sec.blocks.append(
        Headline(
            [(k, display_value(lang, ev.figures[k]), _label(lang, ev, ev.figures[k])) for k in keys]
        )
    )
    sec.blocks.append(Para(lang._("Three recommendations, derived from the data:"), "note"))
    sec.blocks.append(Bullets(_recommendations(lang, ev, area), ordered=True))
    if "access" in ev.missing:
        sec.blocks.append(_missing(lang, ev, "access"))
    return sec


def _recommendations(lang: Lang, ev: Evidence, area: str) -> list[str]:
    out: list[str] = []
    f = ev.facts
    unit = f.get("access_unit", "m")
    if "worst_district" in f:
        site = f.get("new_site") or {}
        text = lang._(
            "Reach {district} first: {unserved} residents there live farther than {t} {unit} "
            "from a library ({share} within reach).",
            district=f["worst_district"],
            unserved=lang.int(ev.value("worst_district_unserved")),
            t=lang.int(f["main_threshold"]),
            unit=unit,
            share=lang.pct(ev.value("worst_district_coverage")),
        )
        if site.get("residents_gained") and site.get("n_sites", 1) > 1:
            text += " " + lang._(
                "The newest plan puts {n} new service points where they bring {gain} more "
                "residents within reach; the one that reaches most is marked on the map of gaps "
                "({lat}° N, {lon}° E).",
                n=lang.int(site["n_sites"]),
                gain=lang.int(site["residents_gained"]),
                lat=lang.num(site["lat"], 3),
                lon=lang.num(site["lon"], 3),
            )
        elif site.get("residents_gained"):
            where = site.get("district") or f["worst_district"]
            text += " " + lang._(
                "A new service point, a mobile-library stop or outreach at the location marked "
                "on the map of gaps (in {where}, {lat}° N, {lon}° E) would bring {gain} "
                "residents within reach.",
                where=where,
                lat=lang.num(site["lat"], 3),
                lon=lang.num(site["lon"], 3),
                gain=lang.int(site["residents_gained"]),
            )
        out.append(text)
    cat = ev.tables.get("library_catchments")
    if cat is not None and len(cat) and cat["open_sundays"].notna().any():
        closed = cat[cat["open_sundays"] == False]  # noqa: E712 (None means unknown)
        if len(closed):
            top = closed.iloc[0]
            out.append(
                lang._(
                    "Open longer where most people live: only {n} of {m} libraries open on Sundays. "
                    "{name} is the nearest library for {residents} residents and is closed on "
                    "Sundays; Sunday opening there would serve the most people.",
                    n=lang.int(ev.value("libraries_open_sundays")),
                    m=lang.int(_flag_of(ev, "open_sundays")),
                    name=top["name"],
                    residents=lang.int(top["residents"]),
                )
            )
    sdg = ev.tables.get("sdg")
    if sdg is not None and len(sdg):
        top = sdg.sort_values("programmes", ascending=False).iloc[0]
        gaps = [
            g
            for g in ("10", "11", "16", "17")
            if int(sdg.loc[sdg["goal"] == g, "programmes"].iloc[0]) == 0
        ]
        text = lang._(
            "Tell the city's development story: library programmes already serve "
            "SDG {goal} ({title}) with {n} programmes.",
            goal=top["goal"],
            title=_tr(lang, _SDG, top["goal"]),
            n=lang.int(top["programmes"]),
        )
        if gaps:
            text += " " + lang._(
                "No programme yet addresses SDG {goals}: a partnership with the city's services "
                "would fill that gap.",
                goals=", ".join(gaps),
            )
        out.append(text)
    share = ev.value("share_nearest_culture_library")
    vev = ev.tables.get("venue_events")
    if len(out) < 3 and share is not None:
        text = lang._(
            "Use the library as the city's cultural front door: for {share} of "
            "residents the nearest cultural venue is a library.",
            share=lang.pct(share),
        )
        if vev is not None and len(vev):
            v0 = vev.iloc[0]
            text += " " + lang._(
                "Bring the programme of the busiest venue, {venue} ({n} events), to the "
                "branches through a partnership.",
                venue=v0["name"],
                n=lang.int(v0["n_events"]),
            )
        out.append(text)
    if len(out) < 3:
        n_att = ev.value("programme_attendance")
        out.append(
            lang._(
                "Record the evidence: {n} programmes are in the workspace, {a} report attendance "
                "figures and {p} name partners. Recording both, and running `libpolis align`, "
                "shows the council what the libraries deliver.",
                n=lang.int(ev.value("programmes") or 0),
                a=lang._("none") if n_att is None else lang.int(n_att),
                p=lang.int(ev.value("programmes_with_partners") or 0),
            )
        )
    if not out:
        out.append(
            lang._(
                "Import libraries, population and programmes to derive "
                "recommendations: `libpolis import --help`."
            )
        )
    return out[:3]


def _flag_of(ev: Evidence, flag: str) -> int | None:
    t = ev.tables.get("service_flags")
    if t is None or flag not in set(t["flag"]):
        return None
    return int(t.loc[t["flag"] == flag, "of"].iloc[0])


def _libraries(lang: Lang, ev: Evidence, area: str) -> Section:
    sec = Section("libraries", lang._("Libraries in the city"))
    if "libraries" in ev.missing:
        sec.blocks.append(_missing(lang, ev, "libraries"))
        return sec
    n = ev.value("libraries")
    sec.blocks.append(
        Para(
            lang._(
                "{area} has {n} library service points, {w} of them walk-in libraries, and {v} other "
                "cultural venues in the workspace.",
                area=area,
                n=lang.int(n),
                w=lang.int(ev.value("walk_in_libraries")),
                v=lang.int(ev.value("venues")),
            )
        )
    )
    kinds = ev.tables.get("library_kinds")
    if kinds is not None and len(kinds):
        sec.blocks.append(
            Table(
                lang._("Library service points by kind"),
                [lang._("kind"), lang._("number")],
                [[_tr(lang, _KIND, r.kind), lang.int(r.count)] for r in kinds.itertuples()],
                [False, True],
            )
        )
    st = ev.tables.get("statistics")
    if st is not None and len(st):
        sec.blocks.append(
            Table(
                lang._(
                    "Library statistics held in the workspace ({year})",
                    year=ev.facts.get("statistics_year"),
                ),
                [lang._("statistic"), lang._("value"), lang._("reporting units")],
                [
                    [_tr(lang, _STAT, r.name), lang.int(r.value), lang.int(r.subjects)]
                    for r in st.itertuples()
                ],
                [False, True, True],
            )
        )
        visits = ev.value("stat_visits")
        people = ev.value("stat_service_area_population") or ev.value("residents")
        if visits is not None and people:
            sec.blocks.append(
                Para(
                    lang._(
                        "Libraries recorded {v} visits in {year}: {pc} visits per resident of "
                        "the area they serve.",
                        v=lang.int(visits),
                        year=ev.facts.get("statistics_year"),
                        pc=lang.num(visits / people),
                    )
                )
            )
    else:
        sec.blocks.append(_missing(lang, ev, "statistics"))
    # beside the other venues
    share = ev.value("share_nearest_culture_library")
    if share is not None:
        sec.blocks.append(
            Para(
                lang._(
                    "Is the library the nearest cultural institution? For {share} of residents the "
                    "nearest cultural venue — of {v} museums, galleries, theatres, arts centres and "
                    "cinemas — is a library.",
                    share=lang.pct(share),
                    v=lang.int(ev.value("venues")),
                )
            )
        )
    ck = ev.tables.get("culture_kinds")
    if ck is not None and len(ck):
        unit = ev.facts.get("access_unit", "m")
        sec.blocks.append(
            Table(
                lang._("How near is each kind of cultural institution? Median for residents"),
                [lang._("kind"), lang._("median ({unit})", unit=unit)],
                [
                    [
                        _tr(lang, _KIND, r.kind),
                        lang.int(r.median) if unit == "m" else lang.num(r.median),
                    ]
                    for r in ck.itertuples()
                ],
                [False, True],
            )
        )
    if "venues" in ev.missing:
        sec.blocks.append(_missing(lang, ev, "venues"))
    vk = ev.tables.get("venue_kinds")
    if vk is not None and len(vk):
        sec.blocks.append(
            Table(
                lang._("Other cultural venues by kind"),
                [lang._("kind"), lang._("number")],
                [[_tr(lang, _KIND, r.kind), lang.int(r.count)] for r in vk.itertuples()],
                [False, True],
            )
        )
    vev = ev.tables.get("venue_events")
    if vev is not None and len(vev):
        sec.blocks.append(
            Table(
                lang._("Cultural venues with the most events (where counted)"),
                [lang._("venue"), lang._("kind"), lang._("events")],
                [
                    [r.name, _tr(lang, _KIND, r.kind), lang.int(r.n_events)]
                    for r in vev.itertuples()
                ],
                [False, False, True],
            )
        )
    if "library_events" in ev.missing:
        sec.blocks.append(_missing(lang, ev, "library_events"))
    else:
        sec.blocks.append(
            Para(
                lang._(
                    "Is the library the most visited? Libraries hosted {a} events, the other venues {b} "
                    "(where counted).",
                    a=lang.int(ev.value("library_events")),
                    b=lang.int(ev.value("venue_events")),
                )
            )
        )
    return sec


def _culture(lang: Lang, ev: Evidence, area: str, ctx: dict[str, Any]) -> Section:
    sec = Section("culture", lang._("Culture for all: access and coverage"))
    if "access" in ev.missing:
        sec.blocks.append(_missing(lang, ev, "access"))
        return sec
    f = ev.facts
    unit = f["access_unit"]
    how = (
        lang._(
            "travel time on the street network ({mode})", mode=_tr(lang, _MODE, f["access_mode"])
        )
        if unit == "min"
        else lang._("straight-line distance")
    )
    sec.blocks.append(
        Para(
            lang._(
                "Of {res} residents, {share} live within {t} {unit} of a walk-in library ({how}); the "
                "mean is {mean}.",
                res=lang.int(ev.value("residents")),
                share=lang.pct(ev.value(f"coverage_{f['main_threshold']:g}{unit}")),
                t=lang.int(f["main_threshold"]),
                unit=unit,
                how=how,
                mean=display_value(
                    lang, ev.figures["mean_time_min" if unit == "min" else "mean_dist_m"]
                ),
            )
        )
    )
    sec.blocks.append(ctx["access_map"])
    sec.blocks.append(ctx["coverage_chart"])
    d = ev.tables.get("districts")
    if d is not None and len(d):
        ts = f["thresholds"]
        sec.blocks.append(
            Table(
                lang._("Residents within reach of a library, by district"),
                [lang._("district"), lang._("residents"), lang._("mean ({unit})", unit=unit)]
                + [lang._("within {t} {unit}", t=lang.int(t), unit=unit) for t in ts],
                [
                    [
                        r["district"],
                        lang.int(r["residents"]),
                        lang.int(r["mean"]) if unit == "m" else lang.num(r["mean"]),
                    ]
                    + [lang.pct(r.get(f"within_{t:g}")) for t in ts]
                    for r in d.sort_values("district").to_dict("records")
                ],
                [False, True, True] + [True] * len(ts),
            )
        )
    pn = f.get("partial_network")
    if pn:
        main_pn = 15.0 if 15.0 in pn["thresholds"] else pn["thresholds"][-1]
        key = next((k for k in ev.figures if k.endswith(f"_coverage_{main_pn:g}min")), None)
        mean_key = next(
            (k for k in ev.figures if k.endswith("_mean_time_min") and k.startswith("access_")),
            None,
        )
        sec.blocks.append(
            Para(
                lang._(
                    "On the street network ({file}), which covers {res} residents of the "
                    "centre, {share} of them live within {t} min of a library ({mode}); the mean is {mean} min. The other {out} "
                    "residents lie outside this network extract.",
                    file=pn["file"],
                    res=lang.int(pn["residents"]),
                    share=lang.pct(ev.value(key)) if key else "–",
                    t=lang.int(main_pn),
                    mode=_tr(lang, _MODE, pn["mode"]),
                    mean=lang.num(ev.value(mean_key)) if mean_key else "–",
                    out=lang.int(pn["residents_outside"]),
                )
            )
        )
    if "age_chart" in ctx:
        ag = ev.tables["age_groups"]
        au = f.get("age_unit", "m")
        sec.blocks.append(ctx["age_chart"])
        sec.blocks.append(
            Table(
                lang._("Access by age group ({source})", source=f["age_source"]),
                [
                    lang._("age group"),
                    lang._("residents"),
                    lang._("within {t} {unit}", t=lang.int(f["age_limit"]), unit=au),
                ],
                [
                    [_tr(lang, _AGE, r.group), lang.int(r.residents), lang.pct(r.share)]
                    for r in ag.itertuples()
                ],
                [False, True, True],
            )
        )
    elif "age" in ev.missing:
        sec.blocks.append(_missing(lang, ev, "age"))
    inc = ev.tables.get("income_groups")
    if inc is not None and len(inc):
        mcol = "mean_time_min" if unit == "min" else "mean_dist_m"
        sec.blocks.append(
            Table(
                lang._("Access by income quintile (1 = lowest incomes)"),
                [
                    lang._("income group"),
                    lang._("residents"),
                    lang._("mean ({unit})", unit=unit),
                ],
                [
                    [
                        str(r["quantile"]),
                        lang.int(r["population"]),
                        lang.int(r[mcol]) if unit == "m" else lang.num(r[mcol]),
                    ]
                    for r in inc.to_dict("records")
                ],
                [False, True, True],
            )
        )
    elif "income" in ev.missing:
        sec.blocks.append(_missing(lang, ev, "income"))
    return sec


def _city(lang: Lang, ev: Evidence, area: str, ctx: dict[str, Any]) -> Section:
    sec = Section("city", lang._("The right to the city"))
    sec.blocks.append(Para(lang._("Who is underserved?"), "h3"))
    if "access" in ev.missing:
        sec.blocks.append(_missing(lang, ev, "access"))
    else:
        f = ev.facts
        sec.blocks.append(
            Para(
                lang._(
                    "{n} residents live farther than {t} {unit} from a walk-in library. The most "
                    "underserved district is {district}.",
                    n=lang.int(ev.value("underserved_residents")),
                    t=lang.int(f["main_threshold"]),
                    unit=f["access_unit"],
                    district=f.get("worst_district", "–"),
                )
            )
        )
        sec.blocks.append(ctx["gap_map"])
        d = ev.tables.get("districts")
        if d is not None and len(d):
            top = d.sort_values("unserved", ascending=False)
            sec.blocks.append(
                Table(
                    lang._("Residents beyond reach, by district"),
                    [lang._("district"), lang._("residents beyond reach"), lang._("of residents")],
                    [
                        [
                            r["district"],
                            lang.int(r["unserved"]),
                            lang.pct(r["unserved"] / r["residents"] if r["residents"] else None),
                        ]
                        for r in top.to_dict("records")
                    ],
                    [False, True, True],
                )
            )
        if "plan" in ev.missing:
            sec.blocks.append(_missing(lang, ev, "plan"))
    sec.blocks.append(Para(lang._("The library as a place of interaction"), "h3"))
    flags = ev.tables.get("service_flags")
    if flags is not None and len(flags):
        sec.blocks.append(
            Table(
                lang._("Libraries offering each service"),
                [lang._("service"), lang._("libraries"), lang._("of libraries stating it")],
                [
                    [_tr(lang, _FLAG, r.flag), lang.int(r.count), lang.int(r.of)]
                    for r in flags.itertuples()
                ],
                [False, True, True],
            )
        )
    else:
        sec.blocks.append(_missing(lang, ev, "service_flags"))
    if "library_hours_per_year" in ev.figures:
        sec.blocks.append(
            Para(
                lang._(
                    "The libraries are open {h} hours a year in total.",
                    h=lang.int(ev.value("library_hours_per_year")),
                )
            )
        )
    pw = ev.tables.get("programmes_with_partners")
    if "programmes" in ev.missing:
        sec.blocks.append(_missing(lang, ev, "programmes"))
    elif pw is not None and len(pw):
        sec.blocks.append(
            Table(
                lang._("Programmes run with partners from other services"),
                [lang._("programme"), lang._("library"), lang._("partners")],
                [[r.title, r.library_name or "", r.partners] for r in pw.head(12).itertuples()],
                [False, False, False],
            )
        )
    else:
        sec.blocks.append(_missing(lang, ev, "partners"))
    return sec


def _development(lang: Lang, ev: Evidence, ctx: dict[str, Any]) -> Section:
    sec = Section("development", lang._("Development: the Sustainable Development Goals"))
    sdg = ev.tables.get("sdg")
    if sdg is None or not len(sdg):
        sec.blocks.append(_missing(lang, ev, "sdg"))
        return sec
    st = ev.facts.get("sdg_status", {})
    sec.blocks.append(
        Para(
            lang._(
                "{p} programmes serve {g} of the 17 goals. Alignments: {c} confirmed by people, {s} "
                "suggested by libpolis and not yet reviewed.",
                p=lang.int(ev.value("sdg_aligned_programmes")),
                g=lang.int(ev.value("sdg_goals_served")),
                c=lang.int(st.get("confirmed", 0)),
                s=lang.int(st.get("suggested", 0)),
            )
        )
    )
    sec.blocks.append(ctx["sdg_chart"])
    rows = []
    for r in sdg.itertuples():
        rows.append(
            [
                r.goal,
                _tr(lang, _SDG, r.goal),
                lang.int(r.programmes),
                lang.int(r.confirmed),
                "–" if pd.isna(r.attendance) else lang.int(r.attendance),
                "; ".join(r.examples),
            ]
        )
    sec.blocks.append(
        Table(
            lang._("Programmes and attendance by SDG, with examples"),
            [
                lang._("SDG"),
                lang._("goal"),
                lang._("programmes"),
                lang._("confirmed"),
                lang._("attendance"),
                lang._("examples"),
            ],
            rows,
            [True, False, True, True, True, False],
        )
    )
    if "attendance" in ev.missing:
        sec.blocks.append(_missing(lang, ev, "attendance"))
    return sec


def _rights(lang: Lang, ev: Evidence) -> Section:
    sec = Section("rights", lang._("Human rights at the local level"))
    r = ev.tables.get("rights")
    if r is None or not len(r) or r["programmes"].sum() == 0:
        sec.blocks.append(
            Para(
                lang._(
                    "Libraries advance the rights of the Universal Declaration of Human Rights to seek "
                    "and receive information (article {a}), to take part in public life (article {b}), "
                    "to education (article {c}) and to take part in cultural life (article {d}).",
                    a="19",
                    b="21",
                    c="26",
                    d="27",
                )
            )
        )
        sec.blocks.append(_missing(lang, ev, "rights"))
        return sec
    sec.blocks.append(
        Para(
            lang._(
                "Programmes advance {n} articles of the Universal Declaration of Human Rights.",
                n=lang.int(ev.value("udhr_articles")),
            )
        )
    )
    sec.blocks.append(
        Table(
            lang._("Universal Declaration articles and the programmes that advance them"),
            [lang._("article"), lang._("right"), lang._("programmes"), lang._("examples")],
            [
                [
                    x.article,
                    lang._(_ARTICLE[x.article])
                    if x.article in _ARTICLE
                    else ((x.titles or {}).get(lang.code) or x.title or ""),
                    lang.int(x.programmes),
                    "; ".join(x.examples) if x.examples else "–",
                ]
                for x in r.itertuples()
            ],
            [True, False, True, False],
        )
    )
    missing_focus = [
        a for a in FOCUS_ARTICLES if int(r.loc[r["article"] == a, "programmes"].iloc[0]) == 0
    ]
    if missing_focus:
        sec.blocks.append(
            Para(
                lang._(
                    "No programme yet advances article(s) {arts}: a partnership opportunity.",
                    arts=", ".join(missing_focus),
                ),
                "note",
            )
        )
    return sec


def _partnerships(lang: Lang, ev: Evidence) -> Section:
    sec = Section("partnerships", lang._("Partnership opportunities"))
    any_table = False
    for kind, title in (
        ("strategy", N_("The city's strategy goals and library programmes")),
        ("culture", N_("Culture 21 Actions commitments and library programmes")),
    ):
        t = ev.tables.get(kind)
        if t is None or not len(t):
            sec.blocks.append(_missing(lang, ev, kind))
            continue
        any_table = True
        sec.blocks.append(
            Table(
                lang._(title),
                [
                    lang._("goal"),
                    lang._("programmes"),
                    lang._("examples"),
                    lang._("partners named"),
                ],
                [
                    [
                        f"{x.code}. {(x.titles or {}).get(lang.code) or x.title}",
                        lang.int(x.programmes),
                        "; ".join(x.examples),
                        ", ".join(x.partners) if x.partners else "–",
                    ]
                    for x in t.itertuples()
                ],
                [False, True, False, False],
            )
        )
    ships = ev.tables.get("partnerships")
    if ships is not None and len(ships):
        sec.blocks.append(
            Table(
                lang._("Partnerships in the register"),
                [lang._("partnership"), lang._("partner"), lang._("status"), lang._("district")],
                [
                    [r.title, r.partner or "–", _tr(lang, _STATUS, r.status), r.district or "–"]
                    for r in ships.itertuples()
                ],
                [False, False, False, False],
            )
        )
    free = ev.tables.get("partners_without_partnership")
    if free is not None and len(free):
        sec.blocks.append(
            Para(
                lang._(
                    "Partners already known to the libraries but without a partnership yet: "
                    "{names}.",
                    names=", ".join(free["name"].head(12)),
                )
            )
        )
    vev = ev.tables.get("venue_events")
    if vev is not None and len(vev):
        names = ", ".join(vev["name"].head(5))
        sec.blocks.append(
            Para(
                lang._(
                    "Possible partners among the city's cultural venues (the busiest by events): "
                    "{names}.",
                    names=names,
                )
            )
        )
    if not any_table:
        sec.blocks.append(
            Para(
                lang._(
                    "Once programmes are aligned, this section lists each goal with the programmes that "
                    "serve it and the partners they name."
                ),
                "note",
            )
        )
    return sec


def _methods(lang: Lang, ev: Evidence) -> Section:
    sec = Section("methods", lang._("Methods and sources"))
    sec.blocks.append(
        Para(
            lang._(
                "Every figure in this brief, with its method, its sources and the libpolis command that "
                "reproduces it. Each source is described (publisher, licence, attribution, date of "
                "import) in the table of data sets below."
            )
        )
    )

    rows = [
        [
            _label(lang, ev, f),
            display_value(lang, f),
            f.method,
            "; ".join(f.sources),
            f"`{f.command}`",
        ]
        for f in ev.figures.values()
    ]
    sec.blocks.append(
        Table(
            lang._("Figures"),
            [
                lang._("figure"),
                lang._("value"),
                lang._("method"),
                lang._("sources"),
                lang._("command"),
            ],
            rows,
            [False, True, False, False, False],
        )
    )
    sec.blocks.append(
        Table(
            lang._("Data sets"),
            [
                lang._("source"),
                lang._("publisher"),
                lang._("licence"),
                lang._("attribution"),
                lang._("rows"),
                lang._("imported"),
            ],
            [
                [
                    r["source"],
                    r["publisher"] or "",
                    r["licence"] or "",
                    r["attribution"] or "",
                    lang.int(r["rows"]),
                    lang.date(r["imported_at"]),
                ]
                for r in ev.sources.to_dict("records")
            ],
            [False, False, False, False, True, False],
        )
    )
    if ev.runs:
        sec.blocks.append(
            Table(
                lang._("Analysis runs"),
                [lang._("step"), lang._("command")],
                [[r["step"], f"`{r['command']}`"] for r in ev.runs],
                [False, False],
            )
        )
    sec.blocks.append(
        Para(
            lang._(
                "Texts of the programmes are shown as published; English is the reference language of "
                "the methods column."
            ),
            "note",
        )
    )
    return sec


# --------------------------------------------------------------------------- charts context


def _charts(
    lang: Lang, ev: Evidence, libs: pd.DataFrame, districts: pd.DataFrame, area: str
) -> dict[str, Any]:
    ctx: dict[str, Any] = {}
    f = ev.facts
    units = ev.tables.get("access_units")
    if units is not None and len(units) and "access" not in ev.missing:
        unit = f["access_unit"]
        cost = "time_min" if unit == "min" else "dist_m"
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
        svg = maps.access_map_svg(units, libs, districts, cost_col=cost, cap=cap, words=words)
        ctx["access_map"] = Chart(
            "access_map",
            svg,
            lang._(
                "Map of {area}: each populated cell coloured by its {what} to the nearest "
                "library, from light (near) to dark (far); libraries as triangles; district "
                "boundaries in grey.",
                area=area,
                what=lang._("travel time") if unit == "min" else lang._("distance"),
            ),
            lang._(
                "Access map: distance or travel time to the nearest library for every "
                "populated cell."
            ),
            geojson=maps.access_geojson(
                units, libs, districts, cost_col=cost, site=f.get("new_site")
            ),
        )
        main = f["main_threshold"]
        site = f.get("new_site")
        ctx["gap_map"] = Chart(
            "gap_map",
            maps.gap_map_svg(
                units, libs, districts, cost_col=cost, threshold=main, site=site, words=words
            ),
            lang._(
                "Map of gaps in {area}: cells whose residents live beyond {t} {unit} of a "
                "library in orange, cells within reach in light blue, libraries as triangles "
                "and the suggested new service point as a star.",
                area=area,
                t=lang.int(main),
                unit=unit,
            ),
            lang._(
                "Who is underserved: residents beyond {t} {unit} of a library.",
                t=lang.int(main),
                unit=unit,
            ),
        )
        curve = ev.tables["coverage_curve"]
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
                "Coverage curve: share of residents within reach by {what}.",
                what=lang._("travel time") if unit == "min" else lang._("distance"),
            ),
        )
    ag = ev.tables.get("age_groups")
    if ag is not None and len(ag):
        labels = [_tr(lang, _AGE, g) for g in ag["group"]]
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
                glo=_tr(lang, _AGE, lo["group"]),
                hi=lang.pct(hi["share"]),
                ghi=_tr(lang, _AGE, hi["group"]),
            ),
            lang._("Access by age group."),
        )
    sdg = ev.tables.get("sdg")
    if sdg is not None and len(sdg):
        labels = [f"{g}. {_tr(lang, _SDG, g)}" for g in sdg["goal"]]
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


def build_document(
    ev: Evidence,
    lang: Lang,
    *,
    area: str,
    libraries: pd.DataFrame,
    districts: pd.DataFrame,
    today: date,
) -> Document:
    """Turn the evidence into the translated document of the brief."""
    ctx = _charts(lang, ev, libraries, districts, area)
    sections = [
        _summary(lang, ev, area),
        _libraries(lang, ev, area),
        _culture(lang, ev, area, ctx),
        _city(lang, ev, area, ctx),
        _development(lang, ev, ctx),
        _rights(lang, ev),
        _partnerships(lang, ev),
        _methods(lang, ev),
    ]
    strings = {
        "contents": lang._("Contents"),
        "page": lang._("Page"),
        "skip": lang._("Skip to the contents"),
        "made": lang._("Built by libpolis on {date} from the workspace.", date=lang.date(today)),
        "interactive": lang._("Interactive map (needs JavaScript; works offline)"),
        "layers_units": lang._("residents by distance"),
        "layers_libraries": lang._("libraries"),
        "layers_districts": lang._("districts"),
    }
    headline = []
    for b in sections[0].blocks:
        if isinstance(b, Headline):
            headline = [(k, v) for k, v, _ in b.items]
    return Document(
        lang=lang.code,
        title=lang._("Libraries and the city: {area}", area=area),
        subtitle=lang._("Evidence brief for the mayor, built from open data."),
        date=lang.date(today),
        sections=sections,
        strings=strings,
        headline=headline,
    )
