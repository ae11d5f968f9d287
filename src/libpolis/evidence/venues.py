"""Libraries, other cultural venues and library statistics (programmes: ``programmes``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from libpolis.evidence.figures import NOT_WALK_IN_KINDS, SERVICE_FLAGS, Evidence
from libpolis.evidence.read import StoreReader

__all__ = ["add_libraries", "add_statistics", "flag", "sources_of"]

_STATUS = "libpolis status --json"


def sources_of(frame: pd.DataFrame) -> tuple[str, ...]:
    """The distinct ``source`` values of a table, sorted."""
    return tuple(sorted(frame["source"].astype(str).unique())) if len(frame) else ()


def _add_total(
    ev: Evidence,
    key: str,
    label: str,
    values: pd.Series,
    unit: str,
    sources: tuple[str, ...],
    method: str,
    *,
    cast: Callable[[Any], Any] = int,
) -> bool:
    """The figure ``key``: the total of the stated ``values``, when at least one is stated; the
    answer says whether it was added."""
    if not len(values):
        return False
    ev.figure(key, label, cast(values.sum()), unit, sources, method, _STATUS)
    return True


def flag(v: Any) -> bool:
    """True when a service flag value means yes ("1", 1, True, "yes")."""
    return str(v).strip().lower() in {"1", "true", "yes", "1.0"}


def add_libraries(ev: Evidence, rd: StoreReader) -> None:
    """Library counts, kinds, service flags, opening hours, venues and events; the points
    and district boundaries the maps draw."""
    libs, venues = rd.table("library"), rd.table("venue")
    src = sources_of(libs)
    ev.figure(
        "libraries",
        "Library service point" if len(libs) == 1 else "Library service points",
        len(libs),
        "service points",
        src,
        "Count of library records in the workspace (all kinds).",
        _STATUS,
    )
    walk = libs[~libs["kind"].isin(NOT_WALK_IN_KINDS)] if len(libs) else libs
    ev.figure(
        "walk_in_libraries",
        "Walk-in library service point" if len(walk) == 1 else "Walk-in library service points",
        len(walk),
        "service points",
        src,
        "Library records except mobile-library depots, books-by-mail services and "
        "in-patient hospital libraries.",
        _STATUS,
    )
    if len(libs) == 0:
        ev.missing["libraries"] = (
            "no libraries: run `libpolis import osm FILE.pbf` or "
            "`libpolis import facilities FILE --as library`"
        )
    cols = ["id", "source_id", "name", "kind", "lon", "lat"]
    ev.tables["library_points"] = (
        walk.loc[walk["lon"].notna(), cols].reset_index(drop=True)
        if len(walk)
        else pd.DataFrame(columns=cols)
    )
    vcols = ["name", "kind", "lon", "lat"]
    ev.tables["venue_points"] = (
        venues.loc[venues["lon"].notna() & venues["lat"].notna(), vcols].reset_index(drop=True)
        if len(venues)
        else pd.DataFrame(columns=vcols)
    )
    areas = rd.table("area")
    dist = areas[areas["kind"] == "district"] if len(areas) else areas
    ev.tables["district_areas"] = (
        dist.loc[dist["geometry_wkt"].notna(), ["name", "geometry_wkt"]].reset_index(drop=True)
        if len(dist)
        else pd.DataFrame(columns=["name", "geometry_wkt"])
    )
    ev.tables["library_kinds"] = (
        libs.groupby("kind").size().sort_values(ascending=False).rename("count").reset_index()
        if len(libs)
        else pd.DataFrame(columns=["kind", "count"])
    )
    _service_flags(ev, libs, src)
    hours = libs["hours_per_year"].dropna() if "hours_per_year" in libs else pd.Series([])
    _add_total(
        ev,
        "library_hours_per_year",
        "Public opening hours per year (all libraries)",
        hours,
        "hours",
        src,
        "Sum of hours_per_year over libraries that state it.",
        cast=float,
    )
    _venues(ev, libs, venues, src)


def _service_flags(ev: Evidence, libs: pd.DataFrame, src: tuple[str, ...]) -> None:
    flags = []
    for name in SERVICE_FLAGS:
        vals = [a.get(name) for a in libs.get("attrs", []) if isinstance(a, dict) and name in a]
        if not vals:
            continue
        n = sum(flag(v) for v in vals)
        flags.append({"flag": name, "count": n, "of": len(vals)})
        ev.figure(
            f"libraries_{name}",
            f"Libraries with service flag {name}",
            n,
            "service points",
            src,
            f"Count of library records whose attribute {name!r} is 1 (of {len(vals)} records "
            "that state it).",
            _STATUS,
        )
    ev.tables["service_flags"] = pd.DataFrame(flags, columns=["flag", "count", "of"])
    if not flags:
        ev.missing["service_flags"] = (
            "no service flags (meeting rooms, opening days) on the library records: import "
            "libraries with such columns (`libpolis import facilities FILE --as library`)"
        )


def _venues(ev: Evidence, libs: pd.DataFrame, venues: pd.DataFrame, src: tuple[str, ...]) -> None:
    ev.figure(
        "venues",
        "Other cultural venue" if len(venues) == 1 else "Other cultural venues",
        len(venues),
        "venues",
        sources_of(venues),
        "Count of museum, gallery, theatre, arts-centre, cinema and concert-hall records.",
        _STATUS,
    )
    if len(venues) == 0:
        ev.missing["venues"] = (
            "no other cultural venues, so the library cannot be compared with them: run "
            "`libpolis import osm FILE.pbf` or `libpolis import facilities FILE --as venue`"
        )
    else:
        ev.tables["venue_kinds"] = (
            venues.groupby("kind").size().sort_values(ascending=False).rename("count").reset_index()
        )
        ve = venues.dropna(subset=["n_events"])
        if _add_total(
            ev,
            "venue_events",
            "Events at other cultural venues (where counted)",
            ve["n_events"],
            "events",
            sources_of(ve),
            f"Sum of n_events over the {len(ve)} venues that have an event count.",
        ):
            ev.tables["venue_events"] = (
                ve.sort_values("n_events", ascending=False)[["name", "kind", "n_events"]]
                .head(8)
                .reset_index(drop=True)
            )
    lib_events = [
        float(a["n_events"])
        for a in libs.get("attrs", [])
        if isinstance(a, dict) and a.get("n_events") not in (None, "")
    ]
    if not _add_total(
        ev,
        "library_events",
        "Events at libraries (where counted)",
        pd.Series(lib_events, dtype=float),
        "events",
        src,
        "Sum of n_events over the library records that state it.",
    ):
        ev.missing["library_events"] = (
            "no event counts for the libraries, so libraries and other venues cannot be "
            "compared by events: import libraries with an n_events column "
            "(`libpolis import facilities FILE --as library`)"
        )


def add_statistics(ev: Evidence, rd: StoreReader) -> None:
    """Library statistics of the newest year, summed over the reporting units."""
    st = rd.table("statistic")
    if st.empty:
        ev.missing["statistics"] = (
            "no library statistics (visits, loans, registered users, programmes, attendance, "
            "computer and wifi sessions): run `libpolis import pls --outlets FILE --systems "
            "FILE` or import the city's own statistics"
        )
        return
    st = st.dropna(subset=["value"])
    year = int(st["year"].max()) if st["year"].notna().any() else None
    if year is not None:
        st = st[st["year"] == year]
    agg = (
        st.groupby("name")
        .agg(
            value=("value", "sum"),
            unit=("unit", "first"),
            subjects=("subject_source_id", "nunique"),
        )
        .reset_index()
    )
    agg["year"] = year
    ev.tables["statistics"] = agg
    ev.facts["statistics_year"] = year
    for r in agg.itertuples():
        ev.figure(
            f"stat_{r.name}",
            f"Library statistic {r.name}",
            float(r.value),
            str(r.unit or ""),
            sources_of(st[st["name"] == r.name]),
            f"Sum over {r.subjects} reporting units of the {r.name!r} statistic for {year}.",
            "libpolis import pls ...",
        )
