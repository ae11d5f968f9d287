"""The one-site estimate, checked against a brute force on the geodesic."""

from __future__ import annotations

import numpy as np
import pandas as pd
from pyproj import Geod

from libpolis.plan.quick import best_new_site


def test_best_new_site_agrees_with_brute_force_on_the_geodesic():
    rng = np.random.default_rng(7)
    units = pd.DataFrame(
        {
            "lon": 24.9 + rng.random(60) * 0.1,
            "lat": 60.15 + rng.random(60) * 0.05,
            "population": rng.integers(0, 300, 60).astype(float),
            "dist_m": rng.random(60) * 2000,
            "district": "d",
        }
    )
    got = best_new_site(units, "dist_m", 1000.0, radius_m=800.0)
    far = units[(units["dist_m"] > 1000) & (units["population"] > 0)].reset_index(drop=True)
    geod = Geod(ellps="WGS84")
    best = 0.0
    for i in range(len(far)):
        _, _, d = geod.inv(
            np.full(len(far), far["lon"][i]),
            np.full(len(far), far["lat"][i]),
            far["lon"].to_numpy(),
            far["lat"].to_numpy(),
        )
        # UTM and the geodesic differ by < 0.1 % here; use a margin so ties cannot flip
        best = max(best, far["population"][d <= 800.0 * 0.999].sum())
    assert got["residents_gained"] >= best
    assert got["residents_gained"] <= far["population"].sum()
    assert got["radius_m"] == 800.0


def test_best_new_site_is_none_when_everybody_is_served():
    units = pd.DataFrame({"lon": [24.9], "lat": [60.2], "population": [5.0], "dist_m": [10.0]})
    assert best_new_site(units, "dist_m", 1000.0, radius_m=500.0) is None
