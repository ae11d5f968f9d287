"""Static maps as inline SVG (readable without JavaScript)."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
import geopandas as gpd
import matplotlib.pyplot as plt
import pandas as pd
from shapely import wkt

__all__ = ["access_map_svg"]

# Okabe-Ito colour-blind-safe palette
_BLUE, _ORANGE, _VERMILION = "#0072B2", "#E69F00", "#D55E00"


def access_map_svg(
    units: pd.DataFrame, libraries: pd.DataFrame, districts: pd.DataFrame, *, title: str
) -> str:
    """Population units coloured by distance to the nearest library, libraries and districts."""
    fig, ax = plt.subplots(figsize=(7, 6), dpi=100)
    if len(districts):
        geo = gpd.GeoSeries([wkt.loads(g) for g in districts["geometry_wkt"]], crs="EPSG:4326")
        geo.boundary.plot(ax=ax, color="#555555", linewidth=0.6)
    if len(units):
        sc = ax.scatter(
            units["lon"],
            units["lat"],
            c=units["dist_m"].clip(upper=2000),
            s=6,
            marker="s",
            cmap="cividis_r",
            linewidths=0,
        )
        cb = fig.colorbar(sc, ax=ax, shrink=0.7)
        cb.set_label("straight-line distance to the nearest library (m, capped at 2000)")
    ax.scatter(
        libraries["lon"],
        libraries["lat"],
        s=28,
        marker="^",
        color=_VERMILION,
        edgecolor="black",
        linewidths=0.4,
        label="library",
    )
    ax.legend(loc="lower right", fontsize=8)
    ax.set_title(title, fontsize=10)
    ax.set_axis_off()
    ax.set_aspect(2.0)  # about 1/cos(60°): keeps northern cities in proportion
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight")
    plt.close(fig)
    svg = buf.getvalue()
    return svg[svg.index("<svg") :]
