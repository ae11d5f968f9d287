"""The human-rights evidence submission: the city's evidence organised by right, written with
the brief's machinery (its document model, figure labels, translations, HTML page and Typst
PDF) — not a second pipeline.

Five rights, each tied to articles of the Universal Declaration of Human Rights: access to
information (19), education (26), participation in cultural life (27), non-discrimination
(2 and 7) and freedom of expression (19 and 20). For each: who is within reach of a library
and who is not (the access figures), the programmes that advance it (alignments to those
articles), the published partnerships that name it with their indicators, and the gaps —
what the workspace does not show yet and how to add it. An appendix traces every figure
(method, sources, command), as in the brief.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from libpolis.evidence import Evidence, display_value
from libpolis.evidence.format import DASH, is_blank
from libpolis.report.blocks import Bullets, Document, Para, Section, Table
from libpolis.report.brief import FORMATS, checked_formats, write_document
from libpolis.report.i18n import N_, Lang, get_lang
from libpolis.report.sections.methods import methods
from libpolis.report.words import label, missing

__all__ = ["RIGHTS", "Right", "build_submission", "render_submission"]


@dataclass(frozen=True)
class Right:
    """A right of the submission: its section id, title, a gist (own words), the UDHR
    articles that state it, the figures that show who it reaches, and the evidence topics
    whose absence is a gap."""

    id: str
    title: str
    gist: str
    articles: tuple[str, ...]
    figures: tuple[str, ...]  # figure keys or prefixes ending in "*"
    topics: tuple[str, ...]


RIGHTS: tuple[Right, ...] = (
    Right(
        "information",
        N_("Access to information"),
        N_(
            "Everyone may seek and receive information. A library within reach, open when "
            "people are free, with computers and a connection, is where this right is used."
        ),
        ("19",),
        ("coverage_*", "underserved_residents", "mean_dist_m", "mean_time_min",
         "libraries_has_computers", "libraries_open_saturdays", "libraries_open_sundays"),
        ("access", "service_flags", "statistics"),
    ),
    Right(
        "education",
        N_("Education"),
        N_(
            "Everyone has the right to education, in school and throughout life. Libraries "
            "support reading from the first years, study and learning for adults."
        ),
        ("26",),
        ("age_*", "coverage_*"),
        ("access", "age", "programmes"),
    ),
    Right(
        "cultural_life",
        N_("Participation in cultural life"),
        N_(
            "Everyone may take part freely in the cultural life of the community. For many "
            "residents the library is the nearest cultural venue."
        ),
        ("27",),
        ("share_nearest_culture_library", "venues", "libraries", "walk_in_libraries"),
        ("access", "venues", "programmes"),
    ),
    Right(
        "non_discrimination",
        N_("Non-discrimination"),
        N_(
            "Rights belong to everyone without distinction, and everyone is equal before the "
            "law. Here: whether access to libraries differs between districts, income and "
            "age groups."
        ),
        ("2", "7"),
        ("gini", "concentration_index", "worst_district_*", "e2sfca_residents_zero",
         "underserved_residents"),
        ("access", "districts", "income", "age"),
    ),
    Right(
        "expression",
        N_("Freedom of opinion and expression"),
        N_(
            "Everyone may hold and express opinions and meet peacefully with others. Libraries "
            "offer rooms to meet, tools to create and publish, and collections of many views."
        ),
        ("19", "20"),
        ("libraries_has_meeting_or_group_room", "libraries_has_studio_or_music_room",
         "libraries_has_maker_equipment"),
        ("service_flags", "programmes"),
    ),
)


def _figure_keys(ev: Evidence, patterns: Sequence[str]) -> list[str]:
    keys: list[str] = []
    for p in patterns:
        for k, f in ev.figures.items():
            hit = k.startswith(p[:-1]) if p.endswith("*") else k == p
            if hit and not is_blank(f.value) and k not in keys:
                keys.append(k)
    return keys


def _reach(lang: Lang, ev: Evidence, r: Right, used: list[str]) -> list[Any]:
    keys = _figure_keys(ev, r.figures)
    if not keys:
        return [Para(lang._("No figure in the workspace shows who this right reaches yet."),
                     "missing")]
    used.extend(k for k in keys if k not in used)
    rows = [[label(lang, ev, ev.figures[k]), display_value(ev.figures[k], lang),
             ev.figures[k].scope] for k in keys]
    table = Table(
        lang._("Who is within reach, and who is not"),
        [lang._("figure"), lang._("value"), lang._("where")],
        rows,
        [False, True, False],
        keys=keys,
    )
    out: list[Any] = [table]
    dist = ev.tables.get("districts")
    if r.id == "non_discrimination" and dist is not None and len(dist):
        worst = dist.sort_values("share_not_covered", ascending=False).head(3)
        out.append(Para(lang._(
            "Districts where the largest share of residents is farthest from a library: {names}.",
            names="; ".join(
                f"{d.district} ({lang.pct(d.share_not_covered)})" for d in worst.itertuples()
            ),
        )))
    return out


def _programmes(lang: Lang, ev: Evidence, r: Right, gaps: list[str]) -> list[Any]:
    tab = ev.tables.get("rights")
    rows = []
    for art in r.articles:
        part = tab[tab["article"].astype(str) == art] if tab is not None and len(tab) else None
        n = int(part["programmes"].iloc[0]) if part is not None and len(part) else 0
        if n == 0:
            gaps.append(lang._("No programme in the workspace is aligned to article {a}.", a=art))
            continue
        row = part.iloc[0]
        titles = row.get("titles") or {}
        name = titles.get(lang.code) or titles.get("en") or row.get("title") or ""
        rows.append([art, str(name), lang.int(n), "; ".join(row["examples"]) or DASH])
    if not rows:
        return []
    return [Table(
        lang._("Programmes that advance this right"),
        [lang._("article"), lang._("right"), lang._("programmes"), lang._("examples")],
        rows,
        [True, False, True, False],
    )]


def _num(lang: Lang, v: Any) -> str:
    return DASH if is_blank(v) else lang.num(float(v))


def _partnerships(lang: Lang, ev: Evidence, r: Right, gaps: list[str]) -> list[Any]:
    links = ev.tables.get("partnership_rights")
    if links is None or not len(links):
        gaps.append(lang._("No published partnership in the register names this right as a goal."))
        return []
    mine = links[links["article"].astype(str).isin(r.articles)].drop_duplicates("partnership")
    if not len(mine):
        gaps.append(lang._("No published partnership in the register names this right as a goal."))
        return []
    out: list[Any] = [Bullets([
        lang._("{title} (status: {status})", title=p.partnership, status=p.status)
        for p in mine.itertuples()
    ])]
    ind = ev.tables.get("partnership_indicators")
    ind = ind[ind["partnership"].isin(set(mine["partnership"]))] if ind is not None else None
    if ind is not None and len(ind):
        out.append(Table(
            lang._("Indicators of these partnerships"),
            [lang._("partnership"), lang._("indicator"), lang._("target"), lang._("measured"),
             lang._("unit")],
            [[i.partnership, i.indicator, _num(lang, i.target), _num(lang, i.measured),
              i.unit or DASH] for i in ind.itertuples()],
            [False, False, True, True, False],
        ))
    else:
        gaps.append(lang._("The partnerships that name this right record no indicator yet."))
    return out


def _section(lang: Lang, ev: Evidence, r: Right, used: list[str]) -> Section:
    sec = Section(r.id, lang._(r.title))
    arts = ", ".join(r.articles)
    sec.blocks.append(Para(lang._(r.gist) + " " + lang._(
        "Universal Declaration of Human Rights, article(s) {arts}.", arts=arts)))
    sec.blocks.append(Para(lang._("Who is within reach"), "h3"))
    sec.blocks.extend(_reach(lang, ev, r, used))
    gaps: list[str] = []
    sec.blocks.append(Para(lang._("Programmes"), "h3"))
    progs = _programmes(lang, ev, r, gaps)
    sec.blocks.extend(progs or [Para(lang._("No programme is shown for this right."), "note")])
    sec.blocks.append(Para(lang._("Partnerships"), "h3"))
    ships = _partnerships(lang, ev, r, gaps)
    sec.blocks.extend(ships or [Para(lang._("No partnership is shown for this right."), "note")])
    sec.blocks.append(Para(lang._("Gaps"), "h3"))
    topics = [t for t in r.topics if t in ev.missing]
    if not gaps and not topics:
        sec.blocks.append(Para(lang._("No gap found in the evidence for this right."), "note"))
    if gaps:
        sec.blocks.append(Bullets(gaps))
    sec.blocks.extend(missing(lang, ev, t) for t in topics)
    return sec


def build_submission(ev: Evidence, lang: Lang, *, today: date) -> Document:
    """The submission as a :class:`Document` (rendered by the brief's HTML and PDF writers)."""
    used: list[str] = []
    place = ev.place_name
    intro = Section("summary", lang._("About this submission"))
    intro.blocks.append(Para(lang._(
        "This submission sets out the evidence held by the city's libraries on five human "
        "rights at the local level. Each section shows who is within reach of a library and "
        "who is not, the programmes and partnerships that advance the right, and what the "
        "evidence does not show yet. Every figure is traced in the appendix to its method, "
        "its sources and the command that reproduces it."
    )))
    if "place_name" in ev.missing:
        intro.blocks.append(missing(lang, ev, "place_name"))
    unpublished = int(ev.facts.get("unpublished_partnerships") or 0)
    if unpublished:
        intro.blocks.append(Para(lang.ngettext(
            "{n} partnership of the register is not published and is left out.",
            "{n} partnerships of the register are not published and are left out.",
            unpublished,
        ), "note"))
    sections = [intro] + [_section(lang, ev, r, used) for r in RIGHTS]
    sections.append(methods(lang, replace(ev, figures={k: ev.figures[k] for k in used})))
    title = (
        lang._("Libraries and human rights in {area}: evidence submission", area=place)
        if place
        else lang._("Libraries and human rights: evidence submission")
    )
    strings = {
        "contents": lang._("Contents"),
        "page": lang._("Page"),
        "skip": lang._("Skip to the contents"),
        "made": lang._("Built by libpolis on {date} from the workspace.", date=lang.date(today)),
        "interactive": "",
        "layers_units": "",
        "layers_libraries": "",
        "layers_districts": "",
    }
    return Document(
        lang=lang.code,
        title=title,
        subtitle=lang._("Evidence on human rights at the local level, built from open data."),
        date=lang.date(today),
        sections=sections,
        strings=strings,
        headline=[],
    )


def render_submission(
    ev: Evidence,
    out: Path,
    *,
    lang: str = "en",
    formats: Sequence[str] = FORMATS,
    today: date | None = None,
) -> dict[str, Any]:
    """Write ``submission[.<lang>].html`` / ``.pdf`` into the folder ``out`` (atomically).

    Returns the paths written, the ``lang``, the ``place``, the figure keys cited and the
    ``missing`` topics.
    """
    formats = checked_formats(formats, lang)
    doc = build_submission(ev, get_lang(lang), today=today or date.today())
    stem = "submission" if lang == "en" else f"submission.{lang}"
    result: dict[str, Any] = {"lang": lang, "place": ev.place_name}
    result |= write_document(doc, ev, out, stem, formats)
    methods_table = next(b for b in doc.sections[-1].blocks if isinstance(b, Table))
    result["figures"] = list(methods_table.keys or [])
    result["missing"] = sorted(ev.missing)
    return result
