"""The one place steps run: read the store, call the pure analysis, write the results.

Every face (the CLI, the demo, the web app, the Dask engine) calls these and nothing else
runs an analysis:

==================  ====================  ===================================================
function            request               what it does
==================  ====================  ===================================================
:func:`run_import`  :class:`ImportRequest` read one open-data file, store it in one transaction
:func:`run_access`  :class:`AccessRequest` access to the nearest library, coverage, equity,
                                           E2SFCA; result tables ``access_<label>_*``
:func:`run_plan`    :class:`PlanRequest`   new sites (MCLP / p-median); ``plan_<label>_*``
:func:`run_align`   :class:`AlignRequest`  programmes to SDGs, rights, Culture 21, strategies
:func:`run_report`  :class:`ReportRequest` the evidence rendered as the city brief
==================  ====================  ===================================================

Modes, objectives and frameworks are the enums of :mod:`libpolis.model`.
"""

from __future__ import annotations

from libpolis.exports import export_result
from libpolis.model import Framework, Objective, TravelMode
from libpolis.pipeline.access import run_access
from libpolis.pipeline.align import (
    align_text_file,
    framework_goals,
    list_frameworks,
    programme_text,
    run_align,
    store_strategy,
    suggest_for_programme,
    train_sdg,
)
from libpolis.pipeline.importing import run_import
from libpolis.pipeline.inputs import (
    AGE_BANDS,
    load_libraries,
    load_population,
    load_venues,
    points_gdf,
    street_network_file,
)
from libpolis.pipeline.plan import run_plan
from libpolis.pipeline.report import evidence_of, run_report
from libpolis.pipeline.requests import (
    AccessRequest,
    AccessResult,
    AlignRequest,
    AlignResult,
    ImportKind,
    ImportRequest,
    ImportResult,
    PlanRequest,
    PlanResult,
    ReportRequest,
    ReportResult,
)

__all__ = [
    "AGE_BANDS",
    "AccessRequest",
    "AccessResult",
    "AlignRequest",
    "AlignResult",
    "Framework",
    "ImportKind",
    "ImportRequest",
    "ImportResult",
    "Objective",
    "PlanRequest",
    "PlanResult",
    "ReportRequest",
    "ReportResult",
    "TravelMode",
    "align_text_file",
    "evidence_of",
    "export_result",
    "framework_goals",
    "list_frameworks",
    "load_libraries",
    "load_population",
    "load_venues",
    "points_gdf",
    "programme_text",
    "run_access",
    "run_align",
    "run_import",
    "run_plan",
    "run_report",
    "store_strategy",
    "street_network_file",
    "suggest_for_programme",
    "train_sdg",
]
