"""The labelled set of real library programmes (tests/data/align/programmes_labelled.csv)."""

from __future__ import annotations

import csv
import importlib.util
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "align" / "programmes_labelled.csv"
SHARED = ROOT.parent / "shared" / "data"
COLUMNS = ["source", "source_id", "language", "title", "description", "sdgs", "also_ok", "reason"]
UNLICENSED = {"jersey_city", "hoboken", "barnet", "helmet_services"}


def _rows() -> list[dict[str, str]]:
    with open(DATA, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == COLUMNS
        return list(reader)


def _goals(s: str) -> list[int]:
    return [int(x) for x in s.split(";") if x]


def test_at_least_300_programmes_each_labelled_with_a_reason() -> None:
    rows = _rows()
    assert len(rows) >= 300
    assert len({(r["source"], r["source_id"]) for r in rows}) == len(rows)
    for r in rows:
        sdgs, also = _goals(r["sdgs"]), _goals(r["also_ok"])
        assert all(1 <= g <= 17 for g in sdgs + also), r
        assert not set(sdgs) & set(also), r
        assert len(sdgs) <= 2, r  # "usually one label, at most two"
        assert 10 <= len(r["reason"]) <= 120 and "\n" not in r["reason"], r
    no_goal = [r for r in rows if not r["sdgs"]]
    assert len(no_goal) >= 50  # "no goal" where the text gives no evidence
    langs = Counter(r["language"] for r in rows)
    assert min(langs["fr"], langs["es"], langs["pt"]) >= 10


def test_unlicensed_texts_are_not_in_the_repository() -> None:
    for r in _rows():
        if r["source"] in UNLICENSED:
            assert r["title"] == "" and r["description"] == "", r
            assert r["source_id"].startswith("sha1:") and len(r["source_id"]) == 21
        else:
            assert r["title"].strip(), r


@pytest.mark.skipif(not SHARED.is_dir(), reason="the shared data folder is not beside the repo")
def test_every_keyed_row_finds_its_text_in_the_shared_data() -> None:
    spec = importlib.util.spec_from_file_location(
        "_programmes", ROOT / "benchmarks" / "_programmes.py"
    )
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    rows = mod.labelled_programmes(SHARED)
    assert len(rows) == len(_rows())
    assert all(r["text"].strip() for r in rows)
