"""The US IMLS Public Libraries Survey (PLS) public-use files.

The outlet file holds service points (location, hours, floor area, type); the administrative
entity (AE) file holds library systems and their yearly statistics. Both are latin-1 (cp1252)
encoded; negative numbers are codes (``-1`` not reported, ``-3`` closed, ``-4``/``-9``
suppressed or not applicable) and become missing values.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from libpolis.sources._validate import (
    check_lonlat,
    check_numeric,
    check_unique,
    read_csv_checked,
    require_columns,
)

__all__ = ["OUTLET_KINDS", "PLS_MEASURES", "read_pls_outlets", "read_pls_systems"]

OUTLET_KINDS = {"CE": "central", "BR": "branch", "BS": "bookmobile", "BM": "books_by_mail"}
_SQFT_TO_M2 = 0.09290304

#: AE columns kept as statistics: column -> (name, unit)
PLS_MEASURES: dict[str, tuple[str, str]] = {
    "VISITS": ("visits", "visits/year"),
    "TOTCIR": ("circulation", "loans/year"),
    "REGBOR": ("registered_users", "people"),
    "TOTPRO": ("programmes", "programmes/year"),
    "TOTATTEN": ("programme_attendance", "attendances/year"),
    "GPTERMS": ("public_computers", "computers"),
    "PITUSR": ("computer_sessions", "sessions/year"),
    "WIFISESS": ("wifi_sessions", "sessions/year"),
    "TOTSTAFF": ("staff_fte", "FTE"),
    "TOTOPEXP": ("operating_expenditure", "USD/year"),
    "HRS_OPEN": ("hours_open", "hours/year"),
    "POPU_LSA": ("service_area_population", "people"),
}
_MISSING = (-1, -2, -3, -4, -9)


def read_pls_outlets(path: Path, *, encoding: str = "latin-1") -> pd.DataFrame:
    """Outlets as library records (``source_id`` = FSCSKEY-FSCS_SEQ)."""
    path = Path(path)
    frame = read_csv_checked(path, encoding=encoding)
    cols = [
        "FSCSKEY",
        "FSCS_SEQ",
        "LIBNAME",
        "ADDRESS",
        "CITY",
        "STABR",
        "C_OUT_TY",
        "SQ_FEET",
        "HOURS",
        "LONGITUD",
        "LATITUDE",
    ]
    require_columns(frame, cols, path)
    frame["_id"] = frame["FSCSKEY"].str.strip() + "-" + frame["FSCS_SEQ"].str.strip()
    check_unique(frame, "_id", path)
    lon = check_numeric(frame, "LONGITUD", path, allow_missing=True)
    lat = check_numeric(frame, "LATITUDE", path, allow_missing=True)
    ok = lon.notna() & lat.notna()
    check_lonlat(lon[ok], lat[ok], path, ("LONGITUD", "LATITUDE"))
    sqft = check_numeric(frame, "SQ_FEET", path, allow_missing=True, missing_codes=_MISSING)
    hours = check_numeric(frame, "HOURS", path, allow_missing=True, missing_codes=_MISSING)
    kinds = frame["C_OUT_TY"].str.strip().map(OUTLET_KINDS).fillna("other")
    return pd.DataFrame(
        {
            "source_id": frame["_id"].to_numpy(),
            "name": frame["LIBNAME"].str.strip().to_numpy(),
            "kind": kinds.to_numpy(),
            "system_source_id": frame["FSCSKEY"].str.strip().to_numpy(),
            "lon": lon.to_numpy(),
            "lat": lat.to_numpy(),
            "address": frame["ADDRESS"].str.strip().to_numpy(),
            "city": frame["CITY"].str.strip().to_numpy(),
            "hours_per_year": hours.to_numpy(),
            "floor_area_m2": (sqft * _SQFT_TO_M2).to_numpy(),
            "attrs": [{"state": s} for s in frame["STABR"].str.strip()],
        },
        index=frame.index,
    )


def read_pls_systems(
    path: Path, *, year: int, encoding: str = "latin-1"
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Library systems and their statistics (long form: one row per system and measure)."""
    path = Path(path)
    frame = read_csv_checked(path, encoding=encoding)
    require_columns(frame, ["FSCSKEY", "LIBNAME", "STABR", "CITY", *PLS_MEASURES], path)
    frame["FSCSKEY"] = frame["FSCSKEY"].str.strip()
    check_unique(frame, "FSCSKEY", path)
    values = {
        col: check_numeric(frame, col, path, allow_missing=True, missing_codes=_MISSING)
        for col in PLS_MEASURES
    }
    systems = pd.DataFrame(
        {
            "source_id": frame["FSCSKEY"].to_numpy(),
            "name": frame["LIBNAME"].str.strip().to_numpy(),
            "state": frame["STABR"].str.strip().to_numpy(),
            "city": frame["CITY"].str.strip().to_numpy(),
            "population_served": values["POPU_LSA"].to_numpy(),
            "attrs": [{} for _ in range(len(frame))],
        },
        index=frame.index,
    )
    parts = []
    for col, (name, unit) in PLS_MEASURES.items():
        v = values[col].to_numpy()
        keep = ~np.isnan(v)
        parts.append(
            pd.DataFrame(
                {
                    "source_id": frame["FSCSKEY"].to_numpy()[keep] + f":{year}:{name}",
                    "subject_type": "library_system",
                    "subject_source_id": frame["FSCSKEY"].to_numpy()[keep],
                    "year": year,
                    "name": name,
                    "value": v[keep],
                    "unit": unit,
                }
            )
        )
    stats = pd.concat(parts, ignore_index=True)
    stats["attrs"] = [{} for _ in range(len(stats))]
    return systems, stats
