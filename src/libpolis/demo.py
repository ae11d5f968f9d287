"""The main job on the bundled real city: Helsinki, from import to brief."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Any

import pandas as pd

from libpolis._cli_common import progress
from libpolis.imports import import_frames
from libpolis.pipeline import AGE_BANDS, run_access
from libpolis.report.brief import write_brief
from libpolis.sources import areas, osm, population, tabular
from libpolis.store import open_store

__all__ = ["DEMO_DATA", "build_demo_workspace", "run_demo"]

DEMO_DATA = Path(str(files("libpolis") / "data" / "helsinki"))

_HSY = {
    "publisher": "Helsinki Region Environmental Services (HSY)",
    "licence": "CC BY 4.0",
    "attribution": "© HSY",
}
_OSM = {
    "publisher": "OpenStreetMap",
    "licence": "ODbL 1.0",
    "attribution": "© OpenStreetMap contributors",
}
_HEL = {
    "publisher": "City of Helsinki",
    "licence": "CC BY 4.0",
    "attribution": "City of Helsinki / Helsinki Region Infoshare",
}


def _ds(kind: str, path: Path, meta: dict[str, str], **attrs: Any) -> dict[str, Any]:
    return {"kind": kind, "path": str(path), **meta, "attrs": attrs}


def _within(points: pd.DataFrame, ref: pd.DataFrame, radius_m: float) -> Any:
    """Which points lie within ``radius_m`` (straight line) of a reference point."""
    from libpolis.access.nearest import nearest_points

    dist, _ = nearest_points(
        points["lon"].to_numpy(),
        points["lat"].to_numpy(),
        ref["lon"].to_numpy(),
        ref["lat"].to_numpy(),
    )
    return dist <= radius_m


def _osm_venues_not_listed(d: Path) -> Any:
    """OSM cultural venues (not libraries) that the city's venue list does not already hold:
    an OSM venue within 60 m of a listed venue is taken to be the same place."""
    frame = osm.read_osm_culture(d / "helsinki_center_2019.osm.pbf")
    frame = frame[frame["kind"] != "library"]
    listed = tabular.read_facilities(d / "venues.csv", default_kind="venue")
    same = _within(frame, listed, 60.0)
    return frame[~same]


def _align(engine: Any) -> dict[str, Any]:
    from libpolis.steps.align import run_alignment

    return run_alignment(engine)


def _plan(engine: Any, workspace: Path) -> dict[str, Any]:
    """Where 3 new service points would bring the most residents within 15 minutes' walk
    (straight line at 4.8 km/h). Helsinki publishes no list of candidate sites, so every
    populated 250 m cell is a candidate (a new branch, a mobile stop or a library point in an
    existing building there)."""
    from libpolis.pipeline import load_population
    from libpolis.steps.plan import run_plan

    pop = load_population(engine, "hsy-grid-2021")
    cand = workspace.parent / "candidate_sites.csv"
    pd.DataFrame(
        {
            "id": pop["source_id"],
            "name": "250 m cell " + pop["source_id"].astype(str),
            "lon": pop["lon"],
            "lat": pop["lat"],
        }
    ).to_csv(cand, index=False)
    return run_plan(
        engine,
        objective="coverage",
        n_sites=3,
        within_min=15.0,
        candidates=str(cand),
        population_source="hsy-grid-2021",
        command=f"libpolis plan --objective coverage --sites 3 --within 15 --candidates {cand.name}"
        " --population-source hsy-grid-2021",
    )


def build_demo_workspace(workspace: Path, *, show_progress: bool = True) -> None:
    """Create a fresh workspace at ``workspace`` with all bundled Helsinki data imported."""
    workspace.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{workspace}{suffix}").unlink(missing_ok=True)
    engine = open_store(f"sqlite:///{workspace.resolve()}")
    d = DEMO_DATA
    steps = [
        (
            "districts",
            lambda: import_frames(
                engine,
                "helsinki-districts-2021",
                {
                    "area": areas.read_areas(
                        d / "districts.geojson", name_column="name", kind="district"
                    )
                },
                dataset=_ds("areas", d / "districts.geojson", _HEL),
            ),
        ),
        (
            "population 2015 (age bands)",
            lambda: import_frames(
                engine,
                "hsy-grid-2015",
                {
                    "population_unit": population.read_population(
                        d / "population_2015_ages.csv.gz",
                        id_column="INDEX",
                        population_column="ASUKKAITA",
                        district_column="major_district",
                        attr_columns=list(AGE_BANDS),
                    )
                },
                dataset=_ds("population", d / "population_2015_ages.csv.gz", _HSY, year=2015),
            ),
        ),
        (
            "population 2021",
            lambda: import_frames(
                engine,
                "hsy-grid-2021",
                {
                    "population_unit": population.read_population(
                        d / "population_2021.csv.gz",
                        id_column="id",
                        population_column="inhabitants",
                        district_column="major_district",
                        attr_columns=["occupancy_rate"],
                    )
                },
                dataset=_ds("population", d / "population_2021.csv.gz", _HSY, year=2021),
            ),
        ),
        (
            "libraries",
            lambda: import_frames(
                engine,
                "helmet-libraries-2025",
                {"library": tabular.read_facilities(d / "libraries.csv", default_kind="library")},
                dataset=_ds(
                    "facilities",
                    d / "libraries.csv",
                    {
                        "publisher": "Helmet libraries via Finna / Kirjastohakemisto; points geocoded "
                        "with Nominatim",
                        "licence": "facts; coordinates ODbL 1.0",
                        "attribution": "Helmet; © OpenStreetMap contributors",
                    },
                ),
            ),
        ),
        (
            "cultural venues",
            lambda: import_frames(
                engine,
                "helsinki-venues",
                {"venue": tabular.read_facilities(d / "venues.csv", default_kind="venue")},
                dataset=_ds(
                    "facilities",
                    d / "venues.csv",
                    {
                        "publisher": "City of Helsinki (MyHelsinki Open API 2021; Linked Events 2024)",
                        "licence": "open data / CC BY 4.0",
                        "attribution": "MyHelsinki Open API; City of Helsinki Linked Events",
                    },
                ),
            ),
        ),
        (
            "OpenStreetMap venues",
            lambda: import_frames(
                engine,
                "osm-helsinki-center-2019",
                {"venue": _osm_venues_not_listed(d)},
                dataset=_ds("osm", d / "helsinki_center_2019.osm.pbf", _OSM, street_network=True),
            ),
        ),
        (
            "street network (OSM 2024)",
            lambda: import_frames(
                engine,
                "osm-central-helsinki-2024",
                {"venue": osm.read_osm_culture(d / "central_helsinki_bike_network_2024.osm.pbf")},
                dataset=_ds(
                    "osm",
                    d / "central_helsinki_bike_network_2024.osm.pbf",
                    _OSM,
                    street_network=True,
                ),
            ),
        ),
        (
            "programmes",
            lambda: import_frames(
                engine,
                "helmet-events-2024",
                {"programme": tabular.read_programmes(d / "programmes.csv")},
                dataset=_ds("programmes", d / "programmes.csv", _HEL),
            ),
        ),
        (
            "access (straight line)",
            lambda: run_access(
                engine,
                mode="straight",
                thresholds=(250, 500, 1000),
                population_source="hsy-grid-2021",
                command="libpolis access --mode straight --thresholds 250,500,1000 "
                "--population-source hsy-grid-2021",
            ),
        ),
        (
            "access by age group (2015 grid)",
            lambda: run_access(
                engine,
                mode="straight",
                thresholds=(250, 500, 1000),
                population_source="hsy-grid-2015",
                label="straight_ages",
                command="libpolis access --mode straight --thresholds 250,500,1000 "
                "--population-source hsy-grid-2015 --label straight_ages",
            ),
        ),
        (
            "alignment (SDGs, human rights, Culture 21 Actions)",
            lambda: _align(engine),
        ),
        ("planning: 3 new service points", lambda: _plan(engine, workspace)),
        (
            "walking times (central street network)",
            lambda: run_access(
                engine,
                mode="walk",
                thresholds=(5, 10, 15, 30),
                population_source="hsy-grid-2021",
                command="libpolis access --mode walk --thresholds 5,10,15,30 "
                "--population-source hsy-grid-2021",
            ),
        ),
    ]
    with progress(show_progress) as prog:
        task = prog.add_task("demo", total=len(steps))
        for label, step in steps:
            prog.update(task, description=label)
            step()
            prog.advance(task)
    engine.dispose()


def run_demo(out: Path, *, show_progress: bool = True) -> dict[str, Any]:
    """Build the demo workspace in ``out`` and write ``out/brief.html`` and ``out/brief.pdf``."""
    out = Path(out)
    workspace = out / "workspace.sqlite"
    build_demo_workspace(workspace, show_progress=show_progress)
    engine = open_store(f"sqlite:///{workspace.resolve()}")
    result = write_brief(engine, out, area="Helsinki", formats=("html", "pdf"))
    engine.dispose()
    return {**result, "workspace": str(workspace)}
