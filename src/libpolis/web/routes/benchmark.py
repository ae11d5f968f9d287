"""How the city's library system compares with its peers: ``GET /benchmark`` (page) and
``GET /api/benchmark`` (JSON).

Peers are other library systems of the stored library statistics (``libpolis indicators
lmw``: the IMLS PLS or a national file) chosen by a :class:`~libpolis.stats.peers.PeerRule`
that a person adjusts on the page (population factor, locale rule, budget factor) and reads in
words. The comparison is :func:`libpolis.pipeline.indicators.compare_peers`, the same function
``libpolis benchmark peers`` stores for the brief; here nothing is stored. The figures come from
published statistics, so everyone may read them.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from libpolis.errors import DataError, NotFoundError
from libpolis.evidence.peers import NO_PEER_FILE
from libpolis.report.i18n import N_
from libpolis.web.openapi import errors
from libpolis.web.routes._common import render

__all__ = ["MEASURE_LABELS", "PeerQuery", "pages", "router"]

router = APIRouter(prefix="/api", tags=["benchmark"])
pages = APIRouter(include_in_schema=False)

#: The measures in people's words (translated on the page).
MEASURE_LABELS: dict[str, str] = {
    "visits_per_capita": N_("Visits per resident"),
    "loans_per_capita": N_("Loans per resident"),
    "programmes_per_1000": N_("Programmes per 1,000 residents"),
    "attendance_per_capita": N_("Programme attendances per resident"),
    "budget_per_capita": N_("Operating expenditure per resident"),
}


class PeerQuery(BaseModel):
    """Which system to compare and how its peers are chosen (all optional)."""

    system: str | None = Field(
        None, max_length=64, description="Library system id (default: the workspace's own)."
    )
    population_factor: float = Field(
        2.0, ge=0, le=1000, description="Peers serve between population / f and population x f."
    )
    locale: Literal["exact", "group", "any"] = Field(
        "group", description="Same locale code, same family (city, suburb, town, rural), or any."
    )
    budget_factor: float = Field(
        0.0, ge=0, le=1000, description="Budget per resident within this factor (0: not used)."
    )
    indicators: str = Field("lmw", max_length=24, pattern=r"^[a-z][a-z0-9_]*$")


def _defaults(request: Request, q: PeerQuery, given: set[str]) -> PeerQuery:
    """``q`` with what the request left out taken from the newest stored comparison."""
    from libpolis.pipeline.indicators import stored_benchmark

    s = stored_benchmark(request.app.state.engine)
    if s is None:
        return q
    stored = {
        "system": (s.get("subject") or {}).get("system_id"),
        "population_factor": s.get("population_factor"),
        "locale": s.get("locale_rule"),
        "budget_factor": s.get("budget_factor"),
        "indicators": s.get("indicators"),
    }
    keep = {k: v for k, v in stored.items() if k not in given and v is not None}
    return q.model_copy(update=keep)


def _compare(request: Request, q: PeerQuery) -> dict[str, Any]:
    """The comparison as JSON-ready data, or ``{"missing": why}`` when nothing can be
    compared (no library statistics, or no system of the workspace among them)."""
    from libpolis.pipeline.indicators import BenchmarkRequest, PeerRule, compare_peers
    from libpolis.pipeline.outputs import jsonable, records

    given = set(q.model_fields_set)
    q = _defaults(request, q, given)
    rule = PeerRule(q.population_factor, q.locale, q.budget_factor)
    req = BenchmarkRequest(system=q.system, rule=rule, indicators=q.indicators)
    try:
        summary, measures, peers = compare_peers(request.app.state.engine, req)
    except NotFoundError as exc:
        if q.system is not None and "system" in given:
            raise  # a system the visitor named and the statistics lack: 404
        return {"query": q.model_dump(), "missing": str(exc) or NO_PEER_FILE}
    peers = peers.sort_values("population", ascending=False, kind="stable")
    return {
        "query": q.model_dump(),
        "summary": jsonable({k: v for k, v in summary.items() if k != "measures"}),
        "measures": records(measures),
        "peers": records(peers),
    }


@router.get("/benchmark", responses=errors(404))  # a named system the statistics lack
def api_benchmark(request: Request, q: Annotated[PeerQuery, Query()]) -> dict[str, Any]:
    """The library system against its peers: per measure the system's value, the peers'
    quartiles, its percentile among the peers that report the measure, and the peers; or
    ``missing`` with the commands that add the statistics. Nothing is stored."""
    return _compare(request, q)


@pages.get("/benchmark")
def page_benchmark(request: Request, q: Annotated[PeerQuery, Query()]) -> Any:
    """The benchmark page: the peer rule as a form, the measures as a table and a chart of
    percentiles, and the peers."""
    try:
        data = _compare(request, q)
    except DataError as exc:  # a rule the chosen system cannot meet: said next to the form
        data = {"query": q.model_dump(), "error": str(exc)}
        return render(request, "benchmark.html", exc.status, data=data, labels=MEASURE_LABELS)
    return render(request, "benchmark.html", data=data, labels=MEASURE_LABELS)
