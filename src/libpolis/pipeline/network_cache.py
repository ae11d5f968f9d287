"""Street networks parsed once: the graph of a travel mode, kept as arrays between runs.

Reading an OpenStreetMap file in Python costs 6-9 microseconds per edge, on every ``access``,
``plan`` or ``scenario`` run in a network mode. :func:`street_graph` reads it once per file
content and travel-mode rules, and keeps the built :class:`~libpolis.access.graph.StreetGraph`
(CSR arrays, edge times and lengths, node coordinates, OSM ids, snapping targets) as one
uncompressed ``.npz`` file in a cache folder; later runs load the arrays (a copy from the page
cache) instead of parsing.

Where: the folder ``LIBPOLIS_CACHE_DIR`` (default ``$XDG_CACHE_HOME/libpolis``, else
``~/.cache/libpolis``), sub-folder ``networks``; ``LIBPOLIS_NETWORK_CACHE=0`` turns it off.
A cache folder rather than the workspace store because the graph is derived data, not a
record: it is the same for every workspace that uses the same file (SQLite or PostgreSQL), it
would double the size of a workspace that people copy and back up, it never needs a
transaction, and deleting it at any time only costs one parse.

Key: the file's content (BLAKE2b of its bytes, read in 1 MiB blocks: about 1 s per GB, against
minutes of parsing) and the rules (the mode, and the source of the modules that decide which
ways a mode uses, their speeds and how the graph is built). A changed file or a changed rule
gives a new key, so a stale graph is never loaded; the entry of the file's older content is
removed when the new one is written. Entries are written to a temporary file and renamed, so a
run that stops half-way never leaves a broken entry, and one that cannot be read is rebuilt.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from libpolis.access import graph as _graph_rules
from libpolis.access import modes as _mode_rules
from libpolis.access import network as _network_rules
from libpolis.access.network import MODES, StreetGraph, graph_from_pbf
from libpolis.settings import get_settings

__all__ = ["cache_dir", "street_graph"]

#: Bumped when the layout of a cache entry changes.
_FORMAT = "libpolis-street-graph-1"
_ARRAYS = ("indptr", "indices", "time_min", "length_m", "lon", "lat", "osm_id", "snappable")


def cache_dir() -> Path | None:
    """The folder of cached street graphs (settings ``LIBPOLIS_CACHE_DIR``), or None when
    the cache is turned off (``LIBPOLIS_NETWORK_CACHE=0``)."""
    settings = get_settings()
    return settings.resolved_cache_dir() / "networks" if settings.network_cache else None


def _file_digest(path: Path) -> str:
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, lambda: hashlib.blake2b(digest_size=16)).hexdigest()


def _rules_digest(mode: str) -> str:
    h = hashlib.blake2b(digest_size=8)
    h.update(f"{_FORMAT}\0{mode}\0".encode())
    for module in (_mode_rules, _network_rules, _graph_rules):
        h.update(Path(module.__file__ or "").read_bytes())
    return h.hexdigest()


def _load(entry: Path, mode: str) -> StreetGraph | None:
    try:
        with entry.open("rb") as fh, np.load(fh, allow_pickle=False) as data:
            arrays = {name: data[name] for name in _ARRAYS}
            symmetric = int(data["symmetric"])
    except (OSError, KeyError, ValueError, zipfile.BadZipFile):
        return None  # missing or unreadable: parsed again and rewritten
    return StreetGraph(
        arrays["indptr"],
        arrays["indices"],
        arrays["time_min"],
        arrays["length_m"],
        arrays["lon"],
        arrays["lat"],
        arrays["osm_id"],
        mode,
        arrays["snappable"],
        symmetric=None if symmetric < 0 else bool(symmetric),
    )


def _save(entry: Path, graph: StreetGraph) -> None:
    symmetric = -1 if graph.symmetric is None else int(graph.symmetric)
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=entry.stem, suffix=".tmp", dir=entry.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                np.savez(
                    fh,
                    symmetric=np.int8(symmetric),
                    **{name: getattr(graph, name) for name in _ARRAYS},
                )
            os.replace(tmp, entry)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        # the entries of this file's older contents (same path and mode, other key) are stale
        prefix = entry.name.split("-", 2)
        for old in entry.parent.glob(f"{prefix[0]}-{prefix[1]}-*.npz"):
            if old != entry:
                old.unlink(missing_ok=True)
    except OSError:
        return  # a cache that cannot be written only costs a parse next time


def street_graph(
    path: str | os.PathLike[str], mode: str, *, cache: Path | bool | None = True
) -> tuple[StreetGraph, bool]:
    """The street graph of ``mode`` read from the OpenStreetMap file ``path``, parsed once.

    Parameters
    ----------
    path : path-like
        The OpenStreetMap file (as for :func:`~libpolis.access.network.graph_from_pbf`).
    mode : {"walk", "bike", "drive"}
        Travel mode.
    cache : Path, bool or None
        The cache folder; True (default) for :func:`cache_dir`, False or None to parse
        without the cache.

    Returns
    -------
    graph : StreetGraph
        The same graph :func:`~libpolis.access.network.graph_from_pbf` returns.
    cached : bool
        Whether it was loaded from the cache (False: parsed now).

    Raises
    ------
    NotFoundError, DataError
        As :func:`~libpolis.access.network.graph_from_pbf`: a missing, empty or unreadable
        file, an unknown mode, no usable way.
    """
    path = Path(path)
    folder = cache_dir() if cache is True else (cache or None)
    if folder is None or mode not in MODES or not path.is_file() or path.stat().st_size == 0:
        return graph_from_pbf(path, mode), False  # its own errors say what is wrong
    where = hashlib.blake2b(str(path.resolve()).encode(), digest_size=6).hexdigest()
    entry = folder / f"{where}-{mode}-{_file_digest(path)}-{_rules_digest(mode)}.npz"
    graph = _load(entry, mode)
    if graph is not None:
        return graph, True
    graph = graph_from_pbf(path, mode)
    _save(entry, graph)
    return graph, False
