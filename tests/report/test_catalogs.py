"""Every catalog (the brief's ``libpolis`` domain, the web's ``web`` domain) holds every message
of its code in every language, translated, not fuzzy, with the same placeholders, and nothing
stale."""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

import libpolis.report
import libpolis.web
from libpolis.report.i18n import LANGUAGES, LOCALE_DIR, get_lang
from libpolis.web.i18n import WEB_LANGUAGES, WEB_LOCALE_DIR


@dataclass(frozen=True)
class Domain:
    name: str
    src: Path
    locale_dir: Path
    languages: tuple[str, ...]
    templates: bool  # Jinja2 templates hold messages too (newstyle %(name)s fields)


DOMAINS = {
    "libpolis": Domain(
        "libpolis", Path(libpolis.report.__file__).parent, LOCALE_DIR, LANGUAGES, False
    ),
    "web": Domain("web", Path(libpolis.web.__file__).parent, WEB_LOCALE_DIR, WEB_LANGUAGES, True),
}


def _code_messages(d: Domain) -> set[str]:
    method_map = [("**.py", "python")]
    options: dict[str, dict[str, str]] = {}
    if d.templates:
        method_map.append(("**/templates/**.html", "jinja2"))
        options["**/templates/**.html"] = {"extensions": "jinja2.ext.i18n"}
    found = set()
    for _, _, msg, _, _ in extract_from_dir(
        str(d.src), method_map=method_map, options_map=options, keywords=DEFAULT_KEYWORDS
    ):
        found.add(msg if isinstance(msg, str) else msg[0])
    return found


_PERCENT = re.compile(r"%\((\w+)\)[sd]")


def _fields(s: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(s) if f is not None} | set(
        _PERCENT.findall(s)
    )


def _catalog(path: Path):
    with path.open("rb") as fh:
        return read_po(fh)


def _key(msgid: str | tuple[str, ...]) -> str:
    """A message's key: its id, or the singular of a plural entry."""
    return msgid if isinstance(msgid, str) else msgid[0]


def _forms(s: str | tuple[str, ...]) -> tuple[str, ...]:
    return (s,) if isinstance(s, str) else tuple(s)


CODE = {name: _code_messages(d) for name, d in DOMAINS.items()}
CASES = [(name, lang) for name, d in DOMAINS.items() for lang in d.languages if lang != "en"]


def test_the_code_has_messages():
    assert len(CODE["libpolis"]) > 150
    assert "Summary for the mayor" in CODE["libpolis"]
    assert len(CODE["web"]) > 100
    assert "Skip to the main content" in CODE["web"]
    assert "wrong e-mail or password" in CODE["web"]  # marked in Python, reaches the login page


def test_every_language_has_catalogs():
    assert {lang for _, lang in CASES} == {"fr", "es", "pt"}
    assert LANGUAGES == WEB_LANGUAGES


@pytest.mark.parametrize("domain", list(DOMAINS))
def test_template_is_not_stale(domain):
    d = DOMAINS[domain]
    pot = {_key(m.id) for m in _catalog(d.locale_dir / f"{domain}.pot") if m.id}
    assert sorted(CODE[domain] - pot) == [], "run pybabel extract (see locale/README.md)"
    assert sorted(pot - CODE[domain]) == []


@pytest.mark.parametrize(("domain", "lang"), CASES)
def test_catalog_is_complete_translated_and_not_stale(domain, lang):
    d = DOMAINS[domain]
    cat = _catalog(d.locale_dir / lang / "LC_MESSAGES" / f"{domain}.po")
    entries = {_key(m.id): m for m in cat if m.id}
    code = CODE[domain]
    assert sorted(code - set(entries)) == [], f"untranslated (missing) messages in {lang}"
    assert sorted(set(entries) - code) == [], f"stale messages in {lang}"
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
    assert bad == [], "a translation drops or adds a placeholder"
    same = [k for k, m in entries.items() if m.string == k and re.search(r"[a-z]{4}", k)]
    # a few words are the same in both languages (e.g. "article", "source"); not whole sentences
    assert all(len(k.split()) <= 3 for k in same), same


def test_a_catalog_with_a_hole_fails(tmp_path):
    """The check above can fail: a catalog that lost a message, or has a fuzzy one, is caught."""
    d = DOMAINS["web"]
    src = (d.locale_dir / "pt" / "LC_MESSAGES" / "web.po").read_text(encoding="utf-8")
    holed = src.replace('msgid "Skip to the main content"', 'msgid "Skip to the main contents"')
    assert holed != src
    path = tmp_path / "web.po"
    path.write_text(holed, encoding="utf-8")
    entries = {_key(m.id) for m in _catalog(path) if m.id}
    assert "Skip to the main content" in CODE["web"] - entries
    fuzzed = src.replace('msgid "Change language"', '#, fuzzy\nmsgid "Change language"')
    path.write_text(fuzzed, encoding="utf-8")
    assert [m.id for m in _catalog(path) if m.id and m.fuzzy] == ["Change language"]


@pytest.mark.parametrize(
    ("lang", "word"), [("fr", "Sommaire"), ("es", "Índice"), ("pt", "Sumário")]
)
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
        ("pt", "1 ponto de atendimento de biblioteca", "2 pontos de atendimento de biblioteca"),
    ],
)
def test_plural_forms_follow_the_language(lang, one, two):
    tr = get_lang(lang)
    forms = ("{n} library service point", "{n} library service points")
    assert tr.ngettext(*forms, 1) == one
    assert tr.ngettext(*forms, 2) == two


def test_portuguese_numbers_and_dates_come_from_babel():
    pt = get_lang("pt")
    assert pt.int(642941) == "642.941"
    assert pt.pct(0.5) == "50,0%"
    assert pt.date("2026-03-05") == "5 de março de 2026"
