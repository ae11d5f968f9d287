"""The pipeline's inputs: population, libraries, venues and the street network as the
analyses take them, read from the workspace store."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from sqlalchemy import Engine

from libpolis.errors import DataError, NotFoundError
from libpolis.model import NOT_WALK_IN_KINDS
from libpolis.store import population_basis, read_table
from libpolis.store.queries import datasets

__all__ = [
    "AGE_BANDS",
    "age_bands",
    "attr_keys",
    "libraries_left_out",
    "load_libraries",
    "load_population",
    "load_venues",
    "points_gdf",
    "population_source",
    "street_network",
    "street_network_file",
]

#: Age-band attributes recognised on population units (HSY grid names) -> label.
AGE_BANDS = {
    "IKA0_9": "0-9",
    "IKA10_19": "10-19",
    "IKA20_29": "20-29",
    "IKA30_39": "30-39",
    "IKA40_49": "40-49",
    "IKA50_59": "50-59",
    "IKA60_69": "60-69",
    "IKA70_79": "70-79",
    "IKA_YLI80": "80+",
}
_SUPPRESSED = 99  # HSY marks every band 99 in thinly populated cells


def population_source(engine: Engine, source: str | None = None) -> str | None:
    """The population source an analysis uses: ``source`` when named, else the workspace's
    basis (``libpolis population use NAME``, or the first population imported)."""
    return source or population_basis(engine)


def load_population(engine: Engine, source: str | None = None) -> pd.DataFrame:
    """Population units of one source (default: the workspace's population basis, see
    :func:`population_source`); a workspace with several populations never switches basis
    because a new file was imported."""
    source = population_source(engine, source)
    frame = read_table(engine, "population_unit", source=source)
    if frame.empty:
        where = f" from source {source!r}" if source else ""
        raise DataError(
            f"the workspace has no population{where}: run `libpolis import population FILE` "
            "(a grid, points or polygons with a population column)"
        )
    if source is None and frame["source"].nunique() > 1:  # a store older than the basis
        names = ", ".join(sorted(frame["source"].astype(str).unique()))
        raise DataError(
            f"the workspace has several populations ({names}): choose one with "
            "`libpolis population use NAME` or --population-source NAME"
        )
    return frame.reset_index(drop=True)


def load_libraries(engine: Engine, *, walk_in_only: bool = True) -> pd.DataFrame:
    """Libraries with coordinates; by default without points residents do not go to."""
    frame = read_table(engine, "library")
    frame = frame[frame["lon"].notna() & frame["lat"].notna()]
    if walk_in_only:
        frame = frame[~frame["kind"].isin(NOT_WALK_IN_KINDS)]
    if frame.empty:
        raise DataError(
            "the workspace has no libraries with coordinates: run `libpolis import osm FILE.pbf` "
            "(amenity=library) or `libpolis import facilities FILE.csv --as library`"
        )
    return frame.reset_index(drop=True)


def libraries_left_out(engine: Engine) -> dict[str, int]:
    """Libraries with coordinates that access figures leave out, per kind (academic, school,
    special, private, prison, mobile-library depots, ...; :data:`NOT_WALK_IN_KINDS`)."""
    frame = read_table(engine, "library", columns=["kind", "lon", "lat"])
    frame = frame[frame["lon"].notna() & frame["lat"].notna()]
    kinds = frame.loc[frame["kind"].isin(NOT_WALK_IN_KINDS), "kind"].value_counts()
    return {str(k): int(n) for k, n in sorted(kinds.items())}


def load_venues(engine: Engine) -> pd.DataFrame:
    """Other cultural venues with coordinates, with ``culture_kind`` grouping museum types."""
    frame = read_table(engine, "venue")
    frame = frame[frame["lon"].notna() & frame["lat"].notna()].reset_index(drop=True)
    kind = frame["kind"].astype(str)
    frame["culture_kind"] = np.where(
        kind.str.contains("museum") | (kind == "historical_society"), "museum", kind
    )
    return frame


def street_network_file(engine: Engine) -> Path:
    """The newest imported OpenStreetMap file marked as the street network."""
    return street_network(engine)[0]


def street_network(engine: Engine) -> tuple[Path, str | None]:
    """The newest imported OpenStreetMap file marked as the street network, and the WKT of
    the polygon its import was cut to (``import osm --boundary|--bbox|--place``), or None."""
    ds = datasets(engine).sort_values("imported_at")
    for _, row in ds.iloc[::-1].iterrows():
        attrs = row["attrs"] or {}
        if row["kind"] == "osm" and attrs.get("street_network"):
            path = Path(row["path"])
            if path.exists():
                return path, (attrs.get("cut") or {}).get("wkt")
    raise NotFoundError(
        "the workspace has no street network: run `libpolis import osm FILE.pbf` or pass --network"
    )


def points_gdf(
    frame: pd.DataFrame, id_col: str = "source_id", as_col: str = "id"
) -> gpd.GeoDataFrame:
    """WGS84 points of a frame with ``lon``/``lat``, keeping its id (as text) in ``as_col``."""
    return gpd.GeoDataFrame(
        {as_col: frame[id_col].astype(str).to_numpy()},
        geometry=gpd.points_from_xy(frame["lon"], frame["lat"]),
        crs="EPSG:4326",
    )


def attr_keys(pop: pd.DataFrame) -> set[str]:
    """Every key of the units' ``attrs`` (one pass in C over the dicts' keys)."""
    return set().union(*(a.keys() for a in pop["attrs"] if isinstance(a, dict) and a))


def age_bands(pop: pd.DataFrame) -> pd.DataFrame | None:
    """Residents per age band (columns named by :data:`AGE_BANDS`), or None without bands."""
    if not attr_keys(pop).intersection(AGE_BANDS):  # no frame of every unit's attributes
        return None
    attrs = pd.DataFrame(list(pop["attrs"].map(lambda a: a or {})))
    cols = [c for c in AGE_BANDS if c in attrs.columns]
    bands = attrs[cols].apply(pd.to_numeric, errors="coerce").astype(float)
    suppressed = (bands == _SUPPRESSED).all(axis=1)
    bands[suppressed] = 0.0  # unknown ages: these residents are left out of the band figures
    return bands.fillna(0.0).rename(columns=AGE_BANDS)
