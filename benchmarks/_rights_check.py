"""The rights / Culture 21 check set of real programmes (``tests/data/align/rights_check.csv``).

64 programmes of ``tests/data/align/programmes_labelled.csv`` whose text is in that file
(City of Helsinki events and Annantalo courses, CC BY 4.0; Timberland Regional Library
categories, public domain; our French and Spanish translations of some of them), with the UDHR
articles and Culture 21 commitments a careful reader assigns (``udhr``, ``culture21``), those
that would be defensible but were not assigned (``*_also_ok``: a suggestion of one is neither
right nor wrong), and a one-line reason. Labelled by the libpolis helper who wrote the evidence
rule: figures on it are internal.

Scoring: micro precision / recall / F1 over (programme, goal) pairs, where suggestions in
``also_ok`` are left out of both counts; and the share of programmes with at least one
suggestion judged wrong (neither labelled nor ``also_ok``).
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["CHECK", "check_rows", "score_check"]

ROOT = Path(__file__).resolve().parents[1]
CHECK = ROOT / "tests" / "data" / "align" / "rights_check.csv"
LABELLED = ROOT / "tests" / "data" / "align" / "programmes_labelled.csv"


def _codes(s: str) -> set[str]:
    return {c for c in s.split(";") if c}


def check_rows() -> list[dict[str, Any]]:
    """The check rows with their programme ``text`` (title and description, as the
    workspace aligns them) and ``language``."""
    from libpolis.pipeline.align import programme_text

    with open(LABELLED, encoding="utf-8", newline="") as f:
        src = {(r["source"], r["source_id"]): r for r in csv.DictReader(f)}
    out = []
    with open(CHECK, encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            p = src[(r["source"], r["source_id"])]
            out.append(
                {
                    **r,
                    "language": p["language"],
                    "text": programme_text(p["title"], p["description"]),
                }
            )
    return out


def score_check(
    rows: list[dict[str, Any]], framework: str, suggest: Callable[[list[str]], list[list[str]]]
) -> dict[str, float]:
    """P / R / F1 and the share of programmes with a wrong suggestion, for ``suggest``
    (texts -> goal codes per text)."""
    pred = suggest([r["text"] for r in rows])
    tp = fp = fn = wrong = with_any = 0
    for r, goals in zip(rows, pred, strict=True):
        gold, ok = _codes(r[framework]), _codes(r[f"{framework}_also_ok"])
        got = set(goals)
        tp += len(got & gold)
        bad = got - gold - ok
        fp += len(bad)
        fn += len(gold - got)
        wrong += bool(bad)
        with_any += bool(got)
    p = tp / max(tp + fp, 1)
    rec = tp / max(tp + fn, 1)
    f1 = 2 * p * rec / (p + rec) if p + rec else 0.0
    return {
        "P": p,
        "R": rec,
        "F1": f1,
        "wrong_share": wrong / max(len(rows), 1),
        "with_suggestion": with_any / max(len(rows), 1),
        "n": float(len(rows)),
    }
