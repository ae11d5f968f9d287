"""The methods-and-sources appendix: every figure with its mode, method, sources and command."""

from __future__ import annotations

from libpolis.evidence import Evidence, display_value
from libpolis.report.blocks import Para, Section, Table
from libpolis.report.i18n import Lang
from libpolis.report.words import label

__all__ = ["methods"]


def methods(lang: Lang, ev: Evidence) -> Section:
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
            label(lang, ev, f),
            display_value(f, lang),
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
            keys=list(ev.figures),
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
