"""The evidence objects: a :class:`Figure` (one number with everything needed to trace it) and
:class:`Evidence` (all figures of a workspace, the tables behind them, the sources they cite)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

from libpolis.model import NOT_WALK_IN_KINDS

__all__ = [
    "FOCUS_ARTICLES",
    "MODES",
    "NOT_WALK_IN_KINDS",
    "SERVICE_FLAGS",
    "Evidence",
    "Figure",
]

#: Library service flags read from ``library.attrs`` (value "1"/1/True means yes).
SERVICE_FLAGS: tuple[str, ...] = (
    "open_saturdays",
    "open_sundays",
    "self_service_hours",
    "has_meeting_or_group_room",
    "has_computers",
    "has_maker_equipment",
    "has_studio_or_music_room",
    "has_3d_printer",
    "has_game_consoles",
)

#: Universal Declaration articles always shown in the human-rights section.
FOCUS_ARTICLES: tuple[str, ...] = ("19", "21", "26", "27")

#: Travel modes a figure can state.
MODES: tuple[str, ...] = ("straight", "walk", "bike", "drive")


@dataclass(frozen=True)
class Figure:
    """One number shown to people, with everything needed to trace it.

    ``mode`` is the travel mode the number was measured with (``straight``, ``walk``,
    ``bike``, ``drive``), or None for figures that are not about access.
    """

    key: str
    label: str
    value: float | int | None
    unit: str
    scope: str
    sources: tuple[str, ...]
    method: str
    command: str
    mode: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Evidence:
    """All figures of a workspace, the tables behind them and the sources they cite.

    ``facts`` holds non-numeric findings (the most underserved district, the suggested site),
    ``missing`` maps a topic to the sentence saying what is missing and which command adds
    it. ``headline_mode`` and ``headline_unit`` (``m`` or ``min``) are those of the access run
    the headline figures come from (decided in :mod:`libpolis.evidence.headline`);
    ``place_name`` is the city's name, or None when the workspace has none.
    ``recommendations`` are built from the figures (:mod:`libpolis.evidence.recommend`).
    """

    figures: dict[str, Figure] = field(default_factory=dict)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    sources: pd.DataFrame = field(default_factory=pd.DataFrame)
    missing: dict[str, str] = field(default_factory=dict)
    facts: dict[str, Any] = field(default_factory=dict)
    runs: list[dict[str, Any]] = field(default_factory=list)
    place_name: str | None = None
    headline_mode: str | None = None
    headline_unit: str | None = None
    recommendations: list[Any] = field(default_factory=list)

    def add(self, figure: Figure) -> None:
        self.figures[figure.key] = figure

    def figure(
        self,
        key: str,
        label: str,
        value: Any,
        unit: str,
        sources: tuple[str, ...],
        method: str,
        command: str,
        *,
        mode: str | None = None,
        scope: str | None = None,
    ) -> None:
        """Add a figure; numpy scalars become Python numbers, NaN becomes None."""
        if value is not None and not isinstance(value, str):
            value = value.item() if hasattr(value, "item") else value
            if isinstance(value, float) and value != value:
                value = None
        where = scope if scope is not None else (self.place_name or "the city")
        self.add(Figure(key, label, value, unit, where, tuple(sources), method, command, mode))

    def value(self, key: str) -> Any:
        return self.figures[key].value if key in self.figures else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "place_name": self.place_name,
            "headline_mode": self.headline_mode,
            "headline_unit": self.headline_unit,
            "figures": {k: f.as_dict() for k, f in self.figures.items()},
            "facts": self.facts,
            "missing": self.missing,
            "recommendations": [r.as_dict() for r in self.recommendations],
            "sources": self.sources.to_dict("records"),
            "runs": self.runs,
        }
