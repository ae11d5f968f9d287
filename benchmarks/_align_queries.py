"""Query-system methods for ``benchmarks/align.py`` (measurement only, not shipped).

- each published query system alone (Aurora v5 from the copy shipped with libpolis; Elsevier,
  SIRIS, Auckland, SDSN and the OSDG ontology from the text2sdg 1.1.1 tables in the shared
  data): a goal is predicted when at least one of its queries matches;
- the union of the six systems;
- the shipped ensemble (:class:`libpolis.align.ensemble.SdgEnsemble`: classifier + Aurora);
- libpolis's own multilingual (fr/es/pt) keyword queries alone (shipped);
- a research ensemble with the hits of all six systems and libpolis's own as features, fitted exactly like the
  shipped one (same rows, out-of-fold classifier probabilities, validation thresholds) but
  never shipped: the licences of the five other systems do not allow it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from libpolis.align.ensemble import SdgEnsemble
from libpolis.align.ensemble_train import fit_ensemble
from libpolis.align.queries import (
    QueryEngine,
    aurora_queries,
    hit_counts,
    own_queries,
    text2sdg_queries,
)
from libpolis.align.sdg import SdgClassifier
from libpolis.align.train import label_matrix

SYSTEMS = ("aurora", "elsevier", "siris", "auckland", "sdsn", "sdgo")
#: the six published systems and libpolis's own multilingual queries (hit counts axis order)
ALL = (*SYSTEMS, "libpolis")


class QuerySystems:
    """All six systems in one engine; hit counts cached per list of texts."""

    def __init__(self, data_root: Path) -> None:
        base = data_root / "sdg-query-systems" / "text2sdg-1.1.1"
        queries = aurora_queries()
        for s in SYSTEMS[1:]:
            queries += text2sdg_queries(base / f"{s}_queries.csv", s)
        queries += own_queries()
        self.engine = QueryEngine(queries, skip_invalid=True)
        self.n_queries = {s: sum(q.system == s for q in self.engine.queries) for s in ALL}
        self._cache: dict[int, tuple[list[str], np.ndarray]] = {}

    def counts(self, texts: list[str]) -> np.ndarray:
        key = hash(tuple(texts))
        got = self._cache.get(key)
        if got is None or got[0] != texts:
            got = (list(texts), hit_counts(self.engine.match_many(texts), ALL))
            self._cache[key] = got
        return got[1]

    def system(self, name: str):
        s = ALL.index(name)
        return lambda texts: (self.counts(texts)[:, s, :] > 0).astype(np.int8)

    def union(self, texts: list[str]) -> np.ndarray:
        return (self.counts(texts)[:, : len(SYSTEMS)].sum(axis=1) > 0).astype(np.int8)


def research_ensemble(
    frames: dict, model_dir: Path, classifier: SdgClassifier, systems: QuerySystems
) -> SdgEnsemble:
    """The all-systems ensemble fitted on the shipped model's rows (see module docstring)."""
    from libpolis.align._features import clean

    with np.load(model_dir / "oof_proba.npz", allow_pickle=False) as z:
        oof = z["oof"].astype(np.float64)
    train, val = frames["train"], frames["val"]
    if len(train) != len(oof):
        raise SystemExit("oof_proba.npz does not match the training rows: rerun align train")
    val_texts = [clean(t) for t in val["text"]]
    doc = fit_ensemble(
        [clean(t) for t in train["text"]],
        label_matrix(list(train["labels"])),
        oof,
        val_texts,
        label_matrix(list(val["labels"])),
        classifier.predict_proba(val_texts),
        systems=ALL,
        engine=systems.engine,
    )
    return SdgEnsemble(doc, classifier, systems.engine)


def as_matrix(labels: list[list[int]]) -> np.ndarray:
    return label_matrix(labels)
