"""The brief's section "how the libraries compare": the Helsinki demo says that no peer file
is imported and how to import one (en, fr, es); a workspace with a benchmark shows it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import Engine

from libpolis.evidence import assemble_evidence
from libpolis.pipeline import (
    BenchmarkRequest,
    IndicatorsRequest,
    PeerRule,
    run_benchmark,
    run_indicators,
)
from libpolis.report.brief import render_brief
from libpolis.report.i18n import get_lang
from libpolis.store import read_result

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sources" / "pls_systems_sample.csv"


def _section(html: str) -> str:
    m = re.search(r'<section id="peers".*?</section>', html, re.S)
    assert m, "no peers section"
    return m.group(0)


@pytest.mark.parametrize(
    ("lang", "topic"),
    [("en", "Peer comparison"), ("fr", "Comparaison avec les pairs"),
     ("es", "Comparación con pares")],
)  # fmt: skip
def test_demo_brief_says_no_peer_file_and_how_to_import(
    demo_engine: Engine, tmp_path: Path, lang: str, topic: str
) -> None:
    ev = assemble_evidence(demo_engine)
    assert "no peer file" in ev.missing["peers"]
    res = render_brief(ev, tmp_path, lang=lang, formats=["html"])
    sec = _section(Path(res["html"]).read_text(encoding="utf-8"))
    assert topic in sec and "IMLS" in sec
    assert "libpolis indicators lmw" in sec and "libpolis benchmark peers" in sec
    assert "Helsinki" in sec  # the title names the city


def test_indicators_without_benchmark_say_what_to_run(empty_engine: Engine) -> None:
    run_indicators(empty_engine, IndicatorsRequest(systems=SAMPLE))
    ev = assemble_evidence(empty_engine, area="Cordova")
    assert ev.missing["peers"].startswith("library statistics are stored")


def test_benchmark_is_shown_with_its_percentiles(empty_engine: Engine, tmp_path: Path) -> None:
    run_indicators(empty_engine, IndicatorsRequest(systems=SAMPLE))
    rule = PeerRule(population_factor=3, locale="any")
    run_benchmark(empty_engine, BenchmarkRequest(system="AK0016", rule=rule, command="x"))
    stored = read_result(empty_engine, "benchmark_ak0016_measures")
    ev = assemble_evidence(empty_engine, area="Cordova")
    assert "peers" not in ev.missing
    for r in stored.itertuples():
        fig = ev.figures[f"peers_{r.measure}_percentile"]
        assert fig.value == pytest.approx(r.percentile, nan_ok=True)
    for lang in ("en", "fr"):
        res = render_brief(ev, tmp_path, lang=lang, formats=["html"])
        sec = _section(Path(res["html"]).read_text(encoding="utf-8"))
        tr = get_lang(lang)
        assert tr._("How the libraries of {place} compare", place="Cordova") in sec
        assert "CORDOVA PUBLIC LIBRARY" in sec and "AK0016" in sec
        visits = stored.set_index("measure").loc["visits_per_capita"]
        assert f"<td>{tr.num(visits['percentile'], 0)}</td>" in sec.replace(' class="num"', "")


def test_rule_is_worded_with_the_factors() -> None:
    from libpolis.report.sections.peers import _rule

    en, fr = get_lang("en"), get_lang("fr")
    f = {"population_factor": 2.0, "locale_rule": "exact", "budget_factor": 1.5}
    assert _rule(en, f) == (
        "serving between 1/2 and 2 times as many residents, in the same kind of place (same "
        "locale code), spending between 1/1.5 and 1.5 times as much per resident"
    )
    assert "1/1,5" in _rule(fr, f)
    assert _rule(en, {"population_factor": 0, "locale_rule": "any", "budget_factor": 0}) == (
        "every other library system"
    )
