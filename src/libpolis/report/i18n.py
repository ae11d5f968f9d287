"""Translations and locale formatting of the brief (gettext catalogs through Babel).

The catalogs live in ``libpolis/report/locale``: ``libpolis.pot`` (extracted from the Python
sources of ``libpolis.report`` with ``pybabel extract -F babel.cfg``) and one
``<lang>/LC_MESSAGES/libpolis.po`` per language. The ``.po`` files are the only committed form:
they are compiled to ``.mo`` in memory when first used (Babel's ``write_mo``), so a compiled
catalog can never be stale. ``scripts``-free workflow (see ``locale/README.md``)::

    pybabel extract -F src/libpolis/report/locale/babel.cfg -o src/libpolis/report/locale/libpolis.pot src/libpolis/report
    pybabel update -i src/libpolis/report/locale/libpolis.pot -d src/libpolis/report/locale -D libpolis
"""

from __future__ import annotations

import gettext
import io
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from libpolis.errors import DataError
from libpolis.evidence.format import NumberFormat

__all__ = ["LANGUAGES", "LOCALE_DIR", "N_", "Lang", "get_lang", "load_translations"]

#: Languages of the brief.
LANGUAGES: tuple[str, ...] = ("en", "fr", "es", "pt")

LOCALE_DIR = Path(str(files("libpolis.report") / "locale"))
_DOMAIN = "libpolis"


def N_(message: str) -> str:  # noqa: N802 (the gettext marker name)
    """Mark a string for extraction without translating it now."""
    return message


@lru_cache(maxsize=32)
def load_translations(locale_dir: Path, domain: str, lang: str) -> gettext.NullTranslations:
    """The gettext translations of ``domain`` in ``lang``, compiled in memory from
    ``<locale_dir>/<lang>/LC_MESSAGES/<domain>.po`` (fuzzy entries left out); English, the
    source language, is the identity."""
    if lang == "en":
        return gettext.NullTranslations()
    po = locale_dir / lang / "LC_MESSAGES" / f"{domain}.po"
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=lang, domain=domain)
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    buf.seek(0)
    return gettext.GNUTranslations(buf)


def _translations(lang: str) -> gettext.NullTranslations:
    return load_translations(LOCALE_DIR, _DOMAIN, lang)


@dataclass(frozen=True)
class Lang(NumberFormat):
    """Translation (gettext, with plural forms) and locale formats for one language.

    Number and date formats come from :class:`libpolis.evidence.format.NumberFormat`, shared
    with the web app.
    """

    def _(self, message: str, **kw: object) -> str:
        """Translate ``message`` and fill ``{name}`` fields with ``kw``."""
        text = _translations(self.code).gettext(message)
        return text.format(**kw) if kw else text

    def ngettext(self, singular: str, plural: str, n: float | int, **kw: object) -> str:
        """The singular or plural form for ``n`` in this language, ``{n}`` filled with the
        locale-formatted ``n`` and the other fields with ``kw``."""
        text = _translations(self.code).ngettext(singular, plural, round(float(n)))
        return text.format(n=self.int(n), **kw)


def get_lang(code: str) -> Lang:
    """The :class:`Lang` for ``code`` (``en``, ``fr``, ``es`` or ``pt``)."""
    code = (code or "en").lower()
    if code not in LANGUAGES:
        raise DataError(f"language {code!r} is not available; choose one of {', '.join(LANGUAGES)}")
    return Lang(code)
