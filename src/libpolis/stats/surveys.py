"""Outcome surveys of library programmes: the templates, answer checks and the aggregation.

Each template (``data/surveys/templates.json``) asks four outcome dimensions — knowledge,
confidence, application, awareness — on a 5-point agreement scale (1 strongly disagree … 5
strongly agree) and two open questions. Results are aggregated per group (programme, goal,
district): for each dimension the number who answered it (``n``), the mean, and the share
agreeing (4 or 5) with its **Wilson score interval** at 95 % (z = 1.959964). The Wilson
interval is used rather than the normal approximation because groups are small and shares
often near 0 or 1, where the normal interval leaves [0, 1]. Open answers are counted per
distinct answer (trimmed, case-folded) with their share of those who answered that question.

Pure functions over DataFrames; nothing here reads or writes the store.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from importlib import resources
from typing import Any

import pandas as pd

from libpolis.errors import DataError

__all__ = [
    "DIMENSIONS",
    "OPEN_QUESTIONS",
    "Z95",
    "aggregate",
    "open_answers",
    "survey_templates",
    "validate_response",
    "wilson_interval",
]

Z95 = 1.959963984540054
DIMENSIONS: tuple[str, ...] = ("knowledge", "confidence", "application", "awareness")
OPEN_QUESTIONS: tuple[str, ...] = ("open_gain", "open_improve")
_AGREE_FROM = 4
_MAX_OPEN = 2000


@lru_cache(maxsize=1)
def survey_templates() -> dict[str, Any]:
    """The templates file: ``scale``, ``dimensions``, ``open`` questions and ``areas``."""
    path = resources.files("libpolis") / "data" / "surveys" / "templates.json"
    return dict(json.loads(path.read_text(encoding="utf-8")))


def wilson_interval(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of a share ``k / n``; ``(nan, nan)`` when ``n`` is 0."""
    if n <= 0:
        return (math.nan, math.nan)
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


def validate_response(area: str, form: dict[str, Any]) -> dict[str, Any]:
    """The answers of one response, checked: each dimension 1–5 or absent, open answers as
    trimmed text (at most 2,000 characters). Raises :class:`DataError` naming the field."""
    if area not in survey_templates()["areas"]:
        raise DataError(f"unknown service area {area!r}")
    out: dict[str, Any] = {}
    for d in DIMENSIONS:
        v = form.get(d)
        if v is None or (isinstance(v, str) and not v.strip()):
            continue
        try:
            level = int(v)
        except (TypeError, ValueError):
            raise DataError(f"{d}: {v!r} is not a point of the 1–5 scale", where=d) from None
        if not 1 <= level <= 5:
            raise DataError(f"{d}: {level} is outside the 1–5 scale", where=d)
        out[d] = level
    for q in OPEN_QUESTIONS:
        v = form.get(q)
        if isinstance(v, str) and v.strip():
            out[q] = v.strip()[:_MAX_OPEN]
    if not out:
        raise DataError("the response is empty: answer at least one question", where="form")
    return out


def aggregate(responses: pd.DataFrame, by: str) -> pd.DataFrame:
    """Per value of column ``by`` and dimension: ``responses`` (in the group), ``n`` (who
    answered the dimension), ``mean``, ``agree`` (answers 4 or 5), ``share_agree`` and its
    Wilson 95 % interval ``ci_low``, ``ci_high``.

    ``responses`` has one row per response with column ``by`` and one column per dimension
    (1–5 or missing). A response counted in several groups (a programme aligned to several
    goals) is exploded into one row per group beforehand.
    """
    cols = ["group", "dimension", "responses", "n", "mean", "agree", "share_agree", "ci_low",
            "ci_high"]  # fmt: skip
    rows = []
    if not len(responses):
        return pd.DataFrame(columns=cols)
    for group, part in responses.groupby(by, sort=True, dropna=False):
        for d in DIMENSIONS:
            vals = pd.to_numeric(part[d], errors="coerce").dropna() if d in part else pd.Series(dtype=float)
            n = len(vals)
            agree = int((vals >= _AGREE_FROM).sum())
            lo, hi = wilson_interval(agree, n)
            rows.append(
                {
                    "group": group,
                    "dimension": d,
                    "responses": len(part),
                    "n": n,
                    "mean": float(vals.mean()) if n else None,
                    "agree": agree,
                    "share_agree": agree / n if n else None,
                    "ci_low": None if n == 0 else lo,
                    "ci_high": None if n == 0 else hi,
                }
            )
    return pd.DataFrame(rows, columns=cols)


def open_answers(responses: pd.DataFrame, question: str) -> pd.DataFrame:
    """Distinct answers to an open question: ``answer`` (as first written), ``count``,
    ``n`` (responses that answered the question) and ``share`` (count / n), most frequent
    first."""
    cols = ["answer", "count", "n", "share"]
    if question not in responses or not len(responses):
        return pd.DataFrame(columns=cols)
    texts = responses[question].dropna().astype(str).str.strip()
    texts = texts[texts != ""]
    n = len(texts)
    if n == 0:
        return pd.DataFrame(columns=cols)
    key = texts.str.casefold().str.replace(r"\s+", " ", regex=True)
    first = texts.groupby(key).first()
    counts = key.value_counts()
    out = pd.DataFrame(
        {"answer": [first[k] for k in counts.index], "count": counts.to_numpy(), "n": n}
    )
    out["share"] = out["count"] / n
    return out.sort_values(["count", "answer"], ascending=[False, True]).reset_index(drop=True)
