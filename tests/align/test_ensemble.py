"""SDG ensemble: decision rule, features, thresholds, the shipped model's behaviour."""

from __future__ import annotations

import numpy as np
import pytest

from libpolis.align.ensemble import SdgEnsemble, decide, feature_names, goal_features
from libpolis.align.ensemble_train import choose_thresholds, fit_ensemble
from libpolis.align.queries import SHIPPED_SYSTEMS, Query, QueryEngine


@pytest.fixture(scope="module")
def ensemble() -> SdgEnsemble:
    return SdgEnsemble.load()


def test_decide_thresholds_then_floor() -> None:
    proba = np.zeros((4, 17))
    proba[0, [3, 5]] = [0.9, 0.6]  # both over their thresholds
    proba[1, 3] = 0.4  # under threshold, over floor: best goal only
    proba[2, 3] = 0.1  # under the floor: nothing
    thr = np.full(17, 0.5)
    pred = decide(proba, thr, floor=0.3)
    assert np.flatnonzero(pred[0]).tolist() == [3, 5]
    assert np.flatnonzero(pred[1]).tolist() == [3]
    assert pred[2].sum() == 0 and pred[3].sum() == 0


def test_goal_features_closed_form() -> None:
    proba = np.full((1, 17), 0.01)
    proba[0, 3] = 0.8
    proba[0, 9] = 0.3
    counts = np.zeros((1, 1, 17), dtype=np.int32)
    counts[0, 0, 3] = 2
    counts[0, 0, 9] = 1
    x = goal_features(proba, counts, np.array([99]))
    names = feature_names(["aurora"])
    assert x.shape == (1, 17, len(names))
    f = dict(zip(names, x[0, 3], strict=True))
    assert f["logit_p"] == pytest.approx(np.log(0.8 / 0.2))
    assert f["is_top"] == 1 and f["aurora_top"] == 1
    assert f["logit_other"] == pytest.approx(np.log(0.3 / 0.7))  # best of the others
    assert f["aurora_hits"] == pytest.approx(np.log(3)) and f["aurora_all"] == pytest.approx(
        np.log(4)
    )
    assert f["log_words"] == pytest.approx(np.log(100))
    g = dict(zip(names, x[0, 9], strict=True))
    assert g["is_top"] == 0 and g["aurora_top"] == 0
    assert g["logit_other"] == pytest.approx(np.log(0.8 / 0.2))


def test_choose_thresholds_finds_the_separating_value() -> None:
    rng = np.random.default_rng(0)
    y = np.zeros((200, 17), dtype=int)
    y[np.arange(200), rng.integers(0, 17, 200)] = 1
    proba = np.where(y == 1, 0.72, 0.18) + rng.uniform(-0.05, 0.05, y.shape)
    thr, floor = choose_thresholds(proba, y)
    assert np.all((thr > 0.23) & (thr <= 0.67))
    assert np.array_equal(decide(proba, thr, floor), y)


def test_fit_ensemble_learns_from_query_hits() -> None:
    # goal 4 is true exactly when a query hits; the classifier says nothing useful
    eng = QueryEngine([Query("aurora", 4, "4.1", "4.1#1", '"school*"')])
    rng = np.random.default_rng(1)
    texts = [("the school opens" if i % 2 else "the park opens") + f" {i}" for i in range(120)]
    y = np.zeros((120, 17), dtype=int)
    y[1::2, 3] = 1
    y[0::2, 10] = 1
    proba = rng.uniform(0.05, 0.15, (120, 17))
    doc = fit_ensemble(
        texts[:80],
        y[:80],
        proba[:80],
        texts[80:],
        y[80:],
        proba[80:],
        systems=["aurora"],
        engine=eng,
    )
    names = doc["features"]
    assert doc["coef"][3][names.index("aurora_hits")] > 0
    assert doc["val_micro_f1"] > 0.9
    ens = SdgEnsemble(doc, classifier=None, engine=eng)  # type: ignore[arg-type]
    x = ens.features(texts[80:], proba[80:], eng.match_many(texts[80:]))
    p = ens.proba_from_features(x)
    assert np.all(p[1::2, 3] > p[0::2, 3].max())


def test_shipped_ensemble_is_deterministic_and_explains(ensemble: SdgEnsemble) -> None:
    texts = [
        "Free homework help and after-school tutoring so that every child learns to read.",
        "Ending extreme poverty: social protection for poor households living below the poverty line.",
    ]
    a, b = ensemble.analyse(texts), ensemble.analyse(list(texts))
    assert np.array_equal(a.proba, b.proba) and a.labels == b.labels
    assert 1 in a.labels[1]
    hit = next(h for h in a.hits[1] if h.query.sdg == 1)
    assert hit.query.system == "aurora" and hit.query.target.startswith("1.")
    assert any("poverty" in w.lower() for w in hit.words)


def test_shipped_ensemble_edge_inputs(ensemble: SdgEnsemble) -> None:
    long = "Renewable energy for rural schools. " * 3000
    assert len(long) > 100_000
    res = ensemble.analyse(["", "   ", long, "Bibliothèque: atelier de lecture pour enfants."])
    assert res.labels[0] == [] and res.labels[1] == []
    assert not res.proba[:2].any() and res.hits[0] == [] and res.hits[1] == []
    assert res.proba.shape == (4, 17) and np.all((res.proba >= 0) & (res.proba <= 1))
    assert 7 in res.labels[2]
    # the long text is cut like the classifier's input: the result equals the cut text's
    cut = ensemble.analyse([long[:20_000]])
    assert cut.labels[0] == res.labels[2]


def test_shipped_ensemble_mixed_languages(ensemble: SdgEnsemble) -> None:
    texts = [
        "Acceso a agua potable y saneamiento para todas las comunidades rurales.",
        "Éducation de qualité: écoles, enseignants et apprentissage pour tous les enfants.",
        "Clean drinking water and sanitation; agua potable y saneamiento.",
    ]
    labels = ensemble.predict(texts)
    assert 6 in labels[0] and 4 in labels[1] and 6 in labels[2]


def test_shipped_ensemble_size_and_licence(ensemble: SdgEnsemble) -> None:
    # only queries whose licence allows it run in the package: Aurora (CC BY 4.0) and our own
    assert ensemble.systems == ("aurora", "libpolis")
    assert set(ensemble.systems) <= set(SHIPPED_SYSTEMS)
    assert any("CC BY 4.0" in a for a in ensemble.meta["attribution"])
    assert len(ensemble.thresholds) == 17 and 0 < ensemble.floor <= 1.01
