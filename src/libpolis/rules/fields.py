"""The limits of every stored record, per entity: one table the importers and the web API share.

A text field has a maximum length (the store's column size, or a bound a page can show), may be
required (not blank), and may span lines (tabs and line breaks allowed); no text field may hold
a NUL byte, another C0 control character, a lone surrogate or a non-character. A number has
bounds and may be required to be whole. Cross-field rules (an end date not before its start)
are listed apart. Nothing here touches pandas, the store or the web.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

__all__ = [
    "DATE_ORDER",
    "ENTITIES",
    "Day",
    "Number",
    "Rule",
    "Text",
    "bad_character",
    "check_value",
    "rule",
]

MAX_ID = 2**31 - 1
"""The largest record id (a 32-bit integer column on both backends)."""


@dataclass(frozen=True)
class Text:
    """A text field: at most ``max_length`` characters; ``required`` refuses blank text;
    ``multiline`` allows tabs and line breaks."""

    max_length: int
    required: bool = False
    multiline: bool = False


@dataclass(frozen=True)
class Number:
    """A number between ``ge`` and ``le`` (finite); ``integer`` refuses fractions."""

    ge: float | None = None
    le: float | None = None
    integer: bool = False
    required: bool = False


@dataclass(frozen=True)
class Day:
    """A calendar date between ``min_year`` and ``max_year``."""

    min_year: int = 1000
    max_year: int = 2999


Rule = Text | Number | Day

_ID = Text(200, required=True)
_NAME = Text(300, required=True)
_KIND = Text(50, required=True)
_LON = Number(-180, 180, required=True)
_LAT = Number(-90, 90, required=True)
_COUNT = Number(0, 100_000_000, integer=True)

ENTITIES: dict[str, dict[str, Rule]] = {
    "programme": {
        "source_id": _ID,
        "title": Text(500, required=True),
        "description": Text(20_000, multiline=True),
        "audience": Text(200),
        "language": Text(10),
        "library_name": Text(300),
        "partners": Text(2_000, multiline=True),
        "attendance": _COUNT,
        "library_id": Number(1, MAX_ID, integer=True),
        "start_date": Day(),
        "end_date": Day(),
    },
    "library": {
        "source_id": _ID,
        "name": _NAME,
        "kind": _KIND,
        "system_source_id": Text(200),
        "lon": Number(-180, 180),
        "lat": Number(-90, 90),
        "address": Text(1_000),
        "city": Text(200),
        "hours_per_year": Number(0, 8_784),
        "floor_area_m2": Number(0, 10_000_000),
    },
    "venue": {
        "source_id": _ID,
        "name": _NAME,
        "kind": _KIND,
        "lon": Number(-180, 180),
        "lat": Number(-90, 90),
        "n_events": _COUNT,
    },
    "library_system": {
        "source_id": _ID,
        "name": _NAME,
        "state": Text(50),
        "city": Text(200),
        "population_served": Number(0, 10_000_000_000),
    },
    "statistic": {
        "source_id": _ID,
        "subject_type": _KIND,
        "subject_source_id": Text(200, required=True),
        "year": Number(1000, 2999, integer=True),
        "name": Text(100, required=True),
        "value": Number(-1e15, 1e15),
        "unit": Text(50),
    },
    "area": {
        "source_id": _ID,
        "name": _NAME,
        "kind": _KIND,
    },
    "population_unit": {
        "source_id": _ID,
        "lon": _LON,
        "lat": _LAT,
        "population": Number(0, 1_000_000_000, required=True),
        "area_m2": Number(0, 1e13),
        "district": Text(200),
        "income": Number(-1e12, 1e12),
    },
    "partner": {
        "source_id": _ID,
        "name": _NAME,
        "kind": Text(100),
        "contact_name": Text(200),
        "email": Text(320),
        "phone": Text(50),
        "website": Text(500),
        "address": Text(1_000, multiline=True),
    },
    "partnership": {
        "source_id": _ID,
        "title": Text(500, required=True),
        "purpose": Text(20_000, multiline=True),
        "district": Text(200),
        "partner_id": Number(1, MAX_ID, integer=True),
        "library_system_id": Number(1, MAX_ID, integer=True),
        "start_date": Day(),
        "end_date": Day(),
        "review_date": Day(),
        "budget": Number(0, 1e13),
        "funding_source": Text(300),
    },
    "contact": {
        "side": Text(20, required=True),
        "name": Text(200, required=True),
        "role": Text(200),
        "email": Text(320),
    },
    "goal": {
        "code": Text(50, required=True),
        "title": Text(1_000, required=True, multiline=True),
        "text": Text(10_000, multiline=True),
    },
    "indicator": {
        "name": _NAME,
        "unit": Text(50),
        "baseline": Number(-1e15, 1e15),
        "target": Number(-1e15, 1e15),
        "measured": Number(-1e15, 1e15),
        "measured_on": Day(),
    },
    "measurement": {
        "value": Number(-1e15, 1e15, required=True),
        "measured_on": Day(),
        "source": Text(500),
    },
    "note": {
        "body": Text(20_000, required=True, multiline=True),
    },
    "user": {
        "name": Text(200),
    },
    "dataset": {
        "source": Text(200, required=True),
        "publisher": Text(1_000),
        "licence": Text(1_000),
        "attribution": Text(2_000, multiline=True),
    },
}
"""Entity -> field -> rule. Store tables share the entity's name."""

DATE_ORDER: dict[str, tuple[str, str]] = {
    "programme": ("start_date", "end_date"),
    "partnership": ("start_date", "end_date"),
}
"""Entity -> (start, end): the end may not be before the start."""

# C0 controls but tab, line feed and carriage return; the non-characters U+FFFE and U+FFFF.
# (C1 controls pass: real latin-1 files hold cp1252 dashes and quotes in that range, and
# nothing downstream breaks on them.) As literal characters, so Arrow strings take them.
CONTROL_MULTILINE = "[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]"
CONTROL_LINE = "[\x00-\x1f\ufffe\uffff]"
#: Lone surrogates (only Python strings can hold them: Arrow strings are valid UTF-8).
SURROGATE = re.compile("[\ud800-\udfff]")
BAD_MULTILINE = re.compile(f"{CONTROL_MULTILINE}|{SURROGATE.pattern}")
BAD_LINE = re.compile(f"{CONTROL_LINE}|{SURROGATE.pattern}")


#: What blank means for a required text: nothing but ASCII spaces, tabs and line breaks.
BLANK = " \t\r\n"


def rule(entity: str, name: str) -> Rule | None:
    """The rule of ``entity.name``, or None if the field has none."""
    return ENTITIES.get(entity, {}).get(name)


def bad_character(text: str, *, multiline: bool = False) -> tuple[int, str] | None:
    """The 0-based position and the U+ code of the first character no field may hold."""
    found = (BAD_MULTILINE if multiline else BAD_LINE).search(text)
    if found is None:
        return None
    return found.start(), f"U+{ord(found.group()):04X}"


def _why_text(r: Text, value: str) -> str | None:
    if r.required and not value.strip(BLANK):
        return "is empty"
    if len(value) > r.max_length:
        return f"is {len(value):,} characters long (at most {r.max_length:,})"
    bad = bad_character(value, multiline=r.multiline)
    if bad is not None:
        return f"holds the control character {bad[1]} at character {bad[0] + 1}"
    return None


def _why_number(r: Number, value: float) -> str | None:
    if value != value or value in (float("inf"), float("-inf")):
        return "is not a finite number"
    if r.ge is not None and value < r.ge:
        return f"is {value:.10g}, below {r.ge:,.10g}"
    if r.le is not None and value > r.le:
        return f"is {value:.10g}, above {r.le:,.10g}"
    if r.integer and value != int(value):
        return f"is {value:.10g}, not a whole number"
    return None


def check_value(entity: str, name: str, value: object) -> str | None:
    """Why ``value`` breaks the rule of ``entity.name`` (e.g. ``"is empty"``), or None."""
    r = rule(entity, name)
    if r is None or value is None:
        return None
    if isinstance(r, Text):
        return _why_text(r, str(value))
    if isinstance(r, Number):
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None  # the type is the caller's concern (pydantic, the readers' parsers)
        return _why_number(r, float(value))
    if isinstance(value, date) and not r.min_year <= value.year <= r.max_year:
        return f"is {value}, outside the years {r.min_year}-{r.max_year}"
    return None
