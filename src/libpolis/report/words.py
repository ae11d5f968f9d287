"""The words of the brief: translated names of kinds, services, goals, modes and topics; the
sentences saying what is missing; the translated label of every figure."""

from __future__ import annotations

from typing import Any

from libpolis.evidence import Evidence, Figure
from libpolis.report.blocks import Para
from libpolis.report.i18n import N_, Lang

__all__ = [
    "area_name",
    "cap",
    "label",
    "measure_word",
    "missing",
    "mode_word",
    "tr",
]

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
    "ended": N_("ended"),
}

# a travel mode: its name in words, and what is measured in it
_MODE = {
    "walk": (N_("walking"), N_("walking times")),
    "bike": (N_("cycling"), N_("cycling times")),
    "drive": (N_("driving"), N_("driving times")),
    "straight": (N_("straight line"), N_("straight-line distances")),
}

_TOPIC = {
    "place_name": N_("City name"),
    "districts": N_("Districts"),
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
    "scenarios": N_("Scenarios"),
}


def tr(lang: Lang, table: dict[str, str], key: Any) -> str:
    """The translation of ``key`` in ``table``, else ``key`` as it is."""
    k = str(key)
    return lang._(table[k]) if k in table else k


def _mode_text(lang: Lang, mode: str | None, which: int) -> str:
    k = str(mode or "straight")
    return lang._(_MODE[k][which]) if k in _MODE else k


def mode_word(lang: Lang, mode: str | None) -> str:
    """The travel mode in words ("walking", "straight line")."""
    return _mode_text(lang, mode, 0)


def measure_word(lang: Lang, mode: str | None) -> str:
    """What is measured in ``mode`` ("walking times", "straight-line distances")."""
    return _mode_text(lang, mode, 1)


def cap(text: str) -> str:
    """``text`` with its first letter in upper case (to start a sentence)."""
    return text[:1].upper() + text[1:]


def area_name(lang: Lang, ev: Evidence) -> str:
    """The city's name, or "the city" when the workspace has none."""
    return ev.place_name or lang._("the city")


def missing(lang: Lang, ev: Evidence, topic: str) -> Para:
    """The sentence saying what is missing, translated around the (untranslated) commands."""
    msg = ev.missing.get(topic, "")
    cmds = [part for i, part in enumerate(msg.split("`")) if i % 2 == 1]
    how = " · ".join(f"`{c}`" for c in cmds)
    return Para(
        lang._(
            "Missing data — {topic}: {what}",
            topic=tr(lang, _TOPIC, topic),
            what=_missing_text(lang, topic, msg),
        )
        + (" " + lang._("Command that adds it: {commands}", commands=how) if how else ""),
        kind="missing",
    )


def _missing_text(lang: Lang, topic: str, msg: str) -> str:
    if topic == "access" and "import population" in msg:
        return lang._("the workspace holds no population, so access cannot be measured.")
    if topic == "access" and "import osm" in msg:
        return lang._("the workspace holds no walk-in libraries, so access cannot be measured.")
    if topic == "age" and msg.startswith("no population"):
        return lang._("the workspace holds no population.")
    if topic == "districts" and "import areas" not in msg:
        return lang._("the access results hold no table by district yet.")
    if topic == "plan" and "straight-line estimate" not in msg:
        return lang._("no planning results.")
    texts = {
        "place_name": N_("the workspace has no city name."),
        "districts": N_("the workspace holds no districts, so access cannot be shown by district."),
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
        "scenarios": N_("no scenario (a closure, longer hours, mobile stops) is stored yet."),
    }
    return lang._(texts[topic]) if topic in texts else topic


#: Count figures whose label is a plural noun: the singular when the count is one.
_ONE = {
    "libraries": N_("Library service point"),
    "walk_in_libraries": N_("Walk-in library service point"),
    "venues": N_("Other cultural venue"),
}

_FIXED = {
    "libraries": N_("Library service points"),
    "walk_in_libraries": N_("Walk-in library service points"),
    "venues": N_("Other cultural venues"),
    "venue_events": N_("Events at other cultural venues (where counted)"),
    "library_events": N_("Events at libraries (where counted)"),
    "library_hours_per_year": N_("Public opening hours per year"),
    "programmes": N_("Library programmes and events at the city's libraries"),
    "programmes_recorded": N_("Programme records in the workspace"),
    "programmes_outside": N_("Programmes at libraries outside the city"),
    "programmes_unmatched": N_("Programmes naming no library of the workspace"),
    "programme_attendance": N_("Attendance at recorded programmes"),
    "programmes_with_attendance": N_("Programmes reporting their attendance"),
    "programmes_with_partners": N_("Programmes run with partners"),
    "residents": N_("Residents"),
    "mean_dist_m": N_("Mean distance to the nearest library"),
    "mean_time_min": N_("Mean travel time to the nearest library"),
    "share_nearest_culture_library": N_("Residents whose nearest cultural venue is a library"),
    "sdg_goals_served": N_("SDGs with at least one aligned programme"),
    "sdg_aligned_programmes": N_("Programmes aligned to at least one SDG"),
    "udhr_articles": N_("Universal Declaration articles advanced by programmes"),
    "gini": N_("Gini index of access to a library"),
    "concentration_index": N_("Concentration index of access by income"),
    "e2sfca_mean": N_("Mean E2SFCA score (library supply per 1,000 residents)"),
    "e2sfca_median": N_("Median E2SFCA score (library supply per 1,000 residents)"),
    "e2sfca_p10": N_("E2SFCA score of the 10 % least served"),
    "e2sfca_p90": N_("E2SFCA score of the 10 % best served"),
    "e2sfca_residents_zero": N_("Residents with no library within the E2SFCA catchment"),
}


# the labels of the figures measured at the main threshold ({t} {unit}), in the worst
# district where they say so
_AT_MAIN_THRESHOLD = {
    "underserved_residents": N_("Residents farther than {t} {unit} from a library"),
    "worst_district_coverage": N_("Residents within {t} {unit} of a library in {district}"),
    "worst_district_unserved": N_("Residents farther than {t} {unit} from a library in {district}"),
}


def label(lang: Lang, ev: Evidence, f: Figure) -> str:
    """Translated label of a figure; an access figure names its travel mode."""
    text = _label(lang, ev, f)
    estimate = f.key == "new_site_gain" and not (ev.facts.get("new_site") or {}).get("from_plan")
    if f.mode and not f.key.startswith("access_") and not estimate:  # the estimate says its mode
        text = lang._("{label} ({mode})", label=text, mode=mode_word(lang, f.mode))
    return text


def _label(lang: Lang, ev: Evidence, f: Figure) -> str:
    k = f.key
    unit = ev.headline_unit or "m"
    if k in _ONE and f.value == 1:
        return lang._(_ONE[k])
    if k in _FIXED:
        return lang._(_FIXED[k])
    main = ev.facts.get("main_threshold")
    if k.startswith("coverage_"):
        t = k[len("coverage_") :].removesuffix(unit)
        return lang._("Residents within {t} {unit} of a library", t=lang.int(float(t)), unit=unit)
    if k in _AT_MAIN_THRESHOLD:
        return lang._(
            _AT_MAIN_THRESHOLD[k],
            t=lang.int(main),
            unit=unit,
            district=ev.facts.get("worst_district"),
        )
    if k == "new_site_gain":
        site = ev.facts.get("new_site") or {}
        if not site.get("from_plan"):
            return lang._(
                "Residents a new service point at the best location would bring within "
                "{radius} m (straight-line estimate)",
                radius=lang.int(site.get("radius_m")),
            )
        return lang.ngettext(
            "Residents {n} new service point at the best location would bring within reach",
            "Residents {n} new service points at the best locations would bring within reach",
            site.get("n_sites", 1),
        )
    if k.startswith("libraries_"):
        return lang._("Libraries: {service}", service=tr(lang, _FLAG, k[len("libraries_") :]))
    if k.startswith("partnerships_"):
        return lang._(
            "Partnerships with status: {status}",
            status=tr(lang, _STATUS, k[len("partnerships_") :]),
        )
    if k.startswith("stat_"):
        return lang._("Library statistic: {name}", name=tr(lang, _STAT, k[5:]))
    if k.startswith("age_") and k.endswith("_within"):
        return lang._(
            "Residents aged {group} within {t} {unit} of a library",
            group=tr(lang, _AGE, k[4:-7]),
            t=lang.int(ev.facts.get("age_limit")),
            unit=ev.facts.get("age_unit", "m"),
        )
    return _partial_label(lang, ev, f)


def _partial_label(lang: Lang, ev: Evidence, f: Figure) -> str:
    k = f.key
    pn = ev.facts.get("partial_network") or {}
    step = str(pn.get("step", ""))
    if not step or not k.startswith(step + "_"):
        return f.label
    rest = k[len(step) + 1 :]
    mode = mode_word(lang, pn.get("mode"))
    if rest.startswith("coverage_"):
        return lang._(
            "Residents of the {mode} network area within {t} min of a library",
            mode=mode,
            t=lang.int(float(rest[len("coverage_") :].removesuffix("min"))),
        )
    if rest == "mean_time_min":
        return lang._(
            "Mean travel time to the nearest library in the {mode} network area", mode=mode
        )
    if rest == "residents":
        return lang._("Residents in the area the street network covers ({mode})", mode=mode)
    if rest == "e2sfca_mean":
        return lang._("Mean E2SFCA score in the {mode} network area", mode=mode)
    if rest == "gini":
        return lang._("Gini index of travel time in the {mode} network area", mode=mode)
    return f.label
