"""Walking times to Helsinki Central Railway Station: libpolis vs the Helsinki Region TTM.

Run ``python benchmarks/access_ttm_check.py``. It compares, cell by cell, our walking time from
each 250 m grid-cell centroid to the centroid of the railway-station cell (YKR id 5975375) with
``walk_t`` / ``walk_d`` of the Helsinki Region Travel Time Matrix (Digital Geography Lab,
University of Helsinki, CC BY 4.0; most likely the 2015 release, see the data's PROVENANCE.md),
on each bundled street network in turn:

* ``helsinki_center.osm.pbf`` (OSM 2019, lon 24.935-24.953, with footways), and
* ``central_helsinki_bike_network_2024-08-21.osm.pbf`` (OSM 2024, lon 24.904-24.957; an OSMnx
  bike network: streets, cycleways, pedestrian streets and paths, but no footways or steps).

A cell counts as covered by a network when its centroid lies inside the convex hull of the
network's nodes shrunk by 150 m (so that the best route is unlikely to leave the extract) and
within 100 m of a network node. The TTM walks at 70 m/min (4.2 km/h: ``walk_d / walk_t`` is
70.0 in the median) and we at 4.8 km/h, so times are compared as computed and also converted
at the TTM's speed, and distances (speed-free) are compared too: ours = time x 80 m/min (the
walk graph has one speed, access legs included). The results are written into the marked
section of ``benchmarks/access.md``.
"""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from libpolis.access.nearest import nearest_facility
from libpolis.access.network import WALK_SPEED_KPH, graph_from_pbf, snap_points

HERE = Path(__file__).resolve().parent
DATA = Path("/work/shared/data")
TTM = (
    DATA
    / "helsinki/travel-time-matrix-to-railway-station"
    / "travel_times_to_railway_station_centroids.csv.gz"
)
NETWORKS = {
    "OSM 2019 extract (helsinki_center.osm.pbf)": DATA / "osm-pbf-extracts/helsinki_center.osm.pbf",
    "OSM 2024 bike network (central_helsinki_bike_network_2024-08-21.osm.pbf)": DATA
    / "helsinki/osm-central-helsinki-2024/central_helsinki_bike_network_2024-08-21.osm.pbf",
}
STATION_CELL = 5975375
INSET_M = 150.0
MAX_SNAP_M = 100.0
TTM_M_PER_MIN = 70.0
OUR_M_PER_MIN = WALK_SPEED_KPH * 1000 / 60


def compare(pbf: Path, ttm: pd.DataFrame) -> dict:
    g = graph_from_pbf(pbf, "walk")
    crs = g.crs
    nodes = gpd.GeoSeries(gpd.points_from_xy(g.lon, g.lat), crs=4326).to_crs(crs)
    hull = shapely.convex_hull(shapely.multipoints(nodes.values)).buffer(-INSET_M)
    cells = gpd.GeoDataFrame(ttm, geometry=gpd.points_from_xy(ttm["lon"], ttm["lat"]), crs=4326)
    inside = cells.to_crs(crs).within(hull).to_numpy()
    _, snap_m = snap_points(g, cells["lon"].to_numpy(), cells["lat"].to_numpy())
    covered = cells[inside & (snap_m <= MAX_SNAP_M) & (cells["walk_t"] >= 0)].copy()
    station = cells[cells["from_id"] == STATION_CELL]
    if not inside[cells["from_id"].to_numpy() == STATION_CELL].all():
        return {"cells": 0, "note": "the station cell is outside this network"}
    res = nearest_facility(g, covered, station, resident_id="from_id", facility_id="from_id")
    ours_t = res["time_min"].to_numpy()
    ours_d = ours_t * OUR_M_PER_MIN
    ttm_t = covered["walk_t"].to_numpy(dtype=float)
    ttm_d = covered["walk_d"].to_numpy(dtype=float)
    diff_t = ours_t - ttm_t
    diff_t70 = ours_d / TTM_M_PER_MIN - ttm_t
    diff_d = ours_d - ttm_d
    return {
        "nodes": g.n_nodes,
        "cells": len(covered),
        "unreachable": int((~res["reachable"]).sum()),
        "ttm_median_min": float(np.median(ttm_t)),
        "ours_median_min": float(np.nanmedian(ours_t)),
        "median_diff_min": float(np.nanmedian(diff_t)),
        "median_absdiff_min": float(np.nanmedian(np.abs(diff_t))),
        "p90_absdiff_min": float(np.nanpercentile(np.abs(diff_t), 90)),
        "median_diff_min_at_70": float(np.nanmedian(diff_t70)),
        "median_absdiff_min_at_70": float(np.nanmedian(np.abs(diff_t70))),
        "p90_absdiff_min_at_70": float(np.nanpercentile(np.abs(diff_t70), 90)),
        "median_diff_m": float(np.nanmedian(diff_d)),
        "median_absdiff_m": float(np.nanmedian(np.abs(diff_d))),
        "p90_absdiff_m": float(np.nanpercentile(np.abs(diff_d), 90)),
        "median_ratio_d": float(np.nanmedian(ours_d / np.where(ttm_d > 0, ttm_d, np.nan))),
    }


def report(results: dict[str, dict]) -> str:
    lines = [
        "## Walking times to Helsinki Central Railway Station vs the Helsinki Region Travel "
        "Time Matrix",
        "",
        "Command: `.venv/bin/python benchmarks/access_ttm_check.py`. Cells: 250 m YKR grid "
        "cells whose centroid lies inside the network's node hull shrunk by "
        f"{INSET_M:.0f} m and within {MAX_SNAP_M:.0f} m of a node; destination: the centroid of "
        f"cell {STATION_CELL} (the station). TTM walks at 70 m/min, libpolis at "
        f"{WALK_SPEED_KPH} km/h ({OUR_M_PER_MIN:.0f} m/min). Differences are ours minus TTM; "
        "|d| is the absolute difference.",
        "",
        "| network | cells | TTM median min | ours median min | median d min | median abs(d) min "
        "| p90 abs(d) min | at 70 m/min: median d / p90 abs(d) min | distance: median d m / "
        "p90 abs(d) m |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, r in results.items():
        if not r.get("cells"):
            lines.append(f"| {name} | 0 | {r.get('note', '')} |||||||")
            continue
        lines.append(
            f"| {name} | {r['cells']} | {r['ttm_median_min']:.1f} | {r['ours_median_min']:.1f} "
            f"| {r['median_diff_min']:+.1f} | {r['median_absdiff_min']:.1f} "
            f"| {r['p90_absdiff_min']:.1f} | {r['median_diff_min_at_70']:+.1f} / "
            f"{r['p90_absdiff_min_at_70']:.1f} | {r['median_diff_m']:+.0f} / "
            f"{r['p90_absdiff_m']:.0f} |"
        )
    lines += [
        "",
        "The 2019 extract maps footways and steps: its route lengths match the TTM's (distance "
        "column) and the time difference comes mostly from the walking speed (converted to the "
        "TTM's 70 m/min, see that column). The 2024 network is an OSMnx *bike* network without footways "
        "or steps, so its routes are longer (distance column) and its times are an upper "
        "bound for walking. Both cover only central Helsinki (see `cells`).",
        "",
    ]
    return "\n".join(lines)


def write_section(text: str, path: Path = HERE / "access.md") -> None:
    """Replace (or append) the TTM section of access.md between its markers."""
    start, end = "<!-- ttm-check -->", "<!-- /ttm-check -->"
    block = f"{start}\n{text}{end}\n"
    old = path.read_text() if path.exists() else ""
    if start in old:
        new = re.sub(re.escape(start) + r".*?" + re.escape(end) + r"\n?", block, old, flags=re.S)
    else:
        new = old + ("\n" if old and not old.endswith("\n\n") else "") + block
    path.write_text(new)


def main() -> None:
    ttm = pd.read_csv(TTM)
    results = {}
    for name, pbf in NETWORKS.items():
        results[name] = compare(pbf, ttm)
        print(name, results[name])
    text = report(results)
    print(text)
    write_section(text)


if __name__ == "__main__":
    main()
