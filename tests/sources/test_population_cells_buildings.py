"""Population from H3 cells (Porto Alegre's real hexagons) and from OSM buildings (Monaco),
checked against oracles the readers do not use: the hexagon file's own lon/lat columns, the
geodesic area of a footprint, and the census total they are scaled to."""

from __future__ import annotations

from pathlib import Path

import h3
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Geod

from libpolis.errors import DataError
from libpolis.sources.buildings import RESIDENTIAL, read_osm_buildings
from libpolis.sources.population import read_population
from libpolis.sources.sanity import check_expected_total, check_extent, km_outside

SHARED = Path("/work/shared/data")
POA = SHARED / "brazil-accessibility-samples/porto_alegre/poa_hexgrid.csv"
MONACO = SHARED / "osm-pbf-extracts/monaco-2020.osm.pbf"
#: Monaco's resident population on 7 June 2016, Census of the Principality (IMSEE):
#: http://www.gouv.mc/Actualites/Resultats-du-recensement-de-la-population-2016
#: ("37 308 habitants au 7 juin 2016").
MONACO_CENSUS_2016 = 37_308
GEOD = Geod(ellps="WGS84")

needs_poa = pytest.mark.skipif(not POA.exists(), reason="Porto Alegre sample not present")
needs_monaco = pytest.mark.skipif(not MONACO.exists(), reason="Monaco extract not present")


def _haversine_m(lon1, lat1, lon2, lat2) -> np.ndarray:
    lon1, lat1, lon2, lat2 = map(np.radians, (lon1, lat1, lon2, lat2))
    a = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6_371_008.8 * np.arcsin(np.sqrt(a))


@needs_poa
def test_h3_centres_match_the_files_own_coordinates() -> None:
    units = read_population(POA, id_column="id", population_column="population", h3_column="id")
    raw = pd.read_csv(POA)
    assert len(units) == len(raw) and units["population"].sum() == raw["population"].sum()
    gap = _haversine_m(*(f[c].to_numpy() for f in (units, raw) for c in ("lon", "lat")))
    assert gap.max() < 5.0  # metres: the file's lon/lat are the cells' centres
    hexes = shapely.from_wkt([a["geometry_wkt"] for a in units["attrs"]])
    assert all(len(g.exterior.coords) == 7 for g in hexes)  # six corners, closed
    assert shapely.contains_xy(hexes, units["lon"], units["lat"]).all()
    geodesic = np.array([abs(GEOD.geometry_area_perimeter(g)[0]) for g in hexes])
    np.testing.assert_allclose(units["area_m2"], geodesic, rtol=0.01)
    assert {h3.get_resolution(a["h3"]) for a in units["attrs"]} == {9}


def test_invalid_h3_cell_names_line_and_column(tmp_path: Path) -> None:
    bad = tmp_path / "cells.csv"
    bad.write_text("id,population\n89a901291abffff,3\nnot-a-cell,4\n")
    with pytest.raises(DataError, match=r"cells\.csv, line 3, column 'id': 'not-a-cell'"):
        read_population(bad, id_column="id", population_column="population", h3_column="id")


@needs_monaco
@pytest.mark.parametrize("rule", ["residential", "yes"])
def test_monaco_buildings_share_the_census_total_by_floor_area(rule: str) -> None:
    units, meth = read_osm_buildings(MONACO, total=MONACO_CENSUS_2016, rule=rule)
    assert units["population"].sum() == pytest.approx(MONACO_CENSUS_2016)
    density = units["population"] / units["area_m2"]
    np.testing.assert_allclose(density, density.iloc[0], rtol=1e-9)
    kinds = {a["building"] for a in units["attrs"]}
    assert kinds <= RESIDENTIAL | {"yes"}
    assert meth["buildings"] == len(units) and meth["rule"] == rule
    # Monaco lies within 7.40-7.45 E, 43.72-43.76 N.
    assert units["lon"].between(7.40, 7.45).all() and units["lat"].between(43.72, 43.76).all()


@needs_monaco
def test_floor_area_is_geodesic_footprint_times_levels() -> None:
    import osmium

    units, _ = read_osm_buildings(MONACO, total=MONACO_CENSUS_2016, rule="yes")
    multi = units[[a["levels"] > 1 for a in units["attrs"]]].head(5)
    assert len(multi) > 0
    want = {int(s[1:]) for s in multi["source_id"] if s.startswith("w")}
    rings: dict[int, list] = {}
    for way in (
        osmium.FileProcessor(str(MONACO)).with_locations().with_filter(osmium.filter.IdFilter(want))
    ):
        if way.is_way():
            rings[way.id] = [(n.lon, n.lat) for n in way.nodes]
    for sid, area, attrs in zip(multi["source_id"], multi["area_m2"], multi["attrs"], strict=True):
        ring = rings[int(sid[1:])]
        lon, lat = zip(*ring, strict=True)
        footprint = abs(GEOD.polygon_area_perimeter(lon, lat)[0])
        assert area == pytest.approx(footprint * attrs["levels"], rel=2e-3)


@needs_monaco
def test_many_buildings_are_summed_per_h3_cell() -> None:
    units, meth = read_osm_buildings(MONACO, total=1000.0, rule="yes", max_units=10)
    assert meth["unit"].startswith("H3 cell") and len(units) < meth["buildings"]
    assert units["population"].sum() == pytest.approx(1000.0)
    assert sum(a["buildings"] for a in units["attrs"]) == meth["buildings"]


def test_km_outside_closed_form() -> None:
    box = (0.0, -1.0, 1.0, 1.0)
    d = km_outside(np.array([0.5, 0.5, 2.0]), np.array([0.0, 2.0, 0.0]), box)
    np.testing.assert_allclose(d, [0.0, 111.32, 111.32 * np.cos(0.0)], rtol=1e-6)


def test_extent_and_total_checks() -> None:
    box = (24.8, 60.1, 25.2, 60.3)  # Helsinki
    lon, lat = np.array([24.9, 25.0]), np.array([60.2, 60.25])
    check_extent(lon, lat, ["a", "b"], box, "f.csv")
    with pytest.raises(DataError, match="look swapped"):
        check_extent(lat, lon, ["a", "b"], box, "f.csv")
    with pytest.raises(DataError, match=r"1 of 2 points .* the first at b"):
        check_extent(lon, np.array([60.2, 69.25]), ["a", "b"], box, "f.csv")
    check_expected_total(105.0, 100.0, "f.csv")
    with pytest.raises(DataError, match="20% from the expected 100"):
        check_expected_total(120.0, 100.0, "f.csv")


@given(
    w=st.floats(-170, 160),
    s=st.floats(-60, 55),
    size=st.floats(0.01, 2.0),
    dlon=st.floats(-3.0, 3.0),
    dlat=st.floats(-3.0, 3.0),
)
@settings(max_examples=200, deadline=None)
def test_km_outside_agrees_with_haversine_to_the_nearest_box_point(
    w: float, s: float, size: float, dlon: float, dlat: float
) -> None:
    box = (w, s, w + size, s + size)
    lon, lat = w + size / 2 + dlon, s + size / 2 + dlat
    near_lon, near_lat = np.clip(lon, box[0], box[2]), np.clip(lat, box[1], box[3])
    want = _haversine_m(lon, lat, near_lon, near_lat) / 1000
    got = km_outside(np.array([lon]), np.array([lat]), box)[0]
    assert got == pytest.approx(want, rel=0.02, abs=0.5)


def test_the_margin_grows_with_the_extent() -> None:
    """A city keeps the 50 km floor; a whole country allows its outlying islands."""
    from libpolis.sources.sanity import MARGIN_KM, extent_margin_km

    assert extent_margin_km((24.8, 60.1, 25.2, 60.3)) == MARGIN_KM  # Helsinki: ~30 km across
    us = (-170.684, -14.282, 145.7046, 71.2982)  # IMLS FY2021 outlets, Alaska to Guam
    assert extent_margin_km(us) > 1000
    # an Aleutian block group (2020 census centre of population) lies within it
    aleut = km_outside(np.array([-175.48521]), np.array([54.67944]), us)
    assert aleut[0] < extent_margin_km(us)
