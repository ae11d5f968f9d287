"""Dataset-level checks of population points before anything is stored: points far outside
the extent of what the workspace already holds (libraries, areas), coordinates that look
swapped (latitude given as longitude), and a total far from the one the user expects.

Distances to the extent are measured on the sphere's local tangent plane (degrees scaled
by 111.32 km, longitude also by the cosine of the latitude): exact enough at the tens of
kilometres these checks use.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from libpolis.errors import DataError

__all__ = [
    "EXPECTED_TOLERANCE",
    "MARGIN_KM",
    "check_expected_total",
    "check_extent",
    "check_swapped_points",
    "extent_margin_km",
]

#: Points farther than this outside the extent of libraries and areas are refused (the
#: margin grows with the extent: a tenth of its diagonal when that is larger, so a whole
#: country's outlying islands pass while a city's stray points do not).
MARGIN_KM = 50.0
_MARGIN_SHARE = 0.10
#: A total more than this share away from ``--expected-total`` is refused.
EXPECTED_TOLERANCE = 0.10
_KM_PER_DEG = 111.32
_SWAPPED_SHARE = 0.95


def km_outside(lon: np.ndarray, lat: np.ndarray, extent: Sequence[float]) -> np.ndarray:
    """Distance (km) of each point to the box ``(west, south, east, north)``, 0 inside it."""
    w, s, e, n = extent
    lon, lat = np.asarray(lon, float), np.asarray(lat, float)
    dlon = np.maximum.reduce([w - lon, lon - e, np.zeros_like(lon)])
    dlat = np.maximum.reduce([s - lat, lat - n, np.zeros_like(lat)])
    near_lat = np.clip(lat, s, n)
    return _KM_PER_DEG * np.hypot(dlon * np.cos(np.radians(near_lat)), dlat)


def extent_margin_km(extent: Sequence[float], floor_km: float = MARGIN_KM) -> float:
    """The margin for ``extent``: ``floor_km`` or a tenth of the extent's diagonal (km)."""
    w, s, e, n = extent
    mid = np.radians((s + n) / 2.0)
    diag = _KM_PER_DEG * float(np.hypot((e - w) * np.cos(mid), n - s))
    return max(floor_km, _MARGIN_SHARE * diag)


def check_extent(
    lon: np.ndarray,
    lat: np.ndarray,
    where: Sequence[str],
    extent: Sequence[float],
    file: str,
    *,
    margin_km: float = MARGIN_KM,
) -> None:
    """Refuse points more than the margin outside ``extent`` (``margin_km``, or a tenth of the
    extent's diagonal when larger: :func:`extent_margin_km`), or all apparently swapped.

    Parameters
    ----------
    lon, lat
        WGS84 degrees of the points, in file order.
    where
        How to name each point in the message (e.g. ``"line 12 (id 'a1')"``).
    extent
        ``(west, south, east, north)`` of the workspace's libraries and areas.
    """
    margin_km = extent_margin_km(extent, margin_km)
    out = km_outside(lon, lat, extent) > margin_km
    if not out.any():
        return
    box = ", ".join(f"{v:.4f}" for v in extent)
    swapped_in = km_outside(lat, lon, extent) <= margin_km
    if out.mean() > 0.5 and swapped_in.mean() >= _SWAPPED_SHARE:
        raise DataError(
            f"{file}: the coordinates look swapped: {int(out.sum())} of {len(out)} points lie "
            f"outside the extent of the workspace's libraries and areas ({box}), and "
            f"{int(swapped_in.sum())} would lie inside with longitude and latitude exchanged "
            "(give the longitude column as x/lon); --accept-outside imports them as they are"
        )
    i = int(np.flatnonzero(out)[0])
    raise DataError(
        f"{file}: {int(out.sum())} of {len(out)} points lie more than {margin_km:,.0f} km outside "
        f"the extent of the workspace's libraries and areas ({box}), the first at {where[i]} "
        f"(lon {lon[i]:.5f}, lat {lat[i]:.5f}); check the coordinates and CRS, or give "
        "--accept-outside"
    )


def check_swapped_points(lon: np.ndarray, lat: np.ndarray, where: Sequence[str], file: str) -> None:
    """Refuse a point whose longitude and latitude look exchanged, judged by the file alone.

    A point is refused when it lies farther than the margin from the file's median point (the
    margin of :func:`extent_margin_km` for the box of the middle half of the points) while its
    exchanged coordinates lie within it: Helsinki's (24.94, 60.17) given as (60.17, 24.94)
    lands in Iran, 3,000 km from the other branches, and swaps back among them.
    """
    lon, lat = np.asarray(lon, float), np.asarray(lat, float)
    if len(lon) < 3:
        return
    mid = (float(np.median(lon)), float(np.median(lat)))
    q = np.percentile(np.c_[lon, lat], [25, 75], axis=0)
    margin = extent_margin_km((q[0, 0], q[0, 1], q[1, 0], q[1, 1]))
    centre = (mid[0], mid[1], mid[0], mid[1])
    far = km_outside(lon, lat, centre) > margin
    back = km_outside(lat, lon, centre) <= margin
    bad = far & back
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise DataError(
            f"{file}, {where[i]}: lon {lon[i]:.5f}, lat {lat[i]:.5f} lies "
            f"{float(km_outside(lon[i : i + 1], lat[i : i + 1], centre)[0]):,.0f} km from the other "
            f"points, and among them with longitude and latitude exchanged: they look swapped "
            f"({int(bad.sum())} such point(s))"
        )


def check_expected_total(
    total: float, expected: float, file: str, *, tolerance: float = EXPECTED_TOLERANCE
) -> None:
    """Refuse a total of residents more than ``tolerance`` (a share) away from ``expected``."""
    if not (np.isfinite(expected) and expected > 0):
        raise DataError(f"--expected-total must be a positive number, not {expected!r}")
    if abs(total - expected) > tolerance * expected:
        raise DataError(
            f"{file}: the file holds {total:,.0f} residents, {abs(total / expected - 1):.0%} "
            f"from the expected {expected:,.0f} (more than {tolerance:.0%} off)"
        )
