"""Text features of the SDG classifier: word and character TF-IDF (private).

The vectorisers are scikit-learn :class:`~sklearn.feature_extraction.text.TfidfVectorizer`
objects, saved as plain data (parameters in JSON, vocabulary as a JSON list, ``idf``
in an ``.npz``) and rebuilt from that data at load time, so loading a model never
unpickles anything.

- word features: lower-cased, accents stripped, unigrams and bigrams, sublinear tf;
- character features: ``char_wb`` 3-5-grams (robust to inflection, spelling and
  to French/Spanish forms of words seen in the English data).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

__all__: list[str] = []

#: Texts longer than this are cut (characters) before featurisation; 20,000
#: characters is about 3,000 words, far more than any programme description.
MAX_CHARS = 20_000

WORD_PARAMS = {
    "analyzer": "word",
    "ngram_range": [1, 2],
    "min_df": 2,
    "max_features": 60_000,
    "sublinear_tf": True,
    "strip_accents": "unicode",
    "lowercase": True,
}
CHAR_PARAMS = {
    "analyzer": "char_wb",
    "ngram_range": [3, 5],
    "min_df": 2,
    "max_features": 120_000,
    "sublinear_tf": True,
    "strip_accents": "unicode",
    "lowercase": True,
}

_WS = re.compile(r"\s+")


def clean(text: str) -> str:
    """Normalise unicode (NFKC), collapse white space, cut to :data:`MAX_CHARS`."""
    text = unicodedata.normalize("NFKC", text[: MAX_CHARS * 2])
    return _WS.sub(" ", text).strip()[:MAX_CHARS]


def _make(params: dict) -> TfidfVectorizer:
    p = dict(params)
    p["ngram_range"] = tuple(p["ngram_range"])
    return TfidfVectorizer(dtype=np.float32, **p)


class TextFeatures:
    """Word + character TF-IDF features, fitted or rebuilt from saved arrays."""

    def __init__(self, word: TfidfVectorizer, char: TfidfVectorizer) -> None:
        self.word = word
        self.char = char

    @classmethod
    def fit(cls, texts: Sequence[str]) -> TextFeatures:
        texts = [clean(t) for t in texts]
        word = _make(WORD_PARAMS).fit(texts)
        char = _make(CHAR_PARAMS).fit(texts)
        return cls(word, char)

    @property
    def n_features(self) -> int:
        return len(self.word.vocabulary_) + len(self.char.vocabulary_)

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """Feature matrix (n_texts, n_features), rows L2-normalised per block."""
        texts = [clean(t) for t in texts]
        return sparse.hstack([self.word.transform(texts), self.char.transform(texts)], format="csr")

    # ------------------------------------------------------------------ persistence
    def to_data(self) -> tuple[dict, dict[str, np.ndarray]]:
        """(JSON-able dict, arrays) describing both vectorisers."""
        meta = {}
        arrays = {}
        for name, vec, params in (
            ("word", self.word, WORD_PARAMS),
            ("char", self.char, CHAR_PARAMS),
        ):
            vocab = sorted(vec.vocabulary_, key=vec.vocabulary_.__getitem__)
            meta[name] = {"params": params, "vocabulary": vocab}
            arrays[f"idf_{name}"] = vec.idf_.astype(np.float32)
        return meta, arrays

    @classmethod
    def from_data(cls, meta: dict, arrays: dict[str, np.ndarray]) -> TextFeatures:
        vecs = []
        for name in ("word", "char"):
            params = dict(meta[name]["params"])
            params.pop("max_features", None)
            params.pop("min_df", None)
            vocab = {term: i for i, term in enumerate(meta[name]["vocabulary"])}
            vec = _make(params)
            vec.set_params(vocabulary=vocab)
            vec._validate_vocabulary()
            vec.idf_ = np.asarray(arrays[f"idf_{name}"], dtype=np.float64)
            vecs.append(vec)
        return cls(*vecs)
