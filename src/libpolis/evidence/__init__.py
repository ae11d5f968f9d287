"""The figures people see, each with its value, unit, mode, scope, sources, method and command.

The brief, the web app and the exports all render the :class:`Evidence` assembled here, so a
number never differs between them and every number can be traced to its source. Evidence
only reads: every figure is one an analysis computed and the pipeline stored.

- :mod:`.figures` — :class:`Figure` and :class:`Evidence`;
- :mod:`.read` — every store read (the only module touching the store);
- :mod:`.headline` — which access run heads the brief, its mode, unit and main threshold;
- :mod:`.venues`, :mod:`.access`, :mod:`.sites`, :mod:`.groups`, :mod:`.alignment`,
  :mod:`.partnerships` — the figures and tables of each topic;
- :mod:`.recommend` — recommendations, each resting on named figures;
- :mod:`.format` — numbers, shares, dates and figure values, shared by the brief and the web.

What is read: the tables ``library``, ``venue``, ``programme``, ``statistic``, ``area``,
``population_unit``, ``dataset``, ``partner``, ``partnership``, ``alignment`` (with ``goal``
and ``framework``); the access runs ``access_<label>`` (summary and the tables ``_units``,
``_curve``, ``_districts``, ``_bands``, ``_income``, ``_culture``, ``_best_site``); the newest
planning run ``plan_<label>`` and its ``_sites``; the newest run of each scenario
``scenario_<label>`` (:mod:`.scenarios`); the newest peer benchmark ``benchmark_<label>``
(:mod:`.peers`). A part that is absent is said so in
``Evidence.missing``, with the command that adds it.
"""

from __future__ import annotations

from sqlalchemy import Engine

from libpolis.evidence.access import add_access
from libpolis.evidence.alignment import add_alignment
from libpolis.evidence.figures import (
    FOCUS_ARTICLES,
    NOT_WALK_IN_KINDS,
    SERVICE_FLAGS,
    Evidence,
    Figure,
)
from libpolis.evidence.format import NumberFormat, display_value
from libpolis.evidence.headline import headline_keys
from libpolis.evidence.partnerships import add_partnerships, add_runs
from libpolis.evidence.peers import add_peers
from libpolis.evidence.programmes import add_programmes
from libpolis.evidence.read import StoreReader
from libpolis.evidence.recommend import Recommendation, recommend
from libpolis.evidence.scenarios import add_scenarios
from libpolis.evidence.venues import add_libraries, add_statistics

__all__ = [
    "FOCUS_ARTICLES",
    "NOT_WALK_IN_KINDS",
    "SERVICE_FLAGS",
    "Evidence",
    "Figure",
    "NumberFormat",
    "Recommendation",
    "assemble_evidence",
    "display_value",
    "headline_keys",
]

#: What the brief says when the workspace has no city name.
NO_PLACE_NAME = 'the workspace has no city name: run `libpolis init --name "City"`'


def assemble_evidence(engine: Engine, *, area: str | None = None) -> Evidence:
    """Collect every figure the workspace supports; say what is missing and how to add it.

    ``area`` names the city; without it the workspace's own name is used
    (``libpolis.store.workspace_name``), and when there is none ``Evidence.place_name`` is
    None and ``Evidence.missing["place_name"]`` says how to set it.
    """
    rd = StoreReader(engine)
    ev = Evidence()
    ev.place_name = (area or "").strip() or rd.workspace_name()
    if ev.place_name is None:
        ev.missing["place_name"] = NO_PLACE_NAME
    ev.sources = rd.datasets()
    add_libraries(ev, rd)
    add_statistics(ev, rd)
    add_programmes(ev, rd)
    add_access(ev, rd)
    add_alignment(ev, rd)
    add_partnerships(ev, rd)
    add_scenarios(ev, rd)
    add_peers(ev, rd)
    add_runs(ev, rd)
    ev.recommendations = recommend(ev)
    return ev
