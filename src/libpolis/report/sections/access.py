"""Culture for all (access and coverage) and the right to the city (who is underserved, the
library as a place of interaction)."""

from __future__ import annotations

from typing import Any

from libpolis.evidence import Evidence, display_value
from libpolis.report.blocks import Para, Section, Table
from libpolis.report.i18n import N_, Lang
from libpolis.report.sections.tables import add_table
from libpolis.report.words import _AGE, _FLAG, measure_word, missing, mode_word, tr

__all__ = ["city", "culture", "partial_note"]


def _how(lang: Lang, ev: Evidence) -> str:
    if ev.headline_unit == "min":
        return lang._(
            "travel time on the street network ({mode})", mode=mode_word(lang, ev.headline_mode)
        )
    return lang._("straight-line distance")


def culture(lang: Lang, ev: Evidence, ctx: dict[str, Any]) -> Section:
    sec = Section("culture", lang._("Culture for all: access and coverage"))
    if "access" in ev.missing:
        sec.blocks.append(missing(lang, ev, "access"))
        return sec
    f = ev.facts
    unit = ev.headline_unit or "m"
    main = f.get("main_threshold")
    mean_key = "mean_time_min" if unit == "min" else "mean_dist_m"
    if main is not None and ev.value(f"coverage_{main:g}{unit}") is not None:
        sec.blocks.append(
            Para(
                lang._(
                    "Of {res} residents, {share} live within {t} {unit} of a walk-in library "
                    "({how}); the mean is {mean}.",
                    res=lang.int(ev.value("residents")),
                    share=lang.pct(ev.value(f"coverage_{main:g}{unit}")),
                    t=lang.int(main),
                    unit=unit,
                    how=_how(lang, ev),
                    mean=display_value(ev.figures[mean_key], lang),
                )
            )
        )
    if f.get("population_source"):
        sec.blocks.append(
            Para(
                lang._(
                    "Residents are counted from the population data set {source} (see the "
                    "data sets in the methods appendix).",
                    source=f["population_source"],
                ),
                "note",
            )
        )
    note = partial_note(lang, ev)
    if note is not None:
        sec.blocks.append(note)
    for key in ("access_map", "coverage_chart"):
        if key in ctx:
            sec.blocks.append(ctx[key])
    _inequality(lang, ev, sec)
    _district_table(lang, ev, sec, unit)
    _partial(lang, ev, sec)
    _age(lang, ev, sec, ctx)
    _income(lang, ev, sec, unit)
    return sec


# figure key, its placeholder in the sentence, the sentence
_INEQUALITY: tuple[tuple[str, str, str], ...] = (
    (
        "gini",
        "gini",
        N_(
            "Inequality of access ({mode}): the Gini index of the {what} to the nearest "
            "library is {gini}. It is 0 when every resident is equally near a library "
            "and rises towards 1 as the long journeys fall on fewer residents."
        ),
    ),
    (
        "concentration_index",
        "ci",
        N_(
            "Access by income ({mode}): the concentration index of the {what} is {ci}. "
            "Below 0, residents with lower incomes live farther from a library; above "
            "0, those with higher incomes do."
        ),
    ),
)


def _inequality(lang: Lang, ev: Evidence, sec: Section) -> None:
    """Gini, concentration index and E2SFCA, each with a plain-language line."""
    mode = mode_word(lang, ev.headline_mode)
    what = lang._("travel time") if ev.headline_unit == "min" else lang._("distance")
    for key, name, text in _INEQUALITY:
        if ev.value(key) is not None:
            value = display_value(ev.figures[key], lang)
            sec.blocks.append(Para(lang._(text, mode=mode, what=what, **{name: value})))
    if ev.value("e2sfca_mean") is not None:
        catch = ev.facts.get("e2sfca_catchment_min")
        text = lang._(
            "Capacity-aware access (E2SFCA, {mode}): counting how much library service "
            "(opening hours and floor area) each resident can reach and how many others share "
            "it, residents reach on average {mean} units of library supply per 1,000 "
            "residents; the 10 % least served reach {p10}.",
            mode=mode,
            mean=display_value(ev.figures["e2sfca_mean"], lang),
            p10=display_value(ev.figures["e2sfca_p10"], lang)
            if "e2sfca_p10" in ev.figures
            else lang.num(0.0, 2),
        )
        if ev.value("e2sfca_residents_zero") and catch:
            text += " " + lang._(
                "{n} residents reach no library within {t} min.",
                n=lang.int(ev.value("e2sfca_residents_zero")),
                t=lang.num(catch, 0),
            )
        sec.blocks.append(Para(text))


def _district_table(lang: Lang, ev: Evidence, sec: Section, unit: str) -> None:
    d = ev.tables.get("districts")
    if d is None or not len(d):
        return
    ts = [t for t in ev.facts.get("thresholds", []) if f"within_{t:g}" in d]
    add_table(
        sec,
        d.sort_values("district"),
        lang._(
            "Residents within reach of a library, by district ({mode})",
            mode=mode_word(lang, ev.headline_mode),
        ),
        [lang._("district"), lang._("residents"), lang._("mean ({unit})", unit=unit)]
        + [lang._("within {t} {unit}", t=lang.int(t), unit=unit) for t in ts],
        lambda r: (
            [str(r["district"]), lang.int(r["residents"]), lang.cost(r.get("mean"), unit)]
            + [lang.pct(r.get(f"within_{t:g}")) for t in ts]
        ),
        [False, True, True] + [True] * len(ts),
        records=True,
    )


def _partial(lang: Lang, ev: Evidence, sec: Section) -> None:
    pn = ev.facts.get("partial_network")
    if not pn:
        return
    step, main = pn["step"], pn.get("main_threshold")
    share = ev.value(f"{step}_coverage_{main:g}min") if main is not None else None
    mean = ev.value(f"{step}_mean_time_min")
    if share is None or mean is None:
        return
    sec.blocks.append(
        Para(
            lang._(
                "On the street network ({file}), which covers {res} residents of the centre, "
                "{share} of them live within {t} min of a library ({mode}); the mean is {mean} "
                "min. The other {out} residents lie outside this network extract.",
                file=pn.get("file") or "",
                res=lang.int(pn["residents"]),
                share=lang.pct(share),
                t=lang.int(main),
                mode=mode_word(lang, pn["mode"]),
                mean=lang.num(mean),
                out=lang.int(pn.get("residents_outside")),
            )
        )
    )
    e2 = ev.value(f"{step}_e2sfca_mean")
    if e2 is not None:
        sec.blocks.append(
            Para(
                lang._(
                    "Capacity-aware access in that area (E2SFCA, {mode}): counting how much "
                    "library service each resident can reach and how many others share it, "
                    "residents reach on average {mean} units of library supply per 1,000 "
                    "residents.",
                    mode=mode_word(lang, pn["mode"]),
                    mean=display_value(ev.figures[f"{step}_e2sfca_mean"], lang),
                )
            )
        )


def _age(lang: Lang, ev: Evidence, sec: Section, ctx: dict[str, Any]) -> None:
    f = ev.facts
    if "age_chart" in ctx:
        ag = ev.tables["age_groups"]
        au = f.get("age_unit", "m")
        sec.blocks.append(ctx["age_chart"])
        sec.blocks.append(
            Table(
                lang._(
                    "Access by age group ({source}, {mode})",
                    source=f["age_source"],
                    mode=mode_word(lang, f.get("age_mode")),
                ),
                [
                    lang._("age group"),
                    lang._("residents"),
                    lang._("within {t} {unit}", t=lang.int(f["age_limit"]), unit=au),
                ],
                [
                    [tr(lang, _AGE, r.group), lang.int(r.residents), lang.pct(r.share)]
                    for r in ag.itertuples()
                ],
                [False, True, True],
            )
        )
    elif "age" in ev.missing:
        sec.blocks.append(missing(lang, ev, "age"))


def _income(lang: Lang, ev: Evidence, sec: Section, unit: str) -> None:
    mcol = "mean_time_min" if unit == "min" else "mean_dist_m"
    shown = add_table(
        sec,
        ev.tables.get("income_groups"),
        lang._(
            "Access by income quintile (1 = lowest incomes, {mode})",
            mode=mode_word(lang, ev.headline_mode),
        ),
        [lang._("income group"), lang._("residents"), lang._("mean ({unit})", unit=unit)],
        lambda r: [str(r["quantile"]), lang.int(r["population"]), lang.cost(r[mcol], unit)],
        [False, True, True],
        records=True,
    )
    if not shown and "income" in ev.missing:
        sec.blocks.append(missing(lang, ev, "income"))


def city(lang: Lang, ev: Evidence, ctx: dict[str, Any]) -> Section:
    sec = Section("city", lang._("The right to the city"))
    sec.blocks.append(Para(lang._("Who is underserved?"), "h3"))
    if "access" in ev.missing:
        sec.blocks.append(missing(lang, ev, "access"))
    else:
        _underserved(lang, ev, sec, ctx)
    sec.blocks.append(Para(lang._("The library as a place of interaction"), "h3"))
    if not add_table(
        sec,
        ev.tables.get("service_flags"),
        lang._("Libraries offering each service"),
        [lang._("service"), lang._("libraries"), lang._("of libraries stating it")],
        lambda r: [tr(lang, _FLAG, r.flag), lang.int(r.count), lang.int(r.of)],
        [False, True, True],
    ):
        sec.blocks.append(missing(lang, ev, "service_flags"))
    if "library_hours_per_year" in ev.figures:
        sec.blocks.append(
            Para(
                lang._(
                    "The libraries are open {h} hours a year in total.",
                    h=lang.int(ev.value("library_hours_per_year")),
                )
            )
        )
    if "programmes" in ev.missing:
        sec.blocks.append(missing(lang, ev, "programmes"))
        return sec
    _left_out(lang, ev, sec)
    if not add_table(
        sec,
        ev.tables.get("programmes_with_partners"),
        lang._("Programmes run with partners from other services"),
        [lang._("programme"), lang._("library"), lang._("partners")],
        lambda r: [r.title, r.library_name or "", r.partners],
        [False, False, False],
        head=12,
    ):
        sec.blocks.append(missing(lang, ev, "partners"))
    return sec


def _left_out(lang: Lang, ev: Evidence, sec: Section) -> None:
    """How many programmes count for the city, and which were left out and why."""
    total, n = ev.value("programmes_recorded"), ev.value("programmes")
    if total is None or n is None or total == n:
        return
    city = ev.place_name or lang._("the city")
    sec.blocks.append(
        Para(
            lang.ngettext(
                "{n} of the {total} programme records is counted for {city}, the one at "
                "the city's libraries.",
                "{n} of the {total} programme records are counted for {city}, those at the "
                "city's libraries.",
                n,
                total=lang.int(total),
                city=city,
            )
            + " "
            + lang._(
                "Left out of the city's figures: {o} at libraries outside {city} and {u} "
                "naming no library of the workspace (names are matched exactly, then across "
                "languages and spellings).",
                o=lang.int(ev.value("programmes_outside") or 0),
                u=lang.int(ev.value("programmes_unmatched") or 0),
                city=city,
            )
        )
    )
    why = {
        "outside": lang._("library outside the city"),
        "unmatched": lang._("no library of the workspace"),
    }
    add_table(
        sec,
        ev.tables.get("programmes_left_out"),
        lang._("Programmes left out of the city's figures"),
        [lang._("programme"), lang._("library named"), lang._("why left out")],
        lambda r: [
            r.title,
            r.library_name or "",
            why[r.place] + (f" ({r.town})" if isinstance(r.town, str) and r.town else ""),
        ],
        [False, False, False],
        head=12,
    )


def _underserved(lang: Lang, ev: Evidence, sec: Section, ctx: dict[str, Any]) -> None:
    f = ev.facts
    unit, main = ev.headline_unit or "m", f.get("main_threshold")
    n = ev.value("underserved_residents")
    if n is not None and main is not None:
        text = lang.ngettext(
            "{n} resident lives farther than {t} {unit} ({mode}) from a walk-in library.",
            "{n} residents live farther than {t} {unit} ({mode}) from a walk-in library.",
            n,
            t=lang.int(main),
            unit=unit,
            mode=mode_word(lang, ev.headline_mode),
        )
        if f.get("worst_district"):
            text += " " + lang._(
                "The most underserved district is {district}.", district=f["worst_district"]
            )
        sec.blocks.append(Para(text))
    if "gap_map" in ctx:
        sec.blocks.append(ctx["gap_map"])
    shown = add_table(
        sec,
        ev.tables.get("districts"),
        lang._(
            "Residents beyond reach, by district ({mode})", mode=mode_word(lang, ev.headline_mode)
        ),
        [lang._("district"), lang._("residents beyond reach"), lang._("of residents")],
        lambda r: [
            str(r["district"]),
            lang.int(r["unserved"]),
            lang.pct(r["unserved"] / r["residents"] if r["residents"] else None),
        ],
        [False, True, True],
        records=True,
    )
    if not shown and "districts" in ev.missing:
        sec.blocks.append(missing(lang, ev, "districts"))
    site = f.get("new_site") or {}
    if site.get("mode_differs") and ev.value("new_site_gain") is not None:
        sec.blocks.append(
            Para(
                lang._(
                    "The suggested new service point was chosen on {site}, while the access "
                    "figures of this brief are {head}: the two are not measured alike.",
                    site=measure_word(lang, site.get("mode")),
                    head=measure_word(lang, ev.headline_mode),
                ),
                "note",
            )
        )
    if "plan" in ev.missing:
        sec.blocks.append(missing(lang, ev, "plan"))


def partial_note(lang: Lang, ev: Evidence) -> Para | None:
    """When the headline street network covers only part of the residents: the note saying
    that the access figures are for the area it covers (None otherwise)."""
    hp = ev.facts.get("headline_partial")
    out = ev.facts.get("headline_outside")
    if not hp and out:  # a few residents beyond the network's reach: said, not hidden
        return Para(
            lang._(
                "{out} residents live farther than {m} m from any street of the network and are "
                "not counted in the access figures.",
                out=lang.int(out.get("residents_outside")),
                m=lang.int(out.get("max_access_m") or 400),
            ),
            "note",
        )
    if not hp:
        return None
    return Para(
        lang._(
            "The street network ({file}) covers {res} residents; the other {out} live "
            "outside it, and the access figures of this brief are for the area it covers.",
            file=hp.get("file") or "",
            res=lang.int(hp.get("residents")),
            out=lang.int(hp.get("residents_outside")),
        ),
        "note",
    )
