"""Experiment: static (model2vec-style) sentence embeddings for the SDG classifier.

Run from the repository root, after ``scripts/distill_static_embedding.py`` has written a
static table into DIR (one or more)::

    python benchmarks/align_static.py DIR [DIR ...] [--out benchmarks/align_static.md]

For each static table: text vector = mean of the WordPiece token vectors, L2-normalised
(``benchmarks/_static_embedding.py``, pure Python + numpy); one L2 logistic regression
per goal on it (liblinear, ``C`` from a grid), Platt scaling per goal on 5-fold
out-of-fold scores of the training split (seed 0), the decision rule of the shipped model
(best goal over a floor + extra goals over one threshold, both chosen on the validation
split). Then the ensemble ``w * p_shipped + (1 - w) * p_static`` of calibrated
probabilities with the shipped TF-IDF model, ``w`` from a grid.

With ``--stack``, also one model on stacked features: the shipped model's fitted TF-IDF
vectorisers (reused, not refitted) and ``alpha`` times the static vector, one liblinear LR
per goal (C=16, as shipped), Platt on 5-fold out-of-fold scores; ``alpha`` from a grid
(``alpha = 0`` is the TF-IDF model under the same protocol).

Choice: ``C``, ``w`` and ``alpha`` are chosen by validation micro-F1 **only**; the test split and the
evaluation-only sets are then reported for the chosen settings (and, for transparency, for
every ``w``). No OSDG-derived set is read (neither ``zora-osdg-dsre-fankto`` nor
``uniandes-ods-es``), and the held-out SDGClassification benchmark is never read.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from libpolis.align import _sdg_corpus as corpus
from libpolis.align._features import clean
from libpolis.align.sdg import SdgClassifier
from libpolis.align.train import (
    _choose_thresholds,
    _fit_linear,
    _platt,
    decide,
    label_matrix,
    micro_f1,
    training_frames,
)

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from _static_embedding import StaticEmbedding  # noqa: E402

from align import programme_texts  # noqa: E402

C_GRID = (0.25, 1.0, 4.0, 16.0)
W_GRID = (0.0, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 1.0)
ALPHA_GRID = (0.0, 0.5, 1.0, 2.0)
N_GOALS = 17


def eval_sets(data_root: Path, frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The validation split, the test split and the English/indicator proxies of align.py."""
    zora_keys = set(corpus.zora_publications(data_root)["text"].map(corpus.norm_key))
    swiss = corpus.swisstext_gold(data_root)
    swiss = swiss[~swiss["text"].map(corpus.norm_key).isin(zora_keys)]
    web = corpus.web_and_scholar(data_root)
    ind = frames["indicators"]
    return {
        "validation split": frames["val"],
        "test split": frames["test"],
        "indicators en": ind[ind["lang"] == "en"],
        "indicators es": ind[ind["lang"] == "es"],
        "indicators fr": ind[ind["lang"] == "fr"],
        "SwissText 2024 (SDG rows)": swiss[swiss["labels"].map(len) > 0],
        "UN web + Scholar": web[web["labels"].map(len) > 0],
        "Scopus exports": corpus.scopus_exports(data_root),
        "Aurora Scopus": corpus.aurora_abstracts(data_root),
        "company report pages": corpus.report_pages(data_root),
        "Digital Public Goods": corpus.dpg_projects(data_root),
    }


def load_static(folder: Path) -> StaticEmbedding:
    vocab = json.loads((folder / "static_vocab.json").read_text(encoding="utf-8"))
    with np.load(folder / "static_vectors.npz", allow_pickle=False) as z:
        vectors = z["vectors"]
    return StaticEmbedding(vocab, vectors)


def _fit(x: np.ndarray, ym: np.ndarray, c: float) -> tuple[np.ndarray, np.ndarray]:
    coef = np.zeros((N_GOALS, x.shape[1]))
    b = np.full(N_GOALS, -10.0)
    for j in range(N_GOALS):
        if ym[:, j].min() == ym[:, j].max():
            continue
        lr = LogisticRegression(C=c, solver="liblinear", random_state=0, max_iter=5000)
        lr.fit(x, ym[:, j])
        coef[j], b[j] = lr.coef_[0], lr.intercept_[0]
    return coef, b


def static_head(x: np.ndarray, ym: np.ndarray, c: float):
    """Per-goal LR + Platt on 5-fold out-of-fold scores; returns a proba function."""
    primary = ym.argmax(axis=1)
    oof = np.zeros((len(x), N_GOALS))
    for tr, te in StratifiedKFold(5, shuffle=True, random_state=0).split(x, primary):
        coef, b = _fit(x[tr], ym[tr], c)
        oof[te] = x[te] @ coef.T + b
    platt = np.array([_platt(oof[:, j], ym[:, j]) for j in range(N_GOALS)])
    coef, b = _fit(x, ym, c)

    def proba(z: np.ndarray) -> np.ndarray:
        s = z @ coef.T + b
        return 1.0 / (1.0 + np.exp(np.clip(platt[:, 0] * s + platt[:, 1], -50, 50)))

    return proba


def scores(p: dict[str, np.ndarray], y: dict[str, np.ndarray]) -> dict[str, float]:
    thr, floor = _choose_thresholds(p["validation split"], y["validation split"])
    return {k: micro_f1(decide(p[k], thr, floor), y[k]) for k in p}


def stacked(tag, shipped, train_texts, y_train, x_train, texts, emb, y):
    """One per-goal LR on [TF-IDF | alpha * static]; rows for alpha=0 and the chosen alpha."""
    feats = shipped._features
    xs_train = feats.transform(train_texts)
    xs = {k: feats.transform(t) for k, t in texts.items()}

    def stack(a, xsp, e):
        return sparse.hstack([xsp, sparse.csr_matrix(a * e)], format="csr") if a else xsp

    out, best = [], None
    for a in ALPHA_GRID:
        xt = stack(a, xs_train, x_train)
        oof = np.zeros((xt.shape[0], N_GOALS))
        primary = y_train.argmax(axis=1)
        for tr, te in StratifiedKFold(5, shuffle=True, random_state=0).split(x_train, primary):
            coef, b = _fit_linear(xt[tr], y_train[tr], 16.0, 0)
            oof[te] = xt[te] @ coef.T + b
        platt = np.array([_platt(oof[:, j], y_train[:, j]) for j in range(N_GOALS)])
        coef, b = _fit_linear(xt, y_train, 16.0, 0)
        p = {}
        for k in texts:
            s = stack(a, xs[k], emb[k]) @ coef.T + b
            p[k] = 1.0 / (1.0 + np.exp(np.clip(platt[:, 0] * s + platt[:, 1], -50, 50)))
        res = scores(p, y)
        print(tag, "stack alpha", a, {k: round(v, 3) for k, v in res.items()}, flush=True)
        if a == 0.0:
            out.append(("TF-IDF alone, same protocol as the stacked rows (alpha=0)", res))
        if best is None or res["validation split"] > best[0] + 1e-9:
            best = (res["validation split"], a, res)
    out.append((f"{tag}: stacked, chosen on validation (alpha={best[1]})", best[2]))
    return out


@dataclass
class EvalData:
    """What both experiment scripts evaluate on: the cleaned texts and label matrices of the
    evaluation sets, the shipped model's probabilities on them, and the training split."""

    root: Path
    texts: dict[str, list[str]]
    y: dict[str, np.ndarray]
    shipped: SdgClassifier
    p_ship: dict[str, np.ndarray]
    train_texts: list[str]
    y_train: np.ndarray


def load_data(data_dir: str | None) -> EvalData:
    root = corpus._data_root(data_dir)
    frames = training_frames(root)
    sets = eval_sets(root, frames)
    texts = {k: [clean(t) for t in df["text"]] for k, df in sets.items()}
    shipped = SdgClassifier.load()
    return EvalData(
        root=root,
        texts=texts,
        y={k: label_matrix(list(df["labels"])) for k, df in sets.items()},
        shipped=shipped,
        p_ship={k: shipped.predict_proba(t) for k, t in texts.items()},
        train_texts=[clean(t) for t in frames["train"]["text"]],
        y_train=label_matrix(list(frames["train"]["labels"])),
    )


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("static_dirs", nargs="+")
    ap.add_argument("--data-dir", default=None)
    ap.add_argument("--stack", action="store_true", help="also stacked TF-IDF + static features")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "align_static_figures.md"))
    args = ap.parse_args(argv)
    d = load_data(args.data_dir)
    data_root, texts, y, shipped, p_ship = d.root, d.texts, d.y, d.shipped, d.p_ship
    train_texts, y_train = d.train_texts, d.y_train
    progs = programme_texts(data_root)
    batch = (progs * (2000 // len(progs) + 1))[:2000]

    rows: list[tuple[str, dict[str, float]]] = [("shipped TF-IDF model", scores(p_ship, y))]
    notes: list[str] = []
    for d in args.static_dirs:
        folder = Path(d)
        se = load_static(folder)
        tag = f"{folder.name} ({len(se.vocabulary)} tokens x {se.dim})"
        x_train = se.encode(train_texts)
        emb = {k: se.encode(t) for k, t in texts.items()}
        se.encode(batch[:50])
        t0 = time.perf_counter()
        se.encode(batch)
        tput = len(batch) / (time.perf_counter() - t0)
        size = sum(p.stat().st_size for p in folder.glob("static_*"))
        best = None
        for c in C_GRID:
            head = static_head(x_train, y_train, c)
            p_static = {k: head(e) for k, e in emb.items()}
            for w in W_GRID:
                p = {k: w * p_ship[k] + (1 - w) * p_static[k] for k in texts}
                res = scores(p, y)
                if best is None or res["validation split"] > best[0] + 1e-9:
                    best = (res["validation split"], c, w, res)
                if w == 0.0:
                    rows.append((f"{tag}: static alone, C={c}", res))
                print(tag, c, w, {k: round(v, 3) for k, v in res.items()}, flush=True)
        _, c, w, res = best
        rows.append((f"{tag}: ensemble chosen on validation (C={c}, w={w})", res))
        if args.stack:
            rows += stacked(tag, shipped, train_texts, y_train, x_train, texts, emb, y)
        notes.append(
            f"- {tag}: encode {tput:.0f} texts/s on {len(batch)} programme texts "
            f"(pure-Python tokenizer, one process); files {size / 1e6:.1f} MB."
        )
    dirs = " ".join(Path(d).name for d in args.static_dirs)
    cmd = f"python benchmarks/align_static.py {dirs}" + (" --stack" if args.stack else "")
    write(Path(args.out), rows, notes, {k: len(v) for k, v in texts.items()}, cmd)


def write(
    out: Path, rows, notes, sizes, command: str = "python benchmarks/align_static.py"
) -> None:
    names = list(sizes)
    lines = [
        "# SDG classifier: embedding-feature experiment (figures)\n",
        f"Generated by `{command}` (see the script docstring; do not edit by hand). "
        "Micro-F1 with the shipped decision rule; every setting chosen by validation "
        "micro-F1 only. Write-up: `benchmarks/align_static.md`.\n",
        "| method | " + " | ".join(f"{n} ({sizes[n]})" for n in names) + " |",
        "|---|" + "---|" * len(names),
    ]
    for name, res in rows:
        lines.append(f"| {name} | " + " | ".join(f"{res[n]:.3f}" for n in names) + " |")
    lines += ["", *notes, ""]
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
