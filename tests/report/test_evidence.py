"""Evidence: figures checked against independent computations on the store."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Geod
from sqlalchemy import text

from libpolis.evidence import assemble_evidence, best_new_site, coverage_curve
from libpolis.store import read_result


@given(
    st.lists(st.tuples(st.floats(0, 5000), st.floats(0, 1000)), min_size=1, max_size=40),
    st.lists(st.floats(0, 6000), min_size=1, max_size=10),
)
@settings(max_examples=60, deadline=None)
def test_coverage_curve_matches_a_direct_sum(pairs, breaks):
    cost = np.array([c for c, _ in pairs])
    w = np.array([x for _, x in pairs])
    got = coverage_curve(cost, w, np.array(breaks))
    total = w.sum()
    for t, share in zip(got["threshold"], got["share"], strict=True):
        want = w[cost <= t].sum() / total if total else 0.0
        assert share == pytest.approx(want, abs=1e-12)


def test_coverage_curve_leaves_unreachable_out():
    got = coverage_curve(np.array([1.0, np.inf, np.nan]), np.ones(3), np.array([10.0]))
    assert got["share"].iloc[0] == pytest.approx(1 / 3)


def test_best_new_site_agrees_with_brute_force_on_the_geodesic():
    rng = np.random.default_rng(7)
    units = pd.DataFrame(
        {
            "lon": 24.9 + rng.random(60) * 0.1,
            "lat": 60.15 + rng.random(60) * 0.05,
            "population": rng.integers(0, 300, 60).astype(float),
            "dist_m": rng.random(60) * 2000,
            "district": "d",
        }
    )
    got = best_new_site(units, "dist_m", 1000.0, radius_m=800.0)
    far = units[(units["dist_m"] > 1000) & (units["population"] > 0)].reset_index(drop=True)
    geod = Geod(ellps="WGS84")
    best = 0.0
    for i in range(len(far)):
        _, _, d = geod.inv(
            np.full(len(far), far["lon"][i]),
            np.full(len(far), far["lat"][i]),
            far["lon"].to_numpy(),
            far["lat"].to_numpy(),
        )
        # UTM and the geodesic differ by < 0.1 % here; use a margin so ties cannot flip
        best = max(best, far["population"][d <= 800.0 * 0.999].sum())
    assert got["residents_gained"] >= best
    assert got["residents_gained"] <= far["population"].sum()


def test_best_new_site_is_none_when_everybody_is_served():
    units = pd.DataFrame({"lon": [24.9], "lat": [60.2], "population": [5.0], "dist_m": [10.0]})
    assert best_new_site(units, "dist_m", 1000.0, radius_m=500.0) is None


def test_demo_figures_match_the_store(demo_engine):
    ev = assemble_evidence(demo_engine, area="Helsinki")
    with demo_engine.connect() as c:
        n_lib = c.execute(text("select count(*) from library")).scalar()
        n_walk = c.execute(
            text(
                "select count(*) from library where kind not in ('mobile_library', "
                "'hospital_patient_library', 'bookmobile', 'books_by_mail')"
            )
        ).scalar()
        residents = c.execute(
            text("select sum(population) from population_unit where source = 'hsy-grid-2021'")
        ).scalar()
        sundays = c.execute(
            text("select count(*) from library where json_extract(attrs, '$.open_sundays') = '1'")
        ).scalar()
    units = read_result(demo_engine, "access_straight_units")
    assert ev.value("libraries") == n_lib
    assert ev.value("walk_in_libraries") == n_walk
    assert ev.value("residents") == residents
    assert (
        ev.value("underserved_residents") == units.loc[units["dist_m"] > 1000, "population"].sum()
    )
    assert ev.value("libraries_open_sundays") == sundays
    # the most underserved district has the most residents beyond 1 km
    far = units[units["dist_m"] > 1000].groupby("district")["population"].sum()
    assert ev.facts["worst_district"] == far.idxmax()
    assert ev.value("worst_district_unserved") == far.max()
    # every figure is traceable
    for f in ev.figures.values():
        assert f.method and f.command, f.key


def test_age_groups_come_from_the_age_run_and_leave_suppressed_cells_out(demo_engine):
    ev = assemble_evidence(demo_engine)
    ages = ev.tables["age_groups"].set_index("group")
    units = read_result(demo_engine, "access_straight_ages_units")
    with demo_engine.connect() as c:
        raw = pd.read_sql(
            "select source_id as unit_id, json_extract(attrs, '$.IKA0_9') as a, "
            "json_extract(attrs, '$.IKA10_19') as b from population_unit "
            "where source = 'hsy-grid-2015'",
            c,
        )
    m = units.merge(raw, on="unit_id")
    a, b = pd.to_numeric(m["a"]), pd.to_numeric(m["b"])
    keep = ~((a == 99) & (b == 99))  # in the demo grid a suppressed cell has every band 99
    a = a.where(keep, 0)
    assert ages.loc["0-9", "residents"] == a.sum()
    assert ages.loc["0-9", "share"] == pytest.approx(a[m["dist_m"] <= 1000].sum() / a.sum())
    assert ev.facts["age_limit"] == 1000.0
    assert ev.value("age_0-9_within") == pytest.approx(ages.loc["0-9", "share"])


def test_headline_uses_the_city_wide_run_and_reports_the_partial_network(demo_engine):
    ev = assemble_evidence(demo_engine)
    assert ev.facts["access_step"] == "access_straight"
    pn = ev.facts["partial_network"]
    assert pn["mode"] == "walk"
    walk = read_result(demo_engine, "access_walk_units")
    assert pn["residents"] == walk["population"].sum()
    w = walk["population"].to_numpy(float)
    assert ev.value("access_walk_coverage_15min") == pytest.approx(
        w[walk["time_min"] <= 15].sum() / w.sum()
    )


def test_missing_topics_name_a_command(empty_engine):
    ev = assemble_evidence(empty_engine)
    assert ev.value("libraries") == 0
    for topic in (
        "libraries",
        "access",
        "statistics",
        "programmes",
        "sdg",
        "rights",
        "culture",
        "strategy",
    ):
        assert "`libpolis " in ev.missing[topic], topic


def test_alignments_roll_up_and_leave_rejected_out(rich_engine):
    ev = assemble_evidence(rich_engine)
    sdg = ev.tables["sdg"].set_index("goal")
    assert list(sdg.index) == [str(i) for i in range(1, 18)]
    assert sdg.loc["4", "programmes"] == 2
    assert sdg.loc["4", "confirmed"] == 1
    assert sdg.loc["10", "programmes"] == 1  # the rejected one is left out
    assert sdg.loc["4", "attendance"] == 10 + 20
    assert ev.value("sdg_goals_served") == 2
    rights = ev.tables["rights"].set_index("article")
    assert {"19", "21", "26", "27"} <= set(rights.index)
    assert rights.loc["21", "programmes"] == 0
    assert rights.loc["27", "programmes"] == 1
    assert ev.tables["strategy"]["programmes"].tolist() == [1]
    assert ev.tables["culture"]["partners"].iloc[0] == ["City youth services"]
    stats = ev.tables["statistics"].set_index("name")
    assert stats.loc["loans", "value"] == 5000.0
    assert ev.value("stat_visits") == 2000.0


def test_a_city_wide_network_run_becomes_the_headline(demo_engine, tmp_path):
    """When a network run covers the whole city, the brief reports travel times in minutes."""
    from datetime import date

    from libpolis.report.brief import write_brief
    from libpolis.store import write_result

    units = read_result(demo_engine, "access_straight_units")
    units = units.drop(columns="dist_m").assign(time_min=units["dist_m"] / 80.0)
    w = units["population"].to_numpy(float)
    cov = {f"{t:g}": float(w[units["time_min"] <= t].sum() / w.sum()) for t in (5, 10, 15, 30)}
    write_result(
        demo_engine,
        "access_walk",
        {"access_walk_units": units},
        summary={
            "mode": "walk",
            "label": "walk",
            "residents": float(w.sum()),
            "coverage": cov,
            "network": {"file": "city.pbf", "residents_outside": 0.0},
            "unit": "min",
        },
        command="libpolis access --mode walk",
    )
    ev = assemble_evidence(demo_engine)
    assert ev.facts["access_step"] == "access_walk"
    assert ev.facts["access_unit"] == "min"
    assert ev.facts["main_threshold"] == 15.0
    assert ev.value("coverage_15min") == pytest.approx(cov["15"])
    assert ev.value("underserved_residents") == w[units["time_min"] > 15].sum()
    assert ev.value("mean_time_min") == pytest.approx(np.average(units["time_min"], weights=w))
    assert "partial_network" not in ev.facts
    res = write_brief(demo_engine, tmp_path, formats=["html"], today=date(2026, 5, 4))
    assert list(res["headline"])[:3] == ["walk_in_libraries", "coverage_15min", "mean_time_min"]
    html = Path(res["html"]).read_text(encoding="utf-8")
    assert "travel time on the street network (walking)" in html
    assert "within 15 min" in html


def test_evidence_of_an_empty_store_on_each_backend(engine):
    ev = assemble_evidence(engine)
    assert ev.value("libraries") == 0
    assert "access" in ev.missing
    assert ev.sources.empty


def test_a_planning_result_replaces_the_straight_line_estimate(demo_engine):
    from libpolis.store import write_result

    sites = pd.DataFrame(
        {
            "site_id": ["c1"],
            "lon": [25.1],
            "lat": [60.21],
            "district": ["Itäinen"],
            "residents_gained": [12345.0],
        }
    )
    write_result(
        demo_engine,
        "plan_coverage",
        {"plan_coverage_sites": sites},
        summary={"objective": "coverage"},
        command="libpolis plan --sites 1",
    )
    ev = assemble_evidence(demo_engine)
    assert "plan" not in ev.missing
    assert ev.facts["new_site"]["from_plan"] is True
    assert ev.value("new_site_gain") == 12345.0
    assert ev.figures["new_site_gain"].command == "libpolis plan --sites 1"


def test_demo_plan_feeds_the_new_site_figure(demo_engine):
    ev = assemble_evidence(demo_engine)
    from libpolis.store.results import latest_run

    plan = latest_run(demo_engine, "plan_coverage")
    assert plan is not None and "plan" not in ev.missing
    site = ev.facts["new_site"]
    assert site["from_plan"] is True and site["n_sites"] == 3
    assert ev.value("new_site_gain") == plan.summary["residents_gained"]
    sites = ev.tables["plan_sites"]
    assert set(sites["status"]) == {"new"}  # existing libraries are not recommended sites


def test_without_planning_the_estimate_is_labelled(demo_engine):
    from sqlalchemy import delete

    from libpolis.store import session_scope
    from libpolis.store.tables import ResultTable, Run

    with session_scope(demo_engine) as s:
        s.execute(delete(ResultTable).where(ResultTable.name.like("plan%")))
        s.execute(delete(Run).where(Run.step.like("plan%")))
    ev = assemble_evidence(demo_engine)
    assert "libpolis plan" in ev.missing["plan"]
    assert ev.facts["new_site"]["from_plan"] is False
    assert ev.value("new_site_gain") > 0
