"""The fr and es catalogs hold every message of the code, translated, and nothing stale."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

import libpolis.report
from libpolis.report.i18n import LANGUAGES, LOCALE_DIR, get_lang

SRC = Path(libpolis.report.__file__).parent


def _code_messages() -> set[str]:
    found = set()
    for _, _, msg, _, _ in extract_from_dir(
        str(SRC), method_map=[("**.py", "python")], keywords=DEFAULT_KEYWORDS
    ):
        found.add(msg if isinstance(msg, str) else msg[0])
    return found


def _fields(s: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(s) if f is not None}


def _catalog(path: Path):
    with path.open("rb") as fh:
        return read_po(fh)


CODE = _code_messages()


def test_the_code_has_messages():
    assert len(CODE) > 150
    assert "Summary for the mayor" in CODE


def test_template_is_not_stale():
    pot = {m.id for m in _catalog(LOCALE_DIR / "libpolis.pot") if m.id}
    assert sorted(CODE - pot) == [], "run pybabel extract (see locale/README.md)"
    assert sorted(pot - CODE) == []


@pytest.mark.parametrize("lang", [c for c in LANGUAGES if c != "en"])
def test_catalog_is_complete_translated_and_not_stale(lang):
    cat = _catalog(LOCALE_DIR / lang / "LC_MESSAGES" / "libpolis.po")
    entries = {m.id: m for m in cat if m.id}
    assert sorted(CODE - set(entries)) == [], f"untranslated (missing) messages in {lang}"
    assert sorted(set(entries) - CODE) == [], f"stale messages in {lang}"
    untranslated = [k for k, m in entries.items() if not m.string]
    assert untranslated == []
    fuzzy = [k for k, m in entries.items() if m.fuzzy]
    assert fuzzy == []
    bad = [k for k, m in entries.items() if _fields(k) != _fields(m.string)]
    assert bad == [], "a translation drops or adds a {placeholder}"
    same = [k for k, m in entries.items() if m.string == k and re.search(r"[a-z]{4}", k)]
    # a few words are the same in both languages (e.g. "article", "source"); not whole sentences
    assert all(len(k.split()) <= 3 for k in same), same


@pytest.mark.parametrize(("lang", "word"), [("fr", "Sommaire"), ("es", "Índice")])
def test_compiled_catalog_translates(lang, word):
    assert get_lang(lang)._("Contents") == word
    assert get_lang(lang)._("Residents within {t} {unit} of a library", t="1", unit="m") != (
        "Residents within 1 m of a library"
    )
