"""Recommendations built from the evidence. Each is a :class:`Recommendation`: a text key the
brief and the web translate, the figures it rests on and the values its sentence needs. A
recommendation is made only when its figures support it."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from libpolis.evidence.figures import Evidence

__all__ = ["GATEWAY_SHARE", "MAX_RECOMMENDATIONS", "Recommendation", "recommend"]

#: The share of residents whose nearest cultural venue is a library above which the brief
#: recommends making the library the city's cultural gateway.
GATEWAY_SHARE = 0.5

#: How many recommendations the summary gives at most.
MAX_RECOMMENDATIONS = 3

#: SDGs the libraries' partnerships with the city most directly serve (reported as gaps).
_CITY_GOALS = ("10", "11", "16", "17")


@dataclass(frozen=True)
class Recommendation:
    """One recommendation: ``key`` names its text, ``figures`` the figure keys it rests on,
    ``params`` the values its sentence shows (numbers unformatted)."""

    key: str
    figures: tuple[str, ...]
    params: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _reach(ev: Evidence) -> Recommendation | None:
    """Reach the least-served district first (or, without districts, the gaps on the map)."""
    f = ev.facts
    site = f.get("new_site") or {}
    site_p = {}
    figs: list[str] = []
    if site.get("residents_gained"):
        figs.append("new_site_gain")
        site_p = {
            "site_gain": site["residents_gained"],
            "site_lat": site["lat"],
            "site_lon": site["lon"],
            "site_n": site.get("n_sites", 1),
            "site_from_plan": bool(site.get("from_plan")),
            "site_mode": site.get("mode"),
            "site_mode_differs": bool(site.get("mode_differs")),
            "site_district": site.get("district"),
            "site_within_min": site.get("within_min"),
            "site_radius_m": site.get("radius_m"),
        }
    common = {"t": f.get("main_threshold"), "unit": ev.headline_unit, "mode": ev.headline_mode}
    if "worst_district" in f and ev.value("worst_district_unserved"):
        return Recommendation(
            "reach_district",
            ("worst_district_unserved", "worst_district_coverage", *figs),
            {
                **common,
                "district": f["worst_district"],
                "unserved": ev.value("worst_district_unserved"),
                "share": ev.value("worst_district_coverage"),
                **site_p,
            },
        )
    if ev.value("underserved_residents"):
        return Recommendation(
            "reach_gaps",
            ("underserved_residents", *figs),
            {**common, "unserved": ev.value("underserved_residents"), **site_p},
        )
    return None


def _sunday(ev: Evidence) -> Recommendation | None:
    cat = ev.tables.get("library_catchments")
    if cat is None or not len(cat) or not cat["open_sundays"].notna().any():
        return None
    closed = cat[cat["open_sundays"] == False]  # noqa: E712 (None means unknown)
    flags = ev.tables.get("service_flags")
    if not len(closed) or flags is None or "open_sundays" not in set(flags["flag"]):
        return None
    top = closed.iloc[0]
    of = int(flags.loc[flags["flag"] == "open_sundays", "of"].iloc[0])
    return Recommendation(
        "sunday_opening",
        ("libraries_open_sundays",),
        {
            "n": ev.value("libraries_open_sundays"),
            "of": of,
            "name": str(top["name"]),
            "residents": float(top["residents"]),
            "mode": ev.headline_mode,
        },
    )


def _sdg(ev: Evidence) -> Recommendation | None:
    sdg = ev.tables.get("sdg")
    if sdg is None or not len(sdg) or int(sdg["programmes"].max()) == 0:
        return None
    top = sdg.sort_values("programmes", ascending=False).iloc[0]
    gaps = [g for g in _CITY_GOALS if int(sdg.loc[sdg["goal"] == g, "programmes"].iloc[0]) == 0]
    return Recommendation(
        "sdg_story",
        ("sdg_goals_served", "sdg_aligned_programmes"),
        {"goal": str(top["goal"]), "n": int(top["programmes"]), "gaps": gaps},
    )


def _gateway(ev: Evidence) -> Recommendation | None:
    share = ev.value("share_nearest_culture_library")
    if share is None or share < GATEWAY_SHARE:
        return None
    vev = ev.tables.get("venue_events")
    params: dict[str, Any] = {"share": share, "mode": ev.headline_mode}
    if vev is not None and len(vev):
        params.update(venue=str(vev.iloc[0]["name"]), venue_events=float(vev.iloc[0]["n_events"]))
    return Recommendation("cultural_gateway", ("share_nearest_culture_library",), params)


def _record(ev: Evidence) -> Recommendation | None:
    """Record attendance and partners, and align the programmes, when any of it is missing."""
    if not {"programmes", "attendance", "partners", "sdg"} & set(ev.missing):
        return None
    if "programmes" in ev.missing:
        return Recommendation("record_programmes", ("programmes",), {})
    return Recommendation(
        "record_evidence",
        ("programmes", "programmes_with_partners"),
        {
            "n": ev.value("programmes") or 0,
            "attendance": ev.value("programme_attendance"),
            "partners": ev.value("programmes_with_partners") or 0,
        },
    )


def _inputs(ev: Evidence) -> Recommendation | None:
    """What to import first when access cannot be measured: the libraries or the residents."""
    need = ev.facts.get("access_needs")
    if need == "libraries":
        return Recommendation("import_libraries", ("walk_in_libraries",), {})
    if need == "population":
        return Recommendation("import_population", ("walk_in_libraries",),
                              {"n": ev.value("walk_in_libraries") or 0})  # fmt: skip
    return None


def recommend(ev: Evidence) -> list[Recommendation]:
    """At most :data:`MAX_RECOMMENDATIONS` recommendations the evidence supports, the most
    pressing first; one asking for data when nothing else can be said."""
    out = [
        r
        for r in (_inputs(ev), _reach(ev), _sunday(ev), _sdg(ev), _gateway(ev), _record(ev))
        if r is not None
    ]
    if not out:
        out.append(Recommendation("import_data", (), {}))
    return out[:MAX_RECOMMENDATIONS]
