"""MCLP and p-median: optima against PySAL spopt (CBC via pulp), bounds, properties, errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pulp
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from spopt import locate as spopt_locate

from libpolis.errors import DataError, MissingColumnError
from libpolis.plan import MaximalCoverage, NotSolvedError, PMedian

# spopt builds its models with PuLP calls that PuLP 3.3 marks as deprecated (for PuLP 4)
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:pulp.*")


def _predefined(n_sites: int, existing: list[int]) -> np.ndarray | None:
    if not existing:
        return None
    arr = np.zeros(n_sites, dtype=int)
    arr[existing] = 1
    return arr


def _spopt_mclp(times, weights, within, n_new, existing) -> float:
    model = spopt_locate.MCLP.from_cost_matrix(
        times,
        weights,
        service_radius=within,
        p_facilities=n_new + len(existing),
        predefined_facilities_arr=_predefined(times.shape[1], existing),
    )
    model.solve(pulp.PULP_CBC_CMD(msg=False))
    return float(pulp.value(model.problem.objective))


def _spopt_median(times, weights, n_new, existing) -> float:
    model = spopt_locate.PMedian.from_cost_matrix(
        times,
        weights,
        p_facilities=n_new + len(existing),
        predefined_facilities_arr=_predefined(times.shape[1], existing),
    )
    model.solve(pulp.PULP_CBC_CMD(msg=False))
    return float(pulp.value(model.problem.objective))


@pytest.mark.parametrize(
    ("within_m", "n_new", "existing"),
    [(2000, 1, []), (2000, 4, [0, 5]), (5000, 4, []), (5000, 8, [3]), (1500, 6, [1, 2, 9])],
)
def test_mclp_sf_equals_spopt(sf_case, within_m, n_new, existing):
    times, weights, names = sf_case
    expected = _spopt_mclp(times, weights, within_m, n_new, existing)
    result = (
        MaximalCoverage.from_cost_matrix(
            times,
            weights,
            within_min=within_m,
            n_sites=n_new,
            existing=[names[i] for i in existing],
            sites=names,
        )
        .solve()
        .result
    )
    assert result.value == pytest.approx(expected, rel=1e-9)
    assert result.proven_optimal
    assert len(result.selected) == n_new
    assert set(result.selected).isdisjoint(result.existing)


@pytest.mark.parametrize(("n_new", "existing"), [(1, []), (4, [0, 5]), (8, []), (3, [7])])
def test_median_sf_equals_spopt(sf_case, n_new, existing):
    times, weights, _ = sf_case
    expected = _spopt_median(times, weights, n_new, existing)
    result = PMedian.from_cost_matrix(times, weights, n_sites=n_new, existing=existing)
    result = result.solve().result
    assert result.value == pytest.approx(expected, rel=1e-9)
    assert result.proven_optimal


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_instances_equal_spopt(random_instance, seed):
    times, weights = random_instance(80, 15, seed)
    existing = [seed]
    mclp = MaximalCoverage.from_cost_matrix(
        times, weights, within_min=25, n_sites=3, existing=existing
    ).solve()
    assert mclp.result.value == pytest.approx(_spopt_mclp(times, weights, 25, 3, existing))
    median = PMedian.from_cost_matrix(times, weights, n_sites=3, existing=existing).solve()
    assert median.result.value == pytest.approx(_spopt_median(times, weights, 3, existing))


@pytest.mark.parametrize("seed", [4, 5])
def test_heuristic_bounds_bracket_the_optimum(random_instance, seed):
    times, weights = random_instance(150, 25, seed)
    best = _spopt_mclp(times, weights, 20, 4, [])
    r = MaximalCoverage.from_cost_matrix(times, weights, within_min=20, n_sites=4)
    r = r.solve(method="heuristic").result
    assert r.value <= best + 1e-9 <= r.bound + 2e-9
    best = _spopt_median(times, weights, 4, [])
    m = PMedian.from_cost_matrix(times, weights, n_sites=4).solve(method="heuristic").result
    assert m.bound - 1e-6 <= best <= m.value + 1e-6


def test_sparse_and_long_inputs_match_dense(random_instance):
    times, weights = random_instance(60, 10, 7)
    dense = MaximalCoverage.from_cost_matrix(times, weights, within_min=20, n_sites=2).solve()
    cut = np.where(times <= 20, times, np.inf)
    rows, cols = np.nonzero(np.isfinite(cut))
    sparse = sp.csr_matrix((times[rows, cols], (rows, cols)), shape=times.shape)
    via_sparse = MaximalCoverage.from_cost_matrix(sparse, weights, within_min=20, n_sites=2)
    long = pd.DataFrame(
        {"from_id": [f"c{i}" for i in rows], "to_id": cols, "time_min": times[rows, cols]}
    )
    w = pd.Series(weights, index=[f"c{i}" for i in range(60)])
    via_long = MaximalCoverage.from_cost_matrix(long, w, within_min=20, n_sites=2, sites=range(10))
    assert via_sparse.solve().result.value == dense.result.value
    assert via_long.solve().result.value == dense.result.value
    table = via_long.client_table()
    assert table["client_id"].tolist() == list(w.index)
    assert table.loc[table["covered"], "weight"].sum() == dense.result.value


def test_median_with_cutoff_needs_penalty(random_instance):
    times, weights = random_instance(40, 8, 9)
    cut = sp.csr_matrix(np.where(times <= 30, times, 0.0))
    with pytest.raises(DataError, match="unreachable_min"):
        PMedian.from_cost_matrix(cut, weights, n_sites=2).solve()
    # with the penalty at least as large as every time, the cut-off model matches the dense one
    full = PMedian.from_cost_matrix(times, weights, n_sites=2).solve().result
    big = float(times.max())
    kept = np.where(times <= big, times, np.inf)
    capped = PMedian.from_cost_matrix(kept, weights, n_sites=2, unreachable_min=big)
    assert capped.solve().result.value == pytest.approx(full.value)


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n_new=st.integers(1, 4),
    within=st.floats(5, 60),
)
def test_adding_a_site_never_lowers_coverage(seed, n_new, within):
    rng = np.random.default_rng(seed)
    times = rng.uniform(0, 80, (30, 8))
    weights = rng.integers(0, 20, 30).astype(float)
    fewer = MaximalCoverage.from_cost_matrix(
        times[:, :-1], weights, within_min=within, n_sites=n_new
    ).solve()
    more = MaximalCoverage.from_cost_matrix(
        times, weights, within_min=within, n_sites=n_new
    ).solve()
    assert more.result.value >= fewer.result.value - 1e-9
    # one more site to choose never lowers coverage either
    plus = MaximalCoverage.from_cost_matrix(times, weights, within_min=within, n_sites=n_new + 1)
    assert plus.solve().result.value >= more.result.value - 1e-9


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), within=st.floats(1, 60), n_exist=st.integers(0, 3))
def test_all_candidates_reach_the_maximum(seed, within, n_exist):
    rng = np.random.default_rng(seed)
    times = rng.uniform(0, 80, (25, 7))
    weights = rng.integers(0, 20, 25).astype(float)
    existing = list(range(n_exist))
    r = MaximalCoverage.from_cost_matrix(
        times, weights, within_min=within, n_sites=7 - n_exist, existing=existing
    ).solve()
    assert r.result.value == pytest.approx(weights[(times <= within).any(axis=1)].sum())
    assert r.result.proven_optimal


def test_results_are_deterministic(random_instance):
    times, weights = random_instance(200, 30, 11)
    weights = np.ones_like(weights)  # many ties
    runs = [
        MaximalCoverage.from_cost_matrix(times, weights, within_min=15, n_sites=5).solve().result
        for _ in range(3)
    ]
    assert len({r.selected for r in runs}) == 1
    medians = [PMedian.from_cost_matrix(times, weights, n_sites=5).solve().result for _ in range(3)]
    assert len({m.selected for m in medians}) == 1


def test_errors_name_the_problem(random_instance):
    times, weights = random_instance(10, 4, 0)
    with pytest.raises(DataError, match="only 3 candidate sites"):
        MaximalCoverage.from_cost_matrix(times, weights, within_min=5, n_sites=4, existing=[0])
    model = PMedian.from_cost_matrix(times, weights, n_sites=1)
    with pytest.raises(NotSolvedError):
        _ = model.result
    with pytest.raises(MissingColumnError, match="time_min"):
        MaximalCoverage.from_cost_matrix(
            pd.DataFrame({"from_id": [0], "to_id": [0]}), pd.Series([1.0]), within_min=5, n_sites=1
        )
    bad = pd.DataFrame({"from_id": [0, 1], "to_id": [0, 0], "time_min": [1.0, -2.0]})
    with pytest.raises(DataError, match="row 1, column 'time_min'"):
        MaximalCoverage.from_cost_matrix(bad, pd.Series([1.0, 1.0]), within_min=5, n_sites=1)
    with pytest.raises(DataError, match="weights must be finite"):
        MaximalCoverage.from_cost_matrix(times, -weights, within_min=5, n_sites=1)


@pytest.fixture(scope="module")
def sf_points():
    from pathlib import Path

    import geopandas as gpd

    data = Path(__file__).parents[1] / "data" / "plan"
    demand = pd.read_csv(data / "SF_demand_205_centroid_uniform_weight.csv")
    sites = pd.read_csv(data / "SF_store_site_16_longlat.csv")

    def points(frame):
        geometry = gpd.points_from_xy(frame["long"], frame["lat"])
        return gpd.GeoDataFrame(frame, geometry=geometry, crs="EPSG:4326")

    return points(demand), points(sites)


@pytest.mark.parametrize("existing", [[], [2, 11]])
def test_from_geodataframe_equals_spopt_euclidean(sf_points, existing):
    """Straight-line times at 60 km/h (1 min = 1 km) vs spopt's euclidean distances in UTM."""
    demand, sites = sf_points
    sites = sites.assign(is_library=[i in existing for i in range(len(sites))])
    utm = demand.estimate_utm_crs()
    spopt_sites = sites.to_crs(utm).assign(predefined=sites["is_library"].astype(int))
    p = 3 + len(existing)
    kwargs = {"predefined_facility_col": "predefined"} if existing else {}
    peer = spopt_locate.MCLP.from_geodataframe(
        demand.to_crs(utm), spopt_sites, "geometry", "geometry", "POP2000",
        service_radius=2500.0, p_facilities=p, **kwargs,
    ).solve(pulp.PULP_CBC_CMD(msg=False))  # fmt: skip
    ours = MaximalCoverage.from_geodataframe(
        demand, sites, weight_col="POP2000", within_min=2.5, n_sites=3, speed_kph=60.0,
        existing_col="is_library", site_id_col="NAME",
    ).solve()  # fmt: skip
    assert ours.result.value == pytest.approx(pulp.value(peer.problem.objective))
    median_peer = spopt_locate.PMedian.from_geodataframe(
        demand.to_crs(utm), spopt_sites, "geometry", "geometry", "POP2000",
        p_facilities=p, **kwargs,
    ).solve(pulp.PULP_CBC_CMD(msg=False))  # fmt: skip
    median = PMedian.from_geodataframe(
        demand, sites, weight_col="POP2000", n_sites=3, speed_kph=60.0,
        existing_col="is_library",
    ).solve()  # fmt: skip
    # spopt's objective is in metres x population; ours in minutes (= km) x population
    assert median.result.value * 1000.0 == pytest.approx(
        pulp.value(median_peer.problem.objective), rel=1e-6
    )


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10_000), n_new=st.integers(1, 3))
def test_median_more_candidates_never_cost_more(seed, n_new):
    rng = np.random.default_rng(seed)
    times = rng.uniform(0, 60, (25, 7))
    weights = rng.integers(0, 20, 25).astype(float)
    fewer = PMedian.from_cost_matrix(times[:, :-1], weights, n_sites=n_new).solve().result
    more = PMedian.from_cost_matrix(times, weights, n_sites=n_new).solve().result
    assert more.value <= fewer.value + 1e-9
    assert more.proven_optimal and fewer.proven_optimal


@pytest.mark.parametrize("seed", [6, 7])
def test_median_without_mip_brackets_spopt(random_instance, seed):
    """No MIP on the full model: heuristics, Lagrangian bound and the restricted sub-problem."""
    times, weights = random_instance(120, 30, seed)
    best = _spopt_median(times, weights, 5, [0])
    r = PMedian.from_cost_matrix(times, weights, n_sites=5, existing=[0])
    r = r.solve(exact_max_nonzeros=0).result
    assert r.bound - 1e-6 <= best <= r.value + 1e-6
    assert r.gap == pytest.approx(abs(r.value - r.bound) / r.bound)
    assert len(r.selected) == 5 and 0 not in r.selected
