"""The library prior for SDG alignment of programme texts (libpolis.align.sdg_library)."""

from __future__ import annotations

import csv
import json
from importlib import resources

import numpy as np
import pytest

from libpolis.align import api
from libpolis.align import sdg_library as sl
from libpolis.align._sdg_explain import explain_many
from libpolis.align.api import align_texts
from libpolis.errors import DataError

try:
    from libpolis.align.sdg import SdgClassifier

    SdgClassifier.load()
    HAS_SDG = True
except Exception:  # pragma: no cover - the model ships with the package
    HAS_SDG = False

needs_model = pytest.mark.skipif(not HAS_SDG, reason="SDG model not installed")
_CAL = resources.files("libpolis") / "data" / "frameworks" / "calibration"


def _rows() -> list[dict[str, str]]:
    with (_CAL / "sdg_library.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _micro_f1(pred: list[list[int]], gold: list[list[int]]) -> float:
    tp = sum(len(set(p) & set(g)) for p, g in zip(pred, gold, strict=True))
    fp = sum(len(set(p) - set(g)) for p, g in zip(pred, gold, strict=True))
    fn = sum(len(set(g) - set(p)) for p, g in zip(pred, gold, strict=True))
    return 2 * tp / max(2 * tp + fp + fn, 1)


def test_calibration_set_is_well_formed() -> None:
    rows = _rows()
    assert 100 <= len(rows) <= 150
    assert len({r["id"] for r in rows}) == len(rows)
    for r in rows:
        n = int(r["id"][1:])
        assert r["split"] == ("heldout" if n % 3 == 0 else "calibration")
        assert all(1 <= int(g) <= 17 for g in r["sdgs"].split(";") if g)
        assert r["lang"] in {"en", "fr", "es"} and r["text"].strip()
    desc = json.loads((_CAL.parent / "descriptions" / "sdg_library.json").read_text("utf-8"))
    assert {k for k in desc if not k.startswith("_")} == {str(g) for g in range(1, 18)}
    assert all(set(v) == {"en", "fr", "es", "fi"} for k, v in desc.items() if not k.startswith("_"))


@needs_model
def test_combination_beats_the_classifier_on_the_heldout_rows() -> None:
    rows = [r for r in _rows() if r["split"] == "heldout"]
    texts = [r["text"] for r in rows]
    gold = [[int(g) for g in r["sdgs"].split(";") if g] for r in rows]
    clf = api._sdg_classifier()
    alone = _micro_f1(clf.predict(texts), gold)
    combined = _micro_f1([o["sdgs"] for o in align_texts(texts, "sdg")], gold)
    assert combined >= alone + 0.3, (alone, combined)
    assert combined >= 0.7


@needs_model
def test_examples_from_the_issue() -> None:
    out = align_texts(
        ["Open storytime", "Toddler read and rhyme", "Coding club for teenagers", "Repair café"],
        "sdg",
    )
    assert [o["sdgs"][:1] for o in out] == [[4], [4], [4], [12]]


@needs_model
def test_research_text_keeps_the_classifier_output() -> None:
    text = (
        "We estimate the effect of carbon pricing on industrial emissions using plant-level "
        "panel data from 2005 to 2019 and find a reduction of 12 percent in treated sectors."
    )
    clf = api._sdg_classifier()
    res = sl.predict_combined([text], clf)
    assert not res.prior_used[0]
    assert res.labels[0] == clf.predict([text])[0]
    np.testing.assert_array_equal(res.proba[0], clf.predict_proba([text])[0])


@needs_model
def test_determinism_and_explanations() -> None:
    texts = ["Repair café: bring broken lamps and we fix them together.", "Job club and CV help"]
    a = align_texts(texts, "sdg")
    b = align_texts(list(reversed(texts)), "sdg")[::-1]
    assert a == b == align_texts(texts, "sdg")
    for o in a:
        assert o["sdgs"]
        assert o["method"].endswith(sl.METHOD_SUFFIX)
        for g in o["sdgs"]:
            ex = o["explanations"][str(g)]
            assert ex["sentence"] and ex["target"].startswith(f"{g}.")
            lib = ex["library"]
            assert lib["sentence"] in texts[a.index(o)] and lib["terms"] and lib["goal_text"]


@needs_model
def test_batched_explanations_equal_the_classifier_ones() -> None:
    clf = api._sdg_classifier()
    texts = ["Homework help for pupils. Free wifi too!", "Seed library: borrow seeds; swap them."]
    pairs = [(0, 4), (0, 9), (1, 12), (1, 2)]
    got = explain_many(clf, texts, pairs)
    for (t, g), ex in zip(pairs, got, strict=True):
        want = clf.explain(texts[t], g)
        assert ex.keys() == want.keys()
        for k, v in want.items():
            if isinstance(v, float):
                assert ex[k] == pytest.approx(v, abs=1e-9)
            else:
                assert ex[k] == v


@needs_model
def test_empty_long_and_non_text_inputs() -> None:
    out = align_texts(["", "   ", "Storytime " * 20_000], "sdg")
    assert out[0]["sdgs"] == [] and out[1]["sdgs"] == [] and out[0]["scores"] == {}
    assert out[2]["sdgs"]  # 200,000 characters: a clear result, no crash
    with pytest.raises(DataError):
        align_texts(["ok", 3], "sdg")  # type: ignore[list-item]
    with pytest.raises(DataError):
        sl.predict_combined("one string", api._sdg_classifier())
    with pytest.raises(DataError):
        sl.explain_prior(["a"], [1, 2])
    assert sl.predict_combined([], api._sdg_classifier()).labels == []


def test_combine_is_monotone_in_both_inputs() -> None:
    prm = sl.LibraryParams(a=0.3, b=20.0, c=-4.0, threshold=0.75, floor=0.1, max_words=None)
    p = np.linspace(0.0, 1.0, 11)[:, None] * np.ones((1, 17))
    s = np.full_like(p, 0.1)
    out = sl.combine(p, s, prm)
    assert np.all(np.diff(out[:, 0]) >= 0) and np.all((out > 0) & (out < 1))
    assert np.all(sl.combine(p, s + 0.1, prm) > out)


def test_gate_rejects_research_prose_and_accepts_listings() -> None:
    gate = sl.programme_gate()
    listings = ["Baby rhyme time every Tuesday at 10am", "Lego club for kids, drop in"]
    prose = [
        "This paper analyses the determinants of household energy poverty in Europe using "
        "survey data and a multilevel logistic regression.",
        "By 2030, ensure that all girls and boys complete free primary and secondary education.",
    ]
    p = gate.proba(listings + prose)
    assert np.all(p[:2] >= gate.threshold) and np.all(p[2:] < gate.threshold)
    assert sl.programme_like(["", "Storytime"], None).tolist() == [False, True]
    assert sl.programme_like(["Storytime for toddlers"], 2).tolist() == [False]
