"""SDG alignment of library programme texts: classifier alone vs library prior vs blend.

Run: ``python benchmarks/align_library.py [--data-dir DIR] [--write]``.

1. Labelled programme set ``data/frameworks/calibration/sdg_library.csv`` (written by the
   libpolis authors): on its ``calibration`` rows, fit the logistic blend of the classifier's
   logit and the library similarity (scikit-learn ``LogisticRegression``, C=10, one model
   shared by all goals) and choose ``threshold``/``floor`` on a grid (max micro-F1); the same
   grid picks the matcher-alone and max-combination rules. Figures are reported on the
   ``heldout`` rows.
3. Real listings labelled by a careful reader (``tests/data/align/programmes_labelled.csv``,
   read by ``benchmarks/_programmes.py``; the texts without a licence, Jersey City / Hoboken
   and Barnet, are read from the shared data folder, never from the repo), by source and
   language. ``benchmarks/align_programmes.py`` measures the shipped suggestions on the same
   set (micro-F1, share judged wrong, the abstention rule).
2. The classifier's own evaluation sets (as in ``benchmarks/align.py``; not the held-out
   SDGClassification benchmark, which is never read): micro-F1 of the classifier alone and of
   the combination for each candidate word gate ``max_words``; ``--write`` keeps the largest
   gate whose loss on every set is at most 0.01 micro-F1.
4. Throughput of ``align_texts(texts, "sdg")`` (explanations included) on 2,000 programme texts.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

from libpolis.align import _sdg_corpus as corpus
from libpolis.align import sdg_library as sl
from libpolis.align.api import _sdg_classifier, align_texts
from libpolis.align.train import label_matrix, training_frames

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from _programmes import labelled_programmes  # noqa: E402

import align as bench  # noqa: E402  (benchmarks/align.py: metrics and set loaders)

CAL = ROOT / "src" / "libpolis" / "data" / "frameworks" / "calibration"
GATES = [None, 150, 100, 60]
CONFIDENT = [0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.01]
CONFIDENT_TOL = 0.015  # about one calibration text: prefer deferring to a confident classifier
# Gate probability from which a text counts as a programme listing. 0.4 rather than 0.5 after a
# look at section 3 (research sets): at 0.4 the pooled micro-F1 there does not drop; below 0.3
# it does. Disclosed in benchmarks/align_library.md.
GATE_THRESHOLD = 0.4
MAX_LOSS = 0.01  # pooled over all sets
MAX_SET_LOSS = 0.03  # any one set (one text of a 37-text set is about 0.02)


def _labels(s: str) -> list[int]:
    return [int(x) for x in s.split(";") if x.strip()]


def _ymat(labels: list[list[int]]) -> np.ndarray:
    return np.array([[int(g in ls) for g in range(1, 18)] for ls in labels], dtype=np.int8)


def _decide(scores: np.ndarray, thr: float, floor: float) -> np.ndarray:
    return sl._decide(scores, thr, floor).astype(np.int8)


def _grid(scores: np.ndarray, ym: np.ndarray) -> tuple[float, float, float]:
    best = (-1.0, 0.0, 0.0)
    for thr in np.round(np.arange(0.05, 1.0001, 0.025), 3):
        for fl in np.round(np.arange(0.0, thr + 1e-9, 0.025), 3):
            f = bench.figures(_decide(scores, thr, fl), ym)["micro_f1"]
            if f > best[0] + 1e-12:
                best = (f, float(thr), float(fl))
    return best


def _logit(p: np.ndarray) -> np.ndarray:
    q = np.clip(p, 1e-4, 1 - 1e-4)
    return np.log(q / (1 - q))


def _read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def real_sets(data_root: Path) -> dict[str, tuple[list[str], list[list[int]]]]:
    """The labelled real programmes (``tests/data/align/programmes_labelled.csv``), by source."""
    out: dict[str, tuple[list[str], list[list[int]]]] = {}
    for r in labelled_programmes(data_root):
        texts, labels = out.setdefault(f"{r['source']} ({r['language']})", ([], []))
        texts.append(r["text"])
        labels.append(r["sdgs"])
    return dict(sorted(out.items()))


def research_sets(data_root: Path) -> dict[str, tuple[list[str], np.ndarray]]:
    frames = training_frames(data_root)
    ind = frames["indicators"]
    swiss = corpus.swisstext_gold(data_root)
    zora = set(corpus.zora_publications(data_root)["text"].map(corpus.norm_key))
    swiss = swiss[~swiss["text"].map(corpus.norm_key).isin(zora)]
    sets = {
        "held-out test split (TU Berlin + ZORA)": frames["test"],
        "indicators en": ind[ind["lang"] == "en"],
        "indicators es": ind[ind["lang"] == "es"],
        "indicators fr": ind[ind["lang"] == "fr"],
        "SwissText 2024 gold, SDG rows": swiss[swiss["labels"].map(len) > 0],
        "UN web pages + Scholar abstracts": bench._with_labels(
            corpus.web_and_scholar(data_root), True
        ),
        "company report pages": corpus.report_pages(data_root),
        "Aurora-query Scopus abstracts": corpus.aurora_abstracts(data_root),
        "Scopus exports per SDG": corpus.scopus_exports(data_root),
        "Digital Public Goods descriptions": corpus.dpg_projects(data_root),
    }
    return {k: (list(df["text"]), label_matrix(list(df["labels"]))) for k, df in sets.items()}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", default=None)
    ap.add_argument("--write", action="store_true", help="write sdg_library_params.json")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "align_library.md"))
    args = ap.parse_args(argv)
    data_root = corpus._data_root(args.data_dir)
    clf = _sdg_classifier()
    lines: list[str] = []

    def say(s: str = "") -> None:
        print(s, flush=True)
        lines.append(s)

    # ------------------------------------------------------------ 1. authors' programme set
    rows = _read_csv(CAL / "sdg_library.csv")
    texts = [r["text"] for r in rows]
    ym = _ymat([_labels(r["sdgs"]) for r in rows])
    cal = np.array([r["split"] == "calibration" for r in rows])
    ho = ~cal
    if args.write:
        frames = training_frames(data_root)
        fw = json.loads((CAL.parent / "sdg_targets.json").read_text(encoding="utf-8"))
        official = [t for g in fw["goals"] for t in g["text"].values()]
        negatives = list(frames["val"]["text"]) + official
        spec = sl.fit_gate(
            [t for t, c in zip(texts, cal, strict=True) if c], negatives, threshold=GATE_THRESHOLD
        )
        (CAL / "sdg_library_gate.json").write_text(
            json.dumps(spec, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8"
        )
        sl.programme_gate.cache_clear()
        print(f"gate fitted: {int(cal.sum())} programme texts, {len(negatives)} others", flush=True)
    gate = sl.programme_gate()
    proba = clf.predict_proba(texts)
    sim = sl.library_similarity(texts)
    clf_pred = _ymat(clf.predict(texts))
    xm = np.stack([_logit(proba).ravel(), sim.ravel()], axis=1)
    rmask = np.repeat(cal, 17)
    lr = LogisticRegression(C=10.0, max_iter=1000).fit(xm[rmask], ym.ravel()[rmask])
    a, b = (float(v) for v in lr.coef_[0])
    c = float(lr.intercept_[0])
    f_b, thr_b, fl_b = _grid(
        1 / (1 + np.exp(-(xm @ lr.coef_[0] + c))).reshape(sim.shape)[cal], ym[cal]
    )
    prm = sl.LibraryParams(a=a, b=b, c=c, threshold=thr_b, floor=fl_b, max_words=None)
    blend = sl.combine(proba, sim, prm)
    prog_lib = gate.proba(texts) >= gate.threshold
    conf_f = {}
    for tau in CONFIDENT:
        use = prog_lib & (proba.max(axis=1) < tau)
        pred = np.where(use[:, None], _decide(blend, thr_b, fl_b), clf_pred)
        conf_f[tau] = bench.figures(pred[cal], ym[cal])["micro_f1"]
    confident = min(t for t in CONFIDENT if conf_f[t] >= max(conf_f.values()) - CONFIDENT_TOL)
    use_lib = prog_lib & (proba.max(axis=1) < confident)
    _f_m, thr_m, fl_m = _grid(sim[cal], ym[cal])
    lr1 = LogisticRegression(C=10.0, max_iter=1000).fit(sim[cal].reshape(-1, 1), ym[cal].ravel())
    pm = lr1.predict_proba(sim.reshape(-1, 1))[:, 1].reshape(sim.shape)
    mx = np.maximum(proba, pm)
    _f_x, thr_x, fl_x = _grid(mx[cal], ym[cal])
    methods = {
        "classifier alone (its own rule)": clf_pred,
        f"library matcher alone (thr {thr_m}, floor {fl_m})": _decide(sim, thr_m, fl_m),
        f"max(classifier, calibrated matcher) (thr {thr_x}, floor {fl_x})": _decide(
            mx, thr_x, fl_x
        ),
        f"logistic blend (thr {thr_b}, floor {fl_b})": _decide(blend, thr_b, fl_b),
        "shipped rule: blend where the programme gate accepts and the classifier is not "
        f"confident (top probability < {confident}), else classifier": np.where(
            use_lib[:, None], _decide(blend, thr_b, fl_b), clf_pred
        ),
    }
    say("# SDG alignment of library programme texts")
    say()
    say(
        "Generated by `python benchmarks/align_library.py --write` "
        f"({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}). Method: "
        "`libpolis.align.sdg_library` (module docstring)."
    )
    say()
    say(
        f"Blend fitted on the {int(cal.sum())} calibration rows of "
        "`src/libpolis/data/frameworks/calibration/sdg_library.csv`: "
        f"`p = sigmoid({a:.3f} * logit(p_clf) + {b:.3f} * sim + ({c:.3f}))`, "
        f"threshold {thr_b}, floor {fl_b} (calibration micro-F1 {f_b:.3f}). Classifier "
        f"confidence above which the prior is skipped, picked on the same rows (the "
        f"lowest within {CONFIDENT_TOL} of the best): {confident} (calibration micro-F1 per value: "
        + ", ".join(f"{t}: {f:.3f}" for t, f in conf_f.items())
        + ")."
    )
    say()
    say(f"## 1. Authors' programme set, held-out rows (n = {int(ho.sum())})")
    say()
    say("| method | micro-F1 held-out | macro-F1 held-out | micro-F1 calibration |")
    say("|---|---|---|---|")
    for name, pred in methods.items():
        fh = bench.figures(pred[ho], ym[ho])
        fc = bench.figures(pred[cal], ym[cal])
        say(f"| {name} | {fh['micro_f1']:.3f} | {fh['macro_f1']:.3f} | {fc['micro_f1']:.3f} |")
    say()
    say(
        "Caveat: the same authors wrote these texts, their labels and the library descriptions, "
        "so the matcher and blend figures here are optimistic; section 3 uses real listings."
    )
    say()

    # ------------------------------------------------------------ 3. research sets and gate
    rsets = research_sets(data_root)
    say("## 2. Classifier's own evaluation sets: micro-F1, classifier alone vs with prior")
    say()
    say(
        "The prior is applied only to texts the programme gate accepts (and, optionally, of at "
        "most `max_words` words); the others keep the classifier's output unchanged. Without the "
        "gate (every text blended) these sets lost up to 0.24 micro-F1 in a first run, which is "
        "why the gate exists. The gate was fitted on the calibration programme rows against the "
        "classifier's validation split and the official target texts (en, fr, es), none of "
        f"which is in the sets below; its threshold ({GATE_THRESHOLD}, not 0.5) was set after "
        "looking at these sets (0.4 keeps the pooled figure; 0.3 and below lower it), so they "
        "are not fully independent of that one choice. The prior is also skipped when the "
        f"classifier's best probability reaches {confident} (see section 1)."
    )
    say()
    loss_by_gate: dict[int | None, float] = {}
    pooled: dict[int | None, list[np.ndarray]] = {g: [] for g in GATES}
    pooled_own: list[np.ndarray] = []
    pooled_y: list[np.ndarray] = []
    table = []
    for name, (ts, yr) in rsets.items():
        p_r = clf.predict_proba(ts)
        own = _ymat(clf.predict(ts))
        s_r = sl.library_similarity(ts)
        comb = _decide(sl.combine(p_r, s_r, prm), thr_b, fl_b)
        nw = np.array([len(sl._WORD.findall(t)) for t in ts])
        prog = (gate.proba(ts) >= gate.threshold) & (p_r.max(axis=1) < confident)
        base = bench.figures(own, yr)["micro_f1"]
        row = [name, len(ts), int(np.median(nw)), float(prog.mean()), base]
        for g in GATES:
            use = prog & (nw > 0) if g is None else prog & (nw > 0) & (nw <= g)
            pred = np.where(use[:, None], comb, own)
            f = bench.figures(pred, yr)["micro_f1"]
            row.append(f)
            loss_by_gate[g] = max(loss_by_gate.get(g, 0.0), base - f)
            pooled[g].append(pred)
        pooled_own.append(own)
        pooled_y.append(yr)
        table.append(row)
        print(name, [round(x, 3) if isinstance(x, float) else x for x in row[2:]], flush=True)
    gname = ["no word limit" if g is None else f"<= {g} words" for g in GATES]
    say(
        "| set | n | median words | share given the prior | classifier | "
        + " | ".join(f"with prior, {n}" for n in gname)
        + " |"
    )
    say("|---|---|---|---|---|" + "---|" * len(GATES))
    for row in table:
        say(
            f"| {row[0]} | {row[1]} | {row[2]} | {row[3]:.1%} | {row[4]:.3f} | "
            + " | ".join(f"{x:.3f}" for x in row[5:])
            + " |"
        )
    say()
    y_all = np.vstack(pooled_y)
    base_all = bench.figures(np.vstack(pooled_own), y_all)["micro_f1"]
    pooled_loss = {
        g: base_all - bench.figures(np.vstack(pooled[g]), y_all)["micro_f1"] for g in GATES
    }
    ok = [g for g in GATES if pooled_loss[g] <= MAX_LOSS and loss_by_gate[g] <= MAX_SET_LOSS]
    chosen = ok[0] if ok else 0  # 0: no text gets the prior
    say(
        f"Rule: the longest word limit whose micro-F1 loss is at most {MAX_LOSS} on all these "
        f"texts pooled (classifier alone: {base_all:.3f}) and at most {MAX_SET_LOSS} on any one "
        f"set. Chosen: **{'no word limit' if chosen is None else f'max_words = {chosen}'}** "
        "(pooled loss / worst set loss: "
        + ", ".join(
            f"{n} {pooled_loss[g]:.3f} / {loss_by_gate[g]:.3f}"
            for n, g in zip(gname, GATES, strict=True)
        )
        + ")."
    )
    say()
    prm = sl.LibraryParams(
        a=a, b=b, c=c, threshold=thr_b, floor=fl_b, max_words=chosen, confident=confident
    )
    if args.write:
        (CAL / "sdg_library_params.json").write_text(
            json.dumps(
                {
                    "a": round(a, 6),
                    "b": round(b, 6),
                    "c": round(c, 6),
                    "threshold": thr_b,
                    "floor": fl_b,
                    "max_words": chosen,
                    "confident": confident,
                    "_about": "Written by benchmarks/align_library.py --write; see "
                    "libpolis.align.sdg_library and benchmarks/align_library.md.",
                },
                indent=1,
            )
            + "\n",
            encoding="utf-8",
        )
        sl.library_params.cache_clear()

    # ------------------------------------------------------------ 2. real listings
    say("## 3. Real library listings (labelled by a careful reader), by source and language")
    say()
    say(
        "| set | n | classifier micro / macro | matcher alone micro / macro | shipped combination (gate, confidence, blend) micro / macro |"
    )
    say("|---|---|---|---|---|")
    for name, (ts, labs) in real_sets(data_root).items():
        yr = _ymat(labs)
        own = _ymat(clf.predict(ts))
        s_r = sl.library_similarity(ts)
        res = sl.predict_combined(ts, clf, params=prm)
        cells = []
        for pred in (own, _decide(s_r, thr_m, fl_m), _ymat(res.labels)):
            f = bench.figures(pred, yr)
            cells.append(f"{f['micro_f1']:.3f} / {f['macro_f1']:.3f}")
        say(f"| {name} | {len(ts)} | " + " | ".join(cells) + " |")
    jc = bench.programme_texts(data_root)
    say()

    # ------------------------------------------------------------ 4. throughput
    prog = texts + real_sets(data_root)["timberland (en)"][0] + jc
    batch = (prog * (2000 // len(prog) + 1))[:2000]
    align_texts(batch[:50], "sdg")
    reps = []
    for _ in range(3):
        t0 = time.perf_counter()
        align_texts(batch, "sdg")
        reps.append(len(batch) / (time.perf_counter() - t0))
    with open("/proc/loadavg") as fh:
        load = " ".join(fh.read().split()[:3])
    say("## 4. Throughput")
    say()
    say(
        f"`align_texts(texts, 'sdg')` with explanations, 2,000 programme texts (authors' set, "
        f"Timberland strings, Jersey City listings repeated): median of 3 runs "
        f"**{np.median(reps):.0f} texts/s** on this 2-core machine (load average {load}; other "
        "helpers were running)."
    )
    Path(args.out).write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
