"""Maps of the brief: static SVG (readable without JavaScript) and GeoJSON for Leaflet."""

from __future__ import annotations

from typing import Any

import matplotlib

matplotlib.use("Agg")
import geopandas as gpd
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from shapely import wkt
from shapely.geometry import mapping

from libpolis.report.charts import ORANGE, SKY, VERMILION, svg_of

__all__ = ["access_geojson", "access_map_svg", "gap_map_svg"]


def _districts(ax: plt.Axes, districts: pd.DataFrame) -> None:
    if len(districts):
        geo = gpd.GeoSeries([wkt.loads(g) for g in districts["geometry_wkt"]], crs="EPSG:4326")
        geo.boundary.plot(ax=ax, color="#555555", linewidth=0.6)


def _libraries(ax: plt.Axes, libraries: pd.DataFrame, label: str) -> None:
    ax.scatter(
        libraries["lon"],
        libraries["lat"],
        s=30,
        marker="^",
        color=VERMILION,
        edgecolor="black",
        linewidths=0.5,
        label=label,
        zorder=3,
    )


def _finish(ax: plt.Axes, units: pd.DataFrame) -> None:
    """Frame the map on the populated cells (5 % margin), in proportion at their latitude."""
    ax.set_axis_off()
    lon, lat = units["lon"].to_numpy(float), units["lat"].to_numpy(float)
    dx = (lon.max() - lon.min()) * 0.05 + 1e-3
    dy = (lat.max() - lat.min()) * 0.05 + 1e-3
    ax.set_xlim(lon.min() - dx, lon.max() + dx)
    ax.set_ylim(lat.min() - dy, lat.max() + dy)
    ax.set_aspect(1.0 / max(np.cos(np.radians(float(lat.mean()))), 0.1))


def _legend(fig: plt.Figure, ax: plt.Axes) -> None:
    handles, labels = ax.get_legend_handles_labels()
    fig.legend(
        handles,
        labels,
        loc="lower center",
        ncol=len(labels),
        fontsize=8,
        frameon=False,
        bbox_to_anchor=(0.5, -0.02),
    )


def access_map_svg(
    units: pd.DataFrame,
    libraries: pd.DataFrame,
    districts: pd.DataFrame,
    *,
    cost_col: str,
    cap: float,
    words: dict[str, str],
) -> str:
    """Population units coloured by ``cost_col`` (capped at ``cap``), libraries, districts."""
    fig, ax = plt.subplots(figsize=(7, 5), dpi=100)
    _districts(ax, districts)
    sc = ax.scatter(
        units["lon"],
        units["lat"],
        c=units[cost_col].clip(upper=cap),
        s=10,
        marker="s",
        cmap="cividis_r",
        linewidths=0,
    )
    cb = fig.colorbar(sc, ax=ax, shrink=0.6)
    cb.set_label(words["legend"])
    _libraries(ax, libraries, words["library"])
    _legend(fig, ax)
    _finish(ax, units)
    return svg_of(fig)


def gap_map_svg(
    units: pd.DataFrame,
    libraries: pd.DataFrame,
    districts: pd.DataFrame,
    *,
    cost_col: str,
    threshold: float,
    site: dict[str, Any] | None,
    words: dict[str, str],
) -> str:
    """Units beyond ``threshold`` in orange, within in light blue; the suggested site as a star."""
    fig, ax = plt.subplots(figsize=(7, 5), dpi=100)
    _districts(ax, districts)
    far = ~(units[cost_col] <= threshold)
    ax.scatter(
        units.loc[~far, "lon"],
        units.loc[~far, "lat"],
        s=10,
        marker="s",
        color=SKY,
        linewidths=0,
        label=words["served"],
    )
    ax.scatter(
        units.loc[far, "lon"],
        units.loc[far, "lat"],
        s=10,
        marker="s",
        color=ORANGE,
        linewidths=0,
        label=words["unserved"],
    )
    _libraries(ax, libraries, words["library"])
    if site:
        ax.scatter(
            [site["lon"]],
            [site["lat"]],
            s=180,
            marker="*",
            color="black",
            edgecolor="white",
            linewidths=0.8,
            label=words["site"],
            zorder=4,
        )
    _legend(fig, ax)
    _finish(ax, units)
    return svg_of(fig)


def access_geojson(
    units: pd.DataFrame,
    libraries: pd.DataFrame,
    districts: pd.DataFrame,
    *,
    cost_col: str,
    site: dict[str, Any] | None,
) -> dict[str, Any]:
    """Three GeoJSON FeatureCollections (units, libraries, districts) and the site, for Leaflet."""

    def pt(lon: float, lat: float) -> dict[str, Any]:
        return {"type": "Point", "coordinates": [round(float(lon), 5), round(float(lat), 5)]}

    unit_feats = [
        {
            "type": "Feature",
            "geometry": pt(r.lon, r.lat),
            "properties": {
                "cost": None
                if not np.isfinite(getattr(r, cost_col))
                else round(float(getattr(r, cost_col)), 1),
                "population": round(float(r.population)),
            },
        }
        for r in units.itertuples()
    ]
    lib_feats = [
        {"type": "Feature", "geometry": pt(r.lon, r.lat), "properties": {"name": r.name}}
        for r in libraries.itertuples()
    ]
    dist_feats = [
        {
            "type": "Feature",
            "geometry": mapping(wkt.loads(r.geometry_wkt).simplify(0.0004)),
            "properties": {"name": r.name},
        }
        for r in districts.itertuples()
        if isinstance(r.geometry_wkt, str)
    ]
    return {
        "units": {"type": "FeatureCollection", "features": unit_feats},
        "libraries": {"type": "FeatureCollection", "features": lib_feats},
        "districts": {"type": "FeatureCollection", "features": dist_feats},
        "site": None if not site else pt(site["lon"], site["lat"]),
        "cost_unit": "min" if cost_col == "time_min" else "m",
    }
