"""The pure-Python static-embedding encoder of the SDG experiment (benchmarks/_static_embedding.py).

Checked against hand-worked WordPiece splits on a tiny vocabulary; the equality with the
Hugging Face tokenizer on real texts is checked by
``scripts/distill_static_embedding.py --check`` (needs the distillation environment).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

_PATH = Path(__file__).resolve().parents[2] / "benchmarks" / "_static_embedding.py"
_spec = importlib.util.spec_from_file_location("_static_embedding", _PATH)
se_mod = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(se_mod)

VOCAB = ["[PAD]", "[UNK]", "un", "##aff", "##able", "the", "cafe", ",", "!", "日", "water"]


@pytest.fixture
def model():
    vectors = np.eye(len(VOCAB), dtype=np.float16)
    vectors[10] = 0
    vectors[10, :2] = [3, 4]
    return se_mod.StaticEmbedding(VOCAB, vectors)


def test_wordpiece_splits_lowercases_and_strips_accents(model):
    assert model.token_ids("Unaffable CAFÉ, the!") == [2, 3, 4, 6, 7, 5, 8]


def test_cjk_and_control_characters(model):
    assert model.token_ids("日日\u200b\x00the") == [9, 9, 5]


def test_unknown_word_is_unk_and_dropped_in_encode(model):
    assert model.token_ids("unxyz water") == [1, 10]
    v = model.encode(["unxyz water"])[0]
    np.testing.assert_allclose(v[:3], [0.6, 0.8, 0], atol=1e-6)


def test_mean_is_normalised_and_empty_is_zero(model):
    out = model.encode(["the cafe", "", "zzz"])
    np.testing.assert_allclose(np.linalg.norm(out[0]), 1.0, atol=1e-6)
    assert not out[1].any() and not out[2].any()


def test_deterministic_and_long_words(model):
    texts = ["the " * 10_000, "a" * 150, "Unaffable!"]
    a, b = model.encode(texts), model.encode(texts)
    np.testing.assert_array_equal(a, b)
    assert model.token_ids("a" * 150) == [1]


def test_shape_mismatch_is_an_error():
    with pytest.raises(ValueError, match="vocabulary has"):
        se_mod.StaticEmbedding(VOCAB, np.zeros((3, 4)))
