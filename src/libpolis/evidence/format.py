"""How evidence is written for people: numbers, shares, dates and figure values in a locale.

Shared by the brief and the web app, so a figure reads the same on paper and on screen.
Number and date formats come from Babel's locale data (no translation catalog is needed).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal, format_percent

from libpolis.evidence.figures import Figure

__all__ = [
    "DASH",
    "NumberFormat",
    "cost_unit",
    "display_value",
    "is_blank",
    "plural",
]

#: What a table cell shows when there is no value (never used to end a sentence).
DASH = "–"


def is_blank(v: Any) -> bool:
    """True for None, NaN, pandas NA and empty strings."""
    if v is None:
        return True
    if isinstance(v, str):
        return not v.strip()
    try:
        return bool(math.isnan(float(v)))
    except (TypeError, ValueError):
        return False


def cost_unit(mode: str | None) -> str:
    """The unit access is measured in for ``mode``: metres straight line, minutes otherwise."""
    return "m" if mode in (None, "straight") else "min"


def plural(n: float | int, one: str, other: str) -> str:
    """English ``one`` or ``other`` for ``n`` (the brief's other languages use gettext)."""
    return one if n == 1 else other


@dataclass(frozen=True)
class NumberFormat:
    """Locale formats of numbers and dates (``en``, ``fr``, ``es`` or any Babel locale)."""

    code: str = "en"

    @property
    def locale(self) -> Locale:
        return Locale.parse(self.code)

    def int(self, v: float | int | None) -> str:
        """A whole number with the locale's grouping (642,941 / 642 941)."""
        if is_blank(v):
            return DASH
        return format_decimal(round(float(v)), format="#,##0", locale=self.code)  # type: ignore[arg-type]

    def num(self, v: float | None, digits: int = 1) -> str:
        """A number with ``digits`` decimals."""
        if is_blank(v):
            return DASH
        pattern = "#,##0." + "0" * digits if digits else "#,##0"
        return format_decimal(float(v), format=pattern, locale=self.code)  # type: ignore[arg-type]

    def pct(self, share: float | None, digits: int = 1) -> str:
        """A share 0..1 as a percentage with the locale's sign and spacing."""
        if is_blank(share):
            return DASH
        pattern = self.locale.percent_formats[None].pattern.split(";")[0]
        if digits:
            pattern = re.sub(r"0(?=[^0#]*%)", "0." + "0" * digits, pattern, count=1)
        return format_percent(float(share), format=pattern, locale=self.code)  # type: ignore[arg-type]

    def cost(self, v: float | None, unit: str) -> str:
        """A distance (whole metres) or a time (minutes, one decimal) without its unit."""
        return self.int(v) if unit == "m" else self.num(v)

    def date(self, d: date | datetime | str | None, style: str = "long") -> str:
        """A date written out for the locale (also accepts an ISO date-time string);
        ``style`` is a Babel date format: ``long`` (June 30, 2025), ``medium``, ``short``."""
        if d is None or (isinstance(d, str) and not d.strip()):
            return DASH
        if isinstance(d, str):
            d = datetime.fromisoformat(d.strip().replace("Z", "+00:00"))
        if hasattr(d, "to_pydatetime"):
            d = d.to_pydatetime()
        return format_date(d, format=style, locale=self.code)


def display_value(f: Figure, fmt: NumberFormat | str = "en") -> str:
    """The value of a figure as printed (``fmt`` a :class:`NumberFormat` or a locale code).

    Shares are percentages, metres whole numbers with ``m``, minutes one decimal with ``min``,
    indices (``index``) three decimals, scores per 1,000 residents two decimals; counts are
    whole numbers. A figure without a value prints a dash.
    """
    nf = NumberFormat(fmt) if isinstance(fmt, str) else fmt
    if is_blank(f.value):
        return DASH
    v = float(f.value)  # type: ignore[arg-type]
    if f.unit == "share":
        return nf.pct(v)
    if f.unit == "m":
        return nf.int(v) + " m"
    if f.unit == "min":
        return nf.num(v) + " min"
    if f.unit == "index":
        return nf.num(v, 3)
    if f.unit == "per 1,000 residents":
        return nf.num(v, 2)
    return nf.int(v)
