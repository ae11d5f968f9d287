"""E2SFCA: PySAL ``access`` as oracle (synthetic and real San Francisco inputs), closed forms."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.spatial import cKDTree

from libpolis.access.fca import e2sfca, e2sfca_ratios, gaussian_weight, library_supply
from libpolis.errors import DataError, MissingColumnError

access = pytest.importorskip("access", reason="PySAL access (dev extra) is the E2SFCA oracle")

DATA = Path(__file__).resolve().parents[1] / "data" / "access"


def _pysal_e2sfca(demand, supply, od, catchment_min, sigma_min) -> np.ndarray:
    """PySAL access's E2SFCA with its Gaussian weight, in the row order of ``demand``.

    PySAL itself triggers pandas deprecation warnings (``inplace=True``); they are the oracle's,
    not ours, so they are silenced here only.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _pysal_e2sfca_noisy(demand, supply, od, catchment_min, sigma_min)


def _pysal_e2sfca_noisy(demand, supply, od, catchment_min, sigma_min) -> np.ndarray:
    model = access.Access(
        demand_df=demand,
        demand_index="id",
        demand_value="population",
        supply_df=supply,
        supply_index="id",
        supply_value="supply",
        cost_df=od,
        cost_origin="from_id",
        cost_dest="to_id",
        cost_name="time_min",
    )
    out = model.enhanced_two_stage_fca(
        name="e2sfca", max_cost=catchment_min, weight_fn=access.weights.gaussian(sigma_min)
    )
    # PySAL leaves demand points with no library in the catchment as NaN; ours says 0
    return out["e2sfca_supply"].reindex(demand["id"]).fillna(0.0).to_numpy()


def _random_instance(seed: int, n_demand: int, n_supply: int, side: float, radius: float):
    rng = np.random.default_rng(seed)
    dxy = rng.uniform(0, side, (n_demand, 2))
    sxy = rng.uniform(0, side, (n_supply, 2))
    demand = pd.DataFrame(
        {"id": [f"d{k}" for k in range(n_demand)], "population": rng.integers(0, 5000, n_demand)}
    )
    supply = pd.DataFrame(
        {"id": np.arange(n_supply) * 7 + 3, "supply": rng.uniform(0.2, 4.0, n_supply)}
    )
    pairs = cKDTree(dxy).sparse_distance_matrix(cKDTree(sxy), radius, output_type="coo_matrix")
    od = pd.DataFrame(
        {
            "from_id": demand["id"].to_numpy()[pairs.row],
            "to_id": supply["id"].to_numpy()[pairs.col],
            "time_min": pairs.data * rng.uniform(1.0, 1.6, pairs.nnz),  # detours
        }
    )
    return demand, supply, od


def test_gaussian_weight_is_pysal_gaussian() -> None:
    t = np.array([0.0, 5.0, 10.0, 30.0, 60.0])
    fn = access.weights.gaussian(12.5)
    np.testing.assert_array_equal(gaussian_weight(t, 12.5), np.array([fn(x) for x in t]))
    assert gaussian_weight(0.0, 3.0) == 1.0
    assert gaussian_weight(10.0, 10.0) == pytest.approx(np.exp(-0.5))
    with pytest.raises(DataError, match="sigma"):
        gaussian_weight(1.0, 0.0)


@pytest.mark.parametrize(
    ("seed", "catchment", "sigma"), [(0, 30.0, 15.0), (1, 20.0, 5.0), (2, 45.0, 40.0)]
)
def test_equals_pysal_access_synthetic(seed, catchment, sigma) -> None:
    demand, supply, od = _random_instance(seed, 400, 30, 60.0, 50.0)
    ours = e2sfca(demand, supply, od, catchment_min=catchment, sigma_min=sigma)
    expected = _pysal_e2sfca(demand, supply, od, catchment, sigma)
    np.testing.assert_allclose(ours["access"].to_numpy(), expected, rtol=1e-10, atol=1e-18)
    assert ours["id"].tolist() == demand["id"].tolist()
    # some points lie beyond every catchment: the test covers the NaN -> 0 convention
    assert (ours["libraries_in_catchment"] == 0).any() or seed != 1


def test_equals_pysal_access_san_francisco() -> None:
    """Real inputs: 205 SF tracts (2000 population), 16 sites, street-network distances.

    Distances become walking minutes at 4.8 km/h (the libpolis walking speed).
    """
    raw = pd.read_csv(DATA / "equity_sf_network_distance_16x205.csv")
    od = pd.DataFrame(
        {
            "from_id": raw["DestinationName"].astype(str),
            "to_id": raw["name"],
            "time_min": raw["distance"] / (4800 / 60),
        }
    )
    demand = (
        raw.drop_duplicates("DestinationName")
        .assign(id=lambda f: f["DestinationName"].astype(str))
        .rename(columns={"demand": "population"})[["id", "population"]]
        .reset_index(drop=True)
    )
    supply = pd.DataFrame({"id": sorted(raw["name"].unique())})
    supply["supply"] = 1.0
    assert len(demand) == 205 and len(supply) == 16 and len(od) == 3280
    for catchment in (30.0, 60.0):
        ours = e2sfca(demand, supply, od, catchment_min=catchment)
        expected = _pysal_e2sfca(demand, supply, od, catchment, catchment / 2)
        np.testing.assert_allclose(ours["access"].to_numpy(), expected, rtol=1e-10, atol=0)
        assert (ours["access"] > 0).sum() > 50


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), catchment=st.floats(5, 60), sigma=st.floats(1, 60))
def test_equals_pysal_access_property(seed, catchment, sigma) -> None:
    demand, supply, od = _random_instance(seed, 60, 8, 40.0, 70.0)
    demand.loc[demand.index[:3], "population"] = 0
    ours = e2sfca(demand, supply, od, catchment_min=catchment, sigma_min=sigma)
    expected = _pysal_e2sfca(demand, supply, od, catchment, sigma)
    # where a library's catchment holds only residents of population 0, PySAL divides by 0
    # and gives those residents inf; libpolis gives that library R_j = 0 (documented)
    finite = np.isfinite(expected)
    assert np.isfinite(ours["access"]).all()
    np.testing.assert_allclose(
        ours["access"].to_numpy()[finite], expected[finite], rtol=1e-9, atol=1e-18
    )
    assert (ours["population"].to_numpy()[~finite] == 0).all()


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), catchment=st.floats(5, 60))
def test_supply_is_conserved(seed, catchment) -> None:
    # sum_i P_i A_i = sum_j S_j over the libraries that have residents in their catchment
    demand, supply, od = _random_instance(seed, 80, 10, 50.0, 80.0)
    ours = e2sfca(demand, supply, od, catchment_min=catchment)
    ratios = e2sfca_ratios(demand, supply, od, catchment_min=catchment)
    served = ratios["weighted_demand"] > 0
    lhs = float((ours["population"] * ours["access"]).sum())
    assert lhs == pytest.approx(float(ratios.loc[served, "supply"].sum()), rel=1e-9)
    pop_mean = (ours["population"] * ours["access"]).sum() / ours["population"].sum()
    if pop_mean > 0:
        np.testing.assert_allclose(ours["access_norm"], ours["access"] / pop_mean)


def test_closed_form_two_residents_one_library() -> None:
    sigma = 10.0
    demand = pd.DataFrame({"id": [1, 2, 3], "population": [100.0, 300.0, 50.0]})
    supply = pd.DataFrame({"id": ["lib"], "supply": [2.0]})
    od = pd.DataFrame({"from_id": [1, 2, 3], "to_id": ["lib"] * 3, "time_min": [0.0, sigma, 31.0]})
    out = e2sfca(demand, supply, od, catchment_min=30, sigma_min=sigma)
    ratio = 2.0 / (100.0 + 300.0 * np.exp(-0.5))
    np.testing.assert_allclose(out["access"], [ratio, ratio * np.exp(-0.5), 0.0])
    assert out["libraries_in_catchment"].tolist() == [1, 1, 0]
    r = e2sfca_ratios(demand, supply, od, catchment_min=30, sigma_min=sigma)
    assert r["ratio"].iloc[0] == pytest.approx(ratio)
    assert r["id"].tolist() == ["lib"]


def test_default_sigma_is_half_the_catchment_and_default_supply_is_one() -> None:
    demand = pd.DataFrame({"id": [1], "population": [10.0]})
    supply = pd.DataFrame({"id": [7]})
    od = pd.DataFrame({"from_id": [1], "to_id": [7], "time_min": [15.0]})
    out = e2sfca(demand, supply, od, catchment_min=30, supply_col=None)
    # one resident group alone: A = f * S / (P f) = S / P regardless of f
    assert out["access"].iloc[0] == pytest.approx(0.1)
    r = e2sfca_ratios(demand, supply, od, catchment_min=30, supply_col=None)
    assert r["weighted_demand"].iloc[0] == pytest.approx(10.0 * np.exp(-0.5))


def test_order_invariance_and_no_mutation() -> None:
    demand, supply, od = _random_instance(9, 200, 20, 40.0, 40.0)
    copies = (demand.copy(), supply.copy(), od.copy())
    base = e2sfca(demand, supply, od)
    shuffled = e2sfca(demand, supply, od.sample(frac=1.0, random_state=1))
    np.testing.assert_allclose(base["access"], shuffled["access"], rtol=1e-12)
    again = e2sfca(demand, supply, od)
    pd.testing.assert_frame_equal(base, again)
    for before, after in zip(copies, (demand, supply, od), strict=True):
        pd.testing.assert_frame_equal(before, after)


def test_pairs_beyond_catchment_and_nan_are_ignored() -> None:
    demand = pd.DataFrame({"id": [1, 2], "population": [10.0, 10.0]})
    supply = pd.DataFrame({"id": [1], "supply": [1.0]})
    od = pd.DataFrame({"from_id": [1, 2, 99], "to_id": [1, 1, 1], "time_min": [5.0, np.nan, 45.0]})
    out = e2sfca(demand, supply, od, catchment_min=30)  # id 99 is beyond: not an error
    assert out["access"].tolist()[1] == 0.0 and out["access"].iloc[0] > 0


def test_validation_errors() -> None:
    demand = pd.DataFrame({"id": [1, 2], "population": [10.0, 10.0]})
    supply = pd.DataFrame({"id": [1], "supply": [1.0]})
    od = pd.DataFrame({"from_id": [1, 2], "to_id": [1, 1], "time_min": [5.0, 6.0]})
    with pytest.raises(MissingColumnError, match="population"):
        e2sfca(demand.rename(columns={"population": "pop"}), supply, od)
    with pytest.raises(DataError, match="not in the demand frame"):
        e2sfca(demand, supply, od.assign(from_id=[1, 3]))
    with pytest.raises(DataError, match="not in the supply frame"):
        e2sfca(demand, supply, od.assign(to_id=[1, 5]))
    with pytest.raises(DataError, match="duplicated"):
        e2sfca(demand, supply, od.assign(from_id=[1, 1]))
    with pytest.raises(DataError, match="unique"):
        e2sfca(pd.concat([demand, demand]), supply, od)
    with pytest.raises(DataError, match="negative"):
        e2sfca(demand, supply, od.assign(time_min=[-1.0, 2.0]))
    with pytest.raises(DataError, match="catchment"):
        e2sfca(demand, supply, od, catchment_min=0)
    with pytest.raises(DataError, match=">= 0"):
        e2sfca(demand, supply.assign(supply=[-1.0]), od)


def test_library_supply() -> None:
    libs = pd.DataFrame(
        {
            "hours_per_week": [40.0, 20.0, 60.0, np.nan, 0.0],
            "floor_area_m2": [1000.0, -1.0, 2000.0, 500.0, 1000.0],
            "staff_fte": [5.0, 1.0, 9.0, 2.0, 3.0],
        },
        index=list("abcde"),
    )
    s = library_supply(libs)
    # median hours of the known (40, 20, 60, 0) is 30; median area of the known is 1000
    expected = np.array([40 / 30, 20 / 30 * 1.0, 60 / 30 * 2.0, 1.0 * 0.5, 0.0])
    np.testing.assert_allclose(s.to_numpy(), expected)
    assert s.name == "supply" and s.index.tolist() == list("abcde")
    by_staff = library_supply(libs.drop(columns="floor_area_m2"))
    np.testing.assert_allclose(
        by_staff.to_numpy(),
        (libs["hours_per_week"] / 30).fillna(1.0).to_numpy() * libs["staff_fte"].to_numpy() / 3.0,
    )
    assert library_supply(pd.DataFrame({"name": ["x", "y"]})).tolist() == [1.0, 1.0]
    imls = library_supply(
        pd.DataFrame({"HOURS": [2000, -3, 1000], "SQ_FEET": [5000, 10000, -1]}),
        hours="HOURS",
        floor_area="SQ_FEET",
    )
    np.testing.assert_allclose(
        imls.to_numpy(), [2000 / 1500 * 5000 / 7500, 10000 / 7500, 1000 / 1500]
    )


def test_helsinki_walking_catchments_equal_pysal(helsinki_graphs, helsinki_pbf) -> None:
    """Real chain: OSM walking network -> ``within_time`` OD -> E2SFCA, against PySAL."""
    import geopandas as gpd

    from libpolis.access.nearest import within_time
    from libpolis.sources.osm import read_osm_culture

    cells = pd.read_csv(DATA / "equity_helsinki_population_grid_2020_centroids.csv")
    residents = gpd.GeoDataFrame(
        cells, geometry=gpd.points_from_xy(cells["lon"], cells["lat"]), crs=4326
    )
    venues = read_osm_culture(helsinki_pbf)
    libs = venues[venues["kind"] == "library"].rename(columns={"source_id": "id"})
    libraries = gpd.GeoDataFrame(
        libs[["id"]], geometry=gpd.points_from_xy(libs["lon"], libs["lat"]), crs=4326
    )
    assert len(libraries) == 7
    od = within_time(helsinki_graphs["walk"], residents, libraries, 30.0)
    supply = libs[["id"]].assign(supply=library_supply(libs).to_numpy())
    demand = cells[["id", "population"]]
    ours = e2sfca(demand, supply, od, catchment_min=20.0)
    expected = _pysal_e2sfca(demand, supply, od, 20.0, 10.0)
    np.testing.assert_allclose(ours["access"].to_numpy(), expected, rtol=1e-10, atol=0)
    assert 0 < (ours["libraries_in_catchment"] > 0).sum() < len(cells)


def test_partition_with_two_catchment_buffers_equals_whole() -> None:
    """The module docstring's partition rule: a block of residents, the libraries within the
    catchment of it, and the residents within the catchment of those libraries."""
    demand, supply, od = _random_instance(21, 600, 40, 80.0, 50.0)
    catchment = 25.0
    whole = e2sfca(demand, supply, od, catchment_min=catchment).set_index("id")["access"]
    near = od[od["time_min"] <= catchment]
    part = set(demand["id"].iloc[:150])
    libs = set(near.loc[near["from_id"].isin(part), "to_id"])
    ring = set(near.loc[near["to_id"].isin(libs), "from_id"]) | part
    sub = e2sfca(
        demand[demand["id"].isin(ring)],
        supply[supply["id"].isin(libs)],
        near[near["from_id"].isin(ring) & near["to_id"].isin(libs)],
        catchment_min=catchment,
    ).set_index("id")["access"]
    ids = sorted(part)
    np.testing.assert_allclose(sub.loc[ids].to_numpy(), whole.loc[ids].to_numpy(), rtol=1e-12)
    assert len(ring) < len(demand)  # the test really works on a subset


@given(st.lists(st.tuples(st.floats(0, 0.01), st.integers(0, 20)), min_size=1, max_size=30))
@settings(max_examples=60, deadline=None)
def test_e2sfca_summary_matches_expanded_residents(pairs) -> None:
    """Weighted figures equal plain ones over the residents written out one by one."""
    from libpolis.access.fca import e2sfca_summary

    a = np.array([p[0] for p in pairs])
    w = np.array([p[1] for p in pairs], dtype=float)
    got = e2sfca_summary(a, w, catchment_min=30.0)
    people = np.repeat(a * 1000.0, w.astype(int))
    if people.size == 0:
        assert np.isnan(got["mean"]) and got["residents_zero"] == 0.0
        return
    assert got["mean"] == pytest.approx(people.mean())
    ordered = np.sort(people)
    for q, key in ((0.5, "median"), (0.1, "p10"), (0.9, "p90")):
        # the lower weighted quantile: the smallest value with at least q of the residents
        k = int(np.ceil(q * people.size)) - 1
        assert got[key] == pytest.approx(ordered[max(k, 0)])
    assert got["residents_zero"] == pytest.approx((people <= 0).sum())
    assert got["catchment_min"] == 30.0
