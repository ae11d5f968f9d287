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


def _key(msgid: str | tuple[str, ...]) -> str:
    """A message's key: its id, or the singular of a plural entry."""
    return msgid if isinstance(msgid, str) else msgid[0]


def _forms(s: str | tuple[str, ...]) -> tuple[str, ...]:
    return (s,) if isinstance(s, str) else tuple(s)


CODE = _code_messages()


def test_the_code_has_messages():
    assert len(CODE) > 150
    assert "Summary for the mayor" in CODE


def test_template_is_not_stale():
    pot = {_key(m.id) for m in _catalog(LOCALE_DIR / "libpolis.pot") if m.id}
    assert sorted(CODE - pot) == [], "run pybabel extract (see locale/README.md)"
    assert sorted(pot - CODE) == []


@pytest.mark.parametrize("lang", [c for c in LANGUAGES if c != "en"])
def test_catalog_is_complete_translated_and_not_stale(lang):
    cat = _catalog(LOCALE_DIR / lang / "LC_MESSAGES" / "libpolis.po")
    entries = {_key(m.id): m for m in cat if m.id}
    assert sorted(CODE - set(entries)) == [], f"untranslated (missing) messages in {lang}"
    assert sorted(set(entries) - CODE) == [], f"stale messages in {lang}"
    untranslated = [k for k, m in entries.items() if not all(_forms(m.string))]
    assert untranslated == []
    fuzzy = [k for k, m in entries.items() if m.fuzzy]
    assert fuzzy == []
    # every form of a plural translation keeps the fields of the plural message
    bad = [
        k
        for k, m in entries.items()
        if any(_fields(_forms(m.id)[-1]) != _fields(f) for f in _forms(m.string))
        and any(_fields(_forms(m.id)[0]) != _fields(f) for f in _forms(m.string))
    ]
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


@pytest.mark.parametrize(
    ("lang", "one", "two"),
    [
        ("en", "1 library service point", "2 library service points"),
        ("fr", "1 point de service de bibliothèque", "2 points de service de bibliothèque"),
        ("es", "1 punto de servicio de biblioteca", "2 puntos de servicio de biblioteca"),
    ],
)
def test_plural_forms_follow_the_language(lang, one, two):
    tr = get_lang(lang)
    forms = ("{n} library service point", "{n} library service points")
    assert tr.ngettext(*forms, 1) == one
    assert tr.ngettext(*forms, 2) == two
