"""Coverage: closed forms on a synthetic grid, properties, and the New York straight-line check."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.spatial import cKDTree

from libpolis.access.coverage import (
    coverage,
    coverage_by_band,
    coverage_by_group,
    coverage_curve,
    income_quantiles,
)
from libpolis.errors import DataError

DATA = Path(__file__).resolve().parents[1] / "data" / "access"
EARTH_RADIUS_M = 6_371_008.8

values_st = st.lists(
    st.one_of(st.floats(0, 100, allow_nan=False), st.just(np.inf), st.just(np.nan)),
    min_size=1,
    max_size=40,
)


def _diamond_grid(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Cells of a (2n+1)^2 grid, one resident each, time = Manhattan distance to the centre."""
    x, y = np.meshgrid(np.arange(-n, n + 1), np.arange(-n, n + 1))
    return (np.abs(x) + np.abs(y)).ravel().astype(float), np.ones(x.size)


def test_grid_closed_form() -> None:
    # on the lattice, |x| + |y| <= k holds for exactly 2k^2 + 2k + 1 points (k <= n)
    n = 20
    t, pop = _diamond_grid(n)
    ks = [0, 1, 5, 10, 20]
    table = coverage(t, pop, ks)
    expected = [(2 * k * k + 2 * k + 1) / (2 * n + 1) ** 2 for k in ks]
    np.testing.assert_allclose(table["share"], expected, rtol=0, atol=1e-15)
    assert list(table.columns) == [
        "threshold_min",
        "population",
        "covered_pop",
        "share",
        "not_covered_pop",
        "unreachable_pop",
        "unreachable_share",
    ]
    assert (table["unreachable_pop"] == 0).all()


def test_thresholds_are_inclusive_and_population_weighted() -> None:
    table = coverage([5.0, 10.0, 20.0], [100, 300, 600], [5, 9.99, 10, 30])
    np.testing.assert_allclose(table["share"], [0.1, 0.1, 0.4, 1.0])
    np.testing.assert_allclose(table["covered_pop"], [100, 100, 400, 1000])


def test_unreachable_counted_as_not_covered_and_reported() -> None:
    table = coverage([1.0, np.nan, np.inf, 2.0], [10, 20, 30, 40], [60], unit="min")
    row = table.iloc[0]
    assert row["share"] == pytest.approx(0.5)
    assert row["unreachable_pop"] == 50
    assert row["unreachable_share"] == pytest.approx(0.5)
    assert row["not_covered_pop"] == 50


def test_metres_name_the_column() -> None:
    table = coverage([100.0, 900.0], None, [800], unit="m")
    assert "threshold_m" in table.columns
    assert table["share"].iloc[0] == 0.5


@pytest.mark.parametrize(
    ("values", "population", "message"),
    [
        ([1.0, -2.0], None, "negative"),
        ([1.0, 2.0], [1.0], "one entry per value"),
        ([1.0, 2.0], [1.0, -1.0], ">= 0"),
        ([1.0, 2.0], [0.0, 0.0], "total population"),
        ([], None, "total population"),
    ],
)
def test_bad_input_raises(values, population, message) -> None:
    with pytest.raises(DataError, match=message):
        coverage(values, population, [5])


def test_bad_thresholds_and_unit() -> None:
    with pytest.raises(DataError, match="thresholds"):
        coverage([1.0], None, [])
    with pytest.raises(DataError, match="unit"):
        coverage([1.0], None, [5], unit="km")  # type: ignore[arg-type]
    with pytest.raises(DataError, match="step"):
        coverage_curve([1.0], step=0)


def test_curve_is_every_minute_to_60_and_matches_coverage() -> None:
    rng = np.random.default_rng(3)
    t = rng.gamma(2.0, 8.0, 500)
    t[:7] = np.inf
    pop = rng.integers(0, 500, 500)
    curve = coverage_curve(t, pop)
    assert curve["threshold_min"].tolist() == list(range(1, 61))
    direct = coverage(t, pop, range(1, 61))
    pd.testing.assert_frame_equal(curve, direct)
    metres = coverage_curve(t * 100, pop, max_value=5000, step=100, unit="m")
    assert metres["threshold_m"].iloc[-1] == 5000
    np.testing.assert_allclose(metres["share"].to_numpy(), curve["share"].to_numpy()[:50])


@settings(max_examples=60, deadline=None)
@given(
    values=values_st,
    data=st.data(),
    thresholds=st.lists(st.floats(0, 120), min_size=1, max_size=5),
)
def test_integer_weights_equal_replication(values, data, thresholds) -> None:
    weights = data.draw(st.lists(st.integers(0, 4), min_size=len(values), max_size=len(values)))
    if sum(weights) == 0:
        weights[0] = 1
    weighted = coverage(values, weights, thresholds)
    replicated = coverage(np.repeat(values, weights), None, thresholds)
    np.testing.assert_allclose(weighted["share"], replicated["share"], atol=1e-12)
    np.testing.assert_allclose(
        weighted["unreachable_share"], replicated["unreachable_share"], atol=1e-12
    )
    # the share is the brute-force count, and the curve never decreases
    v = np.asarray(values, dtype=float)
    v = np.where(np.isnan(v), np.inf, v)
    w = np.asarray(weights, dtype=float)
    brute = [w[v <= t].sum() / w.sum() for t in thresholds]
    np.testing.assert_allclose(weighted["share"], brute, atol=1e-12)
    curve = coverage_curve(values, weights)["share"].to_numpy()
    assert (np.diff(curve) >= -1e-15).all()


def test_by_group_sums_to_total_and_keeps_missing_labels() -> None:
    rng = np.random.default_rng(5)
    t = rng.uniform(0, 40, 300)
    t[::17] = np.nan
    pop = rng.integers(1, 100, 300)
    groups = rng.choice(np.array(["a", "b", "c"], dtype=object), 300)
    groups[::23] = None
    table = coverage_by_group(t, pop, groups, [10, 20])
    assert table["group"].isna().sum() == 2  # one missing-label group, two thresholds
    overall = coverage(t, pop, [10, 20])
    for th, part in table.groupby("threshold_min"):
        ref = overall.set_index("threshold_min").loc[th]
        assert part["covered_pop"].sum() == pytest.approx(ref["covered_pop"])
        assert part["unreachable_pop"].sum() == pytest.approx(ref["unreachable_pop"])
    a = table[(table["group"] == "a") & (table["threshold_min"] == 10)].iloc[0]
    m = groups == "a"
    assert a["share"] == pytest.approx(pop[m & (t <= 10)].sum() / pop[m].sum())


def test_by_group_with_empty_group_population() -> None:
    table = coverage_by_group([1.0, 2.0], [0, 5], ["x", "y"], [1.5])
    x = table[table["group"] == "x"].iloc[0]
    assert x["population"] == 0 and np.isnan(x["share"])


def test_by_band_weights_each_band() -> None:
    t = np.array([3.0, 8.0, np.inf])
    bands = pd.DataFrame({"age_0_17": [10, 0, 5], "age_65_": [0, 20, 20]})
    table = coverage_by_band(t, bands, [5, 10])
    kids = table[table["group"] == "age_0_17"].set_index("threshold_min")
    old = table[table["group"] == "age_65_"].set_index("threshold_min")
    assert kids.loc[5, "share"] == pytest.approx(10 / 15)
    assert old.loc[5, "share"] == 0
    assert old.loc[10, "share"] == pytest.approx(20 / 40)
    assert old.loc[10, "unreachable_pop"] == 20
    with pytest.raises(DataError, match="one row per value"):
        coverage_by_band(t[:2], bands)


def test_income_quantiles_equal_weights_and_ties() -> None:
    q = income_quantiles(np.arange(100.0))
    assert q.value_counts().sort_index().tolist() == [20] * 5
    assert q.iloc[0] == 1 and q.iloc[-1] == 5
    tied = income_quantiles([1.0, 1.0, 1.0, 1.0, 2.0], q=2)
    assert tied.nunique() == 2 and tied.iloc[:4].nunique() == 1
    missing = income_quantiles([1.0, np.nan, 3.0])
    assert missing.isna().tolist() == [False, True, False]
    assert str(missing.dtype) == "Int64"


def test_income_quantiles_population_weighted() -> None:
    # the richest unit holds 60% of the residents: it alone spans quintiles 3-5 (midpoint 0.7)
    q = income_quantiles([10.0, 20.0, 30.0], [20, 20, 60], q=5)
    assert q.tolist() == [1, 2, 4]
    with pytest.raises(DataError, match="q must be"):
        income_quantiles([1.0], q=1)


def test_inputs_not_mutated_and_deterministic() -> None:
    t = np.array([1.0, np.nan, 5.0])
    pop = np.array([1.0, 2.0, 3.0])
    before = (t.copy(), pop.copy())
    first = coverage(t, pop, [2, 6])
    second = coverage(t, pop, [2, 6])
    pd.testing.assert_frame_equal(first, second)
    np.testing.assert_array_equal(t, before[0])
    np.testing.assert_array_equal(pop, before[1])


# --- the published straight-line check for New York ---------------------------------------


def _unit_vectors(lat_deg: np.ndarray, lon_deg: np.ndarray) -> np.ndarray:
    lat, lon = np.radians(lat_deg), np.radians(lon_deg)
    return np.column_stack((np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)))


def _great_circle_nearest_m(points: np.ndarray, facilities: np.ndarray) -> np.ndarray:
    """Great-circle distance (m) from each (lat, lon) point to the nearest facility."""
    tree = cKDTree(_unit_vectors(facilities[:, 0], facilities[:, 1]))
    chord, _ = tree.query(_unit_vectors(points[:, 0], points[:, 1]))
    return 2.0 * EARTH_RADIUS_M * np.arcsin(np.minimum(chord / 2.0, 1.0))


def test_new_york_straight_line_check() -> None:
    """shared/data/README.md: 40% of New Yorkers within 0.8 km of a library, 84% within 3.2 km.

    Population: the 16,070 New York block groups of the 2020 Census centers of population.
    Libraries: the 1,069 open central and branch outlets of IMLS PLS FY2021 in New York
    (bookmobiles and temporarily closed outlets left out).
    """
    bg = pd.read_csv(DATA / "equity_CenPop2020_Mean_BG36.txt", encoding="utf-8-sig", dtype=str)
    outlets = pd.read_csv(DATA / "equity_pls_fy21_outlets_ny.csv", dtype=str)
    open_fixed = outlets[outlets["C_OUT_TY"].isin(["CE", "BR"]) & (outlets["STATSTRU"] != "23")]
    assert len(bg) == 16_070 and len(open_fixed) == 1_069
    dist_m = _great_circle_nearest_m(
        bg[["LATITUDE", "LONGITUDE"]].astype(float).to_numpy(),
        open_fixed[["LATITUDE", "LONGITUD"]].astype(float).to_numpy(),
    )
    table = coverage(dist_m, bg["POPULATION"].astype(float), [800, 3200], unit="m")
    assert table["population"].iloc[0] == 20_201_249
    # the README quotes whole percentages (40.5% and 84.4% here)
    assert int(100 * table["share"].iloc[0]) == 40
    assert int(100 * table["share"].iloc[1]) == 84


def test_helsinki_walking_coverage_agrees_with_within_time(helsinki_graphs, helsinki_pbf) -> None:
    """Coverage of ``nearest_facility`` times equals the share of residents that the
    independent bounded search ``within_time`` finds a library for, at every threshold."""
    import geopandas as gpd

    from libpolis.access.nearest import nearest_facility, within_time
    from libpolis.sources.osm import read_osm_culture

    cells = pd.read_csv(DATA / "equity_helsinki_population_grid_2020_centroids.csv")
    residents = gpd.GeoDataFrame(
        cells, geometry=gpd.points_from_xy(cells["lon"], cells["lat"]), crs=4326
    )
    venues = read_osm_culture(helsinki_pbf)
    libs = venues[venues["kind"] == "library"]
    libraries = gpd.GeoDataFrame(
        libs[["source_id"]], geometry=gpd.points_from_xy(libs["lon"], libs["lat"]), crs=4326
    )
    graph = helsinki_graphs["walk"]
    near = nearest_facility(graph, residents, libraries, facility_id="source_id")
    pop = cells["population"].to_numpy(dtype=float)
    table = coverage(near["time_min"], pop, [5, 10, 15, 20])
    for t, share in zip(table["threshold_min"], table["share"], strict=True):
        od = within_time(graph, residents, libraries, float(t), facility_id="source_id")
        reached = cells["id"].isin(od["from_id"]).to_numpy()
        assert share == pytest.approx(pop[reached].sum() / pop.sum(), abs=1e-12)
    assert table["share"].iloc[-1] > table["share"].iloc[0]


def test_partitions_add_up() -> None:
    """Per-partition covered and unreachable residents add up to the whole (Dask-friendly)."""
    rng = np.random.default_rng(8)
    t = rng.gamma(2.0, 7.0, 1000)
    t[rng.random(1000) < 0.05] = np.nan
    pop = rng.integers(0, 400, 1000)
    whole = coverage(t, pop, [5, 15, 30])
    parts = [coverage(t[a : a + 250], pop[a : a + 250], [5, 15, 30]) for a in range(0, 1000, 250)]
    for col in ("covered_pop", "unreachable_pop", "population"):
        np.testing.assert_allclose(sum(p[col] for p in parts), whole[col])


@given(
    st.lists(
        st.tuples(st.one_of(st.none(), st.sampled_from(["a", "b", "c"])), st.floats(0, 1000)),
        max_size=40,
    )
)
@settings(max_examples=60, deadline=None)
def test_residents_by_facility_sums_each_catchment(pairs) -> None:
    from libpolis.access.coverage import residents_by_facility

    ids = [p[0] for p in pairs]
    w = [p[1] for p in pairs]
    got = residents_by_facility(ids, w)
    want = {k: sum(x for i, x in pairs if i == k) for k in {i for i in ids if i is not None}}
    assert dict(zip(got["library_id"], got["residents"], strict=True)) == pytest.approx(want)
    assert list(got["residents"]) == sorted(got["residents"], reverse=True)
