"""The domain vocabulary every layer shares: travel modes, planning objectives, frameworks.

These enums are the one place a mode, an objective or a framework is named: the pipeline's
requests take them, the CLI uses them as option types, the evidence reads them back from the
runs the pipeline stored. Each is a ``str`` enum, so its value is what is stored and printed.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

__all__ = [
    "CITY_FRAMEWORK",
    "NETWORK_MODES",
    "NOT_WALK_IN_KINDS",
    "Framework",
    "Objective",
    "TravelMode",
    "explanation_basis",
]


class TravelMode(StrEnum):
    """How residents reach a library: a straight line, or walking, cycling or driving on the
    street network."""

    STRAIGHT = "straight"
    WALK = "walk"
    BIKE = "bike"
    DRIVE = "drive"

    @property
    def is_network(self) -> bool:
        """True for the modes routed on the street network."""
        return self is not TravelMode.STRAIGHT

    @property
    def unit(self) -> str:
        """``m`` (distance) for straight lines, ``min`` (travel time) on the network."""
        return "min" if self.is_network else "m"

    @property
    def value_col(self) -> str:
        """The column of the per-unit result: ``dist_m`` or ``time_min``."""
        return "time_min" if self.is_network else "dist_m"

    @property
    def default_thresholds(self) -> tuple[float, ...]:
        """Coverage thresholds in :attr:`unit` when none are asked for."""
        return (5.0, 10.0, 15.0, 30.0) if self.is_network else (250.0, 500.0, 1000.0)

    @property
    def main_threshold(self) -> float:
        """The standard the headline and the district table use: 1,000 m or 15 minutes."""
        return 15.0 if self.is_network else 1000.0


NETWORK_MODES: tuple[TravelMode, ...] = (TravelMode.WALK, TravelMode.BIKE, TravelMode.DRIVE)


class Objective(StrEnum):
    """What a plan optimises: residents newly within the standard (maximal covering), or the
    total travel time of all residents (p-median)."""

    COVERAGE = "coverage"
    MEDIAN = "median"


class Framework(StrEnum):
    """The built-in frameworks programmes are aligned to; a city strategy is stored under its
    own name and aligned with the strategy matcher."""

    SDG = "sdg"
    UDHR = "udhr"
    CULTURE21 = "culture21"


#: Library kinds whose point is not a public library residents walk into: a mobile library's
#: depot, a books-by-mail service, a hospital library that serves in-patients only, and the
#: OpenStreetMap kinds that serve their own members (a university's, a school's, a special,
#: a private or a prison library; see :func:`libpolis.sources.osm.library_kind`). They are
#: stored and listed, but left out of access figures.
NOT_WALK_IN_KINDS = frozenset(
    {
        "mobile_library",
        "bookmobile",
        "books_by_mail",
        "hospital_patient_library",
        "academic_library",
        "school_library",
        "special_library",
        "private_library",
        "prison_library",
    }
)

#: The framework key of the strategy goals a city officer keeps in the register.
CITY_FRAMEWORK = "city"


def explanation_basis(explanation: Any) -> tuple[str, list[str]]:
    """What a stored alignment suggestion rests on, read one way by every face (web page, CLI
    list, exports): ``("named", phrases)`` the programme's own words name a goal the model did
    not (``basis: phrases``, :mod:`libpolis.align.abstain`); ``("text", phrases)`` words of the
    programme behind the model's goal; ``("terms", words)`` words shared with the goal;
    ``("sentence", [sentence])`` the sentence behind it; ``("", [])`` nothing to show."""
    ex = explanation if isinstance(explanation, dict) else {}
    if ex.get("evidence"):
        words = [str(w) for w in ex["evidence"]]
        return ("named" if ex.get("basis") == "phrases" else "text"), words
    if ex.get("terms"):
        return "terms", [str(w) for w in ex["terms"]]
    if ex.get("sentence"):
        return "sentence", [str(ex["sentence"])]
    return "", []
