"""Calibrate and measure the similarity matcher for UDHR articles and Culture 21 commitments.

Usage (from the repository root)::

    python benchmarks/align_frameworks.py            # measure with the shipped thresholds
    python benchmarks/align_frameworks.py --write    # re-calibrate and rewrite thresholds.json

The labelled set is ``src/libpolis/data/frameworks/calibration/programmes.csv`` (110 short
programme descriptions written by the libpolis authors, en/fr/es). The split is fixed: rows
whose number is divisible by 3 (c003, c006, ..., f003, s003, ...) are held out; the rest
calibrate. Calibration picks, on the calibration rows only, the absolute threshold and the
relative ratio that maximise micro-F1. Figures are micro precision / recall / F1 over
(text, goal) pairs on the held-out rows, overall and per language, next to three baselines
measured in the same run: the official texts alone (no libpolis descriptions), the top-1 goal of
every text, and a keyword lookup (a goal is matched when a description phrase occurs verbatim).
The evidence rule of the programme path (``libpolis.align.rights_evidence``: practical sentences
removed, then a goal kept only with a goal phrase, two distinct shared terms or a clearly higher
score) is measured next to the bare matcher on the same rows; its ``min_terms`` and ``strong``
settings are compared on the calibration rows only. The check set of real programmes
(``tests/data/align/rights_check.csv``, labelled by us, see ``_rights_check.py``) is scored
before and after the rule. Throughput is measured on 1,000 texts; the realistic-input section runs the matcher over real
library event texts from ../shared/data (Jersey City / Hoboken texts are internal-only: only
counts are printed, no text).
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
import time
from pathlib import Path

import numpy as np

from libpolis.align import rights_evidence
from libpolis.align._text import normalize
from libpolis.align.api import align_texts
from libpolis.align.frameworks import framework_from_dict, load_framework
from libpolis.align.match import _DOC_WEIGHT as DOC_WEIGHT
from libpolis.align.match import METHOD, VERSION, match_texts, score_texts

ROOT = Path(__file__).resolve().parents[1]
CAL = ROOT / "src/libpolis/data/frameworks/calibration"
# shared/ sits beside the repository (main and CI) or two levels up (a helper's worktree)
SHARED = next(
    (p / "shared" / "data" for p in (ROOT.parent, ROOT.parent.parent) if (p / "shared").is_dir()),
    ROOT.parent / "shared" / "data",
)
FRAMEWORKS = ("udhr", "culture21")
THRESHOLDS = np.round(np.arange(0.01, 0.80, 0.005), 4)
RELATIVES = (0.0, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8)
TOP_KS = (1, 2, 3, None)


def load_set() -> list[dict]:
    with open(CAL / "programmes.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    for r in rows:
        r["test"] = int(r["id"][1:]) % 3 == 0
    return rows


def labels(rows: list[dict], fw: str, codes: list[str]) -> np.ndarray:
    y = np.zeros((len(rows), len(codes)), dtype=bool)
    for i, r in enumerate(rows):
        for c in r[fw].split(";"):
            if c:
                y[i, codes.index(c)] = True
    return y


def predict(scores: np.ndarray, thr: float, rel: float, top_k: int | None = None) -> np.ndarray:
    top = scores.max(axis=1, keepdims=True)
    keep = (scores >= thr) & (scores > 0) & (scores >= rel * top)
    if top_k is not None:
        order = np.argsort(-scores, axis=1, kind="stable")
        rank = np.empty_like(order)
        np.put_along_axis(rank, order, np.arange(scores.shape[1])[None, :], axis=1)
        keep &= rank < top_k
    return keep


def prf(y: np.ndarray, p: np.ndarray) -> tuple[float, float, float]:
    tp = float((y & p).sum())
    prec = tp / max(float(p.sum()), 1.0)
    rec = tp / max(float(y.sum()), 1.0)
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return prec, rec, f1


def calibrate(
    scores: np.ndarray, y: np.ndarray, top_ks: tuple[int | None, ...] = TOP_KS
) -> tuple[float, float, float, int | None]:
    """Grid search (threshold, relative, top_k) maximising micro-F1; ties keep the first."""
    best: tuple[float, float, float, int | None] = (-1.0, 0.0, 0.0, None)
    for k in top_ks:
        for rel in RELATIVES:
            for thr in THRESHOLDS:
                f1 = prf(y, predict(scores, float(thr), rel, k))[2]
                if f1 > best[0] + 1e-12:
                    best = (f1, float(thr), rel, k)
    return best


def keyword_baseline(texts: list[str], fw) -> np.ndarray:
    out = np.zeros((len(texts), len(fw.goals)), dtype=bool)
    norm = [f" {normalize(t)} " for t in texts]
    for j, g in enumerate(fw.goals):
        phrases = {normalize(p) for d in g.descriptions.values() for p in d.split(",")}
        phrases = {p for p in phrases if len(p) > 2}
        for i, t in enumerate(norm):
            out[i, j] = any(f" {p} " in t for p in phrases)
    return out


def rule_predict(texts: list[str], fw_name: str, codes: list[str]) -> np.ndarray:
    """Goals of the programme path (evidence rule) as a boolean matrix."""
    out = np.zeros((len(texts), len(codes)), dtype=bool)
    for i, r in enumerate(rights_evidence.align_programme_texts(texts, fw_name)):
        for g in r["goals"]:
            out[i, codes.index(g)] = True
    return out


def bare_predict(texts: list[str], fw_name: str, codes: list[str]) -> np.ndarray:
    """Goals of the bare matcher (no evidence rule) as a boolean matrix."""
    out = np.zeros((len(texts), len(codes)), dtype=bool)
    for i, r in enumerate(align_texts(texts, fw_name)):
        for g in r["goals"]:
            out[i, codes.index(g)] = True
    return out


def rule_settings(train: list[dict]) -> None:
    """Calibration micro-F1 of the evidence rule for a few settings (calibration rows only)."""
    spec = rights_evidence._spec()
    shipped = (spec.get("min_terms"), dict(spec.get("strong") or {}))
    texts = [r["text"] for r in train]
    print("\n## Evidence rule settings (calibration rows only; micro P / R / F1)")
    for fw_name in FRAMEWORKS:
        fw = load_framework(fw_name)
        y = labels(train, fw_name, fw.codes)
        print(f"{fw_name}: bare matcher {fmt(prf(y, bare_predict(texts, fw_name, fw.codes)))}")
        for mt in (0, 2, 3):
            for strong in (None, 0.1, 0.2):
                spec["min_terms"], spec["strong"] = mt, {fw_name: strong}
                p = rule_predict(texts, fw_name, fw.codes)
                print(f"{fw_name}: min_terms {mt}, strong {strong}: {fmt(prf(y, p))}")
    spec["min_terms"], spec["strong"] = shipped


def check_set() -> None:
    """Before / after the evidence rule on the labelled real programmes (internal figures)."""
    from _rights_check import check_rows, score_check

    rows = check_rows()
    print(f"\n## Check set of real programmes ({len(rows)}, labelled by us; internal figures)")

    def bare(fw_name: str):
        return lambda texts: [r["goals"] for r in align_texts(texts, fw_name)]

    def rule(fw_name: str):
        return lambda texts: [
            r["goals"] for r in rights_evidence.align_programme_texts(texts, fw_name)
        ]

    groups = {
        "all": rows,
        "en": [r for r in rows if r["language"] == "en"],
        "fr+es": [r for r in rows if r["language"] in ("fr", "es")],
        "fi+sv": [r for r in rows if r["language"] in ("fi", "sv")],
    }
    for fw_name in FRAMEWORKS:
        for name, sub in groups.items():
            for label, fn in (("before", bare(fw_name)), ("after ", rule(fw_name))):
                m = score_check(sub, fw_name, fn)
                print(
                    f"{fw_name} {name:5} ({int(m['n'])}) {label}: P {m['P']:.2f}  R {m['R']:.2f}  "
                    f"F1 {m['F1']:.2f}  with a suggestion {m['with_suggestion']:.0%}  "
                    f"with a wrong one {m['wrong_share']:.0%}"
                )


def fmt(p: tuple[float, float, float]) -> str:
    return f"P {p[0]:.2f}  R {p[1]:.2f}  F1 {p[2]:.2f}"


# Labels written by the libpolis authors for real texts written by others (the texts stay in
# ../shared/data and are not copied here). Barnet: event type names; Helsinki: English events.
REAL_LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "barnet": {
        "Toddler Read and Rhyme": ("26", "3"),
        "Baby Rhyme Time": ("26", "3"),
        "Reading Group Adult": ("26;27", "3"),
        "IT": ("19", "8"),
        "Conversation Café/Language Session": ("26", "3"),
        "Coffee morning/Afternoon tea": ("", "6"),
        "Advice/Surgery": ("22", "6"),
        "Lego": ("24", "1"),
        "Class Visits Primary": ("26", "3"),
        "Scrabble": ("24", "1"),
        "Summer Reading Challenge": ("26;27", "3"),
        "Creative Play": ("24", "1"),
        "Knit & Natter/Crafts/Sewing": ("27", "1;2"),
        "Boardgames": ("24", "1"),
        "Reading Group Teen": ("26;27", "3"),
        "Class Visits Nursery": ("26", "3"),
        "Class Visits Secondary": ("26", "3"),
        "Author Talk (adult)": ("27", "2"),
        "Careers/Job Hunting": ("23", "5"),
    },
    "helsinki": {
        "Reading Dog Nella": ("26", "3"),
        "Chess Club": ("24", "1"),
        "Open Storytime": ("26", "3"),
        "Pingpong for youth": ("24", "1"),
        "Lippulaiva library's movie screening for children": ("27", "2"),
        "Reading dog Kossi": ("26", "3"),
        "Ukrainian Children's Theater Masks": ("27", "2"),
        "The Carousel of Life - Roma Youth Photography": ("2;27", "2;6"),
        "Children's Friday movie": ("27", "2"),
    },
}


def real_listings() -> None:
    """Precision / recall on short real texts written by others, labelled by us."""
    import html

    rows: list[dict] = []
    barnet = SHARED / "library-programmes-and-events/barnet_uk/events_barnet.csv"
    hel = SHARED / "helsinki/linkedevents-event-samples"
    hel = hel / "helmet_library_events_2024-2025_event-finder.json"
    if barnet.is_file():
        with open(barnet, encoding="utf-8", newline="") as f:
            names = {r["Name"] for r in csv.DictReader(f)}
        for name, (u, c) in REAL_LABELS["barnet"].items():
            if name in names:
                rows.append({"text": name, "udhr": u, "culture21": c, "set": "barnet"})
    if hel.is_file():
        for e in json.loads(hel.read_text(encoding="utf-8")):
            title = e["title"].strip()
            if title in REAL_LABELS["helsinki"]:
                u, c = REAL_LABELS["helsinki"][title]
                desc = html.unescape(re.sub(r"<[^>]+>", " ", e.get("description") or ""))
                text = f"{title}. {desc}"
                rows.append({"text": text, "udhr": u, "culture21": c, "set": "helsinki"})
    if not rows:
        print("\n(real listings not found: skipped)")
        return
    print(
        f"\n## Real listings written by others, labelled by us ({len(rows)} texts: "
        f"{sum(r['set'] == 'barnet' for r in rows)} Barnet event types, "
        f"{sum(r['set'] == 'helsinki' for r in rows)} Helsinki events), shipped thresholds"
    )
    for fw_name in FRAMEWORKS:
        fw = load_framework(fw_name)
        y = labels(rows, fw_name, fw.codes)
        pred = np.zeros_like(y)
        for i, ms in enumerate(match_texts([r["text"] for r in rows], fw)):
            for m in ms:
                pred[i, fw.codes.index(m.code)] = True
        s = score_texts([r["text"] for r in rows], fw)
        top1 = (s == s.max(axis=1, keepdims=True)) & (s > 0)
        kw = keyword_baseline([r["text"] for r in rows], fw)
        rule = rule_predict([r["text"] for r in rows], fw_name, fw.codes)
        print(
            f"{fw_name}: matcher {fmt(prf(y, pred))}; with the evidence rule {fmt(prf(y, rule))}; "
            f"top-1 {fmt(prf(y, top1))}; keyword lookup {fmt(prf(y, kw))}"
        )


def realistic() -> None:
    print("\n## Realistic inputs (real library event texts, no labels)")
    sources = []
    jc = (
        SHARED
        / "library-programmes-and-events/jersey_city_hoboken_nj_us/jersey_city_storytimes.json"
    )
    hel = (
        SHARED
        / "helsinki/linkedevents-event-samples/helmet_library_events_2024-2025_event-finder.json"
    )
    if jc.is_file():
        data = json.loads(jc.read_text(encoding="utf-8"))
        sources.append(
            ("Jersey City storytimes (internal only)", [d.get("description") or "" for d in data])
        )
    if hel.is_file():
        data = json.loads(hel.read_text(encoding="utf-8"))
        sources.append(
            ("Helsinki library events (CC BY 4.0)", [d.get("description") or "" for d in data])
        )
    for name, texts in sources:
        texts = [re.sub(r"<[^>]+>", " ", t) for t in texts]
        for fw in FRAMEWORKS:
            res = match_texts(texts, fw)
            n_any = sum(1 for r in res if r)
            counts: dict[str, int] = {}
            for r in res:
                for m in r:
                    counts[m.code] = counts.get(m.code, 0) + 1
            top = sorted(counts.items(), key=lambda kv: -kv[1])[:5]
            print(
                f"- {name}, {fw}: {len(texts)} texts, {n_any} with at least one match; "
                f"most frequent goals {top}"
            )


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--write", action="store_true", help="rewrite calibration/thresholds.json")
    args = ap.parse_args()
    rows = load_set()
    train = [r for r in rows if not r["test"]]
    test = [r for r in rows if r["test"]]
    print(f"# align_frameworks: method {METHOD} v{VERSION}")
    print(f"labelled set: {len(rows)} texts; calibration {len(train)}, held out {len(test)}")
    from libpolis.align import match as _m

    print("\n## Mixing weight of document vs best-passage similarity (calibration rows only)")
    for w in (1.0, 0.85, 0.7, 0.5, 0.3, 0.0):
        _m._DOC_WEIGHT, cells = w, []
        for fw_name in FRAMEWORKS:
            fw = load_framework(fw_name)
            st = score_texts([r["text"] for r in train], fw)
            cells.append(f"{fw_name} {calibrate(st, labels(train, fw_name, fw.codes))[0]:.3f}")
        print(f"weight {w:.2f}: calibration micro-F1 " + ", ".join(cells))
    _m._DOC_WEIGHT = DOC_WEIGHT
    new_thr: dict[str, dict] = {}
    for fw_name in FRAMEWORKS:
        fw = load_framework(fw_name)
        codes = fw.codes
        s_train = score_texts([r["text"] for r in train], fw)
        s_test = score_texts([r["text"] for r in test], fw)
        y_train, y_test = labels(train, fw_name, codes), labels(test, fw_name, codes)
        f1_cal, thr, rel, k = calibrate(s_train, y_train)
        new_thr[fw_name] = {
            "threshold": thr,
            "relative": rel,
            "top_k": k,
            "calibration_micro_f1": round(f1_cal, 3),
        }
        if fw_name == "culture21":  # city strategies: same kind of goals, no per-text limit
            f1_d, thr_d, rel_d, _ = calibrate(s_train, y_train, (None,))
            default = {"threshold": thr_d, "relative": rel_d, "top_k": None}
            default["calibration_micro_f1"] = round(f1_d, 3)
        print(f"\n## {fw_name} ({len(codes)} goals)")
        print(
            f"calibrated threshold {thr:.3f}, relative {rel:.1f}, top_k {k} "
            f"(calibration micro-F1 {f1_cal:.2f})"
        )
        p = predict(s_test, thr, rel, k)
        print(f"held-out, all languages ({len(test)} texts): {fmt(prf(y_test, p))}")
        pr = rule_predict([r["text"] for r in test], fw_name, codes)
        print(f"held-out, all languages, with the evidence rule: {fmt(prf(y_test, pr))}")
        for lang in ("en", "fr", "es"):
            m = np.array([r["lang"] == lang for r in test])
            print(f"held-out, {lang} ({int(m.sum())} texts): {fmt(prf(y_test[m], p[m]))}")
        # baselines, same split
        bare = framework_from_dict(
            {
                **fw.to_dict(),
                "goals": [
                    {k: v for k, v in g.to_dict().items() if k != "description"} for g in fw.goals
                ],
            }
        )
        b_train, b_test = (
            score_texts([r["text"] for r in train], bare),
            score_texts([r["text"] for r in test], bare),
        )
        _, bthr, brel, bk = calibrate(b_train, y_train)
        print(
            f"baseline official texts only (calibrated {bthr:.3f}/{brel:.1f}/{bk}): "
            f"{fmt(prf(y_test, predict(b_test, bthr, brel, bk)))}"
        )
        top1 = s_test == s_test.max(axis=1, keepdims=True)
        print(f"baseline top-1 goal of every text: {fmt(prf(y_test, top1 & (s_test > 0)))}")
        kw = keyword_baseline([r["text"] for r in test], fw)
        print(f"baseline keyword lookup (verbatim description phrases): {fmt(prf(y_test, kw))}")
    # throughput
    texts = [r["text"] for r in rows] * 10
    texts = texts[:1000]
    _m._index_for.cache_clear()
    t0 = time.perf_counter()
    _m._get_index(load_framework("culture21"))
    t_index = time.perf_counter() - t0
    for fw_name in FRAMEWORKS:
        match_texts(texts[:10], fw_name)
        t0 = time.perf_counter()
        match_texts(texts, fw_name)
        dt = time.perf_counter() - t0
        print(
            f"\nthroughput {fw_name}: {len(texts)} texts in {dt:.2f} s = "
            f"{len(texts) / dt:,.0f} texts/s"
        )
    print(f"index build (culture21, includes nothing downloaded): {t_index * 1000:.0f} ms")
    if args.write:
        new_thr["default"] = {
            **default,
            "_note": "city strategies: culture21 calibration without a per-text limit",
        }
        new_thr["_about"] = (
            "Written by benchmarks/align_frameworks.py --write: threshold (score 0..1), relative "
            "ratio and top_k maximising micro-F1 on the calibration rows of programmes.csv."
        )
        (CAL / "thresholds.json").write_text(json.dumps(new_thr, indent=1) + "\n", encoding="utf-8")
        print("\nwrote", CAL / "thresholds.json")
        _m._thresholds.cache_clear()
    rule_settings(train)
    real_listings()
    check_set()
    realistic()
    return 0


if __name__ == "__main__":
    sys.exit(main())
