"""Suggestions for the Culture 21 Actions self-assessment from the evidence libpolis holds.

Each suggestion is a sentence an officer may copy into the evidence of an action, and it names
what it rests on: the figure (its key, value as printed, sources and the command that
reproduces it) or the evidence table (alignments, the partnership register). Suggestions
never set a level: rating an action stays a judgement of the people filling in the
assessment.

Which evidence serves which commitment is in ``data/frameworks/culture21_actions.json``
(``evidence_hints``): ``access`` (who is within reach of a library), ``culture``
(programmes aligned to the commitment), ``rights`` (programmes advancing the Universal
Declaration articles on information, education and cultural life), ``partnerships`` (the
register), ``venues`` (the library as the nearest cultural venue), ``services`` (public
computers).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from libpolis.evidence.figures import Evidence, Figure
from libpolis.evidence.format import display_value

__all__ = ["Suggestion", "suggestions_for"]

#: Universal Declaration articles that speak to a commitment (information, education, culture).
_ARTICLES = {"1": ("27",), "3": ("26",), "8": ("19",)}


@dataclass(frozen=True)
class Suggestion:
    """A sentence of evidence for a commitment and what it rests on: ``figure`` (a key of
    :attr:`Evidence.figures`) or ``table`` (an evidence table), its ``sources``, ``method``
    and the ``command`` that reproduces it."""

    commitment: str
    text: str
    figure: str | None
    table: str | None
    sources: tuple[str, ...]
    method: str
    command: str


def _from_figure(code: str, f: Figure, text: str) -> Suggestion:
    return Suggestion(code, text, f.key, None, f.sources, f.method, f.command)


def _access(code: str, ev: Evidence) -> list[Suggestion]:
    out = []
    cov = [f for k, f in ev.figures.items() if k.startswith("coverage_") and f.value is not None]
    for f in cov[:2]:
        out.append(_from_figure(code, f, f"{f.label}: {display_value(f)} ({f.scope})."))
    for key in ("underserved_residents", "gini"):
        f = ev.figures.get(key)
        if f is not None and f.value is not None:
            out.append(_from_figure(code, f, f"{f.label}: {display_value(f)} ({f.scope})."))
    return out


def _culture(code: str, ev: Evidence) -> list[Suggestion]:
    tab = ev.tables.get("culture")
    if tab is None or not len(tab):
        return []
    rows = tab[tab["code"].astype(str) == code]
    out = []
    for r in rows.itertuples():
        ex = "; ".join(r.examples) if r.examples else ""
        out.append(
            Suggestion(
                code,
                f"{r.programmes} programme(s) aligned to this commitment"
                + (f", e.g. {ex}" if ex else "")
                + (f"; partners named: {', '.join(r.partners)}" if r.partners else "")
                + ".",
                None,
                "culture",
                ("alignment", "programme"),
                "Programmes with a suggested or confirmed alignment to the commitment "
                "(rejected ones left out).",
                "libpolis align",
            )
        )
    return out


def _rights(code: str, ev: Evidence) -> list[Suggestion]:
    tab = ev.tables.get("rights")
    if tab is None or not len(tab):
        return []
    out = []
    for art in _ARTICLES.get(code, ()):
        row = tab[tab["article"].astype(str) == art]
        if len(row) and int(row["programmes"].iloc[0]) > 0:
            r = row.iloc[0]
            out.append(
                Suggestion(
                    code,
                    f"{int(r['programmes'])} programme(s) advance article {art} of the Universal "
                    f"Declaration ({r['title']}).",
                    None,
                    "rights",
                    ("alignment", "programme"),
                    "Programmes with a suggested or confirmed alignment to the article.",
                    "libpolis align",
                )
            )
    return out


def _partnerships(code: str, ev: Evidence) -> list[Suggestion]:
    out = []
    for k, f in ev.figures.items():
        if k.startswith("partnerships_") and f.value:
            out.append(_from_figure(code, f, f"{f.label}: {display_value(f)}."))
    return out[:3]


def _venues(code: str, ev: Evidence) -> list[Suggestion]:
    f = ev.figures.get("share_nearest_culture_library")
    if f is None or f.value is None:
        return []
    return [_from_figure(code, f, f"{f.label}: {display_value(f)} ({f.scope}).")]


def _services(code: str, ev: Evidence) -> list[Suggestion]:
    f = ev.figures.get("libraries_has_computers")
    if f is None or f.value is None:
        return []
    return [_from_figure(code, f, f"{f.label}: {display_value(f)}.")]


_KINDS = {
    "access": _access,
    "culture": _culture,
    "rights": _rights,
    "partnerships": _partnerships,
    "venues": _venues,
    "services": _services,
}


def suggestions_for(ev: Evidence, code: str, hints: Sequence[str]) -> list[Suggestion]:
    """The suggestions for commitment ``code`` from the evidence kinds in ``hints``."""
    out: list[Suggestion] = []
    for kind in hints:
        fn = _KINDS.get(kind)
        if fn is not None:
            out.extend(fn(code, ev))
    return out
