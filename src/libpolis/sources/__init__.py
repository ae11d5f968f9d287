"""Readers of real open data: each returns store-ready records and validates its input.

Readers never touch the store; :mod:`libpolis.imports` writes what they return.
"""

from __future__ import annotations

__all__ = ["candidates", "osm", "pls", "population", "tabular"]
