"""Alignment of programmes to the SDGs, the Universal Declaration, the Culture 21 Actions
commitments and the city's strategy.

Frameworks are recognised by ``framework.attrs["kind"]`` (``sdg``, ``rights``, ``culture``,
``strategy``) or else by ``framework.key``: ``sdg``/``sdg_targets`` (targets roll up to their
goal), ``udhr``, ``culture21``; any other key is taken as a city strategy. Suggested and
confirmed alignments are counted and told apart. Only programmes at the city's libraries
count (:func:`libpolis.evidence.programmes.city_programme_ids`).
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from libpolis.evidence.figures import FOCUS_ARTICLES, Evidence
from libpolis.evidence.programmes import city_programme_ids
from libpolis.evidence.read import StoreReader
from libpolis.goal_names import code_key, short_names

__all__ = ["add_alignment"]


def _titles(attrs: Any, framework: str | None = None, code: Any = None) -> dict[str, str]:
    """Goal titles per language: the short names of :mod:`libpolis.goal_names` for a UDHR
    article or Culture 21 commitment (also for a workspace aligned before they existed), else
    ``goal.attrs`` (``name``, ``titles`` or ``title``: {lang: text})."""
    names = short_names(framework).get(str(code)) if framework else None
    if names:
        return dict(names)
    if not isinstance(attrs, dict):
        return {}
    for k in ("name", "titles", "title"):
        if isinstance(attrs.get(k), dict):
            return {str(a): str(b) for a, b in attrs[k].items()}
    return {}


def _framework_kind(key: str, attrs: Any) -> str:
    k = str(key).lower()
    if isinstance(attrs, dict) and attrs.get("kind") in {"sdg", "rights", "culture", "strategy"}:
        return str(attrs["kind"])
    if k.startswith("sdg"):
        return "sdg"
    if k.startswith("udhr"):
        return "rights"
    if k.startswith("culture21"):
        return "culture"
    return "strategy"


def add_alignment(ev: Evidence, rd: StoreReader) -> None:
    """SDG, UDHR, Culture 21 and city-strategy tables from the alignments (rejected left out)."""
    al = rd.alignments()
    if not al.empty:
        al = al[al["programme_id"].astype(int).isin(city_programme_ids(rd, ev.place_name))]
    if al.empty:
        for topic in ("sdg", "rights", "culture"):
            ev.missing[topic] = (
                "no alignments of programmes to goals yet: run `libpolis align` (and confirm "
                "or reject the suggestions)"
            )
        ev.missing["strategy"] = (
            "no city strategy in the workspace: run `libpolis frameworks import-strategy FILE` "
            "then `libpolis align`"
        )
        return
    al = al.copy()
    al["fkind"] = [
        _framework_kind(k, a) for k, a in zip(al["key"], al["framework_attrs"], strict=True)
    ]
    src = ("alignment",)
    ev.facts["alignment_status"] = al["status"].value_counts().to_dict()
    # SDGs: targets roll up to their goal
    sdg = al[al["fkind"] == "sdg"].copy()
    if len(sdg):
        sdg["goal"] = [
            str(p) if isinstance(p, str) and p else str(c).split(".")[0]
            for p, c in zip(sdg["parent_code"], sdg["code"], strict=True)
        ]
        # confirmed sorts before suggested: a pair keeps its strongest status
        sdg = sdg.sort_values("status").drop_duplicates(["programme_id", "goal"])
        ev.facts["sdg_status"] = sdg["status"].value_counts().to_dict()
        rows = []
        for g in [str(i) for i in range(1, 18)]:
            part = sdg[sdg["goal"] == g]
            att = part["attendance"].dropna()
            rows.append(
                {
                    "goal": g,
                    "programmes": int(part["programme_id"].nunique()),
                    "confirmed": int(
                        part.loc[part["status"] == "confirmed", "programme_id"].nunique()
                    ),
                    "attendance": float(att.sum()) if len(att) else None,
                    "examples": list(
                        part.sort_values("score", ascending=False)["title"].dropna().unique()[:3]
                    ),
                }
            )
        tab = pd.DataFrame(rows)
        ev.tables["sdg"] = tab
        ev.figure(
            "sdg_goals_served",
            "SDGs with at least one aligned programme",
            int((tab["programmes"] > 0).sum()),
            "goals of 17",
            src,
            "Count of the 17 SDGs with at least one suggested or confirmed programme "
            "alignment (targets counted under their goal; rejected ones left out).",
            "libpolis align",
        )
        ev.figure(
            "sdg_aligned_programmes",
            "Programmes aligned to at least one SDG",
            int(sdg["programme_id"].nunique()),
            "programmes",
            src,
            "Programmes with a suggested or confirmed SDG alignment.",
            "libpolis align",
        )
    else:
        ev.missing["sdg"] = "no programme is aligned to the SDGs yet: run `libpolis align`"
    # rights
    rights = al[al["fkind"] == "rights"]
    codes = sorted(set(FOCUS_ARTICLES) | set(rights["code"].astype(str)), key=code_key)
    rows = []
    for c in codes:
        part = rights[rights["code"].astype(str) == c]
        titles = _titles(part["goal_attrs"].iloc[0] if len(part) else None, "udhr", c)
        rows.append(
            {
                "article": c,
                "title": titles.get("en") or (part["goal_title"].iloc[0] if len(part) else None),
                "titles": titles,
                "programmes": int(part["programme_id"].nunique()),
                "examples": list(
                    part.sort_values("score", ascending=False)["title"].dropna().unique()[:3]
                ),
            }
        )
    ev.tables["rights"] = pd.DataFrame(rows)
    if len(rights):
        ev.figure(
            "udhr_articles",
            "Universal Declaration articles advanced by programmes",
            int(rights["code"].nunique()),
            "articles",
            src,
            "Count of UDHR articles with at least one suggested or confirmed programme alignment.",
            "libpolis align",
        )
    else:
        ev.missing["rights"] = (
            "no programme is aligned to the Universal Declaration yet: run `libpolis align`"
        )
    # culture 21 and strategies
    for kind in ("culture", "strategy"):
        part = al[al["fkind"] == kind]
        if part.empty:
            ev.missing[kind] = (
                "no programme is aligned to the Culture 21 Actions commitments yet: run "
                "`libpolis align`"
                if kind == "culture"
                else "no city strategy in the workspace: run `libpolis frameworks import-strategy "
                "FILE` then `libpolis align`"
            )
            continue
        rows = []
        for (fname, code, title), g in part.groupby(["framework_name", "code", "goal_title"]):
            key = str(g["key"].iloc[0])
            partners = sorted(
                {
                    p.strip()
                    for s in g["partners"].dropna()
                    for p in re.split(r"[;,]", str(s))
                    if p.strip()
                }
            )
            rows.append(
                {
                    "framework": fname,
                    "code": str(code),
                    "title": _titles(None, key, code).get("en") or title,
                    "titles": _titles(g["goal_attrs"].iloc[0], key, code),
                    "programmes": int(g["programme_id"].nunique()),
                    "examples": list(
                        g.sort_values("score", ascending=False)["title"].dropna().unique()[:3]
                    ),
                    "partners": partners,
                }
            )
        ev.tables[kind] = (
            pd.DataFrame(rows)
            .sort_values(
                ["framework", "code"],
                key=lambda s: s.map(code_key) if s.name == "code" else s,
            )
            .reset_index(drop=True)
        )
