"""SDG suggestions for real library programmes, judged against a careful reader's labels.

Run: ``python benchmarks/align_programmes.py [--data-dir DIR] [--out FILE] [--label NAME]``.

The set is ``tests/data/align/programmes_labelled.csv`` (read by ``benchmarks/_programmes.py``):
357 real programmes (Helsinki events and Annantalo courses, Timberland categories, Barnet event
types, Jersey City / Hoboken listings, Finnish service and programme names of the Helmet
libraries, and fr/es/pt translations of Helsinki/Annantalo/Timberland rows), each with the
goals a careful reader assigns (``sdgs``; empty when the text gives no evidence for any goal),
goals that would be defensible but were not assigned (``also_ok``) and a one-line reason. Rows
whose text is not in the repository (Jersey City / Hoboken, Barnet, Helmet services) are read
from the shared data folder and skipped when it is absent.

What is measured, for the suggestions every face shows for a programme
(:func:`libpolis.pipeline.align.programme_suggestions`, which ``align run``, the web and
``align texts --programmes`` call; the model is whatever is on the branch it runs on):

* micro- and macro-F1 against ``sdgs`` (17 goals);
* **judged wrong**: the share of programmes given at least one goal that is neither in ``sdgs``
  nor in ``also_ok``;
* **guessed**: the share of the programmes without evidence (``sdgs`` empty) given any goal;
* the same per language and per source, the Finnish rows by split (dev / test, see
  ``benchmarks/_programmes.py``), and the three suggestions reported in issue 15.

Both the suggestions as they are and, separately, the raw model output before the evidence rule
(:func:`libpolis.align.abstain.keep_supported`, applied on the programme suggestion path
of :mod:`libpolis.pipeline.align`) are reported, so the rule's own effect shows.
Re-run it after a new model lands: the figures are appended under ``--label``.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from _programmes import blind_listings, labelled_programmes  # noqa: E402

from libpolis.align._sdg_corpus import _data_root  # noqa: E402
from libpolis.pipeline import programme_suggestions  # noqa: E402

KNOWN = (
    "Ukrainian Children's Theater Masks",
    "Children's Friday movie",
    "Hora do conto para crianças",
)


def _ymat(labels: list[list[int]]) -> np.ndarray:
    return np.array([[int(g in ls) for g in range(1, 18)] for ls in labels], dtype=np.int8)


def scores(pred: list[list[int]], rows: list[dict[str, Any]]) -> dict[str, float]:
    """Micro/macro F1, share judged wrong, share guessed, share given any goal."""
    yt = _ymat([r["sdgs"] for r in rows])
    yp = _ymat(pred)
    tp = (yt & yp).sum(axis=0)
    fp = ((1 - yt) & yp).sum(axis=0)
    fn = (yt & (1 - yp)).sum(axis=0)
    micro = 2 * tp.sum() / max(1, 2 * tp.sum() + fp.sum() + fn.sum())
    present = (yt.sum(axis=0) + yp.sum(axis=0)) > 0
    per = np.where(present, 2 * tp / np.maximum(1, 2 * tp + fp + fn), 0.0)
    macro = float(per[present].mean()) if present.any() else 0.0
    wrong = [
        bool(set(p) - set(r["sdgs"]) - set(r["also_ok"])) for p, r in zip(pred, rows, strict=True)
    ]
    empty = [i for i, r in enumerate(rows) if not r["sdgs"]]
    return {
        "n": len(rows),
        "micro_f1": float(micro),
        "macro_f1": macro,
        "wrong": float(np.mean(wrong)) if rows else 0.0,
        "guessed": float(np.mean([bool(pred[i]) for i in empty])) if empty else float("nan"),
        "n_no_evidence": len(empty),
        "suggested": float(np.mean([bool(p) for p in pred])) if rows else 0.0,
    }


def _raw(results: list[dict[str, Any]]) -> list[list[int]]:
    return [sorted(int(g) for g in r.get("raw_sdgs", r["sdgs"])) for r in results]


def listings_section(say: Any) -> None:
    """Figures on ``benchmarks/data/programmes_listings_2.csv`` (100 listings in Brazilian
    Portuguese, French and Spanish written and labelled for libpolis by a reader who did not see
    the evidence vocabulary), by language and by variety."""
    rows = blind_listings()
    if not rows:
        return
    res = programme_suggestions([r["text"] for r in rows], "sdg")
    shown = [sorted(int(g) for g in r["sdgs"]) for r in res]
    raw = _raw(res)
    say(
        f"Listings written for libpolis in other languages ({len(rows)}, "
        "`benchmarks/data/programmes_listings_2.csv`; as shown, before the evidence rule in "
        "brackets):"
    )
    say()
    say("| language / variety | n | micro-F1 | judged wrong | guessed | given any goal |")
    say("|---|---|---|---|---|---|")
    groups: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        groups[r["lang"]].append(i)
        groups[f"{r['lang']} {r['variety']}"].append(i)
    groups["all"] = list(range(len(rows)))
    for g in sorted(groups, key=lambda k: (k != "all", k)):
        idx = groups[g]
        sub = [rows[i] for i in idx]
        a = scores([shown[i] for i in idx], sub)
        b = scores([raw[i] for i in idx], sub)
        say(
            f"| {g} | {len(idx)} | {a['micro_f1']:.3f} ({b['micro_f1']:.3f}) | "
            f"{a['wrong']:.1%} ({b['wrong']:.1%}) | {a['guessed']:.1%} ({b['guessed']:.1%}) | "
            f"{a['suggested']:.1%} |"
        )
    say()


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", default=None)
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "align_programmes.md"))
    ap.add_argument("--label", default="main", help="name of the model measured (a heading)")
    args = ap.parse_args(argv)
    rows = labelled_programmes(_data_root(args.data_dir))
    texts = [r["text"] for r in rows]
    t0 = time.perf_counter()
    res = programme_suggestions(texts, "sdg")
    secs = time.perf_counter() - t0
    shown = [sorted(int(g) for g in r["sdgs"]) for r in res]
    raw = _raw(res)
    lines: list[str] = []

    def say(s: str = "") -> None:
        print(s, flush=True)
        lines.append(s)

    with open("/proc/loadavg") as fh:
        load = " ".join(fh.read().split()[:3])
    say(f"## {args.label} ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})")
    say()
    method = res[0]["method"] if res else ""
    say(
        f"`programme_suggestions(texts, 'sdg')` on {len(rows)} labelled programmes "
        f"(method `{method}`); "
        f"{len(rows) / secs:.0f} texts/s including explanations (load average {load})."
    )
    say()
    say(
        "| suggestions | n | micro-F1 | macro-F1 | judged wrong | guessed (no evidence) | given any goal |"
    )
    say("|---|---|---|---|---|---|---|")
    variants = {"as shown (evidence rule applied)": shown}
    if raw != shown:
        variants["model output before the evidence rule"] = raw
    for name, pred in variants.items():
        s = scores(pred, rows)
        say(
            f"| {name} | {s['n']} | {s['micro_f1']:.3f} | {s['macro_f1']:.3f} | {s['wrong']:.1%} "
            f"| {s['guessed']:.1%} of {s['n_no_evidence']} | {s['suggested']:.1%} |"
        )
    say()

    def before_after(idx: list[int]) -> tuple[str, dict]:
        """Table cells ``n | micro-F1 | judged wrong | guessed`` of rows ``idx``, as shown and
        (in brackets) before the evidence rule; and the scores as shown."""
        sub = [rows[i] for i in idx]
        a = scores([shown[i] for i in idx], sub)
        b = scores([raw[i] for i in idx], sub)
        cells = (
            f"{len(idx)} | {a['micro_f1']:.3f} ({b['micro_f1']:.3f}) | "
            f"{a['wrong']:.1%} ({b['wrong']:.1%}) | {a['guessed']:.1%} ({b['guessed']:.1%})"
        )
        return cells, a

    for key, title in (("language", "language"), ("source", "source")):
        groups: dict[str, list[int]] = defaultdict(list)
        for i, r in enumerate(rows):
            groups[r[key]].append(i)
        say(f"By {title} (as shown; before the evidence rule in brackets):")
        say()
        say(f"| {title} | n | micro-F1 | judged wrong | guessed |")
        say("|---|---|---|---|---|")
        for g in sorted(groups):
            say(f"| {g} | {before_after(groups[g])[0]} |")
        say()
    fi = [i for i, r in enumerate(rows) if r["language"] == "fi"]
    if fi:
        say(
            "Finnish rows by split (`_programmes.split_of`: the Helmet service names keyed by "
            "`helmet_services`, test = key's first 8 hex digits divisible by 3; the earlier 24 "
            "Finnish rows are `all`; as shown, before the evidence rule in brackets):"
        )
        say()
        say("| split | n | micro-F1 | judged wrong | guessed | given any goal |")
        say("|---|---|---|---|---|---|")
        for part in ("all", "dev", "test"):
            idx = [i for i in fi if rows[i]["split"] == part]
            if not idx:
                continue
            cells, shown_scores = before_after(idx)
            say(f"| fi {part} | {cells} | {shown_scores['suggested']:.1%} |")
        say()
    listings_section(say)
    say("The three suggestions reported in issue 15:")
    say()
    for i, r in enumerate(rows):
        if r["title"].strip() in KNOWN and r["source"] in ("helsinki", "helsinki_translated"):
            sc = res[i]["scores"]
            got = ", ".join(f"{g} ({sc.get(str(g), 0):.2f})" for g in shown[i]) or "none"
            before = ", ".join(str(g) for g in raw[i]) or "none"
            say(
                f"- {r['title']} ({r['language']}): labelled {r['sdgs'] or 'none'}; "
                f"suggested {got}; before the rule {before}"
            )
    say()
    out = Path(args.out)
    head = (
        "# SDG suggestions for real library programmes\n\n"
        "Generated by `python benchmarks/align_programmes.py --label NAME`; each run is "
        "appended. Set, labels and measures: the script's docstring and "
        "`tests/data/align/PROVENANCE.md`.\n\n"
    )
    old = out.read_text(encoding="utf-8") if out.is_file() else head
    out.write_text(old + "\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
