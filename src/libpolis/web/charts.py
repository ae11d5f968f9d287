"""Small charts drawn on the server as inline SVG: the trend of an indicator's measurements.

Pure functions of plain values, no plotting library: the SVG is a few dozen elements, carries a
``<title>`` and ``<desc>`` (read by screen readers; the page also shows the values as a table)
and does not rely on colour alone: the target is a dashed line and the baseline a dotted one,
each labelled in text; colours are from the Okabe-Ito palette (safe for colour-blind readers).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from html import escape

from markupsafe import Markup

from libpolis.evidence.format import NumberFormat

__all__ = ["trend_svg"]

_W, _H = 360, 150
_LEFT, _RIGHT, _TOP, _BOTTOM = 52, 70, 12, 26
_LINE = "#0072B2"  # Okabe-Ito blue
_TARGET = "#D55E00"  # Okabe-Ito vermilion
_BASE = "#555555"


def trend_svg(
    points: Sequence[tuple[date, float]],
    *,
    title: str,
    unit: str = "",
    baseline: float | None = None,
    target: float | None = None,
    fmt: NumberFormat | None = None,
    labels: dict[str, str] | None = None,
    chart_id: str = "trend",
) -> Markup:
    """An SVG line chart of ``points`` (date, value), oldest first, with the ``baseline`` and
    ``target`` as horizontal lines.

    ``labels`` gives the translated words ``target``, ``baseline`` and ``desc`` (a sentence
    with ``{n}``, ``{first}``, ``{last}``, ``{value}`` placeholders). Returns markup safe to put
    in a page: every text in it is escaped.
    """
    nf = fmt or NumberFormat("en")
    words = {
        "target": "target",
        "baseline": "baseline",
        "desc": "{n} measurements from {first} to {last}; latest value {value}.",
        **{k: str(v) for k, v in (labels or {}).items()},  # plain text: escaped below
    }
    pts = sorted(points, key=lambda p: p[0])
    values = [v for _, v in pts] + [x for x in (baseline, target) if x is not None]
    if not pts:
        return Markup("")
    lo, hi = min(values), max(values)
    if hi == lo:
        lo, hi = lo - 1, hi + 1
    pad = (hi - lo) * 0.08
    lo, hi = lo - pad, hi + pad
    d0, d1 = pts[0][0].toordinal(), pts[-1][0].toordinal()
    span = max(d1 - d0, 1)
    plot_w, plot_h = _W - _LEFT - _RIGHT, _H - _TOP - _BOTTOM

    def x(d: date) -> float:
        if d1 == d0:
            return _LEFT + plot_w / 2
        return _LEFT + (d.toordinal() - d0) / span * plot_w

    def y(v: float) -> float:
        return _TOP + (hi - v) / (hi - lo) * plot_h

    def num(v: float) -> str:
        return nf.num(v, 0) if float(v).is_integer() else nf.num(v, 1)

    unit_txt = f" {unit}" if unit else ""
    desc = words["desc"].format(
        n=len(pts),
        first=nf.date(pts[0][0]),
        last=nf.date(pts[-1][0]),
        value=num(pts[-1][1]) + unit_txt,
    )
    tid, did = f"{chart_id}-title", f"{chart_id}-desc"
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="trend" role="img" '
        f'viewBox="0 0 {_W} {_H}" width="{_W}" height="{_H}" '
        f'aria-labelledby="{tid} {did}">',
        f'<title id="{tid}">{escape(title)}</title>',
        f'<desc id="{did}">{escape(desc)}</desc>',
        f'<line x1="{_LEFT}" y1="{_TOP + plot_h}" x2="{_LEFT + plot_w}" y2="{_TOP + plot_h}" '
        'stroke="#999" stroke-width="1"/>',
        f'<text x="{_LEFT - 4}" y="{y(hi - pad) + 4:.1f}" text-anchor="end" '
        f'font-size="10">{escape(num(hi - pad))}</text>',
        f'<text x="{_LEFT - 4}" y="{y(lo + pad) + 4:.1f}" text-anchor="end" '
        f'font-size="10">{escape(num(lo + pad))}</text>',
        f'<text x="{_LEFT}" y="{_H - 6}" font-size="10">{escape(nf.date(pts[0][0], "medium"))}</text>',
    ]
    if d1 != d0:
        out.append(
            f'<text x="{_LEFT + plot_w}" y="{_H - 6}" text-anchor="end" font-size="10">'
            f"{escape(nf.date(pts[-1][0], 'medium'))}</text>"
        )
    for value, colour, dash, word in (
        (target, _TARGET, "6 4", words["target"]),
        (baseline, _BASE, "2 3", words["baseline"]),
    ):
        if value is None:
            continue
        yy = y(value)
        out.append(
            f'<line x1="{_LEFT}" y1="{yy:.1f}" x2="{_LEFT + plot_w}" y2="{yy:.1f}" '
            f'stroke="{colour}" stroke-width="1.5" stroke-dasharray="{dash}"/>'
        )
        out.append(
            f'<text x="{_LEFT + plot_w + 4}" y="{yy + 4:.1f}" font-size="10" fill="{colour}">'
            f"{escape(word)} {escape(num(value))}</text>"
        )
    coords = " ".join(f"{x(d):.1f},{y(v):.1f}" for d, v in pts)
    out.append(
        f'<polyline points="{coords}" fill="none" stroke="{_LINE}" stroke-width="2.5"/>'
    )
    for d, v in pts:
        out.append(
            f'<circle cx="{x(d):.1f}" cy="{y(v):.1f}" r="3.5" fill="{_LINE}">'
            f"<title>{escape(nf.date(d))}: {escape(num(v) + unit_txt)}</title></circle>"
        )
    out.append("</svg>")
    return Markup("".join(out))
