"""Candidate sites from OpenStreetMap (bundled central Helsinki extract) and from city files."""

from __future__ import annotations

from importlib.resources import files

import geopandas as gpd
import osmium
import pytest
from shapely.geometry import Polygon

from libpolis.errors import DataError, MissingColumnError, NotFoundError
from libpolis.sources.candidates import CANDIDATE_TAGS, candidates_from_file, candidates_from_pbf

PBF = files("libpolis") / "data" / "helsinki" / "helsinki_center_2019.osm.pbf"


class _Count(osmium.SimpleHandler):
    """Independent count with the callback API: tagged nodes and ways by kind."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: dict[str, str] = {}

    def _seen(self, prefix: str, obj) -> None:
        for (key, value), kind in CANDIDATE_TAGS.items():
            if obj.tags.get(key) == value:
                self.ids.setdefault(f"osm:{prefix}{obj.id}", kind)

    def node(self, n) -> None:
        self._seen("n", n)

    def way(self, w) -> None:
        self._seen("w", w)


def test_pbf_candidates_match_an_independent_count():
    found = candidates_from_pbf(PBF)
    counter = _Count()
    counter.apply_file(str(PBF))
    assert set(found["candidate_id"]) == set(counter.ids)
    assert found.crs.to_epsg() == 4326
    assert found["candidate_id"].is_unique
    # real places: the central railway station (a way, at its centroid) and the town hall
    station = found[found["name"] == "Helsingin päärautatieasema"].iloc[0]
    assert station["kind"] == "transit_station"
    assert station.geometry.distance(gpd.points_from_xy([24.941], [60.171])[0]) < 0.003
    assert "town_hall" in set(found["kind"])


def test_missing_pbf():
    with pytest.raises(NotFoundError, match="no such OpenStreetMap file"):
        candidates_from_pbf("nowhere.osm.pbf")


def test_csv_candidates(tmp_path):
    path = tmp_path / "sites.csv"
    path.write_text("id,lon,lat,kind,name\n1,24.94,60.17,school,A\n2,24.95,60.18,,B\n")
    found = candidates_from_file(path)
    assert list(found["candidate_id"]) == ["sites.csv:1", "sites.csv:2"]
    assert found.geometry.x.tolist() == [24.94, 24.95]
    assert found["kind"].iloc[0] == "school"


@pytest.mark.parametrize(
    ("text", "error", "match"),
    [
        ("id,lon\n1,24.9\n", MissingColumnError, r"missing column\(s\) \['lat'\]"),
        ("id,lon,lat\n1,24.9,60.1\n2,24.9,960\n", DataError, r"row 3, column 'lat'"),
        ("id,lon,lat\n1,24.9,60.1\n2,abc,60.1\n", DataError, r"row 3, column 'lon'.*'abc'"),
        ("id,lon,lat\n1,24.9,60.1\n1,24.8,60.1\n", DataError, r"row 3, column 'id'.*more than"),
    ],
)
def test_csv_errors_name_file_row_column(tmp_path, text, error, match):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(error, match=match) as info:
        candidates_from_file(path)
    assert "bad.csv" in str(info.value)


def test_geojson_polygons_become_centroids(tmp_path):
    square = Polygon([(0, 0), (100, 0), (100, 100), (0, 100)])
    frame = gpd.GeoDataFrame({"id": ["a"], "kind": ["school"]}, geometry=[square], crs=3067)
    path = tmp_path / "sites.geojson"
    frame.to_file(path)
    found = candidates_from_file(path)
    expected = gpd.GeoSeries([square.centroid], crs=3067).to_crs(4326).iloc[0]
    assert found.geometry.iloc[0].distance(expected) < 1e-6
    assert found["source_id"].tolist() == ["a"]
