"""The rules every stored record follows, shared by the importers and the web API.

:mod:`~libpolis.rules.fields` holds the limits per entity (text lengths, forbidden characters,
number bounds, date order); :mod:`~libpolis.rules.frames` checks an importer's frame against
them; :mod:`~libpolis.rules.api` gives the web API's pydantic schemas the same limits.
"""

from __future__ import annotations

from libpolis.rules.fields import (
    DATE_ORDER,
    ENTITIES,
    Day,
    Number,
    Rule,
    Text,
    bad_character,
    check_value,
    rule,
)
from libpolis.rules.frames import ROW_NAMES, check_records, row_label

__all__ = [
    "DATE_ORDER",
    "ENTITIES",
    "ROW_NAMES",
    "Day",
    "Number",
    "Rule",
    "Text",
    "bad_character",
    "check_records",
    "check_value",
    "row_label",
    "rule",
]
