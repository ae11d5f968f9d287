"""Maps of the brief: static SVG (readable without JavaScript) and GeoJSON for Leaflet.

Both draw the workspace's own streets and water (``Evidence.tables["basemap"]``, from its
OpenStreetMap file; :mod:`libpolis.sources.basemap`) under the data, in greys and a light blue
that leave the data's colours (cividis, Okabe-Ito: colour-blind safe) readable."""

from __future__ import annotations

from typing import Any

import matplotlib

matplotlib.use("Agg")
import geopandas as gpd
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize
from shapely import wkt
from shapely.geometry import mapping

from libpolis.report.charts import ORANGE, SKY, VERMILION, svg_of

__all__ = ["BASEMAP_STYLE", "access_geojson", "access_map_svg", "gap_map_svg"]


#: How the basemap's layers are drawn (matplotlib and Leaflet alike).
BASEMAP_STYLE: dict[str, dict[str, Any]] = {
    "water": {"fill": "#86b6d8", "opacity": 0.6},
    "waterway": {"color": "#5b9bd5", "width": 1.0, "opacity": 0.8},
    "minor": {"color": "#4d4d4d", "width": 0.5, "opacity": 0.35},
    "major": {"color": "#333333", "width": 0.9, "opacity": 0.55},
}
"""Streets are drawn over the population cells, thin and half transparent, so both read: a
cell's colour stays that of the legend between the lines."""


def _basemap(ax: plt.Axes, basemap: pd.DataFrame | None, extent: pd.DataFrame) -> None:
    """Water under everything, main roads over the cells (thin, light, no legend entry), as a
    picture inside the SVG (thousands of street vertices would weigh more than the whole
    map), simplified to about a pixel of the 700-pixel-wide figure; the residential streets
    are left to the interactive map (at this scale they would be a grey wash, and they would
    double the size of each map)."""
    if basemap is None or not len(basemap) or not len(extent):
        return
    span = max(float(extent["lon"].max() - extent["lon"].min()), 1e-3)
    tolerance = span / 700
    for r in basemap.itertuples():
        style = BASEMAP_STYLE.get(str(r.layer))
        if style is None or r.layer == "minor":
            continue
        geom = wkt.loads(r.geometry_wkt).simplify(tolerance, preserve_topology=True)
        geo = gpd.GeoSeries([geom], crs="EPSG:4326")
        if "fill" in style:
            geo.plot(ax=ax, color=style["fill"], alpha=style["opacity"], linewidth=0, zorder=0,
                     rasterized=True)  # fmt: skip
        else:  # over the cells (zorder 1), under districts and libraries
            geo.plot(ax=ax, color=style["color"], alpha=style["opacity"],
                     linewidth=style["width"], zorder=1.5, rasterized=True)  # fmt: skip


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


def _shapes(units: pd.DataFrame) -> gpd.GeoSeries | None:
    """The units' cell polygons (H3 hexagons) when every unit has one, else None."""
    if "shape_wkt" not in units or units["shape_wkt"].isna().any() or not len(units):
        return None
    return gpd.GeoSeries([wkt.loads(g) for g in units["shape_wkt"]], crs="EPSG:4326")


def _cells(
    ax: plt.Axes,
    units: pd.DataFrame,
    *,
    values: pd.Series | None = None,
    cmap: str = "cividis_r",
    color: str | None = None,
    label: str | None = None,
) -> Any:
    """Draw the units as their cells (H3 hexagons) when every unit has one, else as small
    squares: coloured by ``values`` (returns the mappable for a colour bar) or in ``color``."""
    shapes = _shapes(units)
    if shapes is None:
        if values is not None:
            return ax.scatter(units["lon"], units["lat"], c=values, s=10, marker="s",
                              cmap=cmap, linewidths=0)  # fmt: skip
        return ax.scatter(units["lon"], units["lat"], s=10, marker="s", color=color,
                          linewidths=0, label=label)  # fmt: skip
    if values is not None:
        v = values.to_numpy(float)
        norm = Normalize(vmin=float(np.nanmin(v)), vmax=float(np.nanmax(v)))
        gpd.GeoDataFrame({"v": v}, geometry=shapes).plot(
            ax=ax, column="v", cmap=cmap, norm=norm, linewidth=0
        )
        return ScalarMappable(norm=norm, cmap=cmap)
    if len(shapes):
        shapes.plot(ax=ax, color=color, linewidth=0)
    ax.scatter([], [], s=30, marker="h", color=color, label=label)  # the legend's entry
    return None


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
    basemap: pd.DataFrame | None = None,
) -> str:
    """Population units coloured by ``cost_col`` (capped at ``cap``), libraries, districts,
    over the streets and water of ``basemap``."""
    fig, ax = plt.subplots(figsize=(7, 5), dpi=100)
    _basemap(ax, basemap, units)
    _districts(ax, districts)
    sc = _cells(ax, units, values=units[cost_col].clip(upper=cap))
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
    basemap: pd.DataFrame | None = None,
) -> str:
    """Units beyond ``threshold`` in orange, within in light blue; the suggested site as a star;
    over the streets and water of ``basemap``."""
    fig, ax = plt.subplots(figsize=(7, 5), dpi=100)
    _basemap(ax, basemap, units)
    _districts(ax, districts)
    far = ~(units[cost_col] <= threshold)
    _cells(ax, units[~far], color=SKY, label=words["served"])
    _cells(ax, units[far], color=ORANGE, label=words["unserved"])
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
    basemap: pd.DataFrame | None = None,
) -> dict[str, Any]:
    """GeoJSON FeatureCollections (units, libraries, districts, basemap) and the site, for
    Leaflet; the basemap's features carry ``properties.layer`` and their ``style``."""

    def pt(lon: float, lat: float) -> dict[str, Any]:
        return {"type": "Point", "coordinates": [round(float(lon), 5), round(float(lat), 5)]}

    shapes = _shapes(units)

    def cell(i: int, r: Any) -> dict[str, Any]:
        if shapes is None:
            return pt(r.lon, r.lat)
        return mapping(shapes.iloc[i])

    unit_feats = [
        {
            "type": "Feature",
            "geometry": cell(i, r),
            "properties": {
                "cost": None
                if not np.isfinite(getattr(r, cost_col))
                else round(float(getattr(r, cost_col)), 1),
                "population": round(float(r.population)),
            },
        }
        for i, r in enumerate(units.itertuples())
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
    base_feats = [
        {
            "type": "Feature",
            "geometry": mapping(wkt.loads(r.geometry_wkt)),
            "properties": {"layer": r.layer},
        }
        for r in (basemap if basemap is not None else pd.DataFrame()).itertuples()
        if str(r.layer) in BASEMAP_STYLE
    ]
    return {
        "basemap": {"type": "FeatureCollection", "features": base_feats},
        "basemap_style": BASEMAP_STYLE,
        "units": {"type": "FeatureCollection", "features": unit_feats},
        "libraries": {"type": "FeatureCollection", "features": lib_feats},
        "districts": {"type": "FeatureCollection", "features": dist_feats},
        "site": None if not site else pt(site["lon"], site["lat"]),
        "cost_unit": "min" if cost_col == "time_min" else "m",
    }
