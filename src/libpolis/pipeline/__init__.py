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

from importlib import import_module
from typing import TYPE_CHECKING, Any

from libpolis.model import Framework, Objective, TravelMode
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

#: Where each step function lives; loaded on first use, so `libpolis access` does not load
#: the classifier, the solver or the report (PEP 562 module ``__getattr__``).
_LAZY = {
    "run_access": "access",
    "align_text_file": "align",
    "framework_goals": "align",
    "list_frameworks": "align",
    "programme_text": "align",
    "run_align": "align",
    "store_strategy": "align",
    "suggest_for_programme": "align",
    "train_sdg": "align",
    "run_import": "importing",
    "use_population": "importing",
    "AGE_BANDS": "inputs",
    "load_libraries": "inputs",
    "load_population": "inputs",
    "load_venues": "inputs",
    "points_gdf": "inputs",
    "street_network_file": "inputs",
    "run_plan": "plan",
    "evidence_of": "report",
    "run_report": "report",
}

if TYPE_CHECKING:
    from libpolis.exports import export_result
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
    from libpolis.pipeline.importing import run_import, use_population
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


def __getattr__(name: str) -> Any:
    if name == "export_result":
        return import_module("libpolis.exports").export_result
    if name in _LAZY:
        return getattr(import_module(f"libpolis.pipeline.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'libpolis.pipeline' has no attribute {name!r}")


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
    "use_population",
]
