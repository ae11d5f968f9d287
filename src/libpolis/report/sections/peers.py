"""How the city's libraries compare: the newest peer benchmark, or what is missing."""

from __future__ import annotations

from typing import Any

from libpolis.evidence import Evidence
from libpolis.report.blocks import Para, Section
from libpolis.report.i18n import N_, Lang
from libpolis.report.sections.tables import add_table
from libpolis.report.words import tr

__all__ = ["peers"]

_MEASURE = {
    "visits_per_capita": N_("Visits per resident"),
    "loans_per_capita": N_("Loans per resident"),
    "programmes_per_1000": N_("Programmes per 1,000 residents"),
    "attendance_per_capita": N_("Programme attendances per resident"),
    "budget_per_capita": N_("Operating expenditure per resident"),
}
_LOCALE = {
    "exact": N_("in the same kind of place (same locale code)"),
    "group": N_("in the same kind of place (city, suburb, town or rural)"),
}


def _factor(lang: Lang, v: Any) -> str:
    """2 rather than 2.0; 1.5 as the locale writes it."""
    return lang.int(v) if float(v).is_integer() else lang.num(v, 2).rstrip("0")


def _rule(lang: Lang, f: dict[str, Any]) -> str:
    parts = []
    if f.get("population_factor"):
        parts.append(lang._("serving between 1/{f} and {f} times as many residents",
                            f=_factor(lang, f["population_factor"])))  # fmt: skip
    if f.get("locale_rule") in _LOCALE:
        parts.append(tr(lang, _LOCALE, f["locale_rule"]))
    if f.get("budget_factor"):
        parts.append(lang._("spending between 1/{f} and {f} times as much per resident",
                            f=_factor(lang, f["budget_factor"])))  # fmt: skip
    return ", ".join(parts) if parts else lang._("every other library system")


def _missing(lang: Lang, ev: Evidence) -> Para:
    msg = ev.missing.get("peers", "")
    cmds = " · ".join(f"`{c}`" for i, c in enumerate(msg.split("`")) if i % 2 == 1)
    if "no peer file" in msg:
        what = lang._(
            "no peer file is imported, so the city's libraries have no record to compare "
            "(the IMLS Public Libraries Survey covers US library systems only). To import one, "
            "write a column map for a national file of library statistics with one row per "
            "library system (see the README) and compute its indicators."
        )
    else:
        what = lang._("library statistics are stored but no library system is compared yet.")
    text = lang._("Missing data — {topic}: {what}", topic=lang._("Peer comparison"), what=what)
    return Para(text + " " + lang._("Command that adds it: {commands}", commands=cmds),
                kind="missing")  # fmt: skip


def _pct(lang: Lang, v: Any) -> str:
    return "–" if v is None or v != v else lang.num(v, 0)


def peers(lang: Lang, ev: Evidence) -> Section:
    """The section: the library system against its peers, figure by figure."""
    title = (
        lang._("How the libraries of {place} compare", place=ev.place_name)
        if ev.place_name
        else lang._("How the libraries compare")
    )
    sec = Section("peers", title)
    frame = ev.tables.get("peers")
    facts = ev.facts.get("peers")
    if frame is None or not len(frame) or not facts:
        sec.blocks.append(_missing(lang, ev))
        return sec
    s = facts["subject"]
    sec.blocks.append(Para(lang._(
        "{name} ({id}, {region}), serving {pop} residents, against {n} peer library systems "
        "{rule}. Figures of {year} from {source}.",
        name=s.get("name"), id=s.get("system_id"), region=s.get("region"),
        pop=lang.int(s.get("population") or 0), n=lang.int(facts.get("peers") or 0),
        rule=_rule(lang, facts), year=facts.get("year"), source=facts.get("source"),
    )))  # fmt: skip
    add_table(
        sec, frame, lang._("Library system and its peers, per resident"),
        [lang._("Figure"), lang._("This system"), lang._("Peers reporting"),
         lang._("Percentile"), lang._("Peer median (middle half)")],
        lambda r: [tr(lang, _MEASURE, r["measure"]),
                   lang.num(r["value"], 2) if r["value"] == r["value"] else "–",
                   lang.int(r["peers_reporting"]), _pct(lang, r["percentile"]),
                   "–" if r["peer_median"] != r["peer_median"] else
                   f"{lang.num(r['peer_median'], 2)} ({lang.num(r['peer_p25'], 2)}–"
                   f"{lang.num(r['peer_p75'], 2)})"],
        [False, True, True, True, True], records=True,
    )  # fmt: skip
    sec.blocks.append(Para(lang._(
        "The percentile is the share of peers below this library system, ties counting half: "
        "75 means three peers in four are below. A peer whose figure is missing, closed or "
        "suppressed is left out of that figure. Peers are chosen again with other rules by "
        "the command: {command}",
        command=f"`{facts.get('command') or 'libpolis benchmark peers'}`",
    ), kind="note"))  # fmt: skip
    sec.blocks.append(Para(lang._(
        "Access (who lives within reach of a library) is shown for the city in its own "
        "section; the peer file holds no travel times, so access is not compared with peers."
    ), kind="note"))  # fmt: skip
    return sec
