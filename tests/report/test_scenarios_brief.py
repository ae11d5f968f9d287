"""The brief's before/after section: each stored scenario, with the figures of its run."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from libpolis.evidence import assemble_evidence
from libpolis.pipeline import ScenarioRequest, run_scenario
from libpolis.report.brief import render_brief
from libpolis.report.i18n import get_lang


def _section(html: str, sid: str) -> str:
    part = html[html.index(f'<section id="{sid}"') :]
    return part[: part.index("</section>")]


def _cells(part: str) -> list[list[str]]:
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", part, flags=re.S)
    cells = [re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", r, flags=re.S) for r in rows]
    return [[re.sub(r"<[^>]+>", "", c).strip() for c in row] for row in cells if row]


def test_each_scenario_is_a_before_after_row(demo_engine, tmp_path: Path):
    pop = "hsy-grid-2021"
    closure = run_scenario(demo_engine, ScenarioRequest(
        kind="closure", libraries=("Kallion kirjasto",), population_source=pop,
    )).summary  # fmt: skip
    hours = run_scenario(demo_engine, ScenarioRequest(
        kind="hours", libraries=("Kallion kirjasto",), factor=1.5, population_source=pop,
    )).summary  # fmt: skip
    for lang in ("en", "es"):
        res = render_brief(assemble_evidence(demo_engine), tmp_path / lang, lang=lang,
                           formats=["html"], today=date(2026, 5, 4))  # fmt: skip
        rows = _cells(_section(Path(res["html"]).read_text(encoding="utf-8"), "scenarios"))
        tr = get_lang(lang)
        by_subject = {r[0]: r for r in rows[1:]}
        closing = by_subject[tr._("Closing {names}", names="Kallion kirjasto")]
        assert closing[2:] == [tr.int(closure["within_before"]), tr.int(closure["within_after"])]
        longer = by_subject[tr._("Opening hours x{f} at {name}", f=tr.num(1.5),
                                 name="Kallion kirjasto")]  # fmt: skip
        assert longer[2:] == [tr.num(hours["mean_access_before"], 3),
                              tr.num(hours["mean_access_after"], 3)]  # fmt: skip


def test_without_scenarios_the_section_says_how_to_add_one(empty_engine, tmp_path: Path):
    res = render_brief(assemble_evidence(empty_engine), tmp_path, formats=["html"],
                       today=date(2026, 5, 4))  # fmt: skip
    part = _section(Path(res["html"]).read_text(encoding="utf-8"), "scenarios")
    assert 'class="missing"' in part and "<code>libpolis plan closure --within 1000</code>" in part
