"""Library statistics steps: the Library Map of the World indicators of a national file and
peer benchmarks built on them; results stored in the workspace.

Stored result tables (``<label>`` defaults to ``lmw`` and to the subject's id):

``indicators_<label>_systems``  one row per library system: each indicator with its status
                                (``reported`` or the code's meaning), and the peer inputs
``indicators_<label>_values``   long form, every level (``system``, ``region``,
                                ``macro_region``, ``country``): ``value`` with the number of
                                systems it adds and leaves out, ``year``, ``source``, ``method``
``benchmark_<label>_measures``  the subject's per-capita measures against its peers
``benchmark_<label>_peers``     the peers chosen by the rule
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from libpolis.errors import DataError, NotFoundError
from libpolis.pipeline.requests import StepResult, check_label
from libpolis.sources.national import (
    ColumnMap,
    load_column_map,
    pls_column_map,
    read_national_systems,
)
from libpolis.stats.lmw import INDICATORS, aggregate_indicators, system_indicators
from libpolis.stats.peers import PeerRule, benchmark, peer_group, per_capita
from libpolis.store import read_result, read_table, write_result

__all__ = [
    "BenchmarkRequest",
    "IndicatorsRequest",
    "PeerRule",
    "column_map_for",
    "compare_peers",
    "run_benchmark",
    "run_indicators",
    "stored_benchmark",
]


@dataclass(frozen=True)
class IndicatorsRequest:
    """Compute the Library Map of the World indicators of ``systems`` (a file of library
    systems read with the column map ``columns``; default: the IMLS PLS AE map) and store
    them as ``indicators_<label>_*``. ``year`` and ``source`` override the map's."""

    systems: Path
    columns: Path | None = None
    year: int | None = None
    source: str | None = None
    label: str = "lmw"
    command: str = ""

    def __post_init__(self) -> None:
        check_label(self.label)

    @property
    def step(self) -> str:
        return f"indicators_{self.label}"


@dataclass(frozen=True)
class BenchmarkRequest:
    """Compare one library system (``system`` id, or ``city`` matched to the systems' city or
    name; neither: the one library system the workspace holds, e.g. from `import pls`) with
    its peers among the systems of the indicators run ``indicators``."""

    system: str | None = None
    city: str | None = None
    rule: PeerRule = field(default_factory=PeerRule)
    indicators: str = "lmw"
    label: str | None = None
    command: str = ""

    def __post_init__(self) -> None:
        if self.system is not None and self.city is not None:
            raise DataError("name the library system to compare once: --system ID or --city NAME")
        check_label(self.label)
        check_label(self.indicators, "--indicators")


def column_map_for(req: IndicatorsRequest) -> ColumnMap:
    """The request's column map, with its year and source overridden where given."""
    cmap = load_column_map(req.columns) if req.columns is not None else pls_column_map()
    year = req.year if req.year is not None else cmap.year
    if not year:
        raise DataError("the column map gives no year: pass --year")
    source = req.source or cmap.source or Path(req.systems).name
    return ColumnMap(cmap.country, year, source, cmap.columns, cmap.codes, cmap.encoding,
                     cmap.region_names)  # fmt: skip


def run_indicators(engine: Engine, request: IndicatorsRequest) -> StepResult:
    """Read the file, compute the indicators per system and per area, store them."""
    cmap = column_map_for(request)
    raw = read_national_systems(Path(request.systems), cmap)
    systems = system_indicators(raw, cmap.codes, year=cmap.year, source=cmap.source)
    values = aggregate_indicators(
        systems, region_names={"macro_region": cmap.region_names} if cmap.region_names else None
    )
    country = values[values["level"] == "country"]
    totals: dict[str, Any] = {}
    for r in country.itertuples():
        totals[str(r.indicator)] = {
            "value": None if pd.isna(r.value) else float(r.value),
            "reporting": int(r.reporting),
            **{k: int(getattr(r, k)) for k in ("missing", "closed", "suppressed",
                                                "not_applicable", "absent")},
        }  # fmt: skip
    summary: dict[str, Any] = {
        "label": request.label,
        "file": str(request.systems),
        "country": cmap.country,
        "year": cmap.year,
        "source": cmap.source,
        "systems": len(systems),
        "regions": int(systems["region"].astype(str).replace("", pd.NA).nunique()),
        "totals": totals,
        "indicators": {k: {"unit": u, "method": m} for k, (u, m) in INDICATORS.items()},
        "columns": cmap.as_dict()["columns"],
    }
    names = {
        f"indicators_{request.label}_systems": systems,
        f"indicators_{request.label}_values": values,
    }
    run_id = write_result(
        engine, request.step, names,
        params={"file": str(request.systems), "columns": str(request.columns or "pls_ae"),
                "year": cmap.year, "source": cmap.source},
        summary=summary, command=request.command,
    )  # fmt: skip
    return StepResult(run_id, summary, tuple(names))


def _systems(engine: Engine, label: str) -> pd.DataFrame:
    try:
        return read_result(engine, f"indicators_{label}_systems")
    except NotFoundError:
        raise NotFoundError(
            f"no indicators {label!r} in the workspace: run `libpolis indicators lmw --systems"
            " FILE.csv` first (the IMLS PLS system file, or a national file with --columns)"
        ) from None


def _own_system(engine: Engine, ids: pd.Series) -> str:
    """The one library system of the workspace that the indicators hold."""
    own = read_table(engine, "library_system", columns=["source_id"])
    known = set(ids)
    mine = sorted({str(s) for s in own.get("source_id", [])} & known)
    if len(mine) == 1:
        return mine[0]
    if not mine:
        raise NotFoundError(
            "name the library system to compare: --system ID or --city NAME (the workspace"
            " holds no library system of the indicators)"
        )
    raise DataError(
        f"the workspace holds {len(mine):,} library systems ({', '.join(mine[:5])}, ...):"
        " name one with --system ID or --city NAME"
    )


def _subject(engine: Engine, systems: pd.DataFrame, req: BenchmarkRequest) -> str:
    ids = systems["system_id"].astype(str)
    if req.system is None and req.city is None:
        return _own_system(engine, ids)
    if req.system is not None:
        if not (ids == req.system).any():
            raise NotFoundError(f"no library system {req.system!r} in the indicators")
        return req.system
    want, _, region = str(req.city).strip().casefold().rpartition(",")
    if not want:  # no comma: the whole text is the city or name
        want, region = region, ""
    want, region = want.strip(), region.strip()
    city = systems["city"].astype(str).str.strip().str.casefold()
    name = systems["name"].astype(str).str.strip().str.casefold()
    hits = systems[(city == want) | (name == want)]
    if region:
        hits = hits[hits["region"].astype(str).str.strip().str.casefold() == region]
    if hits.empty:
        raise NotFoundError(f"no library system in the city or named {req.city!r}")
    if len(hits) > 1:
        listed = ", ".join(
            f"{r.system_id} ({r.name}, {r.region})" for r in hits.head(8).itertuples()
        )
        raise DataError(
            f"{len(hits)} library systems match {req.city!r}: {listed}; use --system ID or"
            ' --city "CITY, REGION"'
        )
    return str(hits["system_id"].iloc[0])


def run_benchmark(engine: Engine, request: BenchmarkRequest) -> StepResult:
    """Build the subject's peer group, its percentiles among the peers, and store them."""
    summary, measures, peers = compare_peers(engine, request)
    label = summary["label"]
    names = {f"benchmark_{label}_measures": measures, f"benchmark_{label}_peers": peers}
    run_id = write_result(
        engine, f"benchmark_{label}", names,
        params={"system": summary["subject"]["system_id"],
                "population_factor": request.rule.population_factor,
                "locale": request.rule.locale, "budget_factor": request.rule.budget_factor,
                "indicators": request.indicators},
        summary=summary, command=request.command,
    )  # fmt: skip
    return StepResult(run_id, summary, tuple(names))


def stored_benchmark(engine: Engine) -> dict[str, Any] | None:
    """The summary of the newest stored benchmark (any label), or None: one row read."""
    from sqlalchemy import select

    from libpolis.store import session_scope
    from libpolis.store.tables import Run

    with session_scope(engine) as session:
        run = session.scalar(
            select(Run).where(Run.step.startswith("benchmark_")).order_by(Run.id.desc()).limit(1)
        )
        return dict(run.summary or {}) if run is not None else None


def compare_peers(
    engine: Engine, request: BenchmarkRequest
) -> tuple[dict[str, Any], pd.DataFrame, pd.DataFrame]:
    """The subject against its peers, nothing stored: the run's summary, the measures (one row
    per measure) and the peers (one row per peer system). :func:`run_benchmark` stores them;
    the web's benchmark page shows them for a peer rule a person adjusts."""
    systems = _systems(engine, request.indicators)
    subject = _subject(engine, systems, request)
    label = request.label or re.sub(r"[^a-z0-9_]+", "_", subject.lower())[:24]
    if not label[:1].isalpha():
        label = f"s_{label}"[:24]
    data = per_capita(systems)
    peers = peer_group(data, subject, request.rule)
    measures = benchmark(systems, subject, request.rule)
    me = data[data["system_id"].astype(str) == subject].iloc[0]
    measures["year"] = int(me["year"])
    measures["source"] = str(me["source"])
    keep = ["system_id", "name", "city", "region", "population", "locale", "visits_per_capita",
            "loans_per_capita", "programmes_per_1000", "attendance_per_capita",
            "budget_per_capita"]  # fmt: skip
    summary: dict[str, Any] = {
        "label": label,
        "indicators": request.indicators,
        "subject": {
            "system_id": subject,
            "name": str(me["name"]),
            "city": str(me["city"]),
            "region": str(me["region"]),
            "population": None if pd.isna(me["population"]) else float(me["population"]),
            "locale": None if pd.isna(me["locale"]) else int(me["locale"]),
            "budget_per_capita": None
            if pd.isna(me["budget_per_capita"])
            else float(me["budget_per_capita"]),
        },
        "rule": request.rule.describe(),
        "population_factor": request.rule.population_factor,
        "locale_rule": request.rule.locale,
        "budget_factor": request.rule.budget_factor,
        "peers": len(peers),
        "year": int(me["year"]),
        "source": str(me["source"]),
        "percentile_method": "100 * (peers below + peers equal / 2) / peers reporting",
        "measures": measures.drop(columns=["rule", "year", "source"]).to_dict(orient="records"),
    }
    return summary, measures, peers[keep].reset_index(drop=True)
