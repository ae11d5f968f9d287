"""The figures people see, each with its value, unit, scope, sources, method and command.

The brief, the web app and the exports all render the :class:`Evidence` assembled here, so a
number never differs between them and every number can be traced to its source.

What is read from the store (each part is optional; when it is absent, ``Evidence.missing``
says so and names the command that adds it):

- tables ``library``, ``venue``, ``programme``, ``statistic``, ``area``, ``population_unit``,
  ``dataset``, ``partner``, ``partnership``, ``alignment`` joined to ``goal`` and
  ``framework``;
- access (written by ``libpolis.pipeline.run_access``): the runs ``access_<label>``. The
  headline run is a network run covering at least 95 % of the residents if there is one, else
  the default straight-line run; its tables ``access_<label>_units`` (``population``,
  ``district``, ``lon``, ``lat``, ``library_id``, ``dist_m`` or ``time_min``,
  ``nearest_culture``), ``_curve``, ``_income`` and ``_culture`` are used. Age bands come from
  the newest run with an ``access_<label>_bands`` table; a network run over part of the city
  (a central extract) is reported on its own, with its scope;
- planning: the newest run whose step starts with ``plan`` and its table ``<step>_sites`` or
  ``plan_sites`` (``lon, lat``; optionally ``district``, ``residents_gained`` or ``gain``).
  Without it, a one-site straight-line estimate (:func:`best_new_site`) is shown and said so.

Frameworks are recognised by ``framework.attrs["kind"]`` (``sdg``, ``rights``, ``culture``,
``strategy``) or else by ``framework.key``: ``sdg``/``sdg_targets`` (targets roll up to their
goal), ``udhr``, ``culture21``; any other key is taken as a city strategy. Rejected alignments
are left out; suggested and confirmed ones are counted and told apart.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine, select

from libpolis.errors import NotFoundError
from libpolis.store import read_result, read_table
from libpolis.store.engine import session_scope
from libpolis.store.queries import datasets
from libpolis.store.tables import Run

__all__ = [
    "FOCUS_ARTICLES",
    "SERVICE_FLAGS",
    "Evidence",
    "Figure",
    "assemble_evidence",
    "best_new_site",
    "coverage_curve",
]

#: Library service flags read from ``library.attrs`` (value "1"/1/True means yes).
SERVICE_FLAGS: tuple[str, ...] = (
    "open_saturdays",
    "open_sundays",
    "self_service_hours",
    "has_meeting_or_group_room",
    "has_computers",
    "has_maker_equipment",
    "has_studio_or_music_room",
    "has_3d_printer",
    "has_game_consoles",
)

#: Universal Declaration articles always shown in the human-rights section.
FOCUS_ARTICLES: tuple[str, ...] = ("19", "21", "26", "27")

#: Library kinds whose point is not a place residents go to (kept in step with the pipeline).
_NOT_WALK_IN = frozenset(
    {"mobile_library", "bookmobile", "books_by_mail", "hospital_patient_library"}
)

_AGE_ATTR = re.compile(r"^(IKA|age_?)", re.IGNORECASE)


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
    """All figures of a workspace, the tables behind them and the sources they cite.

    ``facts`` holds non-numeric findings (the most underserved district, the name of a
    library), ``missing`` maps a topic to the sentence saying what is missing and which
    command adds it.
    """

    figures: dict[str, Figure] = field(default_factory=dict)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    sources: pd.DataFrame = field(default_factory=pd.DataFrame)
    missing: dict[str, str] = field(default_factory=dict)
    facts: dict[str, Any] = field(default_factory=dict)
    runs: list[dict[str, Any]] = field(default_factory=list)

    def add(self, figure: Figure) -> None:
        self.figures[figure.key] = figure

    def value(self, key: str) -> Any:
        return self.figures[key].value if key in self.figures else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "figures": {k: f.as_dict() for k, f in self.figures.items()},
            "facts": self.facts,
            "missing": self.missing,
            "sources": self.sources.to_dict("records"),
            "runs": self.runs,
        }


# --------------------------------------------------------------------------- pure helpers


def _sources_of(frame: pd.DataFrame) -> tuple[str, ...]:
    return tuple(sorted(frame["source"].astype(str).unique())) if len(frame) else ()


def _flag(v: Any) -> bool:
    return str(v).strip().lower() in {"1", "true", "yes", "1.0"}


def coverage_curve(cost: np.ndarray, weight: np.ndarray, breaks: np.ndarray) -> pd.DataFrame:
    """Share of the weight whose cost is at most each break.

    Parameters
    ----------
    cost : array of float
        Distance (m) or time (min) per unit; NaN or inf means unreachable.
    weight : array of float
        Residents per unit.
    breaks : array of float
        Thresholds in the unit of ``cost``.

    Returns
    -------
    DataFrame
        Columns ``threshold`` and ``share`` (0..1).
    """
    cost = np.asarray(cost, float)
    weight = np.asarray(weight, float)
    total = weight.sum()
    ok = np.isfinite(cost)
    order = np.argsort(cost[ok])
    c, cw = cost[ok][order], np.cumsum(weight[ok][order])
    idx = np.searchsorted(c, breaks, side="right")
    reached = np.where(idx > 0, cw[np.maximum(idx - 1, 0)], 0.0)
    return pd.DataFrame(
        {"threshold": np.asarray(breaks, float), "share": reached / total if total else 0.0}
    )


def best_new_site(
    units: pd.DataFrame, cost_col: str, threshold: float, *, radius_m: float
) -> dict[str, Any] | None:
    """The unit location from which a new service point reaches the most unserved residents.

    A one-site maximal covering choice over the population units themselves as candidates:
    residents are unserved when ``cost_col`` exceeds ``threshold``; a candidate reaches an
    unserved unit within ``radius_m`` metres straight line (local UTM). Returns the chosen
    unit's ``lon``, ``lat``, ``district`` and ``residents_gained``, or None when nobody is
    unserved.
    """
    from pyproj import Transformer
    from scipy.spatial import cKDTree

    from libpolis.geo import local_utm_crs

    unserved = units[~(units[cost_col] <= threshold)]
    unserved = unserved[unserved["population"] > 0]
    if unserved.empty:
        return None
    lon, lat = unserved["lon"].to_numpy(float), unserved["lat"].to_numpy(float)
    tr = Transformer.from_crs("EPSG:4326", local_utm_crs(lon, lat), always_xy=True)
    xy = np.column_stack(tr.transform(lon, lat))
    tree = cKDTree(xy)
    pop = unserved["population"].to_numpy(float)
    gains = np.array([pop[n].sum() for n in tree.query_ball_point(xy, radius_m)])
    best = int(np.argmax(gains))
    row = unserved.iloc[best]
    return {
        "lon": float(row["lon"]),
        "lat": float(row["lat"]),
        "district": None if pd.isna(row.get("district")) else str(row.get("district")),
        "residents_gained": float(gains[best]),
    }


# --------------------------------------------------------------------------- store readers


def _access_runs(engine: Engine) -> list[Run]:
    """Access runs with a coverage summary, newest first (one per step)."""
    with session_scope(engine) as session:
        runs = session.scalars(
            select(Run).where(Run.step.like("access%")).order_by(Run.id.desc())
        ).all()
    seen: set[str] = set()
    out = []
    for r in runs:
        if r.step not in seen and isinstance(r.summary, dict) and "coverage" in r.summary:
            seen.add(r.step)
            out.append(r)
    return out


def _partial(run: Run) -> bool:
    """True when a network run covers less than 95 % of the residents (a central extract)."""
    net = run.summary.get("network") or {}
    outside = float(net.get("residents_outside") or 0.0)
    total = float(run.summary.get("residents") or 0.0) + outside
    return bool(total) and outside / total > 0.05


def _primary_access_run(runs: list[Run]) -> Run | None:
    """The run the brief's headline uses: a city-wide network run if there is one, else the
    default-labelled straight-line run, else the newest."""
    default = [r for r in runs if r.summary.get("label", r.step[7:]) == r.summary.get("mode")]
    for pool in (
        [r for r in default if r.summary.get("mode") != "straight" and not _partial(r)],
        [r for r in default if r.summary.get("mode") == "straight"],
        runs,
    ):
        if pool:
            return pool[0]
    return None


def _units_of(engine: Engine, run: Run) -> pd.DataFrame | None:
    for name in (f"{run.step}_units", "access_units"):
        frame = _result(engine, name)
        if frame is not None and len(frame):
            return frame
    return None


def _plan_run(engine: Engine) -> Run | None:
    with session_scope(engine) as session:
        return session.scalar(
            select(Run).where(Run.step.like("plan%")).order_by(Run.id.desc()).limit(1)
        )


def _result(engine: Engine, name: str) -> pd.DataFrame | None:
    try:
        return read_result(engine, name)
    except NotFoundError:
        return None


def _alignments(engine: Engine) -> pd.DataFrame:
    """Alignment rows (not rejected) with their goal, framework and programme."""
    al = read_table(engine, "alignment")
    if al.empty:
        return al
    goals = read_table(engine, "goal").rename(
        columns={"id": "goal_id", "title": "goal_title", "attrs": "goal_attrs"}
    )
    fws = read_table(engine, "framework").rename(
        columns={"id": "framework_id", "name": "framework_name", "attrs": "framework_attrs"}
    )
    progs = read_table(engine, "programme").rename(columns={"id": "programme_id"})
    al = al[al["status"].astype(str).str.lower() != "rejected"]
    out = (
        al[["programme_id", "goal_id", "score", "status", "method"]]
        .merge(
            goals[["goal_id", "framework_id", "code", "goal_title", "parent_code", "goal_attrs"]]
        )
        .merge(fws[["framework_id", "key", "framework_name", "framework_attrs"]])
        .merge(
            progs[["programme_id", "title", "library_name", "attendance", "partners"]],
            how="left",
        )
    )
    return out


def _titles(attrs: Any) -> dict[str, str]:
    """Goal titles per language from ``goal.attrs`` (``title`` or ``titles``: {lang: text})."""
    if not isinstance(attrs, dict):
        return {}
    for k in ("titles", "title"):
        if isinstance(attrs.get(k), dict):
            return {str(a): str(b) for a, b in attrs[k].items()}
    return {}


def _framework_kind(key: str, attrs: Any) -> str:
    k = str(key).lower()
    if isinstance(attrs, dict) and attrs.get("kind") in {"sdg", "rights", "culture", "strategy"}:
        return str(attrs["kind"])
    if k.startswith("sdg"):
        return "sdg"
    if k.startswith("udhr"):
        return "rights"
    if k.startswith("culture21"):
        return "culture"
    return "strategy"


# --------------------------------------------------------------------------- assembly


class _Builder:
    """Holds the state of one assembly; each ``_section`` method adds its part."""

    def __init__(self, engine: Engine, area: str) -> None:
        self.engine = engine
        self.area = area
        self.ev = Evidence()

    def fig(
        self,
        key: str,
        label: str,
        value: Any,
        unit: str,
        sources: tuple[str, ...],
        method: str,
        command: str,
    ) -> None:
        if value is not None and not isinstance(value, str):
            value = value.item() if hasattr(value, "item") else value
        self.ev.add(Figure(key, label, value, unit, self.area, tuple(sources), method, command))

    # -- libraries and venues -------------------------------------------------------------
    def libraries(self) -> None:
        ev = self.ev
        libs = read_table(self.engine, "library")
        venues = read_table(self.engine, "venue")
        self.libs, self.venues = libs, venues
        src = _sources_of(libs)
        self.fig(
            "libraries",
            "Library service points",
            len(libs),
            "service points",
            src,
            "Count of library records in the workspace (all kinds).",
            "libpolis status --json",
        )
        walk = libs[~libs["kind"].isin(_NOT_WALK_IN)] if len(libs) else libs
        self.fig(
            "walk_in_libraries",
            "Walk-in library service points",
            len(walk),
            "service points",
            src,
            "Library records except mobile-library depots, books-by-mail services and "
            "in-patient hospital libraries.",
            "libpolis status --json",
        )
        if len(libs) == 0:
            ev.missing["libraries"] = (
                "no libraries: run `libpolis import osm FILE.pbf` or "
                "`libpolis import facilities FILE --as library`"
            )
        ev.tables["library_kinds"] = (
            libs.groupby("kind").size().sort_values(ascending=False).rename("count").reset_index()
        )
        # service flags
        flags = []
        for flag in SERVICE_FLAGS:
            vals = [a.get(flag) for a in libs["attrs"] if isinstance(a, dict) and flag in a]
            if vals:
                n = sum(_flag(v) for v in vals)
                flags.append({"flag": flag, "count": n, "of": len(vals)})
                self.fig(
                    f"libraries_{flag}",
                    f"Libraries with service flag {flag}",
                    n,
                    "service points",
                    src,
                    f"Count of library records whose attribute "
                    f"{flag!r} is 1 (of {len(vals)} records that state it).",
                    "libpolis status --json",
                )
        ev.tables["service_flags"] = pd.DataFrame(flags, columns=["flag", "count", "of"])
        if not flags:
            ev.missing["service_flags"] = (
                "no service flags (meeting rooms, opening days) on the library records: import "
                "libraries with such columns (`libpolis import facilities FILE --as library`)"
            )
        hours = libs["hours_per_year"].dropna() if "hours_per_year" in libs else pd.Series([])
        if len(hours):
            self.fig(
                "library_hours_per_year",
                "Public opening hours per year (all libraries)",
                float(hours.sum()),
                "hours",
                src,
                "Sum of hours_per_year over libraries that state it.",
                "libpolis status --json",
            )
        # venues
        self.fig(
            "venues",
            "Other cultural venues",
            len(venues),
            "venues",
            _sources_of(venues),
            "Count of museum, gallery, theatre, arts-centre, cinema and concert-hall records.",
            "libpolis status --json",
        )
        if len(venues) == 0:
            ev.missing["venues"] = (
                "no other cultural venues, so the library cannot be compared with them: run "
                "`libpolis import osm FILE.pbf` or `libpolis import facilities FILE --as venue`"
            )
        else:
            ev.tables["venue_kinds"] = (
                venues.groupby("kind")
                .size()
                .sort_values(ascending=False)
                .rename("count")
                .reset_index()
            )
            ve = venues.dropna(subset=["n_events"])
            if len(ve):
                self.fig(
                    "venue_events",
                    "Events at other cultural venues (where counted)",
                    int(ve["n_events"].sum()),
                    "events",
                    _sources_of(ve),
                    f"Sum of n_events over the {len(ve)} venues that have an event count.",
                    "libpolis status --json",
                )
                ev.tables["venue_events"] = (
                    ve.sort_values("n_events", ascending=False)[["name", "kind", "n_events"]]
                    .head(8)
                    .reset_index(drop=True)
                )
        lib_events = [
            float(a["n_events"])
            for a in libs["attrs"]
            if isinstance(a, dict) and a.get("n_events") not in (None, "")
        ]
        if lib_events:
            self.fig(
                "library_events",
                "Events at libraries (where counted)",
                int(sum(lib_events)),
                "events",
                src,
                "Sum of n_events over the library records that state it.",
                "libpolis status --json",
            )
        else:
            ev.missing["library_events"] = (
                "no event counts for the libraries, so libraries and other venues cannot be "
                "compared by events: import libraries with an n_events column "
                "(`libpolis import facilities FILE --as library`)"
            )

    # -- statistics ------------------------------------------------------------------------
    def statistics(self) -> None:
        st = read_table(self.engine, "statistic")
        if st.empty:
            self.ev.missing["statistics"] = (
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
        self.ev.tables["statistics"] = agg
        self.ev.facts["statistics_year"] = year
        for r in agg.itertuples():
            self.fig(
                f"stat_{r.name}",
                f"Library statistic {r.name}",
                float(r.value),
                str(r.unit or ""),
                _sources_of(st[st["name"] == r.name]),
                f"Sum over {r.subjects} reporting units of the {r.name!r} statistic for {year}.",
                "libpolis import pls ...",
            )

    # -- programmes ------------------------------------------------------------------------
    def programmes(self) -> None:
        pr = read_table(self.engine, "programme")
        self.progs = pr
        if pr.empty:
            self.ev.missing["programmes"] = (
                "no programmes: run `libpolis import programmes FILE.csv`"
            )
            return
        src = _sources_of(pr)
        self.fig(
            "programmes",
            "Library programmes and events recorded",
            len(pr),
            "programmes",
            src,
            "Count of programme records in the workspace.",
            "libpolis status --json",
        )
        att = pr["attendance"].dropna()
        if len(att):
            self.fig(
                "programme_attendance",
                "Attendance at recorded programmes",
                int(att.sum()),
                "participants",
                src,
                f"Sum of attendance over the {len(att)} programmes that report it.",
                "libpolis status --json",
            )
        else:
            self.ev.missing["attendance"] = (
                "no programme reports its attendance: add an attendance column and re-run "
                "`libpolis import programmes FILE.csv`"
            )
        has_p = pr["partners"].fillna("").astype(str).str.strip() != ""
        self.fig(
            "programmes_with_partners",
            "Programmes run with partners",
            int(has_p.sum()),
            "programmes",
            src,
            "Count of programmes whose partners field is not empty.",
            "libpolis status --json",
        )
        if not has_p.any():
            self.ev.missing["partners"] = (
                "no programme names a partner: add a partners column and re-run "
                "`libpolis import programmes FILE.csv`"
            )
        self.ev.tables["programmes_with_partners"] = pr.loc[
            has_p, ["title", "library_name", "partners"]
        ].reset_index(drop=True)

    # -- access ----------------------------------------------------------------------------
    def access(self) -> None:
        ev = self.ev
        runs = _access_runs(self.engine)
        run = _primary_access_run(runs)
        units = _units_of(self.engine, run) if run is not None else None
        if run is None or units is None or units.empty:
            ev.missing["access"] = (
                "no access results yet: run `libpolis access --mode walk` (or "
                "`--mode straight` without a street network)"
            )
            return
        s = run.summary
        cost_col = "time_min" if "time_min" in units.columns else "dist_m"
        unit = "min" if cost_col == "time_min" else "m"
        mode = str(s.get("mode", "straight"))
        ev.facts.update(access_mode=mode, access_unit=unit, access_step=run.step)
        ev.tables["access_units"] = units
        pop_src = (str(s.get("population_source")),) if s.get("population_source") else ()
        lib_src = _sources_of(self.libs)
        both = pop_src + lib_src
        cmd = run.command or f"libpolis access --mode {mode}"
        self.fig(
            "residents",
            "Residents",
            s.get("residents", float(units["population"].sum())),
            "residents",
            pop_src,
            "Sum of residents over the population units used by the access run.",
            cmd,
        )
        mean_key = "mean_time_min" if unit == "min" else "mean_dist_m"
        how = (
            "travel time on the street network"
            if unit == "min"
            else "straight-line distance computed in the local UTM CRS"
        )
        w = units["population"].to_numpy(float)
        c = units[cost_col].to_numpy(float)
        ok = np.isfinite(c)
        mean = s.get(mean_key)
        if mean is None and ok.any() and w[ok].sum() > 0:
            mean = float(np.average(c[ok], weights=w[ok]))
        self.fig(
            mean_key,
            "Mean " + ("travel time" if unit == "min" else "distance") + " to the nearest library",
            mean,
            unit,
            both,
            f"Population-weighted mean of the {how} from each unit to the nearest walk-in library.",
            cmd,
        )
        thresholds = sorted(float(t) for t in s["coverage"])
        for t in thresholds:
            tk = f"{t:g}"
            share = s["coverage"].get(tk, s["coverage"].get(str(int(t))))
            self.fig(
                f"coverage_{tk}{unit}",
                f"Residents within {tk} {unit} of a library",
                share,
                "share",
                both,
                f"Share of residents whose {how} to a walk-in library is at most {tk} {unit}.",
                cmd,
            )
        # the main threshold: 1000 m / 15 min, else the largest
        main = 1000.0 if unit == "m" else 15.0
        if main not in thresholds:
            main = thresholds[-1]
        ev.facts["main_threshold"] = main
        ev.facts["thresholds"] = thresholds
        beyond = float(w[~(c <= main)].sum())
        self.fig(
            "underserved_residents",
            f"Residents farther than {main:g} {unit} from a library",
            beyond,
            "residents",
            both,
            f"Sum of residents of the units whose "
            f"{how} to the nearest walk-in library exceeds {main:g} {unit}.",
            cmd,
        )
        # coverage curve
        curve = _result(self.engine, f"{run.step}_curve")
        tcol = f"threshold_{'m' if unit == 'm' else 'min'}"
        if curve is not None and {tcol, "share"} <= set(curve.columns):
            curve = curve.rename(columns={tcol: "threshold"})[["threshold", "share"]]
            ev.tables["coverage_curve"] = pd.concat(
                [pd.DataFrame({"threshold": [0.0], "share": [0.0]}), curve], ignore_index=True
            )
        else:
            top = max(3000.0, main * 3) if unit == "m" else max(45.0, main * 3)
            ev.tables["coverage_curve"] = coverage_curve(c, w, np.linspace(0, top, 61))
        # districts, from the units (same numbers as the run's district tables)
        rows = []
        for name, g in units[units["district"].notna()].groupby("district"):
            gw = g["population"].to_numpy(float)
            gc = g[cost_col].to_numpy(float)
            gok = np.isfinite(gc)
            tot = float(gw.sum())
            rows.append(
                {
                    "district": str(name),
                    "residents": tot,
                    "mean": float(np.average(gc[gok], weights=gw[gok]))
                    if gw[gok].sum() > 0
                    else None,
                    **{
                        f"within_{t:g}": float(gw[gc <= t].sum() / tot) if tot else None
                        for t in thresholds
                    },
                }
            )
        districts = pd.DataFrame(rows)
        if len(districts):
            districts["unserved"] = [
                float(
                    units.loc[
                        (units["district"] == r) & ~(units[cost_col] <= main), "population"
                    ].sum()
                )
                for r in districts["district"]
            ]
            ev.tables["districts"] = districts
            mk = f"within_{main:g}"
            if mk in districts:
                # the most underserved: most residents beyond the main threshold
                cand = districts[districts["residents"] > 0].sort_values(
                    ["unserved", mk], ascending=[False, True]
                )
                if len(cand):
                    worst = cand.iloc[0]
                    ev.facts["worst_district"] = str(worst["district"])
                    self.fig(
                        "worst_district_coverage",
                        f"Residents within {main:g} {unit} of a library in {worst['district']}",
                        float(worst[mk]),
                        "share",
                        both,
                        "The district with the most residents beyond the main threshold; "
                        "its share of residents within it.",
                        cmd,
                    )
                    self.fig(
                        "worst_district_unserved",
                        f"Residents farther than {main:g} {unit} in {worst['district']}",
                        float(worst["unserved"]),
                        "residents",
                        both,
                        "Residents of that district beyond the main threshold.",
                        cmd,
                    )
        if s.get("share_nearest_culture_library") is not None:
            self.fig(
                "share_nearest_culture_library",
                "Residents whose nearest cultural venue is a library",
                s["share_nearest_culture_library"],
                "share",
                both + _sources_of(self.venues),
                "Share of residents for whom the nearest of all libraries and other cultural "
                "venues is a library.",
                cmd,
            )
        # libraries nearest to the most residents
        if "library_id" in units:
            served = units.groupby("library_id")["population"].sum()
            lib = self.libs.set_index("source_id")
            rows = []
            for lid, n in served.sort_values(ascending=False).items():
                if lid in lib.index:
                    r = lib.loc[lid]
                    r = r.iloc[0] if isinstance(r, pd.DataFrame) else r
                    a = r["attrs"] if isinstance(r["attrs"], dict) else {}
                    rows.append(
                        {
                            "library_id": lid,
                            "name": r["name"],
                            "residents": float(n),
                            "open_sundays": _flag(a["open_sundays"])
                            if "open_sundays" in a
                            else None,
                        }
                    )
            ev.tables["library_catchments"] = pd.DataFrame(rows)
        self._site(units, cost_col, main, unit, both, cmd)
        self._age_groups(runs, main, unit)
        self._income(run, unit)
        self._culture_kinds(run, unit)
        self._partial_network(runs, run)

    def _income(self, run: Run, unit: str) -> None:
        inc = _result(self.engine, f"{run.step}_income")
        col = "mean_time_min" if unit == "min" else "mean_dist_m"
        if inc is not None and len(inc) and col in inc:
            self.ev.tables["income_groups"] = inc
            self.ev.facts["income_command"] = run.command
            return
        self.ev.missing["income"] = (
            "the population data has no income, so access cannot be shown by income group: "
            "run `libpolis import population FILE --income-column COLUMN` then `libpolis access`"
        )

    def _culture_kinds(self, run: Run, unit: str) -> None:
        tab = _result(self.engine, f"{run.step}_culture")
        col = f"median_{'time_min' if unit == 'min' else 'dist_m'}"
        if tab is not None and len(tab) and {"kind", col} <= set(tab.columns):
            self.ev.tables["culture_kinds"] = (
                tab[["kind", col]].rename(columns={col: "median"}).sort_values("median")
            )

    def _partial_network(self, runs: list[Run], primary: Run) -> None:
        """Figures of a network run that covers only part of the city (a central extract)."""
        for r in runs:
            if r is primary or r.summary.get("mode") == "straight" or not _partial(r):
                continue
            s = r.summary
            net = s.get("network") or {}
            unit = "min"
            srcs = (str(s.get("population_source")), *_sources_of(self.libs))
            scope = f"area covered by the street network {net.get('file', '')}"
            self.ev.facts["partial_network"] = {
                "mode": s.get("mode"),
                "file": net.get("file"),
                "residents": s.get("residents"),
                "residents_outside": net.get("residents_outside"),
                "thresholds": [float(t) for t in s["coverage"]],
            }
            self.ev.add(
                Figure(
                    f"{r.step}_residents",
                    f"Residents in the {s.get('mode')} network area",
                    s.get("residents"),
                    "residents",
                    scope,
                    srcs,
                    "Residents of the units within the street network's reach (400 m); the "
                    "others lie outside the extract.",
                    r.command,
                )
            )
            if s.get("mean_time_min") is not None:
                self.ev.add(
                    Figure(
                        f"{r.step}_mean_time_min",
                        f"Mean {s.get('mode')} time to the nearest library",
                        s["mean_time_min"],
                        unit,
                        scope,
                        srcs,
                        "Population-weighted mean travel time on the street "
                        "network to the nearest walk-in library.",
                        r.command,
                    )
                )
            for t, share in s["coverage"].items():
                self.ev.add(
                    Figure(
                        f"{r.step}_coverage_{float(t):g}min",
                        f"Residents within {float(t):g} min ({s.get('mode')}) of a library",
                        share,
                        "share",
                        scope,
                        srcs,
                        f"Share of the area's residents whose "
                        f"travel time to a walk-in library is at most {float(t):g} min.",
                        r.command,
                    )
                )
            return

    def _site(
        self,
        units: pd.DataFrame,
        cost_col: str,
        main: float,
        unit: str,
        sources: tuple[str, ...],
        cmd: str,
    ) -> None:
        ev = self.ev
        plan = _plan_run(self.engine)
        sites = None
        if plan is not None:
            for name in (f"{plan.step}_sites", "plan_sites"):
                sites = _result(self.engine, name)
                if sites is not None:
                    break
        if plan is not None and sites is not None and "status" in sites:
            sites = sites[sites["status"] == "new"]  # existing libraries are listed too
        if plan is not None and sites is not None and len(sites) and {"lon", "lat"} <= set(sites):
            if "residents" in sites:
                sites = sites.sort_values("residents", ascending=False, kind="stable")
            s0 = sites.iloc[0]
            gain = next(
                (
                    float(v)
                    for v in (
                        plan.summary.get("residents_gained"),
                        plan.summary.get("gain"),
                        s0.get("residents_gained"),
                        s0.get("gain"),
                    )
                    if v is not None and pd.notna(v)
                ),
                None,
            )
            ev.facts["new_site"] = {
                "lon": float(s0["lon"]),
                "lat": float(s0["lat"]),
                "district": s0.get("district"),
                "residents_gained": gain,
                "from_plan": True,
                "n_sites": len(sites),
            }
            ev.tables["plan_sites"] = sites
            if gain is not None:
                self.fig(
                    "new_site_gain",
                    f"Residents {len(sites)} recommended new service point(s) would bring "
                    "within reach",
                    float(gain),
                    "residents",
                    sources,
                    "From the newest planning run.",
                    plan.command or "libpolis plan",
                )
            return
        ev.missing["plan"] = (
            "no planning results: run `libpolis plan --objective coverage --sites 3` for sites "
            "chosen on the street network; the brief shows a one-site straight-line estimate"
        )
        radius = main if unit == "m" else main * 80.0  # 80 m/min: walking speed 4.8 km/h
        site = best_new_site(units, cost_col, main, radius_m=radius)
        if site is None:
            return
        ev.facts["new_site"] = {**site, "from_plan": False, "radius_m": radius}
        self.fig(
            "new_site_gain",
            "Residents a new service point at the best unit location would "
            f"bring within {radius:g} m",
            site["residents_gained"],
            "residents",
            sources,
            f"One-site maximal covering choice among the population units farther than "
            f"{main:g} {unit}: the unit whose {radius:g} m straight-line radius holds the most "
            "unserved residents.",
            "libpolis report brief",
        )

    def _age_groups(self, runs: list[Run], main: float, unit: str) -> None:
        """Coverage by age band from the newest access run that has it."""
        for r in runs:
            bands = _result(self.engine, f"{r.step}_bands")
            if bands is None or bands.empty:
                continue
            runit = r.summary.get("unit", "m")
            tcol = "threshold_m" if runit == "m" else "threshold_min"
            if tcol not in bands:
                continue
            ts = sorted(set(bands[tcol].astype(float)))
            limit = main if runit == unit and main in ts else ts[-1]
            part = bands[bands[tcol].astype(float) == limit]
            tab = part[["group", "population", "share"]].rename(columns={"population": "residents"})
            self.ev.tables["age_groups"] = tab.reset_index(drop=True)
            src = str(r.summary.get("population_source", ""))
            self.ev.facts.update(age_source=src, age_limit=limit, age_unit=runit)
            for row in tab.itertuples():
                self.fig(
                    f"age_{row.group}_within",
                    f"Residents aged {row.group} within {limit:g} {runit} of a library",
                    float(row.share),
                    "share",
                    (src, *_sources_of(self.libs)),
                    f"Share of the residents of the age band within {limit:g} {runit} of a "
                    "walk-in library; cells whose bands are all suppressed (99) left out.",
                    r.command,
                )
            return
        pop = read_table(self.engine, "population_unit", columns=["attrs"])
        has_ages = any(
            isinstance(a, dict) and any(_AGE_ATTR.match(k) for k in a) for a in pop["attrs"]
        )
        self.ev.missing["age"] = (
            "no access results by age group: run `libpolis access --mode straight "
            "--population-source SOURCE --label ages` on the population with age bands"
            if has_ages
            else "the population data has no age groups: import a population file with age "
            "columns (`libpolis import population FILE --attr COLUMN`)"
        )

    # -- alignment -------------------------------------------------------------------------
    def alignment(self) -> None:
        ev = self.ev
        al = _alignments(self.engine)
        if al.empty:
            for topic in ("sdg", "rights", "culture"):
                ev.missing[topic] = (
                    "no alignments of programmes to goals yet: run `libpolis align` (and confirm "
                    "or reject the suggestions)"
                )
            ev.missing["strategy"] = (
                "no city strategy in the workspace: run `libpolis frameworks import-strategy FILE` "
                "then `libpolis align`"
            )
            return
        al = al.copy()
        al["fkind"] = [
            _framework_kind(k, a) for k, a in zip(al["key"], al["framework_attrs"], strict=True)
        ]
        src = ("alignment",)
        ev.facts["alignment_status"] = al["status"].value_counts().to_dict()
        # SDGs: targets roll up to their goal
        sdg = al[al["fkind"] == "sdg"].copy()
        if len(sdg):
            sdg["goal"] = [
                str(p) if isinstance(p, str) and p else str(c).split(".")[0]
                for p, c in zip(sdg["parent_code"], sdg["code"], strict=True)
            ]
            # confirmed sorts before suggested: a pair keeps its strongest status
            sdg = sdg.sort_values("status").drop_duplicates(["programme_id", "goal"])
            ev.facts["sdg_status"] = sdg["status"].value_counts().to_dict()
            rows = []
            for g in [str(i) for i in range(1, 18)]:
                part = sdg[sdg["goal"] == g]
                att = part["attendance"].dropna()
                rows.append(
                    {
                        "goal": g,
                        "programmes": int(part["programme_id"].nunique()),
                        "confirmed": int(
                            part.loc[part["status"] == "confirmed", "programme_id"].nunique()
                        ),
                        "attendance": float(att.sum()) if len(att) else None,
                        "examples": list(
                            part.sort_values("score", ascending=False)["title"]
                            .dropna()
                            .unique()[:3]
                        ),
                    }
                )
            tab = pd.DataFrame(rows)
            ev.tables["sdg"] = tab
            self.fig(
                "sdg_goals_served",
                "SDGs with at least one aligned programme",
                int((tab["programmes"] > 0).sum()),
                "goals of 17",
                src,
                "Count of the 17 SDGs with at least one suggested or confirmed programme "
                "alignment (targets counted under their goal; rejected ones left out).",
                "libpolis align",
            )
            self.fig(
                "sdg_aligned_programmes",
                "Programmes aligned to at least one SDG",
                int(sdg["programme_id"].nunique()),
                "programmes",
                src,
                "Programmes with a suggested or confirmed SDG alignment.",
                "libpolis align",
            )
        else:
            ev.missing["sdg"] = "no programme is aligned to the SDGs yet: run `libpolis align`"
        # rights
        rights = al[al["fkind"] == "rights"]
        codes = sorted(
            set(FOCUS_ARTICLES) | set(rights["code"].astype(str)), key=lambda c: (len(c), c)
        )
        rows = []
        for c in codes:
            part = rights[rights["code"].astype(str) == c]
            rows.append(
                {
                    "article": c,
                    "title": part["goal_title"].iloc[0] if len(part) else None,
                    "titles": _titles(part["goal_attrs"].iloc[0]) if len(part) else {},
                    "programmes": int(part["programme_id"].nunique()),
                    "examples": list(
                        part.sort_values("score", ascending=False)["title"].dropna().unique()[:3]
                    ),
                }
            )
        ev.tables["rights"] = pd.DataFrame(rows)
        if len(rights):
            self.fig(
                "udhr_articles",
                "Universal Declaration articles advanced by programmes",
                int(rights["code"].nunique()),
                "articles",
                src,
                "Count of UDHR articles with at least one suggested or confirmed programme "
                "alignment.",
                "libpolis align",
            )
        else:
            ev.missing["rights"] = (
                "no programme is aligned to the Universal Declaration yet: run `libpolis align`"
            )
        # culture 21 and strategies
        for kind in ("culture", "strategy"):
            part = al[al["fkind"] == kind]
            if part.empty:
                ev.missing[kind] = (
                    "no programme is aligned to the Culture 21 Actions commitments yet: run "
                    "`libpolis align`"
                    if kind == "culture"
                    else "no city strategy in the workspace: run `libpolis frameworks import-strategy "
                    "FILE` then `libpolis align`"
                )
                continue
            rows = []
            for (fname, code, title), g in part.groupby(["framework_name", "code", "goal_title"]):
                partners = sorted(
                    {
                        p.strip()
                        for s in g["partners"].dropna()
                        for p in re.split(r"[;,]", str(s))
                        if p.strip()
                    }
                )
                rows.append(
                    {
                        "framework": fname,
                        "code": str(code),
                        "title": title,
                        "titles": _titles(g["goal_attrs"].iloc[0]),
                        "programmes": int(g["programme_id"].nunique()),
                        "examples": list(
                            g.sort_values("score", ascending=False)["title"].dropna().unique()[:3]
                        ),
                        "partners": partners,
                    }
                )
            ev.tables[kind] = (
                pd.DataFrame(rows)
                .sort_values(
                    ["framework", "code"],
                    key=lambda s: s.map(lambda x: (len(x), x) if isinstance(x, str) else x),
                )
                .reset_index(drop=True)
            )

    def partnerships(self) -> None:
        """The partnership register: partners and partnerships with their status."""
        partners = read_table(self.engine, "partner")
        ships = read_table(self.engine, "partnership")
        if len(ships):
            names = partners.set_index("id")["name"] if len(partners) else pd.Series(dtype=str)
            tab = ships[["title", "status", "partner_id", "district"]].copy()
            tab["partner"] = [names.get(i, "") if pd.notna(i) else "" for i in tab["partner_id"]]
            self.ev.tables["partnerships"] = tab.drop(columns="partner_id").reset_index(drop=True)
            counts = ships["status"].value_counts()
            for status, n in counts.items():
                self.fig(
                    f"partnerships_{status}",
                    f"Partnerships with status {status}",
                    int(n),
                    "partnerships",
                    _sources_of(ships),
                    f"Count of partnership records whose status is {status!r}.",
                    "libpolis status --json",
                )
        if len(partners):
            engaged = set(ships["partner_id"].dropna()) if len(ships) else set()
            free = partners[~partners["id"].isin(engaged)]
            self.ev.tables["partners_without_partnership"] = free[["name", "kind"]].reset_index(
                drop=True
            )

    def runs(self) -> None:
        with session_scope(self.engine) as session:
            rows = session.scalars(select(Run).order_by(Run.id)).all()
            newest: dict[str, dict[str, Any]] = {}
            for r in rows:
                newest[r.step] = {
                    "step": r.step,
                    "command": r.command,
                    "created_at": str(r.created_at),
                }
        self.ev.runs = list(newest.values())


def assemble_evidence(engine: Engine, *, area: str = "the city") -> Evidence:
    """Collect every figure the workspace supports; say what is missing and how to add it."""
    b = _Builder(engine, area)
    ds = datasets(engine)
    b.ev.sources = (
        ds[["source", "kind", "publisher", "licence", "attribution", "rows", "imported_at"]]
        if len(ds)
        else pd.DataFrame(
            columns=["source", "kind", "publisher", "licence", "attribution", "rows", "imported_at"]
        )
    )
    b.libraries()
    b.statistics()
    b.programmes()
    b.access()
    b.alignment()
    b.partnerships()
    b.runs()
    return b.ev
