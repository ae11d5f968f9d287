"""Charts of the brief as inline SVG (matplotlib, Okabe-Ito colour-blind-safe palette)."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.ticker import FuncFormatter

__all__ = ["BLUE", "ORANGE", "SKY", "VERMILION", "bar_svg", "coverage_curve_svg", "svg_of"]

# Okabe-Ito palette (colour-blind safe); text stays near-black for contrast
BLUE, ORANGE, SKY, VERMILION = "#0072B2", "#E69F00", "#56B4E9", "#D55E00"
_TEXT = "#1a1a1a"

plt.rcParams.update(
    {
        "svg.fonttype": "path",
        "svg.hashsalt": "libpolis",  # stable ids: the same data gives the same SVG
        "font.size": 9,
        "text.color": _TEXT,
        "axes.labelcolor": _TEXT,
        "xtick.color": _TEXT,
        "ytick.color": _TEXT,
        "axes.spines.top": False,
        "axes.spines.right": False,
    }
)


def svg_of(fig: plt.Figure) -> str:
    """The figure as an ``<svg>`` element (no XML prolog), then closed."""
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    svg = buf.getvalue()
    return svg[svg.index("<svg") :]


def coverage_curve_svg(
    curve: pd.DataFrame,
    *,
    xlabel: str,
    ylabel: str,
    marks: Sequence[float],
    fmt_pct: Callable[[float], str],
    fmt_x: Callable[[float], str],
) -> str:
    """Share of residents within reach (``share``) against the threshold (``threshold``)."""
    fig, ax = plt.subplots(figsize=(6.5, 3.2), dpi=100)
    ax.plot(curve["threshold"], curve["share"], color=BLUE, linewidth=2)
    for t in marks:
        share = float(curve.loc[curve["threshold"] <= t, "share"].iloc[-1])
        ax.axvline(t, color="#777777", linewidth=0.6, linestyle=":")
        ax.annotate(
            fmt_pct(share), (t, share), textcoords="offset points", xytext=(4, -12), fontsize=8
        )
    ax.set_ylim(0, 1.02)
    ax.set_xlim(0, float(curve["threshold"].max()))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt_pct(v)))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt_x(v)))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(axis="y", color="#dddddd", linewidth=0.5)
    return svg_of(fig)


def _bars(
    ax: plt.Axes, y: list[int], values: Sequence[float], fmt: Callable[[float], str], color: str
) -> float:
    ax.barh(y, values, color=color, height=0.7)
    top = max([*values, 1e-9])
    for yi, v in zip(y, values, strict=True):
        ax.text(v + top * 0.01, yi, fmt(v), va="center", fontsize=8)
    return top


def bar_svg(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    xlabel: str,
    fmt: Callable[[float], str],
    share: bool,
    values2: Sequence[float] | None = None,
    xlabel2: str = "",
) -> str:
    """Horizontal bars in the given order (top to bottom), each labelled with its value; with
    ``values2``, a second panel on the same rows (e.g. attendance beside programmes)."""
    n = len(labels)
    ncols = 1 if values2 is None else 2
    fig, axes = plt.subplots(
        1,
        ncols,
        figsize=(6.5 if ncols == 1 else 7.5, 0.28 * n + 0.8),
        dpi=100,
        sharey=True,
        squeeze=False,
    )
    ax = axes[0][0]
    y = list(range(n))[::-1]
    top = _bars(ax, y, values, fmt, BLUE)
    ax.set_yticks(y, labels)
    ax.set_xlim(0, 1.0 if share else top * 1.15 + 0.5)
    if share:
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt(v)))
    else:
        ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_xlabel(xlabel)
    if values2 is not None:
        ax2 = axes[0][1]
        top2 = _bars(ax2, y, values2, fmt, ORANGE)
        ax2.set_xlim(0, top2 * 1.25 + 0.5)
        ax2.xaxis.get_major_locator().set_params(integer=True)
        ax2.set_xlabel(xlabel2)
        ax2.tick_params(axis="y", length=0)
    return svg_of(fig)
