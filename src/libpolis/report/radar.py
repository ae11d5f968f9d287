"""A radar chart as a self-contained SVG: one axis per item, one polygon per series.

Used for the Culture 21 Actions self-assessment (one axis per commitment, one polygon per
assessed year). Colours are the Okabe–Ito palette (distinguishable with the common forms of
colour blindness), and each series also has its own dash pattern and vertex marker shape, so
colour is never the only cue. The SVG carries a ``<title>`` and a ``<desc>`` listing every
value (its text alternative); pages show the same values as a table beside it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from markupsafe import escape

__all__ = ["RADIUS", "SERIES_COLOURS", "radar_svg", "vertex"]

#: Radius of the outer ring (the top of the scale), in SVG user units.
RADIUS = 120.0
_CX, _CY = 300.0, 200.0
SERIES_COLOURS: tuple[str, ...] = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00")
_DASHES: tuple[str, ...] = ("", "6 3", "2 2", "8 3 2 3", "1 3")


def vertex(i: int, n: int, value: float | None, top: float) -> tuple[float, float]:
    """The point of axis ``i`` of ``n`` at ``value`` on a scale 0..``top`` (axis 0 points up,
    the axes turn clockwise); an empty value sits at the centre."""
    r = 0.0 if value is None else RADIUS * max(0.0, min(float(value), top)) / top
    a = -math.pi / 2 + 2 * math.pi * i / n
    return _CX + r * math.cos(a), _CY + r * math.sin(a)


def radar_svg(
    axes: Sequence[str],
    series: Mapping[str, Sequence[float | None]],
    *,
    top: float,
    title: str,
    rings: Sequence[float] = (),
    empty: str = "not rated",
) -> str:
    """An SVG radar chart.

    Parameters
    ----------
    axes : sequence of str
        Axis labels, clockwise from the top.
    series : mapping of str to sequence of float or None
        One polygon per entry (e.g. per year), one value per axis; None is drawn at the centre
        and written as ``empty`` in the description.
    top : float
        The value at the outer ring.
    title : str
        The chart's title (its accessible name).
    rings : sequence of float
        Values at which to draw guide rings.
    """
    n = len(axes)
    out = [
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 600 430" width="600" height="430" role="img" '
        'aria-labelledby="radar-title radar-desc" class="radar">',
        f'<title id="radar-title">{escape(title)}</title>',
    ]
    desc = []
    for name, values in series.items():
        parts = [
            f"{ax}: {empty if v is None else f'{v:.1f}'}" for ax, v in zip(axes, values, strict=True)
        ]
        desc.append(f"{name} — " + "; ".join(parts))
    out.append(f'<desc id="radar-desc">{escape(". ".join(desc))}</desc>')
    for ring in (*rings, top):
        pts = " ".join(f"{x:.2f},{y:.2f}" for x, y in (vertex(i, n, ring, top) for i in range(n)))
        out.append(f'<polygon class="ring" points="{pts}" fill="none" stroke="#bbbbbb"/>')
    for i, ax in enumerate(axes):
        x, y = vertex(i, n, top, top)
        out.append(
            f'<line x1="{_CX}" y1="{_CY}" x2="{x:.2f}" y2="{y:.2f}" stroke="#dddddd"/>'
        )
        lx, ly = _label_at(i, n)
        anchor = "middle" if abs(lx - _CX) < 20 else ("start" if lx > _CX else "end")
        out.append(
            f'<text x="{lx:.1f}" y="{ly:.1f}" font-size="11" text-anchor="{anchor}" '
            f'fill="#1a1a1a">{escape(ax)}</text>'
        )
    for k, (name, values) in enumerate(series.items()):
        colour = SERIES_COLOURS[k % len(SERIES_COLOURS)]
        dash = _DASHES[k % len(_DASHES)]
        pts = [vertex(i, n, v, top) for i, v in enumerate(values)]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(
            f'<polygon class="series" data-series="{escape(name)}" points="'
            + " ".join(f"{x:.2f},{y:.2f}" for x, y in pts)
            + f'" fill="{colour}" fill-opacity="0.12" stroke="{colour}" stroke-width="2"'
            f"{dash_attr}/>"
        )
        for x, y in pts:
            out.append(_marker(k, x, y, colour))
        ly = 395 + 14 * (k // 3)
        lx = 120 + 130 * (k % 3)
        out.append(
            f'<line x1="{lx}" y1="{ly}" x2="{lx + 24}" y2="{ly}" stroke="{colour}" '
            f'stroke-width="2"{dash_attr}/>{_marker(k, lx + 12, ly, colour)}'
            f'<text x="{lx + 30}" y="{ly + 4}" font-size="11">{escape(name)}</text>'
        )
    out.append("</svg>")
    return "\n".join(out)


def _label_at(i: int, n: int) -> tuple[float, float]:
    a = -math.pi / 2 + 2 * math.pi * i / n
    r = RADIUS + 16
    return _CX + r * math.cos(a), _CY + r * math.sin(a) + 4


def _marker(k: int, x: float, y: float, colour: str) -> str:
    """A vertex marker whose shape differs per series (circle, square, triangle, ...)."""
    shape = k % 3
    if shape == 0:
        return f'<circle cx="{x:.2f}" cy="{y:.2f}" r="3.5" fill="{colour}"/>'
    if shape == 1:
        return f'<rect x="{x - 3.5:.2f}" y="{y - 3.5:.2f}" width="7" height="7" fill="{colour}"/>'
    return (
        f'<path d="M{x:.2f},{y - 4.5:.2f} L{x + 4:.2f},{y + 3:.2f} L{x - 4:.2f},{y + 3:.2f} Z" '
        f'fill="{colour}"/>'
    )
