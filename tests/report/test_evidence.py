"""Evidence: figures checked against independent computations on the store."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import text

from libpolis.evidence import assemble_evidence
from libpolis.store import read_result, write_result


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
    assert ev.value("residents") == units["population"].sum()
    assert (
        ev.value("underserved_residents") == units.loc[units["dist_m"] > 1000, "population"].sum()
    )
    # the least-served district is the first of the stored table; its figures match the units
    stored = read_result(demo_engine, "access_straight_districts")
    worst = stored.loc[stored["unserved"] > 0, "district"].iloc[0]
    assert ev.facts["worst_district"] == worst
    part = units[units["district"] == worst]
    assert ev.value("worst_district_unserved") == pytest.approx(
        part.loc[part["dist_m"] > 1000, "population"].sum()
    )
    assert ev.value("worst_district_coverage") == pytest.approx(
        part.loc[part["dist_m"] <= 1000, "population"].sum() / part["population"].sum()
    )
    assert list(ev.tables["districts"]["district"]) == list(stored["district"])
    assert ev.value("libraries_open_sundays") == sundays
    assert ev.place_name == "Helsinki"
    assert ev.headline_mode == "straight" and ev.headline_unit == "m"
    # every figure is traceable, and every access figure states its mode
    for f in ev.figures.values():
        assert f.method and f.command, f.key
        if f.key.startswith(("coverage_", "mean_", "access_", "age_")):
            assert f.mode in ("straight", "walk", "bike", "drive"), f.key


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
    assert sdg.loc["4", "programmes"] == 2  # the one outside Helsinki is left out
    assert sdg.loc["4", "confirmed"] == 1
    assert sdg.loc["10", "programmes"] == 1  # the rejected one is left out
    assert sdg.loc["4", "attendance"] == 10 + 20
    assert ev.value("sdg_goals_served") == 2
    rights = ev.tables["rights"].set_index("article")
    assert {"19", "21", "26", "27"} <= set(rights.index)
    assert rights.loc["21", "programmes"] == 0
    assert rights.loc["27", "programmes"] == 1  # and here too
    assert ev.tables["strategy"]["programmes"].tolist() == [1]
    assert ev.tables["culture"]["partners"].iloc[0] == ["City youth services"]
    stats = ev.tables["statistics"].set_index("name")
    assert stats.loc["loans", "value"] == 5000.0
    assert ev.value("stat_visits") == 2000.0


def test_a_city_wide_network_run_becomes_the_headline(demo_engine, tmp_path):
    """When a network run covers the whole city, the brief reports travel times in minutes."""
    from datetime import date

    from libpolis.report.brief import render_brief

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
            "mean_time_min": float(np.average(units["time_min"], weights=w)),
            "coverage": cov,
            "main_threshold": 15.0,
            "underserved_residents": float(w[units["time_min"] > 15].sum()),
            "network": {"file": "city.pbf", "residents_outside": 0.0},
            "unit": "min",
        },
        command="libpolis access --mode walk",
    )
    ev = assemble_evidence(demo_engine)
    assert ev.facts["access_step"] == "access_walk"
    assert ev.headline_mode == "walk" and ev.headline_unit == "min"
    assert ev.facts["main_threshold"] == 15.0
    assert ev.value("coverage_15min") == pytest.approx(cov["15"])
    assert ev.figures["coverage_15min"].mode == "walk"
    assert ev.value("underserved_residents") == w[units["time_min"] > 15].sum()
    assert ev.value("mean_time_min") == pytest.approx(np.average(units["time_min"], weights=w))
    assert "partial_network" not in ev.facts
    # the demo's plan measured straight lines: the brief says so beside walking figures
    assert ev.facts["new_site"]["mode"] == "straight"
    assert ev.facts["new_site"]["mode_differs"] is True
    res = render_brief(ev, tmp_path, formats=["html"], today=date(2026, 5, 4))
    assert list(res["headline"])[:3] == ["walk_in_libraries", "coverage_15min", "mean_time_min"]
    html = Path(res["html"]).read_text(encoding="utf-8")
    assert "travel time on the street network (walking)" in html
    assert "within 15 min" in html
    assert "straight-line distances, while the access figures of this brief are walking times" in (
        html
    )


def test_evidence_of_an_empty_store_on_each_backend(engine):
    ev = assemble_evidence(engine)
    assert ev.value("libraries") == 0
    assert "access" in ev.missing
    assert ev.sources.empty


def test_a_planning_result_replaces_the_straight_line_estimate(demo_engine):
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
        summary={"objective": "coverage", "mode": "walk"},
        command="libpolis plan --sites 1 --mode walk",
    )
    ev = assemble_evidence(demo_engine)
    assert "plan" not in ev.missing
    assert ev.facts["new_site"]["from_plan"] is True
    assert ev.value("new_site_gain") == 12345.0
    assert ev.figures["new_site_gain"].command == "libpolis plan --sites 1 --mode walk"
    assert ev.figures["new_site_gain"].mode == "walk"
    assert ev.facts["new_site"]["mode_differs"] is True  # the headline is straight-line


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


def test_without_planning_the_stored_straight_line_estimate_is_shown_and_labelled(demo_engine):
    from sqlalchemy import delete

    from libpolis.store import session_scope
    from libpolis.store.tables import ResultTable, Run

    with session_scope(demo_engine) as s:
        s.execute(delete(ResultTable).where(ResultTable.name.like("plan%")))
        s.execute(delete(Run).where(Run.step.like("plan%")))
    ev = assemble_evidence(demo_engine)
    assert "libpolis plan" in ev.missing["plan"]
    assert "straight-line estimate" in ev.missing["plan"]
    best = read_result(demo_engine, "access_straight_best_site")
    assert ev.facts["new_site"]["from_plan"] is False
    assert ev.value("new_site_gain") == best["residents_gained"].iloc[0] > 0
    f = ev.figures["new_site_gain"]
    assert f.mode == "straight" and "straight-line estimate" in f.label


def test_stored_curve_gini_and_e2sfca_are_read(demo_engine):
    ev = assemble_evidence(demo_engine)
    stored = read_result(demo_engine, "access_straight_curve")
    curve = ev.tables["coverage_curve"]
    # the stored curve, with a point at 0 added for the chart
    assert curve["threshold"].iloc[0] == 0.0 and len(curve) == len(stored) + 1
    assert list(curve["share"].iloc[1:]) == list(stored["share"])
    from libpolis.store.results import latest_run

    run = latest_run(demo_engine, "access_straight")
    assert ev.value("gini") == run.summary["gini"]  # read as the analysis stored it
    assert ev.figures["gini"].mode == "straight"
    # the walking run over the centre carries its E2SFCA figure, in its own scope
    walk = read_result(demo_engine, "access_walk_units")
    ww = walk["population"].to_numpy(float)
    e2 = walk["e2sfca"].to_numpy(float)
    # E2SFCA scores are library supply per resident; the figure is per 1,000 residents
    assert ev.value("access_walk_e2sfca_mean") == pytest.approx(1000 * np.average(e2, weights=ww))
    assert ev.figures["access_walk_e2sfca_mean"].mode == "walk"


def test_the_cultural_gateway_is_recommended_only_where_libraries_are_nearest(demo_engine):
    from libpolis.evidence.recommend import GATEWAY_SHARE

    ev = assemble_evidence(demo_engine)
    assert ev.value("share_nearest_culture_library") >= GATEWAY_SHARE
    assert 1 <= len(ev.recommendations) <= 3
    for r in ev.recommendations:
        assert all(k in ev.figures for k in r.figures), r.key  # each rests on real figures
    from libpolis.store.results import latest_run

    run = latest_run(demo_engine, "access_straight")
    write_result(
        demo_engine,
        "access_straight",
        {"access_straight_units": read_result(demo_engine, "access_straight_units")},
        summary={**run.summary, "share_nearest_culture_library": 0.045},
        command=run.command,
    )
    ev = assemble_evidence(demo_engine)
    assert "cultural_gateway" not in [r.key for r in ev.recommendations]
