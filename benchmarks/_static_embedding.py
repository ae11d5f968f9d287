"""Static token embeddings (model2vec-style) for the SDG classifier (private).

A static embedding model is a table of one vector per WordPiece token, distilled
from a sentence encoder (see ``scripts/distill_static_embedding.py``): a text's
vector is the mean of its tokens' vectors, L2-normalised. No neural network runs
at prediction time, only a tokenizer and a table lookup, so it is fast (thousands
of texts per second) and needs only numpy.

The tokenizer is the BERT uncased WordPiece of the source encoder, reimplemented
here in pure Python (clean text, lower-case, strip accents, split on white space
and punctuation, greedy longest-match WordPiece with the ``##`` prefix), which
gives the same token ids as the Hugging Face ``tokenizers`` implementation on the
texts we checked (``tests/test_sdg_static.py``). Unknown words are dropped, as
model2vec does.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

__all__: list[str] = []

_MAX_WORD_CHARS = 100


def _is_punct(ch: str) -> bool:
    cp = ord(ch)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


def _is_cjk(cp: int) -> bool:
    return (
        0x4E00 <= cp <= 0x9FFF
        or 0x3400 <= cp <= 0x4DBF
        or 0x20000 <= cp <= 0x2A6DF
        or 0x2A700 <= cp <= 0x2B73F
        or 0x2B740 <= cp <= 0x2B81F
        or 0x2B820 <= cp <= 0x2CEAF
        or 0xF900 <= cp <= 0xFAFF
        or 0x2F800 <= cp <= 0x2FA1F
    )


def _normalise(text: str) -> str:
    """BERT normaliser: drop control chars, white space -> space, pad CJK, lower, no accents."""
    out = []
    for ch in text:
        cp = ord(ch)
        if cp == 0 or cp == 0xFFFD:
            continue
        cat = unicodedata.category(ch)
        if ch in "\t\n\r" or cat == "Zs":
            out.append(" ")
        elif cat in ("Cc", "Cf"):
            continue
        elif _is_cjk(cp):
            out.append(f" {ch} ")
        else:
            out.append(ch)
    text = unicodedata.normalize("NFD", "".join(out).lower())
    return "".join(ch for ch in text if unicodedata.category(ch) != "Mn")


def _pre_tokenise(text: str) -> list[str]:
    """Split on white space, and make every punctuation character its own word."""
    words: list[str] = []
    for chunk in text.split():
        start = 0
        for i, ch in enumerate(chunk):
            if _is_punct(ch):
                if i > start:
                    words.append(chunk[start:i])
                words.append(ch)
                start = i + 1
        if start < len(chunk):
            words.append(chunk[start:])
    return words


class StaticEmbedding:
    """Token vectors + WordPiece vocabulary; :meth:`encode` gives text vectors.

    Parameters
    ----------
    vocabulary : sequence of str
        Token strings in id order (continuation pieces start with ``##``).
    vectors : numpy.ndarray
        (len(vocabulary), dim) token vectors.
    unk_token : str
        The unknown token; words that cannot be split into known pieces are dropped.
    """

    def __init__(
        self, vocabulary: Sequence[str], vectors: np.ndarray, unk_token: str = "[UNK]"
    ) -> None:
        if len(vocabulary) != vectors.shape[0]:
            raise ValueError(
                f"vocabulary has {len(vocabulary)} tokens but vectors have {vectors.shape[0]} rows"
            )
        self.vocabulary = list(vocabulary)
        self._ids = {t: i for i, t in enumerate(self.vocabulary)}
        self._unk = self._ids.get(unk_token, -1)
        self.vectors = np.asarray(vectors, dtype=np.float32)
        self._word_ids = lru_cache(maxsize=200_000)(self._wordpiece)

    @property
    def dim(self) -> int:
        return int(self.vectors.shape[1])

    def _wordpiece(self, word: str) -> tuple[int, ...]:
        if len(word) > _MAX_WORD_CHARS:
            return (self._unk,)
        ids = []
        start = 0
        n = len(word)
        while start < n:
            end = n
            found = -1
            while start < end:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                found = self._ids.get(piece, -1)
                if found >= 0:
                    break
                end -= 1
            if found < 0:
                return (self._unk,)
            ids.append(found)
            start = end
        return tuple(ids)

    def token_ids(self, text: str) -> list[int]:
        """WordPiece ids of ``text`` (no special tokens, unknown words kept as unk)."""
        out: list[int] = []
        for word in _pre_tokenise(_normalise(text)):
            out.extend(self._word_ids(word))
        return out

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """(n, dim) float32 text vectors: mean of known-token vectors, L2-normalised.

        A text with no known token gets the zero vector.
        """
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            ids = [t for t in self.token_ids(text) if t != self._unk]
            if not ids:
                continue
            v = self.vectors[ids].mean(axis=0)
            norm = float(np.linalg.norm(v))
            if norm > 0:
                out[i] = v / norm
        return out
