"""libpolis: evidence and partnership platform for public libraries and local governments."""

from __future__ import annotations

__all__ = ["__version__"]

__version__ = "0.1.0"
