"""The human-rights evidence submission step: the workspace's evidence, organised by right and
written as HTML and PDF by :mod:`libpolis.report.submission`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from libpolis.evidence.rights import rights_evidence
from libpolis.report.submission import render_submission

__all__ = ["run_submission"]


def run_submission(
    engine: Engine,
    out: Path,
    *,
    lang: str = "en",
    formats: Sequence[str] = ("html", "pdf"),
    area: str | None = None,
    today: date | None = None,
) -> dict[str, Any]:
    """Write ``submission[.<lang>].html`` / ``.pdf`` into ``out``; returns what was written,
    the figures cited and the missing topics."""
    ev = rights_evidence(engine, area=area)
    return render_submission(ev, out, lang=lang, formats=formats, today=today)
