"""The indicators IFLA's Library Map of the World publishes per country, per library system
and summed to regions and the country.

The inputs are system rows as :func:`libpolis.sources.national.read_national_systems`
returns them: numeric fields in which negative codes (missing, closed, suppressed, not
applicable) are kept as their numbers. A code is never added: each sum says how many systems
it adds (``reporting``) and how many it leaves out, by reason.

Indicators (``INDICATORS``: name -> unit, method):

- ``libraries``: service points (central and branch libraries; bookmobiles apart);
- ``libraries_with_internet``: service points of systems that report at least one public
  internet computer. Files like the PLS count computers per system, not per library, so this
  is an upper bound: it assumes every library of such a system offers internet access;
- ``staff`` (full-time equivalents), ``volunteers``, ``registered_users``, ``visits``,
  ``loans`` (total circulation), and the ``population`` served.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

__all__ = ["INDICATORS", "STATUSES", "aggregate_indicators", "code_status", "system_indicators"]

#: indicator -> (unit, how it is counted)
INDICATORS: dict[str, tuple[str, str]] = {
    "libraries": ("libraries", "service points: central and branch libraries"),
    "libraries_with_internet": (
        "libraries",
        "service points of systems reporting at least one public internet computer "
        "(an upper bound: computers are counted per system, not per library)",
    ),
    "bookmobiles": ("vehicles", "bookmobiles"),
    "staff": ("FTE", "paid staff, full-time equivalents"),
    "volunteers": ("people", "volunteers"),
    "registered_users": ("people", "registered users"),
    "visits": ("visits/year", "physical visits in the year"),
    "loans": ("loans/year", "total circulation (loans) in the year"),
    "population": ("people", "population of the legal service area"),
}
#: How a system's figure stands: reported, one of the codes, or not in the file at all.
STATUSES: tuple[str, ...] = (
    "reported",
    "missing",
    "closed",
    "suppressed",
    "not_applicable",
    "absent",
)
_ID = ["system_id", "name", "city", "region", "macro_region", "country"]


def code_status(values: np.ndarray, codes: Mapping[float, str]) -> np.ndarray:
    """Per value: ``reported``, the meaning of its code, or ``missing`` for a blank."""
    v = np.asarray(values, dtype=float)
    out = np.full(v.shape, "reported", dtype=object)
    out[np.isnan(v)] = "missing"
    for code, meaning in codes.items():
        out[v == code] = meaning
    return out


def system_indicators(
    systems: pd.DataFrame, codes: Mapping[float, str], *, year: int, source: str
) -> pd.DataFrame:
    """One row per system: each indicator's value (``NaN`` unless reported) and its status
    column ``<indicator>_status``; also the peer inputs (``locale``, ``locale_mod``,
    ``programmes``, ``attendance``, ``expenditure``) when the file has them.

    ``systems`` is not changed.
    """
    out = pd.DataFrame({c: systems[c] for c in _ID if c in systems.columns})
    for c in _ID:
        if c not in out.columns:
            out[c] = ""
    n = len(systems)

    def field(name: str) -> tuple[np.ndarray, np.ndarray]:
        if name not in systems.columns:
            return np.full(n, np.nan), np.full(n, "absent", dtype=object)
        raw = systems[name].to_numpy(float)
        status = code_status(raw, codes)
        return np.where(status == "reported", raw, np.nan), status

    fields = {
        name: field(name)
        for name in (
            "libraries", "bookmobiles", "internet_computers", "staff", "volunteers",
            "registered_users", "visits", "loans", "population", "programmes", "attendance",
            "expenditure", "locale", "locale_mod",
        )
    }  # fmt: skip
    libs, libs_status = fields["libraries"]
    comp, comp_status = fields["internet_computers"]
    with_net = np.where(comp > 0, libs, 0.0)
    net_status = np.where(comp_status != "reported", comp_status, libs_status)
    with_net = np.where(net_status == "reported", with_net, np.nan)
    fields["libraries_with_internet"] = (with_net, net_status)
    for name in (*INDICATORS, "programmes", "attendance", "expenditure", "internet_computers"):
        out[name] = fields[name][0]
        out[f"{name}_status"] = fields[name][1]
    for name in ("locale", "locale_mod"):
        out[name] = fields[name][0]
    out["year"] = int(year)
    out["source"] = source
    return out.reset_index(drop=True)


def _sum_level(
    table: pd.DataFrame, keys: pd.Series, level: str, names: Mapping[str, str]
) -> list[pd.DataFrame]:
    """One block per indicator: its sum over the reporting systems of each area, and how
    many systems of the area are in each status."""
    out = []
    areas = sorted(keys.unique())
    for ind, (unit, method) in INDICATORS.items():
        status = table[f"{ind}_status"]
        counts = status.groupby([keys, status]).size().unstack()
        counts = counts.reindex(index=areas, columns=list(STATUSES))
        counts = counts.fillna(0).astype(int)
        reported = table[ind].where(status == "reported")
        sums = reported.groupby(keys).sum(min_count=1).reindex(areas).round(6)
        block = pd.DataFrame(
            {
                "level": level,
                "area": areas,
                "area_name": [names.get(a, a) for a in areas],
                "indicator": ind,
                "value": sums.to_numpy(float),
                "unit": unit,
                "systems": counts.sum(axis=1).to_numpy(),
                "reporting": counts["reported"].to_numpy(),
            }
        )
        for st in STATUSES[1:]:
            block[st] = counts[st].to_numpy()
        block["method"] = method
        out.append(block)
    return out


def aggregate_indicators(
    table: pd.DataFrame,
    *,
    levels: Sequence[str] = ("region", "macro_region", "country"),
    region_names: Mapping[str, Mapping[str, str]] | None = None,
    include_systems: bool = True,
) -> pd.DataFrame:
    """The indicators per system (``level`` = ``system``) and summed per area of each level,
    in long form: ``level, area, area_name, indicator, value, unit, systems, reporting,
    missing, closed, suppressed, not_applicable, absent, year, source, method``.

    ``value`` is the sum over the systems that report the indicator (``NaN`` when none
    does); the other counts say how many systems each code leaves out. ``region_names`` maps
    a level to names of its area codes (e.g. the BEA region of the PLS ``OBEREG``).
    """
    names = region_names or {}
    year = int(table["year"].iloc[0]) if len(table) else 0
    source = str(table["source"].iloc[0]) if len(table) else ""
    blocks: list[pd.DataFrame] = []
    if include_systems:
        for ind, (unit, method) in INDICATORS.items():
            status = table[f"{ind}_status"].to_numpy()
            block = pd.DataFrame(
                {
                    "level": "system",
                    "area": table["system_id"].to_numpy(),
                    "area_name": table["name"].to_numpy(),
                    "indicator": ind,
                    "value": table[ind].to_numpy(float),
                    "unit": unit,
                    "systems": 1,
                    "reporting": (status == "reported").astype(int),
                }
            )
            for s in STATUSES[1:]:
                block[s] = (status == s).astype(int)
            block["method"] = method
            blocks.append(block)
    for level in levels:
        if level not in table.columns:
            continue
        keys = table[level].astype(str)
        if (keys == "").all():
            continue
        blocks.extend(_sum_level(table, keys, level, names.get(level, {})))
    cols = ["level", "area", "area_name", "indicator", "value", "unit", "systems",
            "reporting", *STATUSES[1:], "year", "source", "method"]  # fmt: skip
    if not blocks:
        return pd.DataFrame(columns=cols)
    out = pd.concat(blocks, ignore_index=True)
    out["year"] = year
    out["source"] = source
    out["value"] = out["value"].astype(float)
    return out[cols]
