"""The multi-source search's adaptive bucket width changes only its speed: on random graphs
(hypothesis), with few or many sources and offsets, its labels equal SciPy's Dijkstra and the
fixed-width search's, and the owners are sources at that distance."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.sparse.csgraph import dijkstra

from libpolis.access._search import multi_source_search


def _random_graph(seed: int, n: int, degree: int) -> sp.csr_matrix:
    rng = np.random.default_rng(seed)
    tail = np.repeat(np.arange(n), degree)
    head = rng.integers(0, n, n * degree)
    w = rng.exponential(1.0, n * degree) + rng.choice([0.0, 1e-3], n * degree)
    keep = tail != head
    m = sp.csr_matrix((w[keep], (tail[keep], head[keep])), shape=(n, n))
    m.sum_duplicates()
    return m


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 100_000),
    n=st.integers(2, 6000),
    degree=st.integers(1, 4),
    n_sources=st.integers(1, 40),
    offsets=st.booleans(),
)
def test_adaptive_width_is_exact(
    seed: int, n: int, degree: int, n_sources: int, offsets: bool
) -> None:
    m = _random_graph(seed, n, degree)
    rng = np.random.default_rng(seed + 1)
    src = rng.integers(0, n, n_sources)
    off = rng.random(n_sources) * 3.0 if offsets else np.zeros(n_sources)
    dist, owner = multi_source_search(m.indptr, m.indices, m.data, src, off)
    width = float(m.data.mean()) if m.nnz else 1.0
    fixed, _ = multi_source_search(m.indptr, m.indices, m.data, src, off, delta=width)
    np.testing.assert_array_equal(dist, fixed)
    # oracle: one Dijkstra per source, each shifted by its offset
    each = dijkstra(m, indices=src) + off[:, None]
    best = each.min(axis=0)
    np.testing.assert_allclose(dist, best, rtol=1e-12, atol=1e-12)
    reached = np.isfinite(dist)
    assert np.all(owner[~reached] == -1)
    cols = np.flatnonzero(reached)
    np.testing.assert_allclose(each[owner[cols], cols], dist[cols], rtol=1e-12, atol=1e-12)
