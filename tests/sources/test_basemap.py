"""The basemap keeps streets a map names and water, clipped and simplified, from the
workspace's own OpenStreetMap file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from shapely import wkt
from shapely.geometry import box, mapping

from libpolis.sources.basemap import basemap_from_pbf

DATA = Path(__file__).parents[1] / "data"

_OSM = """<?xml version='1.0' encoding='UTF-8'?>
<osm version="0.6" generator="test">
  <node id="1" lat="60.100" lon="24.900" version="1"/>
  <node id="2" lat="60.100" lon="24.910" version="1"/>
  <node id="3" lat="60.105" lon="24.910" version="1"/>
  <node id="4" lat="60.105" lon="24.900" version="1"/>
  <node id="5" lat="60.102" lon="24.902" version="1"/>
  <node id="6" lat="60.102" lon="24.908" version="1"/>
  <node id="7" lat="60.103" lon="24.902" version="1"/>
  <node id="8" lat="60.103" lon="24.904" version="1"/>
  <node id="9" lat="60.104" lon="24.904" version="1"/>
  <node id="10" lat="60.300" lon="25.300" version="1"/>
  <node id="11" lat="60.301" lon="25.301" version="1"/>
  <way id="100" version="1"><nd ref="1"/><nd ref="2"/><tag k="highway" v="primary"/></way>
  <way id="101" version="1"><nd ref="4"/><nd ref="3"/><tag k="highway" v="residential"/></way>
  <way id="102" version="1"><nd ref="1"/><nd ref="4"/><tag k="highway" v="footway"/></way>
  <way id="103" version="1"><nd ref="5"/><nd ref="6"/><tag k="waterway" v="river"/></way>
  <way id="104" version="1"><nd ref="7"/><nd ref="8"/><nd ref="9"/><nd ref="7"/>
    <tag k="natural" v="water"/></way>
  <way id="105" version="1"><nd ref="10"/><nd ref="11"/><tag k="highway" v="primary"/></way>
</osm>
"""


@pytest.fixture
def osm_file(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.osm"
    path.write_text(_OSM, encoding="utf-8")
    return path


def test_streets_and_water_are_kept_footways_are_not(osm_file):
    base = basemap_from_pbf(osm_file, (24.89, 60.09, 24.92, 60.11))
    layers = dict(zip(base["layer"], base["geometry_wkt"], strict=True))
    assert list(base["layer"]) == ["water", "waterway", "minor", "major"]  # drawing order
    assert wkt.loads(layers["major"]).length == pytest.approx(0.010, abs=1e-6)
    assert wkt.loads(layers["minor"]).length == pytest.approx(0.010, abs=1e-6)
    water = wkt.loads(layers["water"])
    assert water.geom_type in {"Polygon", "MultiPolygon"} and water.area > 0
    # the footway (x = 24.900 from 60.100 to 60.105) is in no layer
    footway = wkt.loads("LINESTRING (24.9 60.1001, 24.9 60.1049)")
    assert all(wkt.loads(g).intersection(footway).length == 0 for g in layers.values())


def test_clipped_to_the_area_and_empty_beyond(osm_file):
    bounds = (24.895, 60.099, 24.905, 60.106)
    base = basemap_from_pbf(osm_file, bounds)
    area = box(*bounds).buffer(1e-9)
    assert all(area.contains(wkt.loads(g)) for g in base["geometry_wkt"])
    assert basemap_from_pbf(osm_file, (10.0, 10.0, 10.1, 10.1)).empty
    assert basemap_from_pbf(osm_file, (20.0, 55.0, 26.0, 61.0)).empty  # a region, not a city
    assert basemap_from_pbf(osm_file, (24.92, 60.11, 24.89, 60.09)).empty  # swapped


def test_a_city_centre_stays_small():
    pbf = DATA / "access" / "helsinki_center.osm.pbf"
    base = basemap_from_pbf(pbf, (24.92, 60.15, 24.96, 60.18))
    assert {"major", "minor", "water"} <= set(base["layer"])
    size = sum(len(json.dumps(mapping(wkt.loads(g)))) for g in base["geometry_wkt"])
    assert 10_000 < size < 400_000


def test_a_file_too_large_is_not_read(osm_file, monkeypatch):
    import libpolis.sources.basemap as bm

    monkeypatch.setattr(bm, "MAX_FILE_BYTES", 10)
    assert basemap_from_pbf(osm_file, (24.89, 60.09, 24.92, 60.11)).empty
