"""Readers for the SDG-labelled corpora in the shared data folder (private).

Every reader returns a :class:`pandas.DataFrame` with the columns ``text`` (str),
``labels`` (tuple of SDG numbers 1-17; empty for "no SDG"), ``lang`` (ISO 639-1)
and ``source`` (short name of the set). Readers never change the files.

Which sets may train the shipped model is decided by licence (see
``TRAINING_SETS`` / ``EVALUATION_SETS`` and ``src/libpolis/data/models/sdg/MODEL_CARD.md``):

- trainable: TU Berlin sentences (Apache-2.0), ZORA/UZH publication list (CC0),
  UN goal, target and indicator texts in en/es/fr (UN text via Open SDG, MIT);
- evaluation only: every set whose licence is absent, internal-only or copyleft
  (SwissText 2024 gold, AGPL-3.0; company report pages; Aurora-query Scopus
  abstracts; Scopus exports; Digital Public Goods descriptions, registry text
  licence unstated).
- never read: ``zora-osdg-dsre-fankto`` (contains OSDG Community Dataset texts,
  the source of the held-out benchmark) and ``uniandes-ods-es`` (probably Spanish
  translations of OSDG Community Dataset texts, which the issue puts out of reach too).
"""

from __future__ import annotations

import csv
import json
import os
import re
from pathlib import Path

import pandas as pd

from libpolis.errors import DataError

__all__: list[str] = []

_GOALS = tuple(range(1, 18))


def _data_root(data_dir: str | Path | None) -> Path:
    """Folder holding ``sdg-labelled-texts`` and ``sdg-goals-targets-indicators``.

    Looked up in order: ``data_dir``, ``$LIBPOLIS_SHARED_DATA``, then ``shared/data``
    beside any parent folder of this file (the project layout: the repository and
    ``shared/`` side by side).
    """
    candidates: list[Path] = []
    if data_dir is not None:
        candidates.append(Path(data_dir))
    env = os.environ.get("LIBPOLIS_SHARED_DATA")
    if env:
        candidates.append(Path(env))
    here = Path(__file__).resolve()
    candidates += [p / "shared" / "data" for p in here.parents[:6]]
    for c in candidates:
        if (c / "sdg-goals-targets-indicators").is_dir():
            return c
    if data_dir is not None:
        raise DataError(
            f"data_dir {str(data_dir)!r} has no 'sdg-goals-targets-indicators' folder; "
            "pass the folder that holds the shared SDG data sets"
        )
    raise DataError(
        "could not find the shared SDG data sets; pass data_dir= or set LIBPOLIS_SHARED_DATA"
    )


def _frame(rows: list[tuple[str, tuple[int, ...], str]], source: str) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=["text", "labels", "lang"])
    df["text"] = df["text"].astype(str).str.strip()
    df = df[df["text"].str.len() > 0].reset_index(drop=True)
    df["source"] = source
    return df


def _yaml_titles(path: Path) -> dict[str, str]:
    """Parse the flat Open SDG translation YAML (``key: text`` with folded lines)."""
    out: dict[str, str] = {}
    key: str | None = None
    for raw in path.read_text(encoding="utf-8").splitlines():
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        m = re.match(r"^([0-9a-z-]+):\s*(.*)$", raw)
        if m and not raw.startswith(" "):
            key = m.group(1)
            out[key] = m.group(2).strip()
        elif key is not None:
            out[key] = (out[key] + " " + raw.strip()).strip()
    for k, v in out.items():
        if len(v) >= 2 and v[0] == v[-1] and v[0] in "'\"":
            v = v[1:-1]
        out[k] = v.replace("''", "'")
    return out


def goal_target_texts(data_dir: str | Path | None = None, langs=("en", "es", "fr")) -> pd.DataFrame:
    """Official goal, target and indicator texts.

    Returns
    -------
    pandas.DataFrame
        Columns ``kind`` (goal/target/indicator), ``code`` ("4", "4.6", "4.6.1"),
        ``goal`` (int), ``lang`` and ``text``.
    """
    root = _data_root(data_dir) / "sdg-goals-targets-indicators" / "source_yaml"
    rows = []
    for lang in langs:
        for kind, fname in (
            ("goal", "global_goals.yml"),
            ("target", "global_targets.yml"),
            ("indicator", "global_indicators.yml"),
        ):
            for key, text in _yaml_titles(root / lang / fname).items():
                parts = key.split("-")
                if parts[-1] != "title" and not (kind == "goal" and parts[-1] == "short"):
                    continue
                code_parts = parts[:-1]
                expected = {"goal": 1, "target": 2, "indicator": 3}[kind]
                if len(code_parts) != expected or not code_parts[0].isdigit():
                    continue
                goal = int(code_parts[0])
                if goal not in _GOALS or not text:
                    continue
                k = "goal_short" if parts[-1] == "short" else kind
                rows.append((k, ".".join(code_parts), goal, lang, text))
    return pd.DataFrame(rows, columns=["kind", "code", "goal", "lang", "text"])


# ----------------------------------------------------------------------------- trainable sets


def tuberlin_sentences(data_dir: str | Path | None = None) -> pd.DataFrame:
    """TU Berlin Q&U SDG sentences (Apache-2.0), single label."""
    path = _data_root(data_dir) / "sdg-labelled-texts/tuberlin-qu-sdg-sentences/original_data.csv"
    rows = []
    with path.open(encoding="utf-8", newline="") as f:
        for rec in csv.DictReader(f):
            try:
                g = int(str(rec["SDG"]).strip())
            except ValueError:
                continue
            if g in _GOALS:
                rows.append((rec["Text"], (g,), "en"))
    return _frame(rows, "tuberlin")


def zora_publications(data_dir: str | Path | None = None) -> pd.DataFrame:
    """UZH publications per SDG (CC0 list), rows with an abstract; title + abstract."""
    path = _data_root(data_dir) / "sdg-labelled-texts/zora-uzh-sdg-publications/zora_original.tsv"
    df = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)
    rows = []
    for _, r in df.iterrows():
        abstract = r["Abstract"].strip()
        if len(abstract) < 50:
            continue
        m = re.search(r"(\d+)", r["SDG"])
        if not m or int(m.group(1)) not in _GOALS:
            continue
        title = r["Citation"].split(". ")[0] if r["Citation"] else ""
        rows.append((f"{title}. {abstract}" if title else abstract, (int(m.group(1)),), "en"))
    out = _frame(rows, "zora_uzh")
    return out.drop_duplicates("text").reset_index(drop=True)


def framework_texts(data_dir: str | Path | None = None, langs=("en", "es", "fr")) -> pd.DataFrame:
    """Goal, target and indicator texts as labelled training rows (one goal each)."""
    gt = goal_target_texts(data_dir, langs)
    rows = [(r.text, (int(r.goal),), r.lang) for r in gt.itertuples()]
    return _frame(rows, "un_framework")


# ----------------------------------------------------------------------------- evaluation sets


def swisstext_gold(data_dir: str | Path | None = None) -> pd.DataFrame:
    """SwissText 2024 organiser gold (train + test gold); SDG 0 -> no label."""
    base = _data_root(data_dir) / "sdg-labelled-texts/swisstext-2024-zora-abstracts"
    rows = []
    for fname in ("task1_train.jsonl", "testdata_results.jsonl"):
        for line in (base / fname).read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            rec = json.loads(line)
            labels = rec.get("SDGS") or [rec["SDG"]]
            labels = tuple(sorted({int(x) for x in labels if int(x) in _GOALS}))
            rows.append((f"{rec['TITLE']}. {rec['ABSTRACT']}", labels, "en"))
    return _frame(rows, "swisstext_gold")


def report_pages(data_dir: str | Path | None = None) -> pd.DataFrame:
    """Company sustainability-report pages (multi-label, icon-detected; internal only)."""
    base = _data_root(data_dir) / "sdg-labelled-texts/sustainability-report-pages-cjakob"
    frames = []
    for fname in ("text_test.csv", "text_val.csv"):
        df = pd.read_csv(base / fname)
        cols = [str(g) for g in _GOALS]
        rows = [
            (r["text"], tuple(g for g in _GOALS if int(r[str(g)]) == 1), "en")
            for _, r in df[["text", *cols]].iterrows()
        ]
        frames.append(_frame(rows, "report_pages"))
    return pd.concat(frames, ignore_index=True).drop_duplicates("text").reset_index(drop=True)


def web_and_scholar(data_dir: str | Path | None = None) -> pd.DataFrame:
    """UN web pages, Scholar abstracts and Wikipedia negatives (cjakob train_1; internal only)."""
    base = _data_root(data_dir) / "sdg-labelled-texts/sustainability-report-pages-cjakob"
    df = pd.read_csv(base / "text_train_1.csv")
    rows = [
        (r["text"], (int(r["sdg"]),) if int(r["sdg"]) in _GOALS else (), "en")
        for _, r in df.iterrows()
    ]
    return _frame(rows, "web_scholar")


def aurora_abstracts(data_dir: str | Path | None = None) -> pd.DataFrame:
    """Scopus abstracts labelled by the Aurora SDG queries (internal only)."""
    path = _data_root(data_dir) / "sdg-labelled-texts/vu-tmd-aurora-query-scopus/SDG-test-all.csv"
    df = pd.read_csv(path).drop_duplicates("id")
    rows = [
        (f"{r['title']}. {r['abstract']}", (int(r["SDG_label"]),), "en")
        for _, r in df.iterrows()
        if isinstance(r["abstract"], str)
    ]
    return _frame(rows, "aurora_scopus")


def scopus_exports(data_dir: str | Path | None = None) -> pd.DataFrame:
    """Scopus exports per searched SDG, merged multi-label by EID (internal only)."""
    base = _data_root(data_dir) / "sdg-labelled-texts/scopus-sdg-exports-mzamir"
    labels: dict[str, set[int]] = {}
    texts: dict[str, str] = {}
    for g in _GOALS:
        p = base / f"{g}.csv"
        if not p.exists():
            continue
        df = pd.read_csv(p)
        for _, r in df.iterrows():
            if not isinstance(r["Abstract"], str) or r["Abstract"].startswith("[No abstract"):
                continue
            labels.setdefault(r["EID"], set()).add(g)
            texts[r["EID"]] = f"{r['Title']}. {r['Abstract']}"
    rows = [(texts[k], tuple(sorted(v)), "en") for k, v in labels.items()]
    return _frame(rows, "scopus_exports")


def dpg_projects(data_dir: str | Path | None = None) -> pd.DataFrame:
    """Digital Public Goods project descriptions with declared SDGs (multi-label)."""
    path = _data_root(data_dir) / "sdg-labelled-texts/digital-public-goods-sdg/dpgs.csv"
    df = pd.read_csv(path)
    rows = [
        (r["project_description"], tuple(g for g in _GOALS if int(r[f"act_sdg{g}"]) == 1), "en")
        for _, r in df.iterrows()
    ]
    return _frame(rows, "dpg_projects")


def norm_key(text: str) -> str:
    """Key used to find the same abstract across sets (its last 150 letters)."""
    return re.sub(r"[^a-z]", "", text.lower())[-150:]
