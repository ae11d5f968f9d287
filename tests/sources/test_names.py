"""Library names matched across languages and spellings, on the real Helmet register."""

from __future__ import annotations

import csv
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from libpolis.sources.names import (
    FUZZY_CUTOFF,
    library_city,
    match_library,
    name_key,
    normalise,
)

HELMET_CSV = Path(__file__).parents[1] / "data" / "sources" / "helmet_libraries_2025.csv"
with HELMET_CSV.open(encoding="utf-8") as fh:
    HELMET = list(csv.DictReader(fh))
NAMES = [r["name"] for r in HELMET]


def _named(name: str) -> str | None:
    m = match_library(name, NAMES)
    return NAMES[m.index] if m.index is not None else None


# English names of the same libraries as Linked Events publishes them
# (../shared/data/helsinki/linkedevents-places-2024, columns name_en / name_fi) and as the
# demo's 14 events give them (src/libpolis/data/helsinki/programmes.csv).
ENGLISH_AND_FINNISH = [
    ("Kallio Library", "Kallion kirjasto"),
    ("Maunula Library", "Maunulan kirjasto"),
    ("Entresse Library", "Entressen kirjasto"),
    ("Saunalahti Library", "Saunalahden kirjasto"),  # gradation: lahti -> lahden
    ("Munkkiniemi Library", "Munkkiniemen kirjasto"),
    ("Sello Library", "Sellon kirjasto"),
    ("Martinlaakso Library", "Martinlaakson kirjasto"),
    ("Lippulaiva library", "Lippulaivan kirjasto"),
    ("Tikkurila Library", "Tikkurilan kirjasto"),
    ("Tapiola Library", "Tapiolan kirjasto"),
    ("Malminkartano Library", "Malminkartanon kirjasto"),
    ("Tapulikaupunki Library", "Tapulikaupungin kirjasto"),  # gradation: nki -> ngin
    # Swedish compound, as Linked Events gives Entresse's Swedish name
    ("Entressebiblioteket", "Entressen kirjasto"),
]


@pytest.mark.parametrize(("given_name", "record"), ENGLISH_AND_FINNISH)
def test_english_names_find_their_finnish_record(given_name: str, record: str) -> None:
    m = match_library(given_name, NAMES)
    assert m.method == "fuzzy" and m.score >= FUZZY_CUTOFF
    assert NAMES[m.index] == record


@pytest.mark.parametrize(
    "given_name",
    [
        "Helsinki Central Library Oodi",  # a translation: "Keskustakirjasto Oodi"
        "Berghälls bibliotek",  # Swedish name of Kallion kirjasto: no shared spelling
        "Månsas bibliotek",  # Swedish name of Maunulan kirjasto
        "Liszt Institute",  # a Hungarian cultural institute, not a library
        "",
    ],
)
def test_names_that_share_no_spelling_stay_unmatched(given_name: str) -> None:
    assert match_library(given_name, NAMES).index is None


def test_no_helmet_library_is_taken_for_another() -> None:
    """The cut-off's claim: leave each real library out, and its own name finds no other."""
    for i, name in enumerate(NAMES):
        others = NAMES[:i] + NAMES[i + 1 :]
        assert match_library(name, others).index is None, name


def test_every_helmet_library_finds_itself_by_name() -> None:
    for i, name in enumerate(NAMES):
        m = match_library(name, NAMES)
        assert (m.index, m.method) == (i, "name")


def test_generic_words_of_other_languages_are_dropped() -> None:
    assert name_key("Biblioteca Pública Central") == name_key("Central Public Library")
    assert name_key("Bibliothèque Sainte-Geneviève") == name_key("Sainte Genevieve Library")
    assert name_key("Keskustakirjasto Oodi") == name_key("Keskusta Library Oodi")


def test_a_close_rival_makes_the_match_ambiguous() -> None:
    # the two closest real Helmet names (85.1 apart): the right one leads by far
    centres = ["Riistavuoren palvelukeskuskirjasto", "Roihuvuoren palvelukeskuskirjasto"]
    m = match_library("Riistavuori service centre library", centres)
    assert m.index is None  # "service centre" is a translation: no key is close enough
    m = match_library("Riistavuoren palvelukeskus", centres)
    assert (m.index, m.method) == (0, "fuzzy")
    # a misspelt name one letter from two libraries (the second one made up): a tie
    two = ["Martinlaakson kirjasto", "Martinlaakkon kirjasto"]
    m = match_library("Martinlaakjo Library", two)
    assert (m.index, m.reason) == (None, "ambiguous") and m.score >= FUZZY_CUTOFF
    assert match_library("Martinlaakso Library", two).index == 0
    # the same library in two records (two sources, two languages) is one library
    m = match_library("Kallio bibliotek", ["Kallion kirjasto", "Kallio Library"])
    assert (m.index, m.method) == (0, "fuzzy")


def test_library_city_reads_the_city_then_the_file_columns() -> None:
    assert library_city("Espoo", {"municipality": "Vantaa"}) == "Espoo"
    assert library_city(None, {"municipality": "Vantaa"}) == "Vantaa"
    assert library_city(" ", {"city": "Porto Alegre"}) == "Porto Alegre"
    assert library_city(None, {}) is None


def _strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


@settings(max_examples=200, deadline=None)
@given(
    index=st.integers(0, len(NAMES) - 1),
    flips=st.lists(st.booleans(), min_size=60, max_size=60),
    gaps=st.lists(st.sampled_from([" ", "  ", "\t", " - ", ", "]), min_size=6, max_size=6),
    accents=st.booleans(),
)
def test_case_spacing_and_diacritics_do_not_change_the_match(
    index: int, flips: list[bool], gaps: list[str], accents: bool
) -> None:
    name = NAMES[index]
    text = "".join(
        c.swapcase() if f else c for c, f in zip(name, flips + [False] * 99, strict=False)
    )
    words = text.split()
    text = words[0] + "".join(g + w for g, w in zip(gaps, words[1:], strict=False))
    text = _strip_accents(text) if accents else text
    assert normalise(text) == normalise(_strip_accents(name))
    m = match_library(text, NAMES)
    # the same library (by name), or its twin spelled alike once normalised
    assert m.method == "name"
    assert normalise(NAMES[m.index]) == normalise(name)
