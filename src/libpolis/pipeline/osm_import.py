"""The OpenStreetMap branch of the import step: read the cultural places, cut them to a
boundary, a bounding box or a place, merge near-duplicates, and say what the file held.

The cut polygon is stored (as WKT) in the dataset's ``attrs["cut"]``, so that ``libpolis
access`` on the street network of the same file counts only the residents inside it. A cut
that leaves no library stops the import (a wrong boundary or a swapped bbox), with the store
unchanged. A file with no library and no venue is kept as a street network, and the message
says how to import libraries.
"""

from __future__ import annotations

from typing import Any

import osmium
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from libpolis.errors import DataError
from libpolis.model import NOT_WALK_IN_KINDS
from libpolis.pipeline.requests import ImportRequest
from libpolis.sources import osm, osm_cut

__all__ = ["osm_cut_of", "read_osm_import"]

_HINT = "import libraries with `libpolis import facilities FILE.csv --as library`"


def osm_cut_of(req: ImportRequest) -> tuple[BaseGeometry, str, str | None] | None:
    """The polygon a request cuts to, how it was given, and the place name (``--place``)."""
    if req.bbox is not None:
        return osm_cut.bbox_polygon(req.bbox), f"--bbox {req.bbox}", None
    if req.boundary is not None:
        return osm_cut.read_boundary(req.boundary), f"--boundary {req.boundary.name}", None
    if req.place is not None:
        name, shape = osm_cut.read_osm_boundary(req.path, req.place)
        return shape, f"--place {name!r}", name
    return None


def _has_streets(req: ImportRequest) -> bool:
    fp = osmium.FileProcessor(str(req.path), osmium.osm.WAY).with_filter(
        osmium.filter.KeyFilter("highway")
    )
    return next(iter(fp), None) is not None


def read_osm_import(req: ImportRequest) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any], str]:
    """Libraries, venues, the dataset attrs (cut, merged, left out) and the message."""
    frame = osm.read_osm_culture(req.path, geometry=True)
    attrs: dict[str, Any] = {"street_network": req.street_network}
    name = req.path.name
    if frame.empty:
        what = "a street network only" if _has_streets(req) else "and no streets either"
        kept = "it is kept as the street network; " if what.startswith("a street") else ""
        return (frame.iloc[0:0], frame.iloc[0:0], attrs,
                f"no libraries or cultural venues in {name} ({what}): {kept}{_HINT}")  # fmt: skip
    cut = osm_cut_of(req)
    outside = 0
    if cut is not None:
        shape, how, _ = cut
        shapely.prepare(shape)
        inside = shapely.covers(shape, shapely.points(frame["lon"], frame["lat"]))
        outside = int((~inside).sum())
        all_libs = frame["kind"].str.endswith("library")
        if req.libraries and all_libs.any() and not (inside & all_libs).any():
            check = {"--bbox": "the order is W,S,E,N", "--boundary": "check the file and its CRS",
                     "--place": "choose another place"}[how.split()[0]]  # fmt: skip
            raise DataError(
                f"{how}: none of the {int(all_libs.sum())} libraries in {name} lies inside it "
                f"({check}); nothing was imported"
            )
        frame = frame[inside]
        attrs["cut"] = {"by": how, "wkt": shape.wkt, "outside": outside, "place": cut[2]}
    merged_frame, _ = osm.merge_duplicates(frame, req.merge_near_m)
    is_lib = merged_frame["kind"].str.endswith("library")
    libs = merged_frame[is_lib] if req.libraries else merged_frame.iloc[0:0]
    venues = merged_frame[~is_lib]
    merged = sum(len(a.get("merged", ())) for t in (libs, venues) for a in t["attrs"])
    attrs["merged"] = merged
    not_walk_in = libs[libs["kind"].isin(NOT_WALK_IN_KINDS)]["kind"].value_counts().to_dict()
    msg = (
        f"imported {len(libs)} {'library' if len(libs) == 1 else 'libraries'}, "
        f"{len(venues)} {'venue' if len(venues) == 1 else 'venues'}"
    )
    notes = []
    if cut is not None:
        notes.append(f"{outside} features outside {cut[1]} left out")
    if merged:
        notes.append(f"{merged} near-duplicates merged")
    if req.libraries and libs.empty:
        notes.append(f"no library in {name}: {_HINT}")
    if not_walk_in:
        kinds = ", ".join(f"{n} {k}" for k, n in sorted(not_walk_in.items()))
        notes.append(f"not counted in access: {kinds}")
        attrs["libraries_not_walk_in"] = {str(k): int(n) for k, n in not_walk_in.items()}
    return libs, venues, attrs, msg + (f" ({'; '.join(notes)})" if notes else "")
