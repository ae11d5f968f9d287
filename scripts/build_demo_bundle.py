"""Build the bundled Helsinki demo data in src/libpolis/data/helsinki from ../shared/data.

Run once by a maintainer (the outputs are committed); every step is a selection, a column
rename or a coordinate copy: no values are changed. See src/libpolis/data/helsinki/README.md.

    python scripts/build_demo_bundle.py /work/shared/data
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from libpolis.pipeline import AGE_BANDS

OUT = Path(__file__).resolve().parents[1] / "src" / "libpolis" / "data" / "helsinki"
OUTLIER_2021 = "Vaestotietoruudukko_2021.5853"  # the "unknown location" sea cell (PROVENANCE)
OUTLIER_2015 = 27699


def _metric(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    pts = gpd.GeoSeries(gpd.points_from_xy(lon, lat), crs="EPSG:4326").to_crs("EPSG:3067")
    return np.column_stack([pts.x, pts.y])


def main(shared: Path) -> None:
    h = shared / "helsinki"
    OUT.mkdir(parents=True, exist_ok=True)

    grid = pd.read_csv(
        h / "hsy-population-grid-capital-region/hsy_population_grid_2021_centroids.csv.gz"
    )
    grid = grid[(grid.municipality == "Helsinki") & (grid.id != OUTLIER_2021)]
    grid[["id", "inhabitants", "lon", "lat", "major_district", "occupancy_rate"]].to_csv(
        OUT / "population_2021.csv.gz", index=False
    )
    g15 = pd.read_csv(
        h / "hsy-population-grid-capital-region/hsy_population_grid_2015_centroids.csv.gz"
    )
    g15 = g15[(g15.municipality == "Helsinki") & (g15.INDEX != OUTLIER_2015)]
    g15[["INDEX", "ASUKKAITA", "lon", "lat", "major_district", *AGE_BANDS]].to_csv(
        OUT / "population_2015_ages.csv.gz", index=False
    )

    districts = gpd.read_file(h / "admin-areas/helsinki_city_districts_2021.gpkg")
    districts[["name", "geometry"]].to_file(OUT / "districts.geojson", driver="GeoJSON")

    libs = pd.read_csv(h / "helmet-libraries-2025/libraries.csv", dtype=str)
    libs = libs[libs.municipality == "Helsinki"]
    flags = [
        c for c in libs.columns if c.startswith(("has_", "open_")) or c == "self_service_hours"
    ]
    libs[
        [
            "id",
            "name",
            "kind",
            "lon",
            "lat",
            "address",
            "municipality",
            "tprek_id",
            "hours_on_scrape_day",
            *flags,
        ]
    ].to_csv(OUT / "libraries.csv", index=False)

    mh = pd.read_csv(h / "myhelsinki-places-2021/myhelsinki_places_2021-04.csv.gz")
    mh = mh[mh.locality == "Helsinki"].copy()
    tags = mh.tags.fillna("").str.split(";")
    kind = np.select(
        [
            tags.map(lambda t: "Museum" in t),
            tags.map(lambda t: "Gallery" in t),
            tags.map(lambda t: "Theatre" in t),
        ],
        ["museum", "gallery", "theatre"],
        default="",
    )
    mh["kind"] = kind
    mh = mh[mh.kind != ""]
    venues = pd.DataFrame(
        {
            "id": "myhelsinki:" + mh.id.astype(str),
            "name": mh.name_en.fillna(mh.name_fi),
            "kind": mh.kind,
            "lon": mh.lon,
            "lat": mh.lat,
            "n_events": np.nan,
            "origin": "MyHelsinki Open API places 2021-04",
        }
    )

    le = pd.read_csv(h / "linkedevents-places-2024/linkedevents_places_tprek_2024-01.csv")
    le = le[le.municipality == "Helsinki"].copy()
    name = le.name_fi.fillna("").str.lower()
    rules = [
        ("kirjasto", ""),
        ("museo", "museum"),
        ("teatteri", "theatre"),
        ("galleria", "gallery"),
        ("konsertti", "concert_hall"),
        ("musiikkitalo", "concert_hall"),
        ("kulttuurikeskus", "arts_centre"),
        ("stoa", "arts_centre"),
        ("malmitalo", "arts_centre"),
        ("kanneltalo", "arts_centre"),
        ("annantalo", "arts_centre"),
        ("vuotalo", "arts_centre"),
        ("caisa", "arts_centre"),
        ("savoy", "theatre"),
        ("kiasma", "museum"),
        ("ateneum", "museum"),
    ]
    le["kind"] = None
    for word, k in reversed(rules):
        le.loc[name.str.contains(word), "kind"] = k
    le = le[le.kind.notna() & (le.kind != "")]
    lev = pd.DataFrame(
        {
            "id": le.id,
            "name": le.name_en.fillna(le.name_fi),
            "kind": le.kind,
            "lon": le.lon,
            "lat": le.lat,
            "n_events": le.n_events,
            "origin": "City of Helsinki Linked Events places 2024-01",
        }
    )
    # One record per place: a Linked Events place within 60 m of a MyHelsinki venue of the same
    # kind is the same venue; it lends its event count to that record instead of being added.
    xy_v, xy_l = (
        _metric(venues.lon.to_numpy(), venues.lat.to_numpy()),
        _metric(lev.lon.to_numpy(), lev.lat.to_numpy()),
    )
    dist, idx = cKDTree(xy_v).query(xy_l)
    same = (dist < 60) & (venues.kind.to_numpy()[idx] == lev.kind.to_numpy())
    venues = venues.reset_index(drop=True)
    for i, j in zip(np.flatnonzero(same), idx[same], strict=True):
        venues.loc[j, "n_events"] = lev.n_events.iloc[i]
    all_venues = pd.concat([venues, lev[~same]], ignore_index=True)
    all_venues.to_csv(OUT / "venues.csv", index=False)

    shutil.copy(
        shared / "osm-pbf-extracts/helsinki_center.osm.pbf", OUT / "helsinki_center_2019.osm.pbf"
    )
    shutil.copy(
        h / "osm-central-helsinki-2024/central_helsinki_bike_network_2024-08-21.osm.pbf",
        OUT / "central_helsinki_bike_network_2024.osm.pbf",
    )

    events = json.loads(
        (
            h / "linkedevents-event-samples/helmet_library_events_2024-2025_event-finder.json"
        ).read_text()
    )
    rows = []
    for e in events:
        rows.append(
            {
                "id": e["link"].rsplit("/", 1)[-1],
                "library": e["location"],
                "title": e["title"].strip(),
                "description": e["description"],
                "audience": ", ".join(
                    k for k in e["keywords"] if "age" in k or "children" in k or "youth" in k
                ),
                "start_date": e["start_time"][:10],
                "end_date": (e["end_time"] or "")[:10],
                "attendance": "",
                "language": "",
                "partners": "",
                "keywords": "; ".join(e["keywords"]),
                "link": e["link"],
            }
        )
    pd.DataFrame(rows).to_csv(OUT / "programmes.csv", index=False)
    print(f"population 2021: {len(grid)} cells, {grid.inhabitants.sum()} residents")
    print(
        f"population 2015: {len(g15)} cells; libraries: {len(libs)}; venues: {len(all_venues)} "
        f"({(all_venues.n_events.notna()).sum()} with event counts); programmes: {len(rows)}"
    )


if __name__ == "__main__":
    main(
        Path(sys.argv[1])
        if len(sys.argv) > 1
        else Path(__file__).resolve().parents[2] / "shared" / "data"
    )
