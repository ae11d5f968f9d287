"""Typed requests and results of the pipeline's steps.

A request is checked when it is made: a bad label, threshold or count raises
:class:`~libpolis.errors.DataError` with a sentence that names the option, so the CLI prints
one line and the web answers 422. A result carries the run's summary (what the run stored in
``run.summary``) and the names of the result tables it wrote.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any

from libpolis.errors import DataError
from libpolis.model import Objective, TravelMode

__all__ = [
    "AccessRequest",
    "AccessResult",
    "AlignRequest",
    "AlignResult",
    "ImportKind",
    "ImportRequest",
    "ImportResult",
    "PlanRequest",
    "PlanResult",
    "ReportRequest",
    "ReportResult",
    "ScenarioKind",
    "ScenarioRequest",
    "ScenarioResult",
    "StepResult",
    "check_label",
]

_LABEL = re.compile(r"^[a-z][a-z0-9_]{0,23}$")


def check_label(label: str | None, option: str = "--label") -> str | None:
    """``label`` when it can name stored results (1-24 lower-case letters, digits and ``_``,
    starting with a letter), else a :class:`DataError` that says how to write it."""
    if label is None:
        return None
    if not _LABEL.match(label):
        hint = re.sub(r"[^a-z0-9_]+", "_", label.strip().lower()).strip("_")[:24] or "run1"
        if not hint[0].isalpha():
            hint = f"run_{hint}"[:24]
        raise DataError(
            f"{option} {label!r} cannot name a result: use 1-24 lower-case letters, digits "
            f"and _, starting with a letter (for example {hint!r})"
        )
    return label


def _positive(*checks: tuple[str, float, str]) -> None:
    """``(option, value, unit)`` each finite and > 0, else a :class:`DataError` naming it."""
    for option, value, unit in checks:
        if not (value > 0) or value == float("inf"):
            raise DataError(f"{option} must be a positive number{unit}, not {value!r}")


def _check_engine(req: Any) -> None:
    """``--engine local|dask`` with its options (``--scheduler``, ``--partitions``,
    ``--workers`` need ``dask``)."""
    if req.engine not in ("local", "dask"):
        raise DataError(f"--engine must be local or dask, not {req.engine!r}")
    if req.engine == "local" and (req.scheduler or req.partitions or req.workers):
        raise DataError("--scheduler, --partitions and --workers need --engine dask")
    for option, value in (("--partitions", req.partitions), ("--workers", req.workers)):
        if value is not None and not (isinstance(value, int) and 1 <= value <= 1_000_000):
            raise DataError(f"{option} must be a positive whole number, not {value!r}")
    if req.scheduler is not None and "://" not in str(req.scheduler):
        raise DataError(
            f"--scheduler must be an address like tcp://HOST:PORT, not {req.scheduler!r}"
        )


def _enum(cls: type[StrEnum], value: Any, option: str) -> Any:
    try:
        return cls(str(value).lower() if value is not None else value)
    except ValueError:
        choices = ", ".join(m.value for m in cls)  # type: ignore[attr-defined]
        raise DataError(f"{option} must be one of {choices}, not {value!r}") from None


@dataclass(frozen=True)
class StepResult:
    """What every step returns: the run id, its summary and the tables it wrote."""

    run_id: int | None
    summary: dict[str, Any]
    tables: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """The summary, as the CLI's ``--json`` prints it."""
        return dict(self.summary)


# ------------------------------------------------------------------------------- import


class ImportKind(StrEnum):
    """The kinds of open data :func:`~libpolis.pipeline.run_import` reads."""

    OSM = "osm"
    POPULATION = "population"
    PLS = "pls"
    MUSEUMS = "museums"
    PROGRAMMES = "programmes"
    FACILITIES = "facilities"
    AREAS = "areas"


@dataclass(frozen=True)
class ImportRequest:
    """One file (or, for the PLS, two) to read and store in one transaction.

    ``options`` go to the reader (e.g. ``id_column`` for population, ``name_column`` for
    areas); ``dataset`` overrides the provenance (``publisher``, ``licence``,
    ``attribution``). For OSM, ``libraries=False`` keeps only the other venues, and
    ``skip_venues_near_m`` leaves out venues within that many metres of a venue another
    source already stored (the same place listed twice). An OSM import can be cut to one of
    ``boundary`` (a polygon file), ``bbox`` (``W,S,E,N`` degrees) or ``place`` (an
    administrative boundary of the same file); ``merge_near_m`` is the distance within which
    features of the same kind and name are one place (see :mod:`libpolis.sources.osm`).
    """

    kind: ImportKind
    path: Path
    source: str | None = None
    options: dict[str, Any] = field(default_factory=dict)
    dataset: dict[str, Any] = field(default_factory=dict)
    libraries: bool = True
    skip_venues_near_m: float | None = None
    systems: Path | None = None
    year: int = 2021
    street_network: bool = True
    boundary: Path | None = None
    bbox: str | tuple[float, float, float, float] | None = None
    place: str | None = None
    merge_near_m: float = 50.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", _enum(ImportKind, self.kind, "the import kind"))
        object.__setattr__(self, "path", Path(self.path))
        cuts = [o for o, v in (("--boundary", self.boundary), ("--bbox", self.bbox),
                               ("--place", self.place)) if v is not None]  # fmt: skip
        if len(cuts) > 1:
            raise DataError(f"give one of {', '.join(cuts)}, not several")
        if cuts and self.kind is not ImportKind.OSM:
            raise DataError(f"{cuts[0]} cuts an OpenStreetMap import only")
        if self.bbox is not None:
            from libpolis.sources.osm_cut import bbox_polygon

            bbox_polygon(self.bbox)  # a DataError naming --bbox when it is not W,S,E,N
        if self.place is not None and not self.place.strip():
            raise DataError("--place must name a place, not be empty")
        if not self.merge_near_m >= 0:
            raise DataError(f"--merge-within must be >= 0 metres, not {self.merge_near_m!r}")
        if self.kind is ImportKind.PLS and self.systems is None:
            raise DataError("a PLS import needs --systems FILE (the administrative entities)")
        if self.skip_venues_near_m is not None and not self.skip_venues_near_m >= 0:
            raise DataError(f"skip_venues_near_m must be >= 0, not {self.skip_venues_near_m!r}")


@dataclass(frozen=True)
class ImportResult(StepResult):
    """An import: its summary holds the rows written per table and the workspace name if
    this import gave it one; ``message`` is the sentence the CLI prints."""

    message: str = ""


# ------------------------------------------------------------------------------- access


@dataclass(frozen=True)
class AccessRequest:
    """Access to the nearest library for every population unit, in one travel mode.

    ``thresholds`` are metres (straight) or minutes (network modes); ``label`` names the
    stored results (default: the mode).
    """

    mode: TravelMode = TravelMode.STRAIGHT
    thresholds: tuple[float, ...] | None = None
    population_source: str | None = None
    network: Path | None = None
    max_access_m: float = 400.0
    catchment_min: float = 30.0
    label: str | None = None
    command: str | None = None
    engine: str = "local"
    scheduler: str | None = None
    partitions: int | None = None
    workers: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "mode", _enum(TravelMode, self.mode, "--mode"))
        check_label(self.label)
        _check_engine(self)
        if self.thresholds is not None:
            ts = tuple(float(t) for t in self.thresholds)
            if not ts or any(not (t > 0) or t == float("inf") for t in ts):
                raise DataError(
                    f"--thresholds must be positive numbers, not {list(self.thresholds)!r}"
                )
            object.__setattr__(self, "thresholds", tuple(sorted(set(ts))))
        _positive(
            ("--max-access-m", self.max_access_m, " of metres"),
            ("the catchment", self.catchment_min, " of minutes"),
        )

    @property
    def step(self) -> str:
        """The run's step name: ``access_<label>``."""
        return f"access_{self.label or self.mode.value}"

    @property
    def resolved_thresholds(self) -> tuple[float, ...]:
        return self.thresholds or self.mode.default_thresholds


@dataclass(frozen=True)
class AccessResult(StepResult):
    """An access run: its mode and label (the summary holds the headline figures)."""

    mode: TravelMode = TravelMode.STRAIGHT
    label: str = ""


# --------------------------------------------------------------------------------- plan


@dataclass(frozen=True)
class PlanRequest:
    """Where ``n_sites`` new service points reach the most residents (coverage) or cut
    travel the most (median), with times in ``mode``."""

    objective: Objective = Objective.COVERAGE
    n_sites: int = 3
    within_min: float = 15.0
    candidates: str = "osm"
    weight: str = "population"
    speed_kph: float = 4.8
    time_limit_s: float = 60.0
    label: str | None = None
    population_source: str | None = None
    mode: TravelMode = TravelMode.STRAIGHT
    network: Path | None = None
    command: str = ""
    engine: str = "local"
    scheduler: str | None = None
    partitions: int | None = None
    workers: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "objective", _enum(Objective, self.objective, "--objective"))
        object.__setattr__(self, "mode", _enum(TravelMode, self.mode, "--mode"))
        check_label(self.label)
        _check_engine(self)
        if self.weight not in ("population", "need"):
            raise DataError(f"--weight must be population or need, not {self.weight!r}")
        if not 1 <= int(self.n_sites) <= 10_000:
            raise DataError(f"--sites must be between 1 and 10000, not {self.n_sites!r}")
        _positive(
            ("--within", self.within_min, " of minutes"),
            ("--speed-kph", self.speed_kph, ""),
            ("--time-limit", self.time_limit_s, " of seconds"),
        )

    @property
    def step(self) -> str:
        return f"plan_{self.label or self.objective.value}"


@dataclass(frozen=True)
class PlanResult(StepResult):
    objective: Objective = Objective.COVERAGE
    mode: TravelMode = TravelMode.STRAIGHT


# ---------------------------------------------------------------------------- scenarios


class ScenarioKind(StrEnum):
    """The scenarios :func:`~libpolis.pipeline.run_scenario` computes."""

    CLOSURE = "closure"
    HOURS = "hours"
    MOBILE = "mobile"


@dataclass(frozen=True)
class ScenarioRequest:
    """A what-if on today's libraries, stored as ``scenario_<label>_*`` (label default: the
    kind).

    ``closure``: residents who lose a library within ``within`` if the ``libraries`` close
    (none given: each library in turn, ranked). ``hours``: capacity-aware access (E2SFCA,
    ``catchment_min``) when the one library in ``libraries`` opens ``factor`` times as many
    hours (``floor_area_factor`` for more floor area). ``mobile``: where ``stops`` mobile
    library stops, chosen among ``candidates``, reach the most residents farther than
    ``within`` from every library. ``within`` is in the mode's unit, as for ``access``:
    metres in a straight line (default 1000, at ``speed_kph``) or minutes on the street
    network (default 15; units farther than ``max_access_m`` from it are left out and
    counted, as in ``access``). Libraries are named by id, imported id or exact name.
    """

    kind: ScenarioKind
    libraries: tuple[str, ...] = ()
    factor: float = 1.0
    floor_area_factor: float = 1.0
    stops: int = 3
    within: float | None = None
    mode: TravelMode = TravelMode.STRAIGHT
    speed_kph: float = 4.8
    catchment_min: float = 30.0
    candidates: str = "osm"
    population_source: str | None = None
    network: Path | None = None
    max_access_m: float = 400.0
    time_limit_s: float = 60.0
    label: str | None = None
    command: str = ""
    engine: str = "local"
    scheduler: str | None = None
    partitions: int | None = None
    workers: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", _enum(ScenarioKind, self.kind, "the scenario"))
        _check_engine(self)
        object.__setattr__(self, "mode", _enum(TravelMode, self.mode, "--mode"))
        object.__setattr__(self, "libraries", tuple(str(x) for x in self.libraries))
        check_label(self.label)
        if self.kind is ScenarioKind.HOURS and len(self.libraries) != 1:
            raise DataError("plan hours needs exactly one --library (its id or name)")
        if not self.factor >= 0 or not self.floor_area_factor >= 0:
            raise DataError(f"--factor must be a number >= 0, not {self.factor!r}")
        if not 1 <= int(self.stops) <= 10_000:
            raise DataError(f"--stops must be between 1 and 10000, not {self.stops!r}")
        if self.within is not None:
            _positive(("--within", self.within, " (metres straight, minutes on the network)"))
        _positive(
            ("--speed-kph", self.speed_kph, ""),
            ("--catchment", self.catchment_min, " of minutes"),
            ("--time-limit", self.time_limit_s, " of seconds"),
            ("--max-access-m", self.max_access_m, " of metres"),
        )

    @property
    def step(self) -> str:
        """The run's step name: ``scenario_<label>``."""
        return f"scenario_{self.label or self.kind.value}"

    @property
    def resolved_within(self) -> float:
        """The standard in the mode's unit (metres straight, minutes on the network)."""
        if self.within is not None:
            return float(self.within)
        return 15.0 if self.mode.is_network else 1000.0

    @property
    def within_min(self) -> float:
        """The standard in minutes (straight-line metres at ``speed_kph``)."""
        w = self.resolved_within
        return w if self.mode.is_network else w / (self.speed_kph * 1000.0 / 60.0)


@dataclass(frozen=True)
class ScenarioResult(StepResult):
    """A stored scenario: its kind and label (the summary holds the before/after figures)."""

    kind: ScenarioKind = ScenarioKind.CLOSURE
    label: str = ""


# -------------------------------------------------------------------------------- align


@dataclass(frozen=True)
class AlignRequest:
    """Align programmes to frameworks: built-in ones (:class:`Framework`) and stored city
    strategies by name. ``programme_ids`` limits the run to those programmes (the web app
    aligns one programme when it is saved); ``frameworks`` empty means every built-in one
    and every stored strategy."""

    frameworks: tuple[str, ...] = ()
    programme_ids: tuple[int, ...] | None = None
    command: str = "libpolis align run"

    def __post_init__(self) -> None:
        object.__setattr__(self, "frameworks", tuple(str(f) for f in self.frameworks))


@dataclass(frozen=True)
class AlignResult(StepResult):
    """Per framework: suggestions stored, method and version."""


# ------------------------------------------------------------------------------- report


@dataclass(frozen=True)
class ReportRequest:
    """The city brief: ``area`` overrides the workspace's city name for this brief; ``today``
    is the date printed on it (default: today)."""

    out: Path = Path(".")
    lang: str = "en"
    formats: tuple[str, ...] = ("html", "pdf")
    area: str | None = None
    today: date | None = None

    def __post_init__(self) -> None:
        fmts = tuple(f.strip().lower() for f in self.formats if f.strip())
        bad = [f for f in fmts if f not in ("html", "pdf")]
        if bad or not fmts:
            raise DataError(f"--format must be html, pdf or html,pdf, not {','.join(fmts)!r}")
        object.__setattr__(self, "formats", fmts)
        object.__setattr__(self, "lang", str(self.lang).lower())
        object.__setattr__(self, "out", Path(self.out))


@dataclass(frozen=True)
class ReportResult(StepResult):
    """Paths written (``html``, ``pdf``) and the topics the workspace lacks."""

    files: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {**self.summary, **self.files}
