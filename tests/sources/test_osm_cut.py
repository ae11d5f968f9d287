"""OSM readers: library kinds from tags, the near-duplicate rule (on real Helsinki and Monaco
data and on a constructed file), and the cut polygons (bbox, boundary file, --place)."""

from __future__ import annotations

from itertools import combinations
from pathlib import Path

import geopandas as gpd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pyproj import Geod
from shapely.geometry import Point, box
from shapely.ops import nearest_points

from libpolis.errors import DataError
from libpolis.model import NOT_WALK_IN_KINDS
from libpolis.sources.osm import merge_duplicates, normalise_name, read_osm_culture
from libpolis.sources.osm_cut import bbox_polygon, read_boundary, read_osm_boundary

TESTS = Path(__file__).parents[1]
HELSINKI = TESTS / "data" / "access" / "helsinki_center.osm.pbf"
MONACO = Path("/work/shared/data/osm-pbf-extracts/monaco-2020.osm.pbf")
CONSTRUCTED = TESTS / "data" / "sources" / "osm_kinds_and_duplicates.osm"
GEOD = Geod(ellps="WGS84")


def _geodesic_m(a: Point, b: Point) -> float:
    return float(GEOD.inv(a.x, a.y, b.x, b.y)[2])


def test_library_kinds_from_tags() -> None:
    frame = read_osm_culture(CONSTRUCTED).set_index("name")
    assert frame.loc["Public One", "kind"] == "library"
    assert frame.loc["University Two", "kind"] == "academic_library"
    assert frame.loc["School Three", "kind"] == "school_library"
    assert frame.loc["Special Four", "kind"] == "special_library"
    assert frame.loc["Closed Five", "kind"] == "private_library"
    assert frame.loc["Campus Six", "kind"] == "academic_library"
    assert frame.loc["Plain Seven", "kind"] == "library"
    libs = frame[frame["kind"].str.endswith("library")]
    walk_in = libs[~libs["kind"].isin(NOT_WALK_IN_KINDS)]
    assert sorted(walk_in.index) == ["Plain Seven", "Public One"]


def test_constructed_duplicates_follow_the_documented_rule() -> None:
    raw = read_osm_culture(CONSTRUCTED, geometry=True)
    kept, merged = merge_duplicates(raw)
    by_id = kept.set_index("source_id")
    # the museum building absorbs the unnamed node and the same-name (accents, case) node
    assert by_id.loc["w1", "attrs"]["merged"] == ["n12", "n13"]
    assert by_id.loc["w1", "attrs"]["website"] == "https://example.org/mer"  # taken from n13
    # another kind inside the building and another name inside the theatre stay
    assert {"n14", "n19", "w2"} <= set(by_id.index)
    # same name: 49 m apart merged, 51 m apart kept (distances measured on the ellipsoid)
    pts = raw.set_index("source_id")["geometry"]
    assert _geodesic_m(pts["n20"], pts["n21"]) == pytest.approx(49.0, abs=0.01)
    assert _geodesic_m(pts["n22"], pts["n23"]) == pytest.approx(51.0, abs=0.01)
    assert by_id.loc["n20", "attrs"]["merged"] == ["n21"]
    assert {"n22", "n23"} <= set(by_id.index)
    assert merged == 3 and len(kept) == len(raw) - 3
    # a wider distance merges the 51 m pair too; 0 m keeps only the inside rule
    assert merge_duplicates(raw, near_m=60.0)[1] == 4
    assert merge_duplicates(raw, near_m=0.0)[1] == 2


def test_helsinki_national_library_node_and_building_are_one_place() -> None:
    """The real duplicate of the Helsinki extract: the National Library of Finland is tagged
    as node 369550855 and as its building, way 122595247."""
    raw = read_osm_culture(HELSINKI, geometry=True)
    kept, merged = merge_duplicates(raw)
    assert merged == 1
    row = kept.set_index("source_id").loc["w122595247"]
    assert row["name"] == "Kansalliskirjasto" and row["attrs"]["merged"] == ["n369550855"]
    assert "n369550855" not in set(kept["source_id"])
    # independent check of the distance: nearest point of the building, on the ellipsoid
    geo = raw.set_index("source_id")["geometry"]
    node, building = geo["n369550855"], geo["w122595247"]
    gap = _geodesic_m(*nearest_points(node, building.exterior))
    assert 0 < gap < 50 and not building.covers(node)


@pytest.mark.parametrize("path", [HELSINKI, MONACO])
def test_no_other_pair_in_the_real_extracts_meets_the_rule(path: Path) -> None:
    """Every pair left apart has another kind, another name, or lies > 50 m away."""
    if not path.exists():
        pytest.skip(f"{path} not present")
    raw = read_osm_culture(path, geometry=True)
    kept, _ = merge_duplicates(raw)
    keep = raw[raw["source_id"].isin(kept["source_id"])]
    for (_, a), (_, b) in combinations(keep.iterrows(), 2):
        if a["kind"] != b["kind"] or normalise_name(a["name"]) != normalise_name(b["name"]):
            continue
        pa, pb = nearest_points(a["geometry"], b["geometry"])
        assert _geodesic_m(pa, pb) > 50.0, (a["source_id"], b["source_id"])


@settings(max_examples=50, deadline=None)
@given(st.text(min_size=1, max_size=20))
@example("\U0001d6a8")  # MATHEMATICAL BOLD CAPITAL ALPHA: NFKD gives a capital to fold again
def test_normalised_names_are_idempotent(name: str) -> None:
    once = normalise_name(name)
    assert normalise_name(once) == once
    assert normalise_name(name.upper()) == normalise_name(name.lower()) or not name.isascii()


@pytest.mark.parametrize(
    ("bbox", "words"),
    [
        ("7.44,43.72,7.40,43.76", "west (7.44) must be less than east"),
        ("7.40,43.76,7.44,43.72", "south (43.76) must be less than north"),
        ("7.40,43.72,7.44,93.76", "latitudes must lie in [-90, 90]"),
        ("-190,43.72,7.44,43.76", "longitudes must lie in [-180, 180]"),
        ("7.40,43.72,7.44", "four numbers W,S,E,N"),
        ("a,b,c,d", "four numbers W,S,E,N"),
        ("nan,43.72,7.44,43.76", "finite"),
    ],
)
def test_bad_bbox_names_the_option(bbox: str, words: str) -> None:
    with pytest.raises(DataError, match=r"^--bbox") as err:
        bbox_polygon(bbox)
    assert words in str(err.value)


def test_bbox_is_the_rectangle() -> None:
    assert bbox_polygon("7.40,43.72,7.44,43.76").equals(box(7.40, 43.72, 7.44, 43.76))


def test_boundary_file_in_another_crs(tmp_path: Path) -> None:
    square = gpd.GeoDataFrame({"name": ["a"]}, geometry=[box(7.40, 43.72, 7.44, 43.76)], crs=4326)
    path = tmp_path / "b.gpkg"
    square.to_crs(32632).to_file(path)
    back = read_boundary(path)
    assert back.symmetric_difference(box(7.40, 43.72, 7.44, 43.76)).area < 1e-6
    points = tmp_path / "p.geojson"
    gpd.GeoDataFrame(geometry=[Point(7.4, 43.7)], crs=4326).to_file(points)
    with pytest.raises(DataError, match=r"^--boundary .*holds no polygon \(Point\)"):
        read_boundary(points)


def test_monaco_place_boundaries() -> None:
    if not MONACO.exists():
        pytest.skip("Monaco extract not present")
    name, shape = read_osm_boundary(MONACO, "la condamine")
    assert name == "La Condamine" and shape.geom_type in {"Polygon", "MultiPolygon"}
    # the six quarters of Monaco do not overlap
    quarters = [
        read_osm_boundary(MONACO, q)[1]
        for q in ("La Condamine", "Monte-Carlo", "Fontvieille", "Monaco-Ville", "Larvotto")
    ]
    for a, b in combinations(quarters, 2):
        assert a.intersection(b).area < 1e-4 * min(a.area, b.area)
    with pytest.raises(DataError, match=r"--place 'Nowhere'.*it has 'Fontvieille', 'La Condamine'"):
        read_osm_boundary(MONACO, "Nowhere")
