"""CLI steps contributed by each capability: every module here has ``register(app)``.

``libpolis.cli`` calls ``register`` of each module named in :data:`STEP_MODULES`.
"""

from __future__ import annotations

__all__ = ["STEP_MODULES"]

STEP_MODULES: tuple[str, ...] = (
    "advocacy",
    "align",
    "imports",
    "indicators",
    "osm",
    "outputs",
    "plan",
    "population",
    "report",
    "web",
)
