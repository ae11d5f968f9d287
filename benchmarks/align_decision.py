"""SDG decision rules and stacking data: what each changes, on every proxy set.

Writes ``benchmarks/align_decision.md``. Run from the repository root::

    python benchmarks/align_decision.py [--data-dir /path/to/shared/data]

The shipped ensemble (:mod:`libpolis.align.ensemble`) turns the classifier's probabilities and
the Aurora query hits into one probability per goal, then decides with per-goal thresholds and
no top-1 fallback (``floor`` 1.01), all chosen on the validation split. The held-out expert
benchmark (issue 15) found it precise but missing goals experts confirmed (precision 0.874,
recall 0.597 for the first-wave classifier). This script measures, on the proxy sets only
(the benchmark itself is never read), the levers that need no new data:

1. **a top-1 fallback** (``floor``): the best goal is named when no goal reaches its threshold;
2. **lower thresholds** (every threshold times a factor), alone or with a second goal named only
   when its probability is at least half the best one's;
3. **stacking on shifted probabilities**: the ensemble's per-goal regressions fitted on
   *leave-one-source-out* classifier probabilities (the classifier refitted without TU Berlin,
   then without ZORA, then without the UN goal/target texts, then without the UN indicator
   texts, each time predicting the source it left out), alone or beside the usual 5-fold
   out-of-fold rows, so the ensemble learns how far to trust the classifier on text unlike its
   training text.

Nothing here is shipped; every setting is also scored on the validation split, which is how a
shipped choice would be made. Sets are those of ``benchmarks/align.py``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

from align import _with_labels
from libpolis.align import _sdg_corpus as corpus
from libpolis.align.ensemble import _default_dir, decide, goal_features
from libpolis.align.ensemble_train import SHIPPED, _counts, _n_words, fit_ensemble
from libpolis.align.queries import QueryEngine, shipped_queries
from libpolis.align.sdg import SdgClassifier
from libpolis.align.train import (
    DEFAULT_C,
    TextFeatures,
    _fit_linear,
    clean,
    label_matrix,
    training_frames,
)

ROOT = Path(__file__).resolve().parents[1]
NEGATIVE = ("SwissText not relevant", "Wikipedia (SDG 0)")


def _sets(root: Path, frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    zora = set(corpus.zora_publications(root)["text"].map(corpus.norm_key))
    swiss = corpus.swisstext_gold(root)
    free = swiss[~swiss["text"].map(corpus.norm_key).isin(zora)]
    web = corpus.web_and_scholar(root)
    return {
        "validation split": frames["val"],
        "test split": frames["test"],
        "SwissText gold": free[free["labels"].map(len) > 0],
        "UN web + Scholar": _with_labels(web, True),
        "report pages (multi)": corpus.report_pages(root),
        "Aurora Scopus": corpus.aurora_abstracts(root),
        "Scopus exports": corpus.scopus_exports(root),
        "DPG (multi)": corpus.dpg_projects(root),
        NEGATIVE[0]: swiss[swiss["labels"].map(len) == 0],
        NEGATIVE[1]: _with_labels(web, False),
    }


def _f1(pred: np.ndarray, y: np.ndarray) -> float:
    tp = float((pred * y).sum())
    return (
        0.0
        if tp == 0
        else 2 * tp / (2 * tp + float((pred * (1 - y)).sum()) + float(((1 - pred) * y).sum()))
    )


def _leave_source_out(train: pd.DataFrame, platt: np.ndarray) -> np.ndarray:
    """Calibrated probabilities of each training row from a classifier fitted without its
    source (the shipped Platt scaling applied)."""
    texts = [clean(t) for t in train["text"]]
    ym = label_matrix(list(train["labels"]))
    src = train["source"].to_numpy()
    raw = np.zeros((len(texts), 17))
    for s in sorted(set(src)):
        tr, te = np.flatnonzero(src != s), np.flatnonzero(src == s)
        feats = TextFeatures.fit([texts[i] for i in tr])
        coef, b = _fit_linear(feats.transform([texts[i] for i in tr]), ym[tr], DEFAULT_C, 0)
        raw[te] = feats.transform([texts[i] for i in te]) @ coef.T + b
    return 1.0 / (1.0 + np.exp(np.clip(platt[:, 0] * raw + platt[:, 1], -50, 50)))


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", default=None)
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "align_decision.md"))
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    root = corpus._data_root(args.data_dir)
    frames = training_frames(root)
    train, val = frames["train"], frames["val"]
    model_dir = _default_dir()
    clf = SdgClassifier.load(model_dir)
    engine = QueryEngine(shipped_queries(SHIPPED))
    tt, vt = [clean(t) for t in train["text"]], [clean(t) for t in val["text"]]
    yt, yv = label_matrix(list(train["labels"])), label_matrix(list(val["labels"]))
    oof = np.load(model_dir / "oof_proba.npz")["oof"].astype(np.float64)
    lso = _leave_source_out(train, np.load(model_dir / "weights.npz")["platt"])
    pv = clf.predict_proba(vt)
    docs = {
        "shipped fit (5-fold out-of-fold rows)": fit_ensemble(tt, yt, oof, vt, yv, pv),
        "leave-source-out rows": fit_ensemble(tt, yt, lso, vt, yv, pv),
        "both": fit_ensemble(tt + tt, np.vstack([yt, yt]), np.vstack([oof, lso]), vt, yv, pv),
    }
    feats: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for name, df in _sets(root, frames).items():
        texts = list(df["text"])
        x = goal_features(
            clf.predict_proba(texts), _counts(engine, texts, SHIPPED), _n_words(texts)
        )
        feats[name] = (x, label_matrix(list(df["labels"])))

    def proba(doc: dict, x: np.ndarray) -> np.ndarray:
        z = np.einsum("ngf,gf->ng", x, np.asarray(doc["coef"])) + np.asarray(doc["intercept"])
        return 1.0 / (1.0 + np.exp(-np.clip(z, -50, 50)))

    shipped = docs["shipped fit (5-fold out-of-fold rows)"]
    thr0 = np.asarray(shipped["thresholds"])
    rules: dict[str, tuple[dict, np.ndarray, float, float | None]] = {
        "shipped (thresholds, no fallback)": (shipped, thr0, shipped["floor"], None)
    }
    for fl in (0.3, 0.2, 0.0):
        rules[f"top-1 fallback from {fl}"] = (shipped, thr0, fl, None)
    for k in (0.8, 0.6, 0.4):
        rules[f"thresholds x {k}"] = (shipped, thr0 * k, 1.01, None)
        rules[f"thresholds x {k}, second goal >= half the best"] = (shipped, thr0 * k, 1.01, 0.5)
    for name in ("leave-source-out rows", "both"):
        d = docs[name]
        rules[f"stacked on {name} (own thresholds)"] = (
            d,
            np.asarray(d["thresholds"]),
            d["floor"],
            None,
        )

    names = list(feats)
    lines = [
        "# SDG decision rules and stacking data (proxy sets)",
        "",
        "Generated by `python benchmarks/align_decision.py` "
        f"({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())},"
        f" {time.perf_counter() - t0:.0f} s); what is measured: the script's docstring. Micro-F1;"
        " the last two columns are the share of texts with no SDG given a goal (lower is better).",
        "",
        "| rule | " + " | ".join(names) + " |",
        "|---|" + "---|" * len(names),
    ]
    for rule, (doc, thr, floor, rel) in rules.items():
        cells = []
        for name in names:
            x, y = feats[name]
            p = proba(doc, x)
            pred = decide(p, thr, floor)
            if rel is not None:
                pred = pred * (p >= rel * p.max(axis=1, keepdims=True))
            cells.append(
                f"{pred.any(axis=1).mean():.2f}" if name in NEGATIVE else f"{_f1(pred, y):.3f}"
            )
        lines.append(f"| {rule} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "Goals per text, labelled: "
        + ", ".join(f"{n} {feats[n][1].sum(axis=1).mean():.2f}" for n in names if n not in NEGATIVE)
        + ".",
        "",
    ]
    Path(args.out).write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
