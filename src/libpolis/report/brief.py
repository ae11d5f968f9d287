"""Render the city brief from the evidence."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from sqlalchemy import Engine

from libpolis.evidence import Evidence, Figure, assemble_evidence
from libpolis.report.maps import access_map_svg
from libpolis.store import read_table

__all__ = ["format_figure", "render_brief_html", "write_atomic", "write_brief"]

_HEADLINE = [
    "libraries",
    "venues",
    "residents",
    "coverage_500m",
    "coverage_1000m",
    "mean_dist_m",
    "share_nearest_culture_library",
]


def format_figure(f: Figure) -> str:
    """The value as shown to people (English formatting)."""
    if f.value is None:
        return "n/a"
    if f.unit == "share":
        return f"{100 * float(f.value):.1f} %"
    if f.unit == "m":
        return f"{float(f.value):,.0f} m"
    return f"{float(f.value):,.0f}"


def _fmt(v: Any, unit: str = "") -> str:
    if v is None:
        return "n/a"
    if unit == "share":
        return f"{100 * float(v):.1f} %"
    return f"{float(v):,.0f}"


def render_brief_html(ev: Evidence, *, map_svg: str, title: str, subtitle: str) -> str:
    """The brief as one self-contained HTML page."""
    env = Environment(
        loader=PackageLoader("libpolis.report", "templates"), autoescape=select_autoescape()
    )
    figs = [{**f.as_dict(), "display": format_figure(f)} for f in ev.figures.values()]
    by_key = {f["key"]: f for f in figs}
    districts = ev.tables.get("districts")
    thresholds = sorted(
        {
            int(c[7:-1])
            for c in (districts.columns if districts is not None else [])
            if c.startswith("within_")
        }
    )
    drows = []
    if districts is not None:
        for r in districts.sort_values("district").to_dict("records"):
            drows.append(
                {
                    "district": r["district"],
                    "residents": _fmt(r["residents"]),
                    "mean_dist_m": _fmt(r["mean_dist_m"]),
                    **{f"within_{t}m": _fmt(r[f"within_{t}m"], "share") for t in thresholds},
                }
            )
    kinds = ev.tables.get("library_kinds")
    vkinds = ev.tables.get("venue_kinds")
    return env.get_template("brief.html").render(
        lang="en",
        title=title,
        subtitle=subtitle,
        headline=[by_key[k] for k in _HEADLINE if k in by_key],
        all_figures=figs,
        missing=ev.missing,
        map_svg=map_svg,
        districts=drows,
        thresholds=thresholds,
        kinds=kinds.to_dict("records") if kinds is not None else [],
        venue_kinds=vkinds.to_dict("records") if vkinds is not None else [],
        sources=ev.sources.to_dict("records"),
    )


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write a file so readers see the old or the new content, never half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data.encode() if isinstance(data, str) else data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_brief(engine: Engine, out_dir: Path, *, title: str, subtitle: str) -> dict[str, Any]:
    """Assemble the evidence, render the HTML brief into ``out_dir``; return what was written."""
    ev = assemble_evidence(engine)
    units = ev.tables.get("access_units")
    map_svg = ""
    if units is not None and len(units):
        from libpolis.pipeline import load_libraries

        areas = read_table(engine, "area")
        map_svg = access_map_svg(
            units, load_libraries(engine), areas[areas["kind"] == "district"], title=title
        )
    html = render_brief_html(ev, map_svg=map_svg, title=title, subtitle=subtitle)
    target = Path(out_dir) / "brief.html"
    write_atomic(target, html)
    return {"html": str(target), "figures": {k: f.value for k, f in ev.figures.items()}}
