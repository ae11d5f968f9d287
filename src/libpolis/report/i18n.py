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
import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

from babel import Locale
from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent

from libpolis.errors import DataError

__all__ = ["LANGUAGES", "LOCALE_DIR", "N_", "Lang", "get_lang"]

#: Languages of the brief.
LANGUAGES: tuple[str, ...] = ("en", "fr", "es")

LOCALE_DIR = Path(str(files("libpolis.report") / "locale"))
_DOMAIN = "libpolis"


def N_(message: str) -> str:  # noqa: N802 (the gettext marker name)
    """Mark a string for extraction without translating it now."""
    return message


@lru_cache(maxsize=8)
def _translations(lang: str) -> gettext.NullTranslations:
    if lang == "en":
        return gettext.NullTranslations()
    po = LOCALE_DIR / lang / "LC_MESSAGES" / f"{_DOMAIN}.po"
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=lang, domain=_DOMAIN)
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    buf.seek(0)
    return gettext.GNUTranslations(buf)


@dataclass(frozen=True)
class Lang:
    """Translation and formatting for one language of the brief."""

    code: str

    @property
    def locale(self) -> Locale:
        return Locale.parse(self.code)

    def _(self, message: str, **kw: object) -> str:
        """Translate ``message`` and fill ``{name}`` fields with ``kw``."""
        text = _translations(self.code).gettext(message)
        return text.format(**kw) if kw else text

    def ngettext(self, singular: str, plural: str, n: int, **kw: object) -> str:
        text = _translations(self.code).ngettext(singular, plural, n)
        return text.format(n=self.int(n), **kw)

    # -- numbers and dates ------------------------------------------------------------------
    def int(self, v: float | int | None) -> str:
        """A whole number with the locale's grouping (642,941 / 642 941)."""
        if v is None:
            return "–"
        return format_decimal(round(float(v)), format="#,##0", locale=self.code)

    def num(self, v: float | None, digits: int = 1) -> str:
        if v is None:
            return "–"
        pattern = "#,##0." + "0" * digits if digits else "#,##0"
        return format_decimal(float(v), format=pattern, locale=self.code)

    def pct(self, share: float | None, digits: int = 1) -> str:
        """A share 0..1 as a percentage with the locale's sign and spacing."""
        if share is None:
            return "–"
        pattern = self.locale.percent_formats[None].pattern.split(";")[0]
        if digits:
            pattern = re.sub(r"0(?=[^0#]*%)", "0." + "0" * digits, pattern, count=1)
        return format_percent(float(share), format=pattern, locale=self.code)

    def date(self, d: date | datetime | str | None) -> str:
        """A date written out for the locale (also accepts an ISO date-time string)."""
        if d is None or (isinstance(d, str) and not d.strip()):
            return "–"
        if isinstance(d, str):
            d = datetime.fromisoformat(d.strip().replace("Z", "+00:00"))
        if hasattr(d, "to_pydatetime"):
            d = d.to_pydatetime()
        return format_date(d, format="long", locale=self.code)


def get_lang(code: str) -> Lang:
    """The :class:`Lang` for ``code`` (``en``, ``fr`` or ``es``)."""
    code = (code or "en").lower()
    if code not in LANGUAGES:
        raise DataError(f"language {code!r} is not available; choose one of {', '.join(LANGUAGES)}")
    return Lang(code)
