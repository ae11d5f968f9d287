"""Match a programme's library name to a library record across languages and spellings.

Event lists often name a branch in another language or form than the library register:
Linked Events says "Munkkiniemi Library" where the register says "Munkkiniemen kirjasto".
:func:`match_library` takes, in order:

1. **name**: the names are equal once normalised (:func:`normalise`: Unicode compatibility
   form, diacritics removed, case folded, punctuation and repeated spaces collapsed);
2. **fuzzy**: the names' keys (:func:`name_key`) are compared with ``rapidfuzz.fuzz.ratio``
   (0-100). The key drops the generic word for "library" in English, Finnish, Swedish,
   German, Dutch, French, Spanish, Portuguese, Italian and Polish (:data:`GENERIC_WORDS`; also
   as the tail of a compound, "Keskustakirjasto" → "keskusta"), a few linking words ("of",
   "de", "la", "public", "municipal", ...), and stems each word so that a Finnish genitive and
   its nominative meet: a final "n" and then a final vowel are dropped from words of 5+
   letters, and the two commonest consonant gradations are undone (final "ng" → "nk",
   "kaupungin" → "kaupunki"; "hd/ld/nd/rd" → "ht/lt/nt/rt", "lahden" → "lahti"):
   "Munkkiniemen"/"Munkkiniemi" → "munkkiniem", "Sellon"/"Sello" → "sell".
   The best key is taken if it scores at least :data:`FUZZY_CUTOFF` (88) and leads every
   library of another key by :data:`FUZZY_MARGIN` (5) points; otherwise the name is left
   unmatched (``ambiguous`` when two libraries came close).

Why 88: among the 78 real Helmet service points of Helsinki, Espoo, Vantaa and Kauniainen
(2025), the closest keys of two *different* libraries score 85.1 ("Riistavuoren" and
"Roihuvuoren palvelukeskuskirjasto"; next "Haukilahden" and "Kauklahden kirjasto", 82.4), so
no Helmet library is taken for another; the English names Linked Events gives the same
libraries ("Kallio Library", "Saunalahti Library", "Sello Library", ...) score 100 against
their Finnish records, and a misspelling that changes one letter of a ten-letter name still
scores 90. Translations that share no spelling ("Helsinki Central Library Oodi" ↔
"Keskustakirjasto Oodi", Swedish "Berghälls bibliotek" ↔ "Kallion kirjasto") stay
unmatched: name the library's id in the CSV's ``library_id`` column instead.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz

__all__ = [
    "FUZZY_CUTOFF",
    "FUZZY_MARGIN",
    "GENERIC_WORDS",
    "NameMatch",
    "library_city",
    "match_library",
    "name_key",
    "normalise",
]

FUZZY_CUTOFF = 88.0
FUZZY_MARGIN = 5.0

#: "Library" in the languages of the cities libpolis has met, after :func:`normalise`.
GENERIC_WORDS = frozenset(
    {
        "library", "libraries", "kirjasto", "kirjaston", "kirjastot", "bibliotek",
        "biblioteket", "bibliothek", "bibliotheek", "bibliotheque", "bibliotheques",
        "biblioteca", "bibliotecas", "bibliotheca", "biblioteka",
    }
)  # fmt: skip
_LINK_WORDS = frozenset(
    {
        "the", "of", "and", "public", "municipal", "municipale", "city", "de", "del", "la",
        "le", "les", "el", "da", "do", "das", "dos", "du", "des", "di", "publica", "publique",
        "und", "och",
    }
)  # fmt: skip
_COMPOUND_TAILS = sorted(GENERIC_WORDS, key=len, reverse=True)
_VOWELS = frozenset("aeiouy")
_PUNCT = re.compile(r"[\W_]+")


def normalise(name: str) -> str:
    """Compatibility form, no diacritics, case-folded, words separated by one space."""
    text = unicodedata.normalize("NFKD", str(name))
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    return " ".join(_PUNCT.sub(" ", text).split())


def library_city(city: str | None, attrs: dict[str, Any] | None) -> str | None:
    """A library's town: its ``city``, else a ``city`` or ``municipality`` column kept in
    its attributes by the facilities reader (the Helmet list's ``municipality``)."""
    for value in (city, *((attrs or {}).get(k) for k in ("city", "municipality"))):
        if value is not None and str(value).strip() and str(value) != "nan":
            return str(value).strip()
    return None


def _stem(word: str) -> str:
    if len(word) >= 5 and word.endswith("n"):
        word = word[:-1]
    if len(word) >= 5 and word[-1] in _VOWELS:
        word = word[:-1]
    if len(word) >= 4 and word.endswith("ng"):  # kaupungin -> kaupunki
        return word[:-1] + "k"
    if len(word) >= 4 and word.endswith("d") and word[-2] in "hlnr":  # lahden -> lahti
        return word[:-1] + "t"
    return word


def _drop_generic(word: str) -> str:
    if word in GENERIC_WORDS or word in _LINK_WORDS:
        return ""
    for tail in _COMPOUND_TAILS:
        if word.endswith(tail) and len(word) >= len(tail) + 3:
            return word[: -len(tail)]
    return word


def name_key(name: str) -> str:
    """The part of a library's name that tells it apart (see the module docstring)."""
    words = (_drop_generic(w) for w in normalise(name).split())
    return " ".join(_stem(w) for w in words if w)


@dataclass(frozen=True)
class NameMatch:
    """The outcome of matching one name: the index of the chosen candidate (or None)."""

    index: int | None
    method: str | None  # "name" or "fuzzy"; None when unmatched
    score: float  # 100 for an exact name; the fuzzy score of the best candidate otherwise
    reason: str | None = None  # why unmatched: "no_name", "no_match", "ambiguous"


def match_library(
    name: str | None,
    candidates: Sequence[str],
    *,
    cutoff: float = FUZZY_CUTOFF,
    margin: float = FUZZY_MARGIN,
) -> NameMatch:
    """Match ``name`` to one of ``candidates`` (library names): exact, then fuzzy.

    Several candidates with the same normalised name or the same key (one library imported
    from two sources, or in two languages that spell it alike) are one library: the first of
    them is returned.
    """
    if name is None or not normalise(name):
        return NameMatch(None, None, 0.0, "no_name")
    wanted = normalise(name)
    for i, cand in enumerate(candidates):
        if normalise(cand) == wanted:
            return NameMatch(i, "name", 100.0)
    key = name_key(name)
    keys = [name_key(c) for c in candidates]
    if not key or not keys:
        return NameMatch(None, None, 0.0, "no_match")
    scores = [fuzz.ratio(key, k) for k in keys]
    best = max(scores)
    i = scores.index(best)
    if best < cutoff:
        return NameMatch(None, None, float(best), "no_match")
    rivals = [s for s, k in zip(scores, keys, strict=True) if k != keys[i]]
    if rivals and best - max(rivals) < margin:
        return NameMatch(None, None, float(best), "ambiguous")
    return NameMatch(i, "fuzzy", float(best))
