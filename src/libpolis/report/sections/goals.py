"""Development (the SDGs), human rights at the local level and partnership opportunities."""

from __future__ import annotations

from typing import Any

import pandas as pd

from libpolis.evidence import FOCUS_ARTICLES, Evidence
from libpolis.evidence.format import DASH, is_blank
from libpolis.report.blocks import Para, Section, Table
from libpolis.report.i18n import N_, Lang
from libpolis.report.sections.tables import add_table
from libpolis.report.words import _SDG, _STATUS, missing, tr

__all__ = ["development", "partnerships", "rights"]


def _right(lang: Lang, row: Any) -> str:
    """The short name of a UDHR article in the brief's language (``data/frameworks/
    short_names.json`` via the evidence), else its stored title."""
    titles = getattr(row, "titles", None) or {}
    return str(titles.get(lang.code) or titles.get("en") or getattr(row, "title", None) or "")


def _cell(v: Any) -> str:
    """A text cell: a dash for an empty value (never "nan")."""
    return DASH if is_blank(v) else str(v)


def development(lang: Lang, ev: Evidence, ctx: dict[str, Any]) -> Section:
    sec = Section("development", lang._("Development: the Sustainable Development Goals"))
    sdg = ev.tables.get("sdg")
    if sdg is None or not len(sdg):
        sec.blocks.append(missing(lang, ev, "sdg"))
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
                tr(lang, _SDG, r.goal),
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
        sec.blocks.append(missing(lang, ev, "attendance"))
    return sec


def rights(lang: Lang, ev: Evidence) -> Section:
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
        sec.blocks.append(missing(lang, ev, "rights"))
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
                    _right(lang, x),
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
                    arts=", ".join(
                        f"{a} ({_right(lang, r.loc[r['article'] == a].iloc[0])})"
                        for a in missing_focus
                    ),
                ),
                "note",
            )
        )
    return sec


def partnerships(lang: Lang, ev: Evidence) -> Section:
    sec = Section("partnerships", lang._("Partnership opportunities"))
    any_table = False
    for kind, title in (
        ("strategy", N_("The city's strategy goals and library programmes")),
        ("culture", N_("Culture 21 Actions commitments and library programmes")),
    ):
        if add_table(
            sec,
            ev.tables.get(kind),
            lang._(title),
            [lang._("goal"), lang._("programmes"), lang._("examples"), lang._("partners named")],
            lambda x: [
                f"{x.code}. {(x.titles or {}).get(lang.code) or x.title}",
                lang.int(x.programmes),
                "; ".join(x.examples),
                ", ".join(x.partners) if x.partners else "–",
            ],
            [False, True, False, False],
        ):
            any_table = True
        else:
            sec.blocks.append(missing(lang, ev, kind))
    add_table(
        sec,
        ev.tables.get("partnerships"),
        lang._("Partnerships in the register"),
        [lang._("partnership"), lang._("partner"), lang._("status"), lang._("district")],
        lambda r: [r.title, _cell(r.partner), tr(lang, _STATUS, r.status), _cell(r.district)],
        [False, False, False, False],
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
