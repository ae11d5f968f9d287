"""What if: the stored scenarios (a closure, longer hours, mobile stops) as before and after."""

from __future__ import annotations

from typing import Any

from libpolis.evidence import Evidence
from libpolis.report.blocks import Para, Section
from libpolis.report.i18n import Lang
from libpolis.report.sections.tables import add_table
from libpolis.report.words import missing

__all__ = ["scenarios"]


def _within(lang: Lang, r: dict[str, Any]) -> str:
    if r.get("unit") == "m":
        return lang._("{d} m in a straight line", d=lang.int(r.get("within")))
    return lang._("{t} minutes on the street network", t=lang.num(r.get("within"), 0))


def _subject(lang: Lang, r: dict[str, Any]) -> str:
    if r["kind"] == "closure" and r["measure"] == "lose_access_each":
        return lang._("Each library closing in turn (largest loss: {name})", name=r["subject"])
    if r["kind"] == "closure":
        return lang._("Closing {names}", names=r["subject"])
    if r["kind"] == "hours":
        return lang._(
            "Opening hours x{f} at {name}", f=lang.num(r.get("factor")), name=r["subject"]
        )
    return lang.ngettext("{n} mobile library stop", "{n} mobile library stops", r["subject"])


def _measure(lang: Lang, r: dict[str, Any]) -> str:
    within = _within(lang, r)
    if r["measure"] == "residents_within":
        return lang._("residents within {within} of a library", within=within)
    if r["measure"] == "lose_access_each":
        return lang._("residents who lose a library within {within}", within=within)
    if r["measure"] == "capacity_per_1000":
        return lang._("library capacity per 1,000 residents (mean)")
    return lang._("residents beyond {within} of every library", within=within)


def _value(lang: Lang, r: dict[str, Any], v: Any) -> str:
    if v is None:
        return "–"
    return lang.num(v, 3) if r["measure"] == "capacity_per_1000" else lang.int(v)


def scenarios(lang: Lang, ev: Evidence) -> Section:
    """The section: one before/after row per stored scenario, or how to add one."""
    sec = Section("scenarios", lang._("What if: closures, longer hours, mobile stops"))
    frame = ev.tables.get("scenarios")
    if frame is None or not len(frame):
        sec.blocks.append(missing(lang, ev, "scenarios"))
        return sec
    sec.blocks.append(Para(lang._(
        "Each stored scenario against today's libraries: the figure before and after the change."
    )))  # fmt: skip
    add_table(
        sec, frame, lang._("Scenarios: before and after"),
        [lang._("Scenario"), lang._("What is counted"), lang._("Before"), lang._("After")],
        lambda r: [_subject(lang, r), _measure(lang, r), _value(lang, r, r["before"]),
                   _value(lang, r, r["after"])],
        [False, False, True, True], records=True,
    )  # fmt: skip
    return sec
