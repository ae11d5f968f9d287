"""Published-figure check: mean straight-line distance to the nearest US public library.

Donnelly (2015), "Regional variations in average distance to public libraries in the United
States", Library & Information Science Research 37(4): 280-289, reports a national average
population-weighted distance to the nearest public library of 2.1 miles (2010 data).

This script computes the same figure for 2020 with:

* residents: the 2020 Census centers of population of all block groups
  (``us-census-centers-of-population-2020/bg_cenpop2020_ejam.csv.gz``), 50 states + DC; Puerto
  Rico is left out because the Public Libraries Survey has no outlet there (see below);
* libraries: the IMLS Public Libraries Survey FY2021 outlet file
  (``imls-pls-fy2021/pls_fy21_outlet_pud21i.csv``, latin-1), outlets without usable
  coordinates excluded and counted;
* distance: great-circle distance on a sphere of radius 6,371,008.8 m (the IUGG mean Earth
  radius) to the nearest outlet, found with a k-d tree on 3-D unit vectors (the chord is
  monotone in the great-circle angle, so the nearest by chord is the nearest on the sphere).

Outlet types: ``CE`` central and ``BR`` branch libraries are fixed buildings; ``BS``
(bookmobiles, located at their base) and ``BM`` (books-by-mail) are not places a resident goes
to. ``STATSTRU == "23"`` marks outlets temporarily closed in FY2021. The headline figure uses
open central and branch libraries; the other selections are printed beside it.

Run: ``python benchmarks/access_us.py [--data PATH_TO_SHARED_DATA]``. Prints the figures and
the time of the computation (file reading included, imports excluded).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd
from pyproj import Geod
from scipy.spatial import cKDTree

from libpolis.access.coverage import coverage
from libpolis.access.equity import gini, underserved_districts

EARTH_RADIUS_M = 6_371_008.8
MILE_M = 1_609.344
# fmt: off
STATES_AND_DC = frozenset([
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN",
    "IA", "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH",
    "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT",
    "VT", "VA", "WA", "WV", "WI", "WY",
])
# fmt: on
DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def _unit_vectors(lat_deg: np.ndarray, lon_deg: np.ndarray) -> np.ndarray:
    lat, lon = np.radians(lat_deg), np.radians(lon_deg)
    return np.column_stack((np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)))


def _nearest_great_circle(
    lat: np.ndarray, lon: np.ndarray, flat: np.ndarray, flon: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Great-circle distance (m) to the nearest facility and that facility's position."""
    tree = cKDTree(_unit_vectors(flat, flon))
    chord, idx = tree.query(_unit_vectors(lat, lon))
    return 2.0 * EARTH_RADIUS_M * np.arcsin(np.minimum(chord / 2.0, 1.0)), idx


def _nearest_great_circle_m(
    lat: np.ndarray, lon: np.ndarray, flat: np.ndarray, flon: np.ndarray
) -> np.ndarray:
    return _nearest_great_circle(lat, lon, flat, flon)[0]


def load_block_groups(data: Path) -> pd.DataFrame:
    path = data / "us-census-centers-of-population-2020" / "bg_cenpop2020_ejam.csv.gz"
    return pd.read_csv(path, usecols=["lat", "lon", "pop2020", "ST"])


def load_outlets(data: Path) -> tuple[pd.DataFrame, int]:
    """Outlets with usable coordinates, and how many were excluded for lacking them."""
    path = data / "imls-pls-fy2021" / "pls_fy21_outlet_pud21i.csv"
    cols = ["STABR", "FSCSKEY", "FSCS_SEQ", "C_OUT_TY", "STATSTRU", "LATITUDE", "LONGITUD"]
    outlets = pd.read_csv(path, encoding="latin-1", usecols=cols, dtype={"STATSTRU": str})
    lat = pd.to_numeric(outlets["LATITUDE"], errors="coerce")
    lon = pd.to_numeric(outlets["LONGITUD"], errors="coerce")
    # negative numbers are IMLS "missing" codes in numeric fields, but western longitudes and
    # southern latitudes are negative too: a coordinate is unusable when missing, out of range,
    # exactly (0, 0) or equal to a missing code (-1, -3, -4, -9)
    codes = [-1.0, -3.0, -4.0, -9.0]
    bad = (
        lat.isna()
        | lon.isna()
        | (lat.abs() > 90)
        | (lon.abs() > 180)
        | ((lat == 0) & (lon == 0))
        | lat.isin(codes)
        | lon.isin(codes)
    )
    good = outlets[~bad].assign(lat=lat[~bad], lon=lon[~bad])
    return good.reset_index(drop=True), int(bad.sum())


def run(data: Path) -> dict:
    t0 = time.perf_counter()
    bg = load_block_groups(data)
    outlets, no_coords = load_outlets(data)
    in_scope = bg["ST"].isin(STATES_AND_DC)
    residents = bg[in_scope].reset_index(drop=True)
    left_out = bg[~in_scope].groupby("ST")["pop2020"].agg(["size", "sum"])
    fixed = outlets["C_OUT_TY"].isin(["CE", "BR"])
    temp_closed = outlets["STATSTRU"] == "23"
    selections = {
        "open central + branch (headline)": fixed & ~temp_closed,
        "central + branch incl. temporarily closed": fixed,
        "all outlets incl. bookmobiles/books-by-mail": pd.Series(True, index=outlets.index),
    }
    pop = residents["pop2020"].to_numpy(dtype=np.float64)
    results = {}
    for name, sel in selections.items():
        lib = outlets[sel]
        dist_m = _nearest_great_circle_m(
            residents["lat"].to_numpy(), residents["lon"].to_numpy(),
            lib["lat"].to_numpy(), lib["lon"].to_numpy(),
        )  # fmt: skip
        cov = coverage(dist_m, pop, [MILE_M, 2 * MILE_M, 800, 3200], unit="m")
        results[name] = {
            "outlets": len(lib),
            "mean_m": float(np.sum(pop * dist_m) / pop.sum()),
            "median_m": float(np.quantile(dist_m, 0.5, method="inverted_cdf", weights=pop)),
            "within_1mi": float(cov["share"].iloc[0]),
            "within_2mi": float(cov["share"].iloc[1]),
            "within_800m": float(cov["share"].iloc[2]),
            "within_3200m": float(cov["share"].iloc[3]),
            "gini": gini(dist_m, pop),
            "dist_m": dist_m,
        }
    headline = results["open central + branch (headline)"]
    # the same nearest outlets, measured on the WGS84 ellipsoid (pyproj) instead of the sphere
    lib = outlets[selections["open central + branch (headline)"]]
    _, idx = _nearest_great_circle(
        residents["lat"].to_numpy(), residents["lon"].to_numpy(),
        lib["lat"].to_numpy(), lib["lon"].to_numpy(),
    )  # fmt: skip
    _, _, ellipsoid_m = Geod(ellps="WGS84").inv(
        residents["lon"].to_numpy(), residents["lat"].to_numpy(),
        lib["lon"].to_numpy()[idx], lib["lat"].to_numpy()[idx],
    )  # fmt: skip
    headline["mean_ellipsoid_m"] = float(np.sum(pop * ellipsoid_m) / pop.sum())
    states = underserved_districts(
        headline["dist_m"], pop, residents["ST"], threshold=2 * MILE_M, by="mean", unit="m"
    )
    # what Puerto Rico would get: its nearest PLS outlet lies on another island
    pr = bg[bg["ST"] == "PR"]
    pr_m = _nearest_great_circle_m(
        pr["lat"].to_numpy(), pr["lon"].to_numpy(), lib["lat"].to_numpy(), lib["lon"].to_numpy()
    )
    pr_mean_m = float(np.sum(pr["pop2020"] * pr_m) / pr["pop2020"].sum()) if len(pr) else None
    elapsed = time.perf_counter() - t0
    return {
        "block_groups": len(residents),
        "population": float(pop.sum()),
        "left_out": left_out,
        "outlets_total": len(outlets) + no_coords,
        "outlets_no_coords": no_coords,
        "outlet_types": outlets["C_OUT_TY"].value_counts().to_dict(),
        "temp_closed": int(temp_closed.sum()),
        "outlets_outside_scope": outlets.loc[~outlets["STABR"].isin(STATES_AND_DC), "STABR"]
        .value_counts()
        .to_dict(),
        "results": results,
        "states": states,
        "pr_mean_m": pr_mean_m,
        "seconds": elapsed,
    }


def _print(fig: dict) -> None:
    print("US population-weighted straight-line distance to the nearest public library")
    print(
        f"  residents: {fig['block_groups']:,} block groups, 50 states + DC, "
        f"population {fig['population']:,.0f}"
    )
    for st, row in fig["left_out"].iterrows():
        print(f"  left out: {st} ({int(row['size']):,} block groups, pop {int(row['sum']):,})")
    print(
        f"  outlets: {fig['outlets_total']:,} in the FY2021 file, {fig['outlets_no_coords']} "
        f"without usable coordinates; types {fig['outlet_types']}; "
        f"{fig['temp_closed']} temporarily closed (STATSTRU 23)"
    )
    print(f"  outlets outside the 50 states + DC: {fig['outlets_outside_scope']}")
    for name, r in fig["results"].items():
        print(
            f"  {name}: {r['outlets']:,} outlets -> mean {r['mean_m'] / MILE_M:.3f} mi "
            f"({r['mean_m'] / 1000:.3f} km), median {r['median_m'] / MILE_M:.2f} mi, "
            f"within 1 mi {r['within_1mi']:.1%}, within 2 mi {r['within_2mi']:.1%}, "
            f"within 0.8 km {r['within_800m']:.1%}, within 3.2 km {r['within_3200m']:.1%}, "
            f"Gini {r['gini']:.3f}"
        )
    head = fig["results"]["open central + branch (headline)"]
    print(
        f"  headline on the WGS84 ellipsoid (same nearest outlets): "
        f"{head['mean_ellipsoid_m'] / MILE_M:.3f} mi vs {head['mean_m'] / MILE_M:.3f} mi "
        "on the sphere"
    )
    print("  Donnelly (LISR 37(4), 2015), 2010 data: 2.1 mi")
    top = fig["states"].head(5)
    bottom = fig["states"].tail(5)
    fmt = ", ".join
    print(
        "  highest state means: "
        + fmt(f"{r.district} {r.mean_dist_m / MILE_M:.2f} mi" for r in top.itertuples())
    )
    print(
        "  lowest state means: "
        + fmt(f"{r.district} {r.mean_dist_m / MILE_M:.2f} mi" for r in bottom.itertuples())
    )
    if fig["pr_mean_m"] is not None:
        print(
            f"  Puerto Rico (not in the PLS) would get {fig['pr_mean_m'] / MILE_M:.1f} mi "
            "to an outlet on another island: left out"
        )
    print(f"  computed in {fig['seconds']:.2f} s (reading files included, imports excluded)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the shared/data folder")
    _print(run(parser.parse_args().data))
