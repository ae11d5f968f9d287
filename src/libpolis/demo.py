"""The main job on the bundled real city: Helsinki, from import to brief."""

from __future__ import annotations

from collections.abc import Callable
from importlib.resources import files
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from libpolis._cli_common import progress
from libpolis.pipeline import (
    AGE_BANDS,
    AccessRequest,
    ImportKind,
    ImportRequest,
    Objective,
    PlanRequest,
    ReportRequest,
    TravelMode,
    evidence_of,
    load_population,
    run_access,
    run_align,
    run_import,
    run_plan,
    run_report,
    use_population,
)
from libpolis.store import open_store, set_workspace_name

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


def _ds(meta: dict[str, str], **attrs: Any) -> dict[str, Any]:
    return {**meta, "attrs": attrs}


def _import(
    engine: Engine, kind: ImportKind, path: Path, source: str, meta: dict[str, str], **kw: Any
) -> Any:
    attrs = kw.pop("attrs", {})
    return run_import(
        engine, ImportRequest(kind, path, source=source, dataset=_ds(meta, **attrs), **kw)
    )


def _plan(engine: Engine, workspace: Path) -> Any:
    """Where 3 new service points would bring the most residents within 15 minutes' walk
    (straight line at 4.8 km/h). Helsinki publishes no list of candidate sites, so every
    populated 250 m cell is a candidate (a new branch, a mobile stop or a library point in an
    existing building there)."""
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
        PlanRequest(
            objective=Objective.COVERAGE,
            n_sites=3,
            within_min=15.0,
            candidates=str(cand),
            population_source="hsy-grid-2021",
            command=f"libpolis plan --objective coverage --sites 3 --within 15 --candidates "
            f"{cand.name} --population-source hsy-grid-2021",
        ),
    )


def build_demo_workspace(workspace: Path, *, show_progress: bool = True) -> None:
    """Create a fresh workspace at ``workspace`` with all bundled Helsinki data imported."""
    workspace.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{workspace}{suffix}").unlink(missing_ok=True)
    engine = open_store(f"sqlite:///{workspace.resolve()}")
    set_workspace_name(engine, "Helsinki", source="libpolis demo")
    d = DEMO_DATA
    pop15 = {"id_column": "INDEX", "population_column": "ASUKKAITA",
             "district_column": "major_district", "attr_columns": list(AGE_BANDS)}  # fmt: skip
    pop21 = {"id_column": "id", "population_column": "inhabitants",
             "district_column": "major_district", "attr_columns": ["occupancy_rate"]}  # fmt: skip
    lib_meta = {
        "publisher": "Helmet libraries via Finna / Kirjastohakemisto; points geocoded "
        "with Nominatim",
        "licence": "facts; coordinates ODbL 1.0",
        "attribution": "Helmet; © OpenStreetMap contributors",
    }
    venue_meta = {
        "publisher": "City of Helsinki (MyHelsinki Open API 2021; Linked Events 2024)",
        "licence": "open data / CC BY 4.0",
        "attribution": "MyHelsinki Open API; City of Helsinki Linked Events",
    }
    areas = {"name_column": "name", "kind": "district"}
    straight = AccessRequest(
        mode=TravelMode.STRAIGHT, thresholds=(250, 500, 1000), population_source="hsy-grid-2021",
        command="libpolis access --mode straight --thresholds 250,500,1000 "
        "--population-source hsy-grid-2021",
    )  # fmt: skip
    ages = AccessRequest(
        mode=TravelMode.STRAIGHT, thresholds=(250, 500, 1000), population_source="hsy-grid-2015",
        label="straight_ages",
        command="libpolis access --mode straight --thresholds 250,500,1000 "
        "--population-source hsy-grid-2015 --label straight_ages",
    )  # fmt: skip
    walk = AccessRequest(
        mode=TravelMode.WALK, thresholds=(5, 10, 15, 30), population_source="hsy-grid-2021",
        command="libpolis access --mode walk --thresholds 5,10,15,30 "
        "--population-source hsy-grid-2021",
    )  # fmt: skip
    osm_2019 = d / "helsinki_center_2019.osm.pbf"
    net_2024 = d / "central_helsinki_bike_network_2024.osm.pbf"
    steps: list[tuple[str, Callable[[], Any]]] = [
        ("districts", lambda: _import(engine, ImportKind.AREAS, d / "districts.geojson",
                                      "helsinki-districts-2021", _HEL, options=areas)),
        ("population 2015 (age bands)",
         lambda: _import(engine, ImportKind.POPULATION, d / "population_2015_ages.csv.gz",
                         "hsy-grid-2015", _HSY, options=pop15, attrs={"year": 2015})),
        ("population 2021",
         lambda: _import(engine, ImportKind.POPULATION, d / "population_2021.csv.gz",
                         "hsy-grid-2021", _HSY, options=pop21, attrs={"year": 2021})),
        ("population basis", lambda: use_population(engine, "hsy-grid-2021")),
        ("libraries", lambda: _import(engine, ImportKind.FACILITIES, d / "libraries.csv",
                                      "helmet-libraries-2025", lib_meta,
                                      options={"as_": "library"})),
        ("cultural venues", lambda: _import(engine, ImportKind.FACILITIES, d / "venues.csv",
                                            "helsinki-venues", venue_meta,
                                            options={"as_": "venue"})),
        # an OSM venue within 60 m of a listed venue is taken to be the same place
        ("OpenStreetMap venues",
         lambda: _import(engine, ImportKind.OSM, osm_2019, "osm-helsinki-center-2019", _OSM,
                         libraries=False, skip_venues_near_m=60.0)),
        ("street network (OSM 2024)",
         lambda: _import(engine, ImportKind.OSM, net_2024, "osm-central-helsinki-2024", _OSM,
                         libraries=False)),
        ("programmes", lambda: _import(engine, ImportKind.PROGRAMMES, d / "programmes.csv",
                                       "helmet-events-2024", _HEL)),
        ("access (straight line)", lambda: run_access(engine, straight)),
        ("access by age group (2015 grid)", lambda: run_access(engine, ages)),
        ("alignment (SDGs, human rights, Culture 21 Actions)", lambda: run_align(engine)),
        ("planning: 3 new service points", lambda: _plan(engine, workspace)),
        ("walking times (central street network)", lambda: run_access(engine, walk)),
    ]  # fmt: skip
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
    try:
        ev = evidence_of(engine)
        result = run_report(engine, ReportRequest(out=out), evidence=ev).as_dict()
    finally:
        engine.dispose()
    figures = {k: f.value for k, f in ev.figures.items()}
    return {**result, "figures": figures, "workspace": str(workspace)}
