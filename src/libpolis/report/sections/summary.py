"""The summary for the mayor: the headline figures and the recommendations."""

from __future__ import annotations

from libpolis.evidence import Evidence, display_value, headline_keys
from libpolis.report.blocks import Bullets, Headline, Para, Section
from libpolis.report.i18n import Lang
from libpolis.report.recommendations import announce, render_recommendation
from libpolis.report.sections.access import partial_note
from libpolis.report.words import label, missing

__all__ = ["summary"]


def summary(lang: Lang, ev: Evidence) -> Section:
    sec = Section("summary", lang._("Summary for the mayor"))
    if "place_name" in ev.missing:
        sec.blocks.append(missing(lang, ev, "place_name"))
    keys = headline_keys(ev)
    sec.blocks.append(
        Headline(
            [(k, display_value(ev.figures[k], lang), label(lang, ev, ev.figures[k])) for k in keys]
        )
    )
    note = partial_note(lang, ev)
    if note is not None:
        sec.blocks.append(note)
    recs = [render_recommendation(lang, ev, r) for r in ev.recommendations]
    sec.blocks.append(Para(announce(lang, len(recs)), "note"))
    sec.blocks.append(Bullets(recs, ordered=True))
    if "access" in ev.missing:
        sec.blocks.append(missing(lang, ev, "access"))
    return sec
