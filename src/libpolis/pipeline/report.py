"""The report step: the evidence read from the workspace, rendered as the city brief."""

from __future__ import annotations

from sqlalchemy import Engine

from libpolis.evidence import Evidence, assemble_evidence
from libpolis.pipeline.requests import ReportRequest, ReportResult
from libpolis.report import brief

__all__ = ["evidence_of", "run_report"]


def evidence_of(engine: Engine, *, area: str | None = None) -> Evidence:
    """Every figure the workspace supports, as the brief, the dashboard and the API show it."""
    return assemble_evidence(engine, area=area)


def run_report(
    engine: Engine, request: ReportRequest | None = None, *, evidence: Evidence | None = None
) -> ReportResult:
    """Write the brief (``brief[.<lang>].html`` / ``.pdf``) into ``request.out``."""
    req = request or ReportRequest()
    ev = evidence if evidence is not None else evidence_of(engine, area=req.area)
    out = brief.render_brief(ev, req.out, lang=req.lang, formats=req.formats, today=req.today)
    files = {k: str(out[k]) for k in ("html", "pdf") if k in out}
    summary = {k: v for k, v in out.items() if k not in files}
    return ReportResult(None, summary, files=files)
