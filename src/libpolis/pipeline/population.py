"""The population branch of the import step: a population file (points, polygons, H3 cells)
or residents spread over OpenStreetMap buildings, checked as a whole against what the
workspace holds before anything is written (:mod:`libpolis.sources.sanity`).

Options beyond the reader's (``ImportRequest.options``): ``from_osm_buildings`` (the path
is an OSM file), ``total`` and ``total_source`` (residents to spread, and who counted
them), ``building_rule``, ``expected_total``, ``accept_outside`` and ``margin_km``.
The dataset's ``attrs["population_method"]`` says in words how the residents were
obtained; the evidence quotes it in the method of its residents figure.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
import shapely
from sqlalchemy import Engine

from libpolis.errors import DataError
from libpolis.pipeline.requests import ImportRequest
from libpolis.sources import buildings, population
from libpolis.sources._geo import VECTOR_SUFFIXES
from libpolis.sources.sanity import (
    MARGIN_KM,
    check_expected_total,
    check_extent,
    check_swapped_points,
)
from libpolis.store import read_table

__all__ = ["buildings_source", "population_frames", "workspace_extent"]

_OSM = {"publisher": "OpenStreetMap", "licence": "ODbL 1.0",
        "attribution": "© OpenStreetMap contributors"}  # fmt: skip


def buildings_source(req: ImportRequest, source: str) -> str:
    """``<file>:buildings`` for residents from an OSM file, so that they never share the
    source (and dataset record) of the libraries and street network read from that file."""
    return f"{source}:buildings" if req.options.get("from_osm_buildings") else source


def workspace_extent(engine: Engine) -> tuple[float, float, float, float] | None:
    """``(west, south, east, north)`` of the stored libraries and areas, or None if none."""
    libs = read_table(engine, "library", columns=["lon", "lat"]).dropna()
    xs, ys = list(libs["lon"].astype(float)), list(libs["lat"].astype(float))
    areas = read_table(engine, "area", columns=["geometry_wkt"])["geometry_wkt"].dropna()
    for geom in shapely.from_wkt(areas.to_numpy(), on_invalid="ignore"):
        if geom is not None and not geom.is_empty:
            w, s, e, n = geom.bounds
            xs += [w, e]
            ys += [s, n]
    if not xs:
        return None
    return min(xs), min(ys), max(xs), max(ys)


def _area_total(engine: Engine) -> tuple[float, str] | None:
    """The population of the one stored area that has one (``attrs["population"]``)."""
    areas = read_table(engine, "area", columns=["name", "source", "attrs"])
    found = [
        (float(a["population"]), f"area {n!r} ({s})")
        for n, s, a in zip(areas["name"], areas["source"], areas["attrs"], strict=True)
        if isinstance(a, dict) and isinstance(a.get("population"), int | float)
    ]
    return found[0] if len(found) == 1 else None


def _from_buildings(engine: Engine, req: ImportRequest, o: dict[str, Any]):
    total, told = o.pop("total", None), o.pop("total_source", None)
    if total is None:
        area = _area_total(engine)
        if area is None:
            raise DataError(
                "--from-osm-buildings needs --total N (the residents to spread over the "
                "buildings, e.g. a census count), or one imported area with a population"
            )
        total, told = area
    frame, meth = buildings.read_osm_buildings(
        req.path, total=float(total), rule=o.pop("building_rule", "residential")
    )
    text = (
        f"Residents from OpenStreetMap buildings ({meth['rule_text']}): {meth['total']:,.0f} "
        f"residents{f' ({told})' if told else ' (total given by the user)'} shared over "
        f"{meth['buildings']:,} buildings in proportion to floor area (footprint in the "
        f"local UTM CRS × building:levels where known, {meth['levels_known']:,} of them, "
        f"else 1 level); one unit per {meth['unit']}."
    )
    attrs = {**meth, "total_source": told, "population_method": text}
    return frame, {**_OSM, "attrs": attrs}


class _Where(Sequence[str]):
    """How a message names each unit (``line 12 (id 'a1')``), built only for the one named."""

    def __init__(self, frame: pd.DataFrame, vector: bool, osm: bool) -> None:
        self._ids, self._index, self._vector, self._osm = (
            frame["source_id"],
            frame.index,
            vector,
            osm,
        )

    def __len__(self) -> int:
        return len(self._ids)

    def __getitem__(self, k):  # type: ignore[override]
        i = str(self._ids.iloc[k])
        if self._osm:
            return f"OSM {i}"
        if self._index.name in ("line", "feature"):
            return f"{self._index.name} {self._index[k]} (id {i!r})"
        return f"feature {k + 1} (id {i!r})" if self._vector else f"line {k + 2} (id {i!r})"


def _where(path_suffix: str, frame: pd.DataFrame, osm: bool) -> Sequence[str]:
    return _Where(frame, path_suffix in VECTOR_SUFFIXES, osm)


def population_frames(engine: Engine, req: ImportRequest) -> tuple[pd.DataFrame, dict]:
    """The checked population units of ``req`` and the dataset defaults (provenance, method).

    Raises
    ------
    DataError
        When the reader refuses the file, or points lie more than ``margin_km`` outside the
        extent of the workspace's libraries and areas (or look swapped) without
        ``accept_outside``, or the total is far from ``expected_total``.
    """
    o = dict(req.options)
    osm = bool(o.pop("from_osm_buildings", False))
    expected = o.pop("expected_total", None)
    accept_outside = bool(o.pop("accept_outside", False))
    margin = float(o.pop("margin_km", MARGIN_KM))
    if osm:
        frame, defaults = _from_buildings(engine, req, o)
    else:
        for k in ("total", "total_source", "building_rule"):
            if o.pop(k, None) is not None:
                raise DataError(f"--{k.replace('_', '-')} goes with --from-osm-buildings")
        frame = population.read_population(req.path, **o)
        h3c = o.get("h3_column")
        text = (
            f"Residents per H3 cell (column {h3c!r} of {req.path.name}); each unit at its "
            "cell's centre (h3 library), its hexagon kept."
            if h3c
            else None
        )
        defaults = {"attrs": {"population_method": text}} if text else {}
    file = str(req.path)
    if expected is not None:
        check_expected_total(float(frame["population"].sum()), float(expected), file)
    extent = workspace_extent(engine)
    lon, lat = frame["lon"].to_numpy(float), frame["lat"].to_numpy(float)
    where = _where(req.path.suffix.lower(), frame, osm)
    if not osm:
        check_swapped_points(lon, lat, where, file)
    if extent is not None and not accept_outside and len(frame):
        check_extent(lon, lat, where, extent, file, margin_km=margin)
    if accept_outside:
        defaults.setdefault("attrs", {})["accepted_outside"] = True
    return frame, defaults
