"""Programmes at the city's libraries: counts, attendance, partners, and the ones left out.

The import links each programme to a library of the workspace (by id, exact name or fuzzy
name; see :mod:`libpolis.sources.names`). Here each programme gets one place:

- ``city``: linked to a library of the workspace in the city the evidence is for;
- ``outside``: linked to a library of the workspace whose town (``library.city``, or the
  ``city``/``municipality`` column of its file) is another one, e.g. a Helmet library of Espoo;
- ``unmatched``: names no library of the workspace (another city's branch that was never
  imported, a venue that is not a library).

The town check applies when the evidence names its city and at least one library of the
workspace lies in it; a library whose town is unknown counts as the city's. Only ``city``
programmes enter the city's figures (here and in the alignment counts); the others are
counted in ``programmes_outside`` and ``programmes_unmatched`` and listed in the table
``programmes_left_out``.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from libpolis.evidence.figures import Evidence
from libpolis.evidence.read import StoreReader
from libpolis.sources.names import library_city, normalise

__all__ = ["add_programmes", "city_programme_ids", "programme_places"]

_STATUS = "libpolis status --json"
_IMPORT = "libpolis import programmes FILE.csv"


def _link(attrs: Any) -> dict[str, Any]:
    link = attrs.get("library_link") if isinstance(attrs, dict) else None
    return link if isinstance(link, dict) else {}


def programme_places(rd: StoreReader, city: str | None) -> pd.DataFrame:
    """One row per programme: ``id, title, library_name, library, town, place, method, score``
    (``place`` is ``city``, ``outside`` or ``unmatched``, see the module docstring)."""
    pr = rd.table("programme")
    cols = ["id", "title", "library_name", "library", "town", "place", "method", "score"]
    if pr.empty:
        return pd.DataFrame(columns=cols)
    libs = rd.table("library")
    towns = {
        int(pk): library_city(c if isinstance(c, str) else None, a)
        for pk, c, a in zip(libs["id"], libs["city"], libs["attrs"], strict=True)
    }
    names = dict(zip(libs["id"].astype(int), libs["name"], strict=True))
    want = normalise(city) if city else None
    check = want is not None and any(t and normalise(t) == want for t in towns.values())
    rows = []
    for r in pr.itertuples(index=False):
        link = _link(r.attrs)
        lib = None if pd.isna(r.library_id) else int(r.library_id)
        town = towns.get(lib) if lib is not None else None
        if lib is None or lib not in names:
            place = "unmatched"
        elif check and town is not None and normalise(town) != want:
            place = "outside"
        else:
            place = "city"
        rows.append(
            {
                "id": int(r.id), "title": r.title, "library_name": r.library_name,
                "library": names.get(lib) if lib is not None else None, "town": town,
                "place": place, "method": link.get("method"), "score": link.get("score"),
            }
        )  # fmt: skip
    return pd.DataFrame(rows, columns=cols)


def city_programme_ids(rd: StoreReader, city: str | None) -> set[int]:
    """The ids of the programmes at the city's libraries."""
    places = programme_places(rd, city)
    return set(places.loc[places["place"] == "city", "id"].astype(int))


def _sources(frame: pd.DataFrame) -> tuple[str, ...]:
    return tuple(sorted(frame["source"].astype(str).unique())) if len(frame) else ()


def add_programmes(ev: Evidence, rd: StoreReader) -> None:
    """Programme counts, attendance and partners at the city's libraries; the ones left out."""
    pr = rd.table("programme")
    if pr.empty:
        ev.missing["programmes"] = f"no programmes: run `{_IMPORT}`"
        return
    places = programme_places(rd, ev.place_name)
    where = ev.place_name or "the city"
    src = _sources(pr)
    n_out = int((places["place"] == "outside").sum())
    n_un = int((places["place"] == "unmatched").sum())
    ev.figure("programmes_recorded", "Programme records in the workspace", len(pr),
              "programmes", src, "Count of programme records in the workspace.", _STATUS)  # fmt: skip
    ev.figure(
        "programmes_outside",
        "Programmes at libraries outside the city",
        n_out,
        "programmes",
        src,
        f"Count of programmes linked to a library of the workspace whose town is not {where} "
        "(the library's city, or the city/municipality column of its file); left out of the "
        "city's figures.",
        _STATUS,
    )
    ev.figure(
        "programmes_unmatched",
        "Programmes naming no library of the workspace",
        n_un,
        "programmes",
        src,
        "Count of programmes linked to no library of the workspace: no library with the "
        "id they give, and none whose name matches exactly or by fuzzy match (score 88 or more "
        "and 5 points ahead of any other library); left out of the city's figures.",
        _STATUS,
    )
    ev.tables["programmes_left_out"] = (
        places.loc[places["place"] != "city", ["title", "library_name", "place", "town"]]
        .sort_values(["place", "library_name", "title"], na_position="last")
        .reset_index(drop=True)
    )
    pr = pr[pr["id"].astype(int).isin(set(places.loc[places["place"] == "city", "id"]))]
    ev.figure(
        "programmes",
        "Library programmes and events at the city's libraries",
        len(pr),
        "programmes",
        src,
        f"Count of programme records linked at import (by library id, exact or fuzzy name) "
        f"to one of {where}'s libraries; {n_out + n_un} other records left out "
        f"({n_out} at libraries outside {where}, {n_un} naming no library of the workspace).",
        _STATUS,
    )
    att = pr["attendance"].dropna()
    ev.figure(
        "programmes_with_attendance",
        "Programmes reporting their attendance",
        len(att),
        "programmes",
        src,
        "Count of the city's programmes whose attendance field is not empty.",
        _STATUS,
    )
    if len(att):
        ev.figure(
            "programme_attendance",
            "Attendance at recorded programmes",
            int(att.sum()),
            "participants",
            src,
            f"Sum of attendance over the {len(att)} programmes at the city's libraries that "
            "report it.",
            _STATUS,
        )
    else:
        ev.missing["attendance"] = (
            f"no programme reports its attendance: add an attendance column and re-run `{_IMPORT}`"
        )
    has_p = pr["partners"].fillna("").astype(str).str.strip() != ""
    ev.figure(
        "programmes_with_partners",
        "Programmes run with partners",
        int(has_p.sum()),
        "programmes",
        src,
        "Count of the city's programmes whose partners field is not empty.",
        _STATUS,
    )
    if not has_p.any():
        ev.missing["partners"] = (
            f"no programme names a partner: add a partners column and re-run `{_IMPORT}`"
        )
    ev.tables["programmes_with_partners"] = pr.loc[
        has_p, ["title", "library_name", "partners"]
    ].reset_index(drop=True)
