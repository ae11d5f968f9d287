"""The peer benchmark page and API on a slice of the real IMLS PLS FY2021 system file: the
rule a visitor adjusts gives the peers and percentiles a hand count gives, nothing is stored,
and a workspace without statistics says what to run."""

from __future__ import annotations

from pathlib import Path

import pytest

from libpolis.pipeline import IndicatorsRequest, run_indicators
from libpolis.store import open_store, read_result

SAMPLE = Path(__file__).parents[1] / "data" / "sources" / "pls_systems_sample.csv"


@pytest.fixture(scope="module")
def site(tmp_path_factory, web_kit):
    from libpolis.web.app import create_app

    tmp = tmp_path_factory.mktemp("bench")
    engine = open_store(f"sqlite:///{tmp / 'b.sqlite'}")
    run_indicators(engine, IndicatorsRequest(systems=str(SAMPLE)))
    app = create_app(engine, secret_key=web_kit.SECRET, documents_dir=tmp / "docs")
    yield engine, web_kit.login(app, None)
    engine.dispose()


def test_peers_and_percentiles_follow_the_rule(site) -> None:
    engine, client = site
    r = client.get("/api/benchmark", params={"system": "AK0016", "locale": "any",
                                             "population_factor": 3})  # fmt: skip
    assert r.status_code == 200, r.text
    got = r.json()
    systems = read_result(engine, "indicators_lmw_systems")
    me = systems[systems["system_id"] == "AK0016"].iloc[0]
    others = systems[systems["system_id"] != "AK0016"]
    pop = float(me["population"])
    peers = others[(others["population"] >= pop / 3) & (others["population"] <= pop * 3)]
    assert sorted(p["system_id"] for p in got["peers"]) == sorted(peers["system_id"])
    # visits per resident by hand: share of reporting peers below, ties count half
    mine = float(me["visits"]) / pop
    theirs = [float(v) / float(p) for v, p in zip(peers["visits"], peers["population"],
                                                   strict=True) if v >= 0 and p > 0]  # fmt: skip
    below = sum(t < mine for t in theirs) + 0.5 * sum(t == mine for t in theirs)
    visits = next(m for m in got["measures"] if m["measure"] == "visits_per_capita")
    assert visits["percentile"] == pytest.approx(100 * below / len(theirs))
    assert visits["peers_reporting"] == len(theirs)
    # a wider rule has at least as many peers; nothing was stored
    wide = client.get("/api/benchmark", params={"system": "AK0016", "locale": "any",
                                                "population_factor": 10}).json()  # fmt: skip
    assert len(wide["peers"]) >= len(got["peers"])
    with engine.connect() as conn:
        from sqlalchemy import text

        steps = {s for (s,) in conn.execute(text("SELECT step FROM run"))}
    assert not any(s.startswith("benchmark_") for s in steps)


def test_page_explains_the_rule_and_bad_rules_are_4xx(site) -> None:
    _, client = site
    page = client.get("/benchmark", params={"system": "AK0016", "locale": "any",
                                            "population_factor": "3"})  # fmt: skip
    assert page.status_code == 200
    assert "CORDOVA PUBLIC LIBRARY" in page.text
    assert "population served within x3 of the subject" in page.text  # the rule in words
    assert "<svg class=\"percentiles\" role=\"img\"" in page.text
    bad = client.get("/api/benchmark", params={"system": "XX9999"})
    assert bad.status_code == 404 and "XX9999" in bad.json()["detail"]
    odd = client.get("/api/benchmark", params={"system": "AK0016", "population_factor": 0.5})
    assert odd.status_code == 422  # 0 (not used) or at least 1


def test_without_statistics_the_page_says_what_to_run(tmp_path, web_kit) -> None:
    from libpolis.web.app import create_app

    engine = open_store(f"sqlite:///{tmp_path / 'e.sqlite'}")
    client = web_kit.login(create_app(engine, secret_key=web_kit.SECRET), None)
    data = client.get("/api/benchmark").json()
    assert "libpolis indicators lmw" in data["missing"]
    assert "libpolis indicators lmw" in client.get("/benchmark").text
    engine.dispose()
