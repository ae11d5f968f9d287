"""The brief's document: the evidence turned into translated sections of blocks, every number
formatted for the locale. The HTML and Typst renderers draw the same :class:`Document`.

The parts live in :mod:`.blocks` (the document model), :mod:`.words` (translated names and
labels), :mod:`.recommendations`, :mod:`.chartset` (charts and maps) and :mod:`.sections`.
"""

from __future__ import annotations

from datetime import date

from libpolis.evidence import Evidence
from libpolis.report.blocks import SECTION_IDS, Document, Headline
from libpolis.report.chartset import charts_of
from libpolis.report.i18n import Lang
from libpolis.report.sections.access import city, culture
from libpolis.report.sections.goals import development, partnerships, rights
from libpolis.report.sections.libraries import libraries
from libpolis.report.sections.methods import methods
from libpolis.report.sections.peers import peers
from libpolis.report.sections.scenarios import scenarios
from libpolis.report.sections.summary import summary

__all__ = ["SECTION_IDS", "build_document"]


def build_document(ev: Evidence, lang: Lang, *, today: date) -> Document:
    """Turn the evidence into the translated document of the brief."""
    ctx = charts_of(lang, ev)
    sections = [
        summary(lang, ev),
        libraries(lang, ev),
        culture(lang, ev, ctx),
        city(lang, ev, ctx),
        development(lang, ev, ctx),
        rights(lang, ev),
        partnerships(lang, ev),
        scenarios(lang, ev),
        peers(lang, ev),
        methods(lang, ev),
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
    title = (
        lang._("Libraries and the city: {area}", area=ev.place_name)
        if ev.place_name
        else lang._("Libraries and the city")
    )
    return Document(
        lang=lang.code,
        title=title,
        subtitle=lang._("Evidence brief for the mayor, built from open data."),
        date=lang.date(today),
        sections=sections,
        strings=strings,
        headline=headline,
    )
