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
:func:`run_scenario` :class:`ScenarioRequest` closure, longer hours, mobile stops;
                                           ``scenario_<label>_*``
:func:`run_indicators` :class:`IndicatorsRequest` Library Map of the World indicators of a
                                           national file; ``indicators_<label>_*``
:func:`run_benchmark` :class:`BenchmarkRequest` a library system against its peers;
                                           ``benchmark_<label>_*``
==================  ====================  ===================================================

:mod:`libpolis.pipeline.outputs` lists, shows and exports what a workspace holds
(:func:`list_items`, :func:`show_item`, :func:`export_named`, :func:`workspace_status`).

Modes, objectives and frameworks are the enums of :mod:`libpolis.model`.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from libpolis._heap import loading_modules
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
    ScenarioKind,
    ScenarioRequest,
    ScenarioResult,
)

#: Where each step function lives; loaded on first use, so `libpolis access` does not load
#: the classifier, the solver or the report (PEP 562 module ``__getattr__``).
_LAZY = {
    "run_access": "access",
    "align_text_file": "align",
    "framework_goals": "align",
    "list_frameworks": "align",
    "programme_suggestions": "align",
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
    "run_scenario": "scenarios",
    "LIST_KINDS": "outputs",
    "export_named": "outputs",
    "export_partitioned": "outputs",
    "export_result": "outputs",
    "format_of": "outputs",
    "list_items": "outputs",
    "show_item": "outputs",
    "workspace_status": "outputs",
    "evidence_of": "report",
    "BenchmarkRequest": "indicators",
    "IndicatorsRequest": "indicators",
    "PeerRule": "indicators",
    "run_benchmark": "indicators",
    "run_indicators": "indicators",
    "run_report": "report",
}

if TYPE_CHECKING:
    from libpolis.pipeline.access import run_access
    from libpolis.pipeline.align import (
        align_text_file,
        framework_goals,
        list_frameworks,
        programme_suggestions,
        programme_text,
        run_align,
        store_strategy,
        suggest_for_programme,
        train_sdg,
    )
    from libpolis.pipeline.importing import run_import, use_population
    from libpolis.pipeline.indicators import (
        BenchmarkRequest,
        IndicatorsRequest,
        PeerRule,
        run_benchmark,
        run_indicators,
    )
    from libpolis.pipeline.inputs import (
        AGE_BANDS,
        load_libraries,
        load_population,
        load_venues,
        points_gdf,
        street_network_file,
    )
    from libpolis.pipeline.outputs import (
        LIST_KINDS,
        export_named,
        export_partitioned,
        export_result,
        format_of,
        list_items,
        show_item,
        workspace_status,
    )
    from libpolis.pipeline.plan import run_plan
    from libpolis.pipeline.report import evidence_of, run_report
    from libpolis.pipeline.scenarios import run_scenario


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        with loading_modules():
            module = import_module(f"libpolis.pipeline.{_LAZY[name]}")
        return getattr(module, name)
    raise AttributeError(f"module 'libpolis.pipeline' has no attribute {name!r}")


__all__ = [
    "AGE_BANDS",
    "LIST_KINDS",
    "AccessRequest",
    "AccessResult",
    "AlignRequest",
    "AlignResult",
    "BenchmarkRequest",
    "Framework",
    "ImportKind",
    "ImportRequest",
    "ImportResult",
    "IndicatorsRequest",
    "Objective",
    "PeerRule",
    "PlanRequest",
    "PlanResult",
    "ReportRequest",
    "ReportResult",
    "ScenarioKind",
    "ScenarioRequest",
    "ScenarioResult",
    "TravelMode",
    "align_text_file",
    "evidence_of",
    "export_named",
    "export_partitioned",
    "export_result",
    "format_of",
    "framework_goals",
    "list_frameworks",
    "list_items",
    "load_libraries",
    "load_population",
    "load_venues",
    "points_gdf",
    "programme_suggestions",
    "programme_text",
    "run_access",
    "run_align",
    "run_benchmark",
    "run_import",
    "run_indicators",
    "run_plan",
    "run_report",
    "run_scenario",
    "show_item",
    "store_strategy",
    "street_network_file",
    "suggest_for_programme",
    "train_sdg",
    "use_population",
    "workspace_status",
]
