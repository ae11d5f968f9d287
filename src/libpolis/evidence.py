"""The figures people see, each with its value, unit, scope, sources, method and command.

The brief, the web app and the exports all render the :class:`Evidence` assembled here, so a
number never differs between them and every number can be traced to its source.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from libpolis.errors import NotFoundError
from libpolis.store import read_result, read_table
from libpolis.store.queries import datasets
from libpolis.store.results import latest_run

__all__ = ["Evidence", "Figure", "assemble_evidence"]


@dataclass(frozen=True)
class Figure:
    """One number shown to people, with everything needed to trace it."""

    key: str
    label: str
    value: float | int | None
    unit: str
    scope: str
    sources: tuple[str, ...]
    method: str
    command: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Evidence:
    """All figures of a workspace, the tables behind them and the sources they cite."""

    figures: dict[str, Figure] = field(default_factory=dict)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    sources: pd.DataFrame = field(default_factory=pd.DataFrame)
    missing: dict[str, str] = field(default_factory=dict)

    def add(self, figure: Figure) -> None:
        self.figures[figure.key] = figure

    def value(self, key: str) -> Any:
        return self.figures[key].value if key in self.figures else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "figures": {k: f.as_dict() for k, f in self.figures.items()},
            "missing": self.missing,
            "sources": self.sources.to_dict("records"),
        }


def _sources_of(frame: pd.DataFrame) -> tuple[str, ...]:
    return tuple(sorted(frame["source"].astype(str).unique())) if len(frame) else ()


def assemble_evidence(engine: Engine, *, area: str = "the city") -> Evidence:
    """Collect every figure the workspace supports; say what is missing and how to add it."""
    ev = Evidence()
    ds = datasets(engine)
    ev.sources = ds[
        ["source", "kind", "publisher", "licence", "attribution", "rows", "imported_at"]
    ]

    libs = read_table(engine, "library")
    venues = read_table(engine, "venue")
    ev.add(
        Figure(
            "libraries",
            "Library service points",
            len(libs),
            "service points",
            area,
            _sources_of(libs),
            "Count of library records in the workspace (all kinds).",
            "libpolis status --json",
        )
    )
    if len(libs):
        kinds = libs.groupby("kind").size().sort_values(ascending=False)
        ev.tables["library_kinds"] = kinds.rename("count").reset_index()
    ev.add(
        Figure(
            "venues",
            "Other cultural venues",
            len(venues),
            "venues",
            area,
            _sources_of(venues),
            "Count of museum, gallery, theatre, arts-centre, cinema and concert-hall records.",
            "libpolis status --json",
        )
    )
    if len(venues):
        ev.tables["venue_kinds"] = (
            venues.groupby("kind").size().sort_values(ascending=False).rename("count").reset_index()
        )

    run = latest_run(engine, "access_straight")
    if run is None:
        ev.missing["access"] = "no access results yet: run `libpolis access --mode straight`"
        return ev
    s = run.summary
    try:
        units = read_result(engine, "access_straight_units")
    except NotFoundError:
        units = pd.DataFrame()
    ev.tables["access_units"] = units
    pop_src = (s.get("population_source"),)
    lib_src = _sources_of(libs)
    ev.add(
        Figure(
            "residents",
            "Residents",
            s["residents"],
            "residents",
            area,
            pop_src,
            "Sum of residents over the population units of the newest population import.",
            run.command,
        )
    )
    ev.add(
        Figure(
            "mean_dist_m",
            "Mean straight-line distance to the nearest library",
            s["mean_dist_m"],
            "m",
            area,
            pop_src + lib_src,
            "Population-weighted mean of the straight-line distance from each unit's centroid to the "
            "nearest walk-in library, computed in the local UTM CRS.",
            run.command,
        )
    )
    for t, share in s["coverage"].items():
        ev.add(
            Figure(
                f"coverage_{t}m",
                f"Residents within {t} m of a library",
                share,
                "share",
                area,
                pop_src + lib_src,
                f"Share of residents whose unit centroid lies within {t} m (straight line, local UTM) "
                "of a walk-in library.",
                run.command,
            )
        )
    try:
        long = read_result(engine, "access_straight_district_coverage")
        means = read_result(engine, "access_straight_districts").set_index("district")
        wide = long.pivot(index="group", columns="threshold_m", values="share")
        wide.columns = [f"within_{t:g}m" for t in wide.columns]
        wide.insert(0, "residents", long.groupby("group")["population"].first())
        wide.insert(1, "mean_dist_m", means["mean_dist_m"].reindex(wide.index))
        ev.tables["districts"] = wide.rename_axis("district").reset_index()
    except NotFoundError:
        pass
    if s.get("share_nearest_culture_library") is not None:
        ev.add(
            Figure(
                "share_nearest_culture_library",
                "Residents whose nearest cultural venue is a library",
                s["share_nearest_culture_library"],
                "share",
                area,
                pop_src + lib_src + _sources_of(venues),
                "Share of residents for whom the nearest (straight line) of all libraries and other "
                "cultural venues is a library.",
                run.command,
            )
        )
    return ev
