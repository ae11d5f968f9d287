"""The cyclic garbage collector and module loading (internal).

Loading a pipeline step imports its libraries (pandas, SciPy, SQLAlchemy, geopandas...): a
few hundred thousand objects that live as long as the process. Collecting while they load
frees nothing and, in a fresh ``libpolis`` process, cost about a quarter of a cached walk
access run (``benchmarks/cli_startup.py``). :func:`loading_modules` pauses the collector while
modules load and then moves everything alive into the permanent generation (:func:`gc.freeze`),
so later collections, which do run, no longer walk those objects again and again.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["loading_modules"]


@contextmanager
def loading_modules() -> Iterator[None]:
    """Pause garbage collection while the block imports modules; freeze what survives."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()
