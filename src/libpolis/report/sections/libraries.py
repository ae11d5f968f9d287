"""Libraries in the city: service points, statistics and the other cultural venues."""

from __future__ import annotations

import pandas as pd

from libpolis.evidence import Evidence
from libpolis.report.blocks import Para, Section
from libpolis.report.i18n import Lang
from libpolis.report.sections.tables import add_table
from libpolis.report.words import _KIND, _STAT, area_name, cap, missing, mode_word, tr

__all__ = ["libraries"]


def _count_sentence(lang: Lang, ev: Evidence) -> str:
    points = lang.ngettext(
        "{n} library service point", "{n} library service points", ev.value("libraries") or 0
    )
    walk = lang.ngettext(
        "{n} of them a walk-in library",
        "{n} of them walk-in libraries",
        ev.value("walk_in_libraries") or 0,
    )
    venues = lang.ngettext(
        "{n} other cultural venue", "{n} other cultural venues", ev.value("venues") or 0
    )
    return lang._(
        "{area} has {points}, {walk}, and {venues} in the workspace.",
        area=cap(area_name(lang, ev)),
        points=points,
        walk=walk,
        venues=venues,
    )


def _kind_counts(lang: Lang, sec: Section, frame: pd.DataFrame | None, caption: str) -> None:
    """How many places of each kind (libraries, or the other venues)."""
    add_table(
        sec,
        frame,
        caption,
        [lang._("kind"), lang._("number")],
        lambda r: [tr(lang, _KIND, r.kind), lang.int(r.count)],
        [False, True],
    )


def libraries(lang: Lang, ev: Evidence) -> Section:
    sec = Section("libraries", lang._("Libraries in the city"))
    if "libraries" in ev.missing:
        sec.blocks.append(missing(lang, ev, "libraries"))
        return sec
    sec.blocks.append(Para(_count_sentence(lang, ev)))
    _kind_counts(
        lang, sec, ev.tables.get("library_kinds"), lang._("Library service points by kind")
    )
    year = ev.facts.get("statistics_year")
    if add_table(
        sec,
        ev.tables.get("statistics"),
        lang._("Library statistics held in the workspace ({year})", year=year)
        if year is not None
        else lang._("Library statistics held in the workspace"),
        [lang._("statistic"), lang._("value"), lang._("reporting units")],
        lambda r: [tr(lang, _STAT, r.name), lang.int(r.value), lang.int(r.subjects)],
        [False, True, True],
    ):
        visits = ev.value("stat_visits")
        people = ev.value("stat_service_area_population") or ev.value("residents")
        if visits is not None and people and year is not None:
            sec.blocks.append(
                Para(
                    lang._(
                        "Libraries recorded {v} visits in {year}: {pc} visits per resident of "
                        "the area they serve.",
                        v=lang.int(visits),
                        year=year,
                        pc=lang.num(visits / people),
                    )
                )
            )
    else:
        sec.blocks.append(missing(lang, ev, "statistics"))
    _venues(lang, ev, sec)
    return sec


def _venues(lang: Lang, ev: Evidence, sec: Section) -> None:
    share = ev.value("share_nearest_culture_library")
    if share is not None:
        sec.blocks.append(
            Para(
                lang._(
                    "Is the library the nearest cultural institution? For {share} of residents "
                    "the nearest cultural venue ({mode}) — of {v} museums, galleries, theatres, "
                    "arts centres and cinemas — is a library.",
                    share=lang.pct(share),
                    mode=mode_word(lang, ev.headline_mode),
                    v=lang.int(ev.value("venues")),
                )
            )
        )
    unit = ev.headline_unit or "m"
    add_table(
        sec,
        ev.tables.get("culture_kinds"),
        lang._(
            "How near is each kind of cultural institution? Median for residents ({mode})",
            mode=mode_word(lang, ev.headline_mode),
        ),
        [lang._("kind"), lang._("median ({unit})", unit=unit)],
        lambda r: [tr(lang, _KIND, r.kind), lang.cost(r.median, unit)],
        [False, True],
    )
    if "venues" in ev.missing:
        sec.blocks.append(missing(lang, ev, "venues"))
    _kind_counts(lang, sec, ev.tables.get("venue_kinds"), lang._("Other cultural venues by kind"))
    add_table(
        sec,
        ev.tables.get("venue_events"),
        lang._("Cultural venues with the most events (where counted)"),
        [lang._("venue"), lang._("kind"), lang._("events")],
        lambda r: [r.name, tr(lang, _KIND, r.kind), lang.int(r.n_events)],
        [False, False, True],
    )
    if "library_events" in ev.missing:
        sec.blocks.append(missing(lang, ev, "library_events"))
    elif ev.value("venue_events") is not None:
        sec.blocks.append(
            Para(
                lang._(
                    "Is the library the most visited? Libraries hosted {a} events, the other "
                    "venues {b} (where counted).",
                    a=lang.int(ev.value("library_events")),
                    b=lang.int(ev.value("venue_events")),
                )
            )
        )
    else:
        sec.blocks.append(
            Para(
                lang.ngettext(
                    "Libraries hosted {n} event (where counted).",
                    "Libraries hosted {n} events (where counted).",
                    ev.value("library_events") or 0,
                )
            )
        )
