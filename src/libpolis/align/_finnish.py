"""Finnish compounds and endings: which words of the Finnish vocabulary a text word holds.

Finnish joins nouns into one word and inflects the result: "iltasatutuokioihin" is *ilta* (evening)
+ *satutuokio* (story time) + the plural illative ending, "kirjakierrätyspiste" is *kirja* +
*kierrätys* (recycling) + *piste* (point), "lukukoiralle" is *lukukoira* (reading dog) + the
allative ending. A whole-word match of "satutuokio" finds none of them. The rule here:

* a **vocabulary word** is a word of a ``fi`` keyword description shipped with libpolis
  (``data/frameworks/descriptions/{sdg_library,udhr,culture21}.json``, all of one language, so a
  Finnish word never comes from another language's list);
* a text word **holds** a vocabulary word of at least :data:`MIN_PART` (6) letters when the
  vocabulary word occurs in it after case and accent folding, either **at its start** (followed
  by an ending or a further compound part: "lukukoiralle", "lautapelikerho", but not by a lone
  ``s``, the English and Romance plural: "historias" does not hold "historia") or **after a
  first part of at least** :data:`MIN_HEAD` **(3) letters** (at the end of a compound,
  "iltasatutuokio", or inside it, "kirjakierrätyspiste", "työpajassa"; so "materials" does not
  hold "ateria" nor "estudio" "studio"). Shorter vocabulary words match whole words only
  (five-letter words such as *vapaa*, *tieto*, *kieli* or *maine* are too often a part of
  unrelated compounds: *vapaaehtoinen*, *rauhanomainen*). Endings that change a word's stem
  (consonant gradation: *opastus* / *opastuksen*, *kurssi* / *kursseja*) are not undone: the
  descriptions list such forms themselves;
* nothing else is split or stemmed, and non-Finnish words are never changed: a word of any
  language only gains the Finnish vocabulary words it holds, and the vocabulary words are long
  and Finnish enough that English, French, Spanish and Portuguese words hold none
  (``tests/align/test_finnish.py`` checks the labelled programmes and the calibration texts).

:func:`parts` serves the similarity matcher (:func:`libpolis.align._text.tokens` adds the parts
of each word as extra tokens, so "iltasatutuokioihin" meets the goal passage "satutuokio") and
:func:`find_phrases` the evidence rules of :mod:`libpolis.align.abstain` (SDGs) and
:mod:`libpolis.align.rights_evidence` (UDHR, Culture 21).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import lru_cache
from importlib import resources
from typing import TypeVar

__all__ = ["MIN_HEAD", "MIN_PART", "find_phrases", "holds", "parts", "vocabulary"]

K = TypeVar("K")

#: Vocabulary words of at least this many letters match as parts of a compound word.
MIN_PART = 6
#: A vocabulary word inside a compound must follow a first part of at least this many letters.
MIN_HEAD = 3
_FILES = ("sdg_library", "udhr", "culture21")
_TOKEN = re.compile(r"[a-z0-9]+")


def _normalize(text: str) -> str:
    from libpolis.align._text import normalize  # _text imports this module

    return normalize(text)


@lru_cache(maxsize=1)
def vocabulary() -> frozenset[str]:
    """Every word (folded) of the shipped ``fi`` keyword descriptions with at least
    :data:`MIN_PART` letters: the words that may match inside a compound."""
    base = resources.files("libpolis") / "data" / "frameworks"
    words: set[str] = set()
    texts: list[str] = []
    for name in _FILES:
        path = base / "descriptions" / f"{name}.json"
        if path.is_file():
            raw = json.loads(path.read_text(encoding="utf-8"))
            texts += [v.get("fi", "") for k, v in raw.items() if not k.startswith("_")]
    spec = base / "sdg_evidence.json"
    if spec.is_file():
        extra = json.loads(spec.read_text(encoding="utf-8")).get("extra", {})
        texts += [v.get("fi", "") for v in extra.values()]
    for text in texts:
        words.update(w for w in _TOKEN.findall(_normalize(text)) if len(w) >= MIN_PART)
    return frozenset(words)


@lru_cache(maxsize=1)
def _longest() -> int:
    return max((len(w) for w in vocabulary()), default=0)


@lru_cache(maxsize=65536)
def parts(word: str) -> tuple[str, ...]:
    """The vocabulary words ``word`` holds other than itself, in order of position then length.

    Parameters
    ----------
    word : str
        One folded word (:func:`libpolis.align._text.normalize`).

    Returns
    -------
    tuple of str
        Empty for most words, and for every word of at most :data:`MIN_PART` letters.

    Examples
    --------
    >>> parts("iltasatutuokioihin")  # "iltasatu" (bedtime story) and "satutuokio" (story time)
    ('iltasatu', 'satutuokio')
    """
    n = len(word)
    if n <= MIN_PART:
        return ()
    vocab = vocabulary()
    top = min(_longest(), n)
    found: list[str] = []
    for i in (0, *range(MIN_HEAD, n - MIN_PART + 1)):
        for k in range(MIN_PART, min(top, n - i) + 1):
            piece = word[i : i + k]
            if piece in vocab and piece not in found and _placed(word, i, k):
                found.append(piece)
    return tuple(found)


def _placed(word: str, i: int, k: int) -> bool:
    """Whether ``word[i:i + k]`` stands where a compound part may (see the module docstring)."""
    if i == 0:
        return k < len(word) and word[k:] != "s"
    return i >= MIN_HEAD


def holds(word: str, vocab_word: str) -> bool:
    """Whether the text ``word`` holds the Finnish ``vocab_word`` (both folded): equal, or
    ``vocab_word`` has at least :data:`MIN_PART` letters and is a part of ``word`` placed as the
    module docstring says."""
    if word == vocab_word:
        return True
    k = len(vocab_word)
    if k < MIN_PART:
        return False
    i = word.find(vocab_word)
    while i >= 0:
        if _placed(word, i, k):
            return True
        i = word.find(vocab_word, i + 1)
    return False


def find_phrases(
    words: Sequence[str], phrases_from: Callable[[str], Iterable[tuple[K, tuple[str, ...]]]]
) -> Iterator[tuple[int, K, tuple[str, ...]]]:
    """Where Finnish phrases stand in ``words`` (folded text words, in order).

    ``phrases_from(first)`` gives the ``(key, phrase words)`` whose first word is ``first``;
    it is asked for every text word and every vocabulary word the text word holds
    (:func:`parts`), and a phrase stands at position ``i`` when the text words after ``i``
    hold its further words (:func:`holds`). Yields ``(i, key, phrase)``.
    """
    for i, word in enumerate(words):
        for first in dict.fromkeys((word, *parts(word))):
            for key, phrase in phrases_from(first):
                if i + len(phrase) <= len(words) and all(
                    holds(words[i + k], p) for k, p in enumerate(phrase[1:], start=1)
                ):
                    yield i, key, phrase
