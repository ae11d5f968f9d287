"""Private: turn the accepted travel-time inputs into one sparse clients x sites matrix."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from libpolis.errors import DataError, MissingColumnError

__all__: list[str] = []

_LONG_COLUMNS = ("from_id", "to_id", "time_min")


@dataclass(frozen=True)
class _Costs:
    """Travel times as a CSR matrix: stored entries are reachable pairs (explicit zeros kept)."""

    matrix: sp.csr_matrix
    client_ids: pd.Index
    site_ids: pd.Index
    weights: np.ndarray

    @property
    def n_clients(self) -> int:
        return self.matrix.shape[0]

    @property
    def n_sites(self) -> int:
        return self.matrix.shape[1]


def _as_weights(weights: object, n: int | None, where: str) -> tuple[np.ndarray, pd.Index | None]:
    """Weights as float64 (non-negative, finite) and, for a Series, their index (client ids)."""
    index = weights.index if isinstance(weights, pd.Series) else None
    try:
        w = np.asarray(weights, dtype=np.float64).ravel()
    except (TypeError, ValueError) as exc:
        raise DataError(f"weights must be numbers: {exc}", where=where) from exc
    if n is not None and w.size != n:
        raise DataError(f"{w.size} weights for {n} clients (rows of the cost matrix)", where=where)
    bad = np.flatnonzero(~np.isfinite(w) | (w < 0))
    if bad.size:
        label = index[bad[0]] if index is not None else int(bad[0])
        raise DataError(
            f"weights must be finite and >= 0; client {label!r} has {w[bad[0]]!r}"
            f" ({bad.size} bad value(s) in all)",
            where=where,
        )
    return w, index


def _costs_from_input(
    costs: object,
    weights: object,
    *,
    sites: Sequence[object] | None = None,
    where: str = "cost matrix",
) -> _Costs:
    """Normalise a dense array, a scipy.sparse matrix or a long ``from_id, to_id, time_min`` table.

    Dense: ``inf`` or ``nan`` marks an unreachable pair. Sparse: stored entries are times; absent
    entries are unreachable (store a zero time explicitly). Long table: one row per reachable
    pair; ``weights`` must then be a Series indexed by client id.
    """
    if isinstance(costs, pd.DataFrame):
        return _costs_from_long(costs, weights, sites=sites, where=where)
    if sp.issparse(costs):
        m = sp.csr_matrix(costs, dtype=np.float64, copy=True)
        m.sum_duplicates()
    else:
        try:
            dense = np.asarray(costs, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise DataError(f"cost matrix must be numeric: {exc}", where=where) from exc
        if dense.ndim != 2:
            raise DataError(f"cost matrix must be 2-D, got shape {dense.shape}", where=where)
        rows, cols = np.nonzero(np.isfinite(dense))
        m = sp.csr_matrix((dense[rows, cols], (rows, cols)), shape=dense.shape, dtype=np.float64)
    m.sort_indices()
    if m.data.size and (not np.all(np.isfinite(m.data)) or m.data.min() < 0):
        raise DataError("travel times must be finite and >= 0 for stored pairs", where=where)
    w, index = _as_weights(weights, m.shape[0], where)
    client_ids = index if index is not None else pd.RangeIndex(m.shape[0])
    if sites is None:
        site_ids = pd.RangeIndex(m.shape[1])
    else:
        site_ids = pd.Index(list(sites))
        if len(site_ids) != m.shape[1]:
            raise DataError(f"{len(site_ids)} site ids for {m.shape[1]} columns", where=where)
    _check_unique(client_ids, "client", where)
    _check_unique(site_ids, "site", where)
    return _Costs(matrix=m, client_ids=client_ids, site_ids=site_ids, weights=w)


def _check_unique(ids: pd.Index, kind: str, where: str) -> None:
    if not ids.is_unique:
        dup = ids[ids.duplicated()][0]
        raise DataError(f"{kind} ids must be unique; {dup!r} appears more than once", where=where)


def _costs_from_long(
    table: pd.DataFrame, weights: object, *, sites: Sequence[object] | None, where: str
) -> _Costs:
    missing = [c for c in _LONG_COLUMNS if c not in table.columns]
    if missing:
        raise MissingColumnError(
            f"travel-time table lacks column(s) {missing}; found {list(table.columns)}",
            where=where,
        )
    if not isinstance(weights, pd.Series):
        raise DataError(
            "with a from_id, to_id, time_min table, weights must be a pandas Series indexed by"
            f" client id; got {type(weights).__name__}",
            where=where,
        )
    w, _ = _as_weights(weights, None, where)
    client_ids = pd.Index(weights.index)
    _check_unique(client_ids, "client", where)
    site_ids = pd.Index(pd.unique(table["to_id"])) if sites is None else pd.Index(list(sites))
    _check_unique(site_ids, "site", where)
    times = pd.to_numeric(table["time_min"], errors="coerce").to_numpy(dtype=np.float64)
    bad = np.flatnonzero(~np.isfinite(times) | (times < 0))
    if bad.size:
        raise DataError(
            f"row {table.index[bad[0]]!r}, column 'time_min': expected a time >= 0 in minutes,"
            f" found {table['time_min'].iloc[bad[0]]!r}",
            where=where,
        )
    rows = client_ids.get_indexer(table["from_id"])
    cols = site_ids.get_indexer(table["to_id"])
    for pos, label, column, ids in (
        (rows, "client", "from_id", "weights"),
        (cols, "site", "to_id", "sites"),
    ):
        unknown = np.flatnonzero(pos < 0)
        if unknown.size:
            raise DataError(
                f"row {table.index[unknown[0]]!r}, column {column!r}: {label} id"
                f" {table[column].iloc[unknown[0]]!r} is not among the {ids}",
                where=where,
            )
    key = rows.astype(np.int64) * len(site_ids) + cols
    if np.unique(key).size != key.size:
        dup = pd.Series(key).duplicated().to_numpy().nonzero()[0][0]
        raise DataError(
            f"row {table.index[dup]!r}: the pair ({table['from_id'].iloc[dup]!r},"
            f" {table['to_id'].iloc[dup]!r}) appears more than once",
            where=where,
        )
    m = sp.csr_matrix(
        (times, (rows, cols)), shape=(len(client_ids), len(site_ids)), dtype=np.float64
    )
    m.sort_indices()
    return _Costs(matrix=m, client_ids=client_ids, site_ids=site_ids, weights=w)


def _existing_mask(existing: object, site_ids: pd.Index, where: str) -> np.ndarray:
    """A boolean mask over sites from a boolean array or a list of site ids (None: no site)."""
    if existing is None:
        return np.zeros(len(site_ids), dtype=bool)
    arr = np.asarray(existing)
    if arr.dtype == bool:
        if arr.shape != (len(site_ids),):
            raise DataError(
                f"existing mask has shape {arr.shape}; expected ({len(site_ids)},)", where=where
            )
        return arr.copy()
    pos = site_ids.get_indexer(pd.Index(list(np.atleast_1d(arr))))
    if (pos < 0).any():
        unknown = np.atleast_1d(arr)[np.flatnonzero(pos < 0)[0]]
        raise DataError(f"existing library {unknown!r} is not among the sites", where=where)
    mask = np.zeros(len(site_ids), dtype=bool)
    mask[pos] = True
    return mask
