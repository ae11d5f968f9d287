"""Tabular sources: IMLS museum files, programme lists and any facility list (CSV / GeoJSON)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from libpolis.errors import DataError
from libpolis.sources._geo import VECTOR_SUFFIXES, read_vector, to_points
from libpolis.sources._validate import (
    check_lonlat,
    check_numeric,
    check_unique,
    line_of,
    read_csv_checked,
    require_columns,
)

__all__ = ["MUSEUM_KINDS", "read_facilities", "read_museums", "read_programmes"]

#: IMLS museum discipline code -> libpolis venue kind
MUSEUM_KINDS = {
    "ART": "art_museum",
    "BOT": "garden",
    "CMU": "childrens_museum",
    "GMU": "museum",
    "HSC": "historical_society",
    "HST": "history_museum",
    "NAT": "natural_history_museum",
    "SCI": "science_museum",
    "ZAW": "zoo_aquarium",
}


def _whole(value: float) -> int | float | None:
    """A count as an int; a fraction kept as it is, for the rules to refuse with its line."""
    if np.isnan(value):
        return None
    return int(value) if value == int(value) else float(value)


def _blank_to_none(series: pd.Series) -> pd.Series:
    return series.astype(str).str.strip().replace({"": None})


def read_museums(path: Path, *, encoding: str = "latin-1") -> pd.DataFrame:
    """IMLS Museum Data File rows with coordinates, as venue records (kind from DISCIPL).

    The published files repeat a few records: rows with the same id, name and coordinates are
    one museum, kept once (the first; in the 2018 File 1 such a pair differs only in an IRS
    flag); two different museums under one id are refused (among the rows with coordinates,
    the ones imported).
    """
    path = Path(path)
    frame = read_csv_checked(path, encoding=encoding)
    require_columns(frame, ["MID", "DISCIPL", "COMMONNAME", "LONGITUDE", "LATITUDE"], path)
    lon = check_numeric(frame, "LONGITUDE", path, allow_missing=True)
    lat = check_numeric(frame, "LATITUDE", path, allow_missing=True)
    same = frame.duplicated(["MID", "COMMONNAME", "LONGITUDE", "LATITUDE"], keep="first")
    ok = (lon.notna() & lat.notna()).to_numpy() & ~same.to_numpy()
    check_unique(frame[ok], "MID", path)
    check_lonlat(lon[ok], lat[ok], path, ("LONGITUDE", "LATITUDE"))
    f = frame[ok]
    state = f["ADSTATE"] if "ADSTATE" in f.columns else pd.Series("", index=f.index)
    return pd.DataFrame(
        {
            "source_id": f["MID"].str.strip().to_numpy(),
            "name": f["COMMONNAME"].str.strip().to_numpy(),
            "kind": f["DISCIPL"].str.strip().map(MUSEUM_KINDS).fillna("museum").to_numpy(),
            "lon": lon[ok].to_numpy(),
            "lat": lat[ok].to_numpy(),
            "n_events": None,
            "attrs": [{"state": s.strip()} for s in state],
        },
        index=f.index,
    )


def read_programmes(path: Path, *, encoding: str = "utf-8") -> pd.DataFrame:
    """Programmes from CSV: ``id, library, title, description`` and optional ``library_id``
    (the id of an imported library, kept as ``attrs["library_ref"]`` for the link made at
    import), ``audience, start_date, end_date, attendance, language, partners``."""
    path = Path(path)
    frame = read_csv_checked(path, encoding=encoding)
    require_columns(frame, ["id", "library", "title", "description"], path)
    frame["id"] = frame["id"].str.strip()
    check_unique(frame, "id", path)
    empty = (frame["title"].str.strip() == "").to_numpy()
    if empty.any():
        line = line_of(frame, int(np.flatnonzero(empty)[0]))
        raise DataError(f"{path}, line {line}, column 'title': the title is empty")
    out = pd.DataFrame(
        {
            "source_id": frame["id"],
            "library_name": _blank_to_none(frame["library"]),
            "library_id": None,  # linked at import (libpolis.imports), so a re-import re-links
            "title": frame["title"].str.strip(),
            "description": frame["description"].fillna(""),
        }
    )
    for col in ("audience", "language", "partners"):
        out[col] = _blank_to_none(frame[col]) if col in frame.columns else None
    if "attendance" in frame.columns:
        att = check_numeric(frame, "attendance", path, minimum=0, allow_missing=True)
        out["attendance"] = [_whole(v) for v in att]  # a fraction is refused by the rules
    else:
        out["attendance"] = None
    for col in ("start_date", "end_date"):
        if col in frame.columns:
            text = frame[col].str.strip()
            parsed = pd.to_datetime(text.replace("", None), errors="coerce", format="ISO8601")
            bad = (parsed.isna() & (text != "")).to_numpy()
            if bad.any():
                pos = int(np.flatnonzero(bad)[0])
                raise DataError(
                    f"{path}, line {line_of(frame, pos)}, column {col!r}: {text.iloc[pos]!r} is"
                    " not a date (use YYYY-MM-DD)"
                )
            out[col] = [None if pd.isna(d) else d.date() for d in parsed]
        else:
            out[col] = None
    refs = frame["library_id"].fillna("").str.strip() if "library_id" in frame.columns else None
    out["attrs"] = [
        {"library_ref": refs.iloc[i]} if refs is not None and refs.iloc[i] else {}
        for i in range(len(out))
    ]
    return out


def read_facilities(path: Path, *, default_kind: str, encoding: str = "utf-8") -> pd.DataFrame:
    """Any facility list (CSV with ``id, name, lon, lat`` and optional ``kind``, or a vector
    file with ``id`` and ``name`` properties)."""
    path = Path(path)
    if path.suffix.lower() in VECTOR_SUFFIXES:
        gdf = read_vector(path)
        points = to_points(gdf, path)
        frame = pd.DataFrame(gdf.drop(columns=gdf.geometry.name)).astype(
            {c: str for c in ("id", "name") if c in gdf.columns}
        )
        require_columns(frame, ["id", "name"], path)
        lon, lat = points["lon"], points["lat"]
    else:
        frame = read_csv_checked(path, encoding=encoding)
        require_columns(frame, ["id", "name", "lon", "lat"], path)
        lon = check_numeric(frame, "lon", path)
        lat = check_numeric(frame, "lat", path)
        check_lonlat(lon, lat, path, ("lon", "lat"))
    frame["id"] = frame["id"].astype(str).str.strip()
    check_unique(frame, "id", path)
    kinds = (
        frame["kind"].astype(str).str.strip().replace("", default_kind)
        if "kind" in frame.columns
        else default_kind
    )
    out = pd.DataFrame(
        {
            "source_id": frame["id"],
            "name": frame["name"].astype(str).str.strip(),
            "kind": kinds,
            "lon": np.asarray(lon, dtype=float),
            "lat": np.asarray(lat, dtype=float),
        },
        index=frame.index,
    )
    if "n_events" in frame.columns:
        events = check_numeric(frame, "n_events", path, minimum=0, allow_missing=True)
        out["n_events"] = [_whole(v) for v in events]
    extra = [c for c in frame.columns if c not in {"id", "name", "kind", "lon", "lat", "n_events"}]
    out["attrs"] = [
        {c: v for c, v in zip(extra, row, strict=True) if v not in ("", None)}
        for row in frame[extra].itertuples(index=False, name=None)
    ]
    return out
