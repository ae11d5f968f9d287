"""The nearest cultural institution: brute-force oracles, weighted medians, New York data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.spatial import cKDTree
from sklearn.metrics.pairwise import haversine_distances

from libpolis.access.cultural import (
    CULTURAL_KINDS,
    compare_to_library,
    library_nearest_share,
    median_by_kind,
    nearest_kind,
)
from libpolis.errors import DataError, MissingColumnError

DATA = Path(__file__).resolve().parents[1] / "data" / "access"
EARTH_RADIUS_M = 6_371_008.8

cell = st.one_of(st.integers(0, 6).map(float), st.just(np.inf), st.just(np.nan))


@st.composite
def frames(draw):
    n = draw(st.integers(1, 25))
    kinds = draw(st.permutations(["library", "museum", "theatre", "cinema"]))
    k = draw(st.integers(2, 4))
    cols = list(kinds[:k]) if "library" in kinds[:k] else ["library", *kinds[: k - 1]]
    data = {c: draw(st.lists(cell, min_size=n, max_size=n)) for c in cols}
    weights = draw(st.lists(st.integers(0, 9), min_size=n, max_size=n))
    if sum(weights) == 0:
        weights[0] = 1
    return pd.DataFrame(data), np.asarray(weights, dtype=float)


def test_nearest_kind_small_table() -> None:
    times = pd.DataFrame(
        {
            "library": [5.0, 9.0, 4.0, np.nan],
            "museum": [7.0, 3.0, 4.0, np.inf],
            "theatre": [np.inf, 8.0, 6.0, np.nan],
        },
        index=["a", "b", "c", "d"],
    )
    out = nearest_kind(times)
    assert out.index.tolist() == ["a", "b", "c", "d"]
    assert out["nearest_kind"].tolist()[:3] == ["library", "museum", "library"]
    assert pd.isna(out["nearest_kind"].iloc[3])
    assert out["nearest_value"].tolist() == [5.0, 3.0, 4.0, np.inf]
    assert out["tied"].tolist() == [False, False, True, False]
    share = library_nearest_share(times, [10, 10, 10, 10])
    assert share == {
        "population": 40.0,
        "share_strict": 0.25,
        "share_with_ties": 0.5,
        "share_no_venue": 0.25,
    }


@settings(max_examples=100, deadline=None)
@given(frames())
def test_against_row_by_row_oracle(case) -> None:
    times, w = case
    out = nearest_kind(times)
    strict = ties = none = 0.0
    for r, (_, row) in enumerate(times.iterrows()):
        vals = {k: (np.inf if np.isnan(v) else v) for k, v in row.items()}
        best = min(vals.values())
        if np.isinf(best):
            assert pd.isna(out["nearest_kind"].iloc[r])
            none += w[r]
            continue
        winners = [k for k, v in vals.items() if v == best]
        assert out["nearest_kind"].iloc[r] == winners[0]
        assert bool(out["tied"].iloc[r]) == (len(winners) > 1)
        if vals["library"] == best:
            ties += w[r]
            strict += w[r] if len(winners) == 1 else 0.0
    share = library_nearest_share(times, w)
    assert share["share_strict"] == pytest.approx(strict / w.sum())
    assert share["share_with_ties"] == pytest.approx(ties / w.sum())
    assert share["share_no_venue"] == pytest.approx(none / w.sum())


@settings(max_examples=100, deadline=None)
@given(frames())
def test_weighted_median_is_numpy_inverted_cdf(case) -> None:
    times, w = case
    table = median_by_kind(times, w)
    for _, row in table.iterrows():
        v = times[row["kind"]].to_numpy()
        v = np.where(np.isnan(v), np.inf, v)
        expected = np.quantile(v, 0.5, method="inverted_cdf", weights=w)
        assert row["median_time_min"] == expected
        ok = np.isfinite(v) & (w > 0)
        if ok.any():
            assert row["mean_time_min"] == pytest.approx(np.average(v[ok], weights=w[ok]))
        assert row["unreachable_pop"] == w[~np.isfinite(v)].sum()


def test_compare_to_library() -> None:
    times = pd.DataFrame(
        {
            "library": [2.0, 4.0, 6.0, 8.0],
            "museum": [10.0, 3.0, 30.0, 40.0],
            "theatre": [np.inf] * 4,
            "cinema": [1.0, 1.0, 1.0, 1.0],
        }
    )
    table = compare_to_library(times, [1, 1, 1, 1])
    assert table["kind"].tolist() == ["museum", "theatre"]  # arts_centre absent: skipped
    museum = table.iloc[0]
    assert museum["median_library_time_min"] == 4.0 and museum["median_time_min"] == 10.0
    assert museum["median_ratio"] == 2.5
    assert museum["share_library_nearer"] == 0.75
    theatre = table.iloc[1]
    assert np.isinf(theatre["median_time_min"]) and np.isnan(theatre["median_ratio"])
    assert theatre["share_library_nearer"] == 1.0
    every = compare_to_library(times, None, others=None, unit="m")
    assert every["kind"].tolist() == ["museum", "theatre", "cinema"]
    assert "median_library_dist_m" in every.columns


def test_errors() -> None:
    with pytest.raises(MissingColumnError, match="library"):
        library_nearest_share(pd.DataFrame({"museum": [1.0]}))
    with pytest.raises(DataError, match="at least one other"):
        library_nearest_share(pd.DataFrame({"library": [1.0]}))
    with pytest.raises(DataError, match="negative"):
        nearest_kind(pd.DataFrame({"library": [-1.0], "museum": [1.0]}))
    with pytest.raises(DataError, match="DataFrame"):
        nearest_kind(pd.DataFrame())
    assert CULTURAL_KINDS[0] == "library" and "arts_centre" in CULTURAL_KINDS


def _unit_vectors(lat_deg: np.ndarray, lon_deg: np.ndarray) -> np.ndarray:
    lat, lon = np.radians(lat_deg), np.radians(lon_deg)
    return np.column_stack((np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)))


def _nearest_m(points: np.ndarray, venues: np.ndarray) -> np.ndarray:
    tree = cKDTree(_unit_vectors(venues[:, 0], venues[:, 1]))
    chord, _ = tree.query(_unit_vectors(points[:, 0], points[:, 1]))
    return 2.0 * EARTH_RADIUS_M * np.arcsin(np.minimum(chord / 2.0, 1.0))


def test_new_york_libraries_against_museums() -> None:
    """Real data: NY block groups (2020), IMLS library outlets (FY2021) and museums (2018)."""
    bg = pd.read_csv(DATA / "equity_CenPop2020_Mean_BG36.txt", encoding="utf-8-sig", dtype=str)
    outlets = pd.read_csv(DATA / "equity_pls_fy21_outlets_ny.csv", dtype=str)
    museums = pd.read_csv(DATA / "equity_museums_2018_ny.csv", dtype=str)
    for col in ("LATITUDE", "LONGITUDE"):  # 2 museums have a blank location
        museums[col] = pd.to_numeric(museums[col], errors="coerce")
    museums = museums.dropna(subset=["LATITUDE", "LONGITUDE"])
    libs = outlets[outlets["C_OUT_TY"].isin(["CE", "BR"]) & (outlets["STATSTRU"] != "23")]
    pts = bg[["LATITUDE", "LONGITUDE"]].astype(float).to_numpy()
    venues = {
        "library": libs[["LATITUDE", "LONGITUD"]].astype(float).to_numpy(),
        "art_museum": museums.loc[museums["DISCIPL"] == "ART", ["LATITUDE", "LONGITUDE"]],
        "other_museum": museums.loc[museums["DISCIPL"] != "ART", ["LATITUDE", "LONGITUDE"]],
    }
    venues = {k: np.asarray(v, dtype=float) for k, v in venues.items()}
    dist = pd.DataFrame({k: _nearest_m(pts, v) for k, v in venues.items()})
    pop = bg["POPULATION"].astype(float).to_numpy()

    # the distances are true great-circle distances to the nearest venue (sklearn brute force)
    sample = np.random.default_rng(0).choice(len(pts), 150, replace=False)
    for kind, v in venues.items():
        brute = haversine_distances(np.radians(pts[sample]), np.radians(v)).min(axis=1)
        np.testing.assert_allclose(dist[kind].to_numpy()[sample], brute * EARTH_RADIUS_M, rtol=1e-7)

    near = nearest_kind(dist)
    share = library_nearest_share(dist, pop)
    is_lib = (near["nearest_kind"] == "library") & ~near["tied"]
    assert share["share_strict"] == pytest.approx(pop[is_lib.to_numpy()].sum() / pop.sum())
    assert share["share_no_venue"] == 0.0
    # New York has more library outlets (1,069) than museums (977 located): for most residents
    # the library is the nearest of the three
    assert share["share_strict"] > 0.5
    table = compare_to_library(dist, pop, others=["art_museum", "other_museum"], unit="m")
    assert (table["median_ratio"] > 1).all()
    medians = median_by_kind(dist, pop, unit="m").set_index("kind")["median_dist_m"]
    assert medians["library"] == np.quantile(
        dist["library"], 0.5, method="inverted_cdf", weights=pop
    )


def test_helsinki_nearest_kind_on_the_walking_network(helsinki_graphs, helsinki_pbf) -> None:
    """Per-kind walking times from ``nearest_facility``; the nearest kind must be the kind of
    the nearest venue of all kinds together (a second, independent search)."""
    import geopandas as gpd

    from libpolis.access.nearest import nearest_facility
    from libpolis.sources.osm import read_osm_culture

    cells = pd.read_csv(DATA / "equity_helsinki_population_grid_2020_centroids.csv")
    residents = gpd.GeoDataFrame(
        cells, geometry=gpd.points_from_xy(cells["lon"], cells["lat"]), crs=4326
    )
    venues = read_osm_culture(helsinki_pbf)
    points = gpd.GeoDataFrame(
        venues[["source_id", "kind"]],
        geometry=gpd.points_from_xy(venues["lon"], venues["lat"]),
        crs=4326,
    )
    graph = helsinki_graphs["walk"]
    kinds = [k for k in CULTURAL_KINDS if (points["kind"] == k).any()]
    times = pd.DataFrame(
        {
            k: nearest_facility(
                graph, residents, points[points["kind"] == k], facility_id="source_id"
            )["time_min"].to_numpy()
            for k in kinds
        }
    )
    near = nearest_kind(times)
    overall = nearest_facility(graph, residents, points, facility_id="source_id")
    np.testing.assert_allclose(near["nearest_value"], overall["time_min"], rtol=1e-12)
    kind_of = points.set_index("source_id")["kind"]
    untied = ~near["tied"].to_numpy()
    assert (
        near["nearest_kind"].to_numpy()[untied]
        == kind_of.loc[overall["to_id"].to_numpy()[untied]].to_numpy()
    ).all()
    share = library_nearest_share(times, cells["population"])
    assert 0.0 < share["share_strict"] <= share["share_with_ties"] < 1.0
    table = compare_to_library(times, cells["population"])
    assert set(table["kind"]) <= {"museum", "theatre", "arts_centre"} and len(table) == 3
