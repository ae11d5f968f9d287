"""The import step: read one open-data file with its reader and store what it holds, with
its provenance, in one transaction (:func:`libpolis.imports.import_frames`).

An OpenStreetMap import cut to ``--place NAME`` (see :mod:`libpolis.pipeline.osm_import`), an
OpenStreetMap extract that names its place (``place=country|city|town...``) or an area
file with a city boundary (``kind`` city or municipality) names the workspace when nobody
has named it yet (``libpolis init --name`` always wins).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from libpolis.access.nearest import nearest_points
from libpolis.errors import DataError
from libpolis.imports import import_frames, source_name
from libpolis.pipeline.osm_import import read_osm_import
from libpolis.pipeline.population import buildings_source, population_frames, workspace_extent
from libpolis.pipeline.requests import ImportKind, ImportRequest, ImportResult
from libpolis.rules import row_label
from libpolis.sources import areas, osm, pls, tabular
from libpolis.sources.sanity import check_extent, check_swapped_points
from libpolis.store import (
    counts,
    population_basis,
    read_table,
    set_population_basis,
    set_workspace_name,
    workspace_name,
)

__all__ = ["run_import", "use_population"]

_OSM = {"publisher": "OpenStreetMap", "licence": "ODbL 1.0",
        "attribution": "© OpenStreetMap contributors"}  # fmt: skip
_IMLS = {"publisher": "IMLS", "licence": "US public domain"}
_CITY_AREA_KINDS = frozenset({"city", "municipality", "boundary", "town"})
#: The file's column of a record field, where they differ, for the messages of the rules.
_FILE_COLUMNS: dict[ImportKind, dict[str, dict[str, str]]] = {
    ImportKind.PROGRAMMES: {"programme": {"source_id": "id", "library_name": "library"}},
    ImportKind.FACILITIES: {t: {"source_id": "id"} for t in ("library", "venue")},
    ImportKind.MUSEUMS: {"venue": {"source_id": "MID", "name": "COMMONNAME"}},
    ImportKind.PLS: {
        "library": {"name": "LIBNAME", "address": "ADDRESS", "city": "CITY"},
        "library_system": {"source_id": "FSCSKEY", "name": "LIBNAME", "city": "CITY"},
    },
}


def _dataset(req: ImportRequest, kind: str, **defaults: Any) -> dict[str, Any]:
    given = {k: v for k, v in req.dataset.items() if v is not None}
    attrs = {**defaults.pop("attrs", {}), **given.pop("attrs", {})}
    return {"kind": kind, "path": str(req.path.resolve()), "publisher": None, "licence": None,
            "attribution": None, **defaults, **given, "attrs": attrs}  # fmt: skip


def _not_already_listed(engine: Engine, venues: pd.DataFrame, radius_m: float, source: str):
    """Venues farther than ``radius_m`` from every venue another source stored."""
    stored = read_table(engine, "venue", columns=["source", "lon", "lat"])
    stored = stored[(stored["source"] != source) & stored["lon"].notna()]
    if stored.empty or venues.empty:
        return venues
    dist, _ = nearest_points(
        venues["lon"].to_numpy(float),
        venues["lat"].to_numpy(float),
        stored["lon"].to_numpy(float),
        stored["lat"].to_numpy(float),
    )
    return venues[~(dist <= radius_m)]


def _check_places(engine: Engine, req: ImportRequest, frame: pd.DataFrame) -> None:
    """Refuse places whose coordinates look swapped, or that lie far outside the libraries
    and areas the workspace holds (unless ``accept_outside``)."""
    if frame.empty:
        return
    where = [row_label(frame, i) for i in range(len(frame))]
    lon, lat = frame["lon"].to_numpy(float), frame["lat"].to_numpy(float)
    check_swapped_points(lon, lat, where, str(req.path))
    extent = workspace_extent(engine)
    if extent is not None and not req.options.get("accept_outside"):
        check_extent(lon, lat, where, extent, str(req.path))


def _frames(engine: Engine, req: ImportRequest, source: str) -> tuple[dict, dict, dict, str]:
    """The reader's frames per table, the dataset record, extra import options, a message."""
    o, p = req.options, req.path
    if req.kind is ImportKind.OSM:
        libs, venues, attrs, message = read_osm_import(req)
        if req.skip_venues_near_m is not None:
            venues = _not_already_listed(engine, venues, req.skip_venues_near_m, source)
        ds = _dataset(req, "osm", **_OSM, attrs=attrs)
        return {"library": libs, "venue": venues}, ds, {}, message
    if req.kind is ImportKind.POPULATION:
        frame, defaults = population_frames(engine, req)
        return ({"population_unit": frame}, _dataset(req, "population", **defaults), {},
                f"imported {len(frame)} population units, "
                f"{frame['population'].sum():,.0f} residents")  # fmt: skip
    if req.kind is ImportKind.PLS:
        assert req.systems is not None  # checked by the request
        enc = o.get("encoding", "latin-1")
        out = pls.read_pls_outlets(p, encoding=enc)
        systems, stats = pls.read_pls_systems(req.systems, year=req.year, encoding=enc)
        src_sys = source_name(req.systems)
        ds = _dataset(
            req, "pls", publisher="Institute of Museum and Library Services (IMLS)",
            licence="US public domain", attribution=f"IMLS Public Libraries Survey FY{req.year}",
            attrs={"systems": str(Path(req.systems).resolve()), "year": req.year},
        )  # fmt: skip
        extra = {"extra_sources": {"library_system": src_sys, "statistic": src_sys},
                 "link": (source, src_sys)}  # fmt: skip
        return ({"library_system": systems, "statistic": stats, "library": out}, ds, extra,
                f"imported {len(out)} outlets, {len(systems)} systems, "
                f"{len(stats)} statistics")  # fmt: skip
    if req.kind is ImportKind.MUSEUMS:
        frame = tabular.read_museums(p, encoding=o.get("encoding", "latin-1"))
        ds = _dataset(req, "museums", **_IMLS, attribution="IMLS Museum Data Files")
        return {"venue": frame}, ds, {}, f"imported {len(frame)} museums"
    if req.kind is ImportKind.PROGRAMMES:
        frame = tabular.read_programmes(p, encoding=o.get("encoding", "utf-8"))
        return ({"programme": frame}, _dataset(req, "programmes"), {},
                f"imported {len(frame)} programmes")  # fmt: skip
    if req.kind is ImportKind.FACILITIES:
        as_ = o.get("as_", "venue")
        if as_ not in {"library", "venue"}:
            raise DataError(f"--as must be 'library' or 'venue', not {as_!r}")
        frame = tabular.read_facilities(
            p, default_kind=o.get("kind") or as_, encoding=o.get("encoding", "utf-8")
        )
        _check_places(engine, req, frame)
        if as_ == "library" and "n_events" in frame.columns:
            frame["attrs"] = [
                {**a, "n_events": n} for a, n in zip(frame["attrs"], frame["n_events"], strict=True)
            ]
            frame = frame.drop(columns="n_events")
        return ({as_: frame}, _dataset(req, "facilities"), {},
                f"imported {len(frame)} {as_} records")  # fmt: skip
    frame = areas.read_areas(p, **o)
    return {"area": frame}, _dataset(req, "areas"), {}, f"imported {len(frame)} areas"


def _place_name(
    req: ImportRequest, tables: dict[str, pd.DataFrame], dataset: dict[str, Any]
) -> tuple[str, str] | None:
    place = ((dataset.get("attrs") or {}).get("cut") or {}).get("place")
    if req.kind is ImportKind.OSM and place:
        return place, f"OpenStreetMap boundary in {req.path.name}"
    if req.kind is ImportKind.OSM:
        name = osm.read_osm_place(req.path)
        return (name, f"OpenStreetMap place in {req.path.name}") if name else None
    if req.kind is ImportKind.AREAS:
        frame = tables["area"]
        city = frame[frame["kind"].astype(str).str.lower().isin(_CITY_AREA_KINDS)]
        if len(city) == 1:
            return str(city["name"].iloc[0]), f"city boundary in {req.path.name}"
    return None


def _basis_note(engine: Engine, source: str, file: str, summary: dict[str, Any]) -> str:
    """Make the first population the workspace's basis; say when a later one is not."""
    set_population_basis(engine, source, how=f"first population imported ({file})", replace=False)
    basis = population_basis(engine)
    summary["population_basis"] = basis
    if basis == source:
        return f"; analyses use this population ({source!r}) unless told otherwise"
    return (
        f"; analyses keep using the population {basis!r}: `libpolis population use {source}` "
        f"switches to this one, or pass --population-source {source}"
    )


def use_population(engine: Engine, source: str) -> dict[str, Any]:
    """Make ``source`` (an imported population) the basis of later analyses."""
    units = read_table(engine, "population_unit", source=source, columns=["population"])
    if units.empty:
        known = sorted(k for k in counts(engine)["population_unit"] if k != "total")
        raise DataError(
            f"no population {source!r} in the workspace"
            + (f"; it has {', '.join(map(repr, known))}" if known else "; import one first")
        )
    set_population_basis(engine, source)
    return {"population_basis": source, "units": len(units),
            "residents": float(units["population"].astype(float).sum())}  # fmt: skip


def run_import(engine: Engine, request: ImportRequest) -> ImportResult:
    """Read ``request.path`` with the reader of its kind and store it in one transaction."""
    source = source_name(request.path, request.source)
    if request.kind is ImportKind.POPULATION and request.source is None:
        source = buildings_source(request, source)
    tables, dataset, extra, message = _frames(engine, request, source)
    files = {name: str(request.path) for name in tables}
    if request.kind is ImportKind.PLS and request.systems is not None:
        files |= {"library_system": str(request.systems), "statistic": str(request.systems)}
    res = import_frames(engine, source, tables, dataset=dataset, files=files,
                        columns=_FILE_COLUMNS.get(request.kind), **extra)  # fmt: skip
    summary = res.as_dict()
    if request.kind is ImportKind.OSM:  # what the cut and the merge left out
        osm_attrs = {k: v for k, v in dataset["attrs"].items() if k != "street_network"}
        if "cut" in osm_attrs:
            osm_attrs["cut"] = {k: v for k, v in osm_attrs["cut"].items() if k != "wkt"}
        summary["osm"] = osm_attrs
    if request.kind is ImportKind.POPULATION:
        summary["residents"] = float(tables["population_unit"]["population"].sum())
        message += _basis_note(engine, source, request.path.name, summary)
    if request.kind is ImportKind.PROGRAMMES:
        links = res.programme_links
        n_unmatched = links.get("unmatched", 0)
        message += (f"; {sum(links.values()) - n_unmatched} linked to a library (by id "
                    f"{links.get('id', 0)}, by name {links.get('name', 0)}, by fuzzy name "
                    f"{links.get('fuzzy', 0)}), {n_unmatched} not")  # fmt: skip
    # the place is looked up (a second pass over an OSM file) only while the workspace is unnamed
    place = _place_name(request, tables, dataset) if workspace_name(engine) is None else None
    if place is not None and set_workspace_name(engine, place[0], source=place[1], replace=False):
        summary["workspace_name"] = place[0]
        message += f"; the workspace is named {place[0]!r} (from the {place[1]})"
    return ImportResult(None, summary, tuple(tables), message=message)
