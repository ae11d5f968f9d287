"""Tests of the SDG classifier (libpolis.align.sdg) and its trainer (libpolis.align.train)."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from libpolis.align.sdg import GOALS, MAX_CHARS, SdgClassifier
from libpolis.align.train import split_of, train_sdg_model
from libpolis.errors import DataError, NotFoundError

DATA = Path(__file__).resolve().parents[1] / "data" / "align" / "sdg_data"


@pytest.fixture(scope="module")
def clf() -> SdgClassifier:
    return SdgClassifier.load()


@pytest.fixture(scope="module")
def fixture_rows() -> list[tuple[str, int, str]]:
    path = DATA / "sdg-labelled-texts" / "tuberlin-qu-sdg-sentences" / "original_data.csv"
    with path.open(encoding="utf-8", newline="") as f:
        return [
            (r["Text"].strip(), int(r["SDG"]), split_of(r["Text"].strip()))
            for r in csv.DictReader(f)
        ]


def test_shipped_model_loads_with_metadata(clf):
    for key in ("version", "method", "training_data_sha256", "seed", "split"):
        assert key in clf.meta
    assert len(clf.meta["training_data_sha256"]) == 64
    assert clf.thresholds.shape == (17,)
    assert np.all((clf.thresholds > 0) & (clf.thresholds < 1))


def test_output_shapes_and_ranges(clf):
    texts = [
        "Reading club for migrants to practise the language.",
        "Solar panels on the roof.",
        "Job-seekers' clinic: CV writing and interview practice.",
    ]
    p = clf.predict_proba(texts)
    assert p.shape == (3, 17)
    assert p.dtype == np.float64
    assert np.all((p >= 0) & (p <= 1))
    pred = clf.predict(texts)
    assert len(pred) == 3
    for goals in pred:
        assert goals == sorted(goals)
        assert set(goals) <= set(GOALS)
    assert clf.predict_proba([]).shape == (0, 17)
    assert clf.predict([]) == []


def test_deterministic_over_reruns_and_reloads(clf):
    texts = [
        "Coding club for teenage girls",
        "Food bank and community garden",
        "Access to justice: free legal advice sessions at the library",
    ]
    a = clf.predict_proba(texts)
    b = clf.predict_proba(texts)
    c = SdgClassifier.load().predict_proba(texts)
    assert np.array_equal(a, b)
    assert np.array_equal(a, c)
    # a text's scores do not depend on the other texts of the batch
    assert np.array_equal(clf.predict_proba(texts[1:2])[0], a[1])


def test_empty_and_blank_texts_give_zeros(clf):
    p = clf.predict_proba(["", "   \n\t", "Primary school for all children"])
    assert np.all(p[:2] == 0)
    assert p[2].max() > 0
    assert clf.predict(["", " "]) == [[], []]
    assert clf.explain("", 4)["sentence"] is None


def test_very_long_text_is_truncated_not_crashing(clf):
    base = "The library runs free literacy classes for adults who cannot read or write. "
    long = (base * (100_000 // len(base) + 1))[:100_000]
    p = clf.predict_proba([long])
    assert p.shape == (1, 17)
    assert np.all(np.isfinite(p))
    # documented behaviour: only the first MAX_CHARS characters count
    assert np.allclose(p, clf.predict_proba([long[:MAX_CHARS] + " extra ignored words"]))
    assert 4 in clf.predict([long])[0]


@pytest.mark.parametrize("bad", [[1, "text"], [None], ["ok", b"bytes"], 42, None])
def test_non_text_raises_data_error(clf, bad):
    with pytest.raises(DataError):
        clf.predict_proba(bad)


def test_a_bare_string_is_refused_not_split_into_characters(clf):
    with pytest.raises(DataError, match="one str"):
        clf.predict("Primary education")


def test_bad_threshold_and_goal_raise(clf):
    with pytest.raises(DataError):
        clf.predict(["x"], threshold=1.5)
    with pytest.raises(DataError):
        clf.explain("Primary school", 18)
    with pytest.raises(DataError):
        clf.explain(b"Primary school", 4)


def test_single_threshold_is_monotone(clf):
    texts = [
        "Clean drinking water and sanitation for rural villages",
        "Renewable energy cooperative installs solar panels",
    ]
    low = clf.predict(texts, threshold=0.05)
    high = clf.predict(texts, threshold=0.6)
    for lo, hi in zip(low, high, strict=True):
        assert set(hi) <= set(lo)


@pytest.mark.parametrize(
    ("text", "goal"),
    [
        (
            "Free primary school education for every child, with trained teachers and "
            "school enrolment for girls.",
            4,
        ),
        ("Safe drinking water, sanitation and hygiene for households without a toilet.", 6),
        ("Renewable energy: solar panels and energy efficiency for homes.", 7),
        (
            "Protecting coral reefs and marine ecosystems from overfishing and ocean "
            "plastic pollution.",
            14,
        ),
        ("Educación primaria gratuita y de calidad para todos los niños y niñas.", 4),
        ("Accès à une énergie renouvelable et à l'efficacité énergétique pour tous.", 7),
        ("Reducir la mortalidad materna y la mortalidad de los recién nacidos.", 3),
        ("Mettre fin à la violence contre les enfants et garantir l'accès à la justice.", 16),
    ],
)
def test_unambiguous_texts_land_on_the_obvious_goal(clf, text, goal):
    p = clf.predict_proba([text])[0]
    assert int(np.argmax(p)) + 1 == goal
    assert goal in clf.predict([text])[0]


def test_mixed_language_text(clf):
    text = (
        "Storytime bilingüe: cuentos y canciones para niños. Early literacy for "
        "toddlers and their parents. Lecture pour les tout-petits."
    )
    p = clf.predict_proba([text])
    assert p.shape == (1, 17)
    assert int(np.argmax(p[0])) + 1 == 4


def test_quality_on_fixture_test_rows(clf, fixture_rows):
    """Labelled sentences of the held-out test split (never trained on)."""
    test = [(t, g) for t, g, s in fixture_rows if s == "test"]
    assert len(test) >= 60
    pred = clf.predict([t for t, _ in test])
    tp = sum(g in p for (_, g), p in zip(test, pred, strict=True))
    fp = sum(len(p) for p in pred) - tp
    fn = len(test) - tp
    micro_f1 = 2 * tp / (2 * tp + fp + fn)
    assert micro_f1 > 0.6


def test_explain_points_at_the_sentence_and_target(clf):
    text = (
        "Our branch has a new reading room. The library offers free literacy and "
        "numeracy classes for adults who cannot read. Parking is free on Sundays."
    )
    e = clf.explain(text, 4)
    assert e["goal"] == 4
    assert "literacy" in e["sentence"]
    assert e["target"] == "4.6"
    assert "literacy" in e["target_text"]
    assert 0 < e["target_similarity"] <= 1
    assert 0 <= e["probability"] <= 1
    es = clf.explain("Talleres para que los adultos aprendan a leer y escribir.", 4)
    assert es["target"].startswith("4.")


def test_load_missing_folder_raises(tmp_path):
    with pytest.raises(NotFoundError):
        SdgClassifier.load(tmp_path)


def test_train_on_small_subset_writes_loadable_model(tmp_path):
    meta = train_sdg_model(tmp_path / "m", seed=0, data_dir=DATA, max_rows_per_goal=8)
    assert meta["n_train"] > 0
    assert {"model.json", "weights.npz", "targets.json"} <= {
        p.name for p in (tmp_path / "m").iterdir()
    }
    small = SdgClassifier.load(tmp_path / "m")
    assert small.meta["training_data_sha256"] == meta["training_data_sha256"]
    p = small.predict_proba(["Free primary education for all children", ""])
    assert p.shape == (2, 17)
    assert np.all(p[1] == 0)
    assert int(np.argmax(p[0])) + 1 == 4
