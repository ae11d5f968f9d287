"""The multi-source search's two methods and its adaptive bucket width change only its speed:
on random graphs (hypothesis), with few or many sources, offsets and limits, the labels of the
vectorised rounds (adaptive and fixed width) and of the heap (SciPy's Dijkstra from a virtual
source) equal one Dijkstra per source, and the owners are sources at that distance."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.sparse.csgraph import dijkstra

from libpolis.access._search import multi_source_search


def _random_graph(seed: int, n: int, degree: int, *, whole: bool = False) -> sp.csr_matrix:
    """``degree`` random out-edges per node; times exponential (some zero-length), or whole
    numbers 1-3 (``whole``: sums stay exact, so ties are common)."""
    rng = np.random.default_rng(seed)
    tail = np.repeat(np.arange(n), degree)
    head = rng.integers(0, n, n * degree)
    if whole:
        w = rng.integers(1, 4, n * degree).astype(float)
    else:
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
    limit=st.sampled_from([np.inf, 0.5, 2.0]),
)
def test_methods_and_widths_are_exact(
    seed: int, n: int, degree: int, n_sources: int, offsets: bool, limit: float
) -> None:
    m = _random_graph(seed, n, degree)
    rng = np.random.default_rng(seed + 1)
    src = rng.integers(0, n, n_sources)
    off = rng.random(n_sources) * 3.0 if offsets else np.zeros(n_sources)
    args = (m.indptr, m.indices, m.data, src, off)
    dist, owner = multi_source_search(*args, limit=limit, method="buckets")
    width = float(m.data.mean()) if m.nnz else 1.0
    fixed, _ = multi_source_search(*args, limit=limit, delta=width)
    np.testing.assert_array_equal(dist, fixed)
    heap, heap_owner = multi_source_search(*args, limit=limit, method="heap")
    np.testing.assert_array_equal(heap, dist)
    # oracle: one Dijkstra per source, each shifted by its offset
    each = dijkstra(m, indices=src) + off[:, None]
    best = each.min(axis=0)
    best[best > limit] = np.inf
    np.testing.assert_allclose(dist, best, rtol=1e-12, atol=1e-12)
    reached = np.isfinite(dist)
    cols = np.flatnonzero(reached)
    for who in (owner, heap_owner):
        assert np.all(who[~reached] == -1)
        np.testing.assert_allclose(each[who[cols], cols], dist[cols], rtol=1e-12, atol=1e-12)


def test_auto_uses_the_heap_on_small_graphs_only(monkeypatch) -> None:
    """``auto`` picks by size; either way it returns what the named method returns."""
    import libpolis.access._search as search

    m = _random_graph(7, 3000, 3)
    src, off = np.array([5, 17, 2999, 5]), np.array([0.5, 0.0, 1.0, 0.2])
    calls: list[int] = []
    heap = search._heap_search
    monkeypatch.setattr(search, "_heap_search", lambda *a: calls.append(1) or heap(*a))
    small = multi_source_search(m.indptr, m.indices, m.data, src, off)
    assert calls == [1]
    monkeypatch.setattr(search, "_HEAP_BELOW", 3000)
    large = multi_source_search(m.indptr, m.indices, m.data, src, off)
    assert calls == [1]
    np.testing.assert_array_equal(small[0], large[0])
    assert small[1][5] == large[1][5] == 3  # the smaller of two offsets on one node


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 100_000),
    n=st.integers(2, 3000),
    degree=st.integers(1, 4),
    n_sources=st.integers(1, 60),
    limit=st.sampled_from([np.inf, 4.0]),
)
def test_ties_go_to_the_first_source_whatever_the_method(
    seed: int, n: int, degree: int, n_sources: int, limit: float
) -> None:
    """Whole-number times make exact ties common (a lattice, a grid of equal streets): the
    owner is then the first of the sources exactly as near, for both methods and for the
    same graph with its nodes numbered in reverse (as a partition renumbers them)."""
    m = _random_graph(seed, n, degree, whole=True)
    rng = np.random.default_rng(seed + 1)
    src = rng.integers(0, n, n_sources)
    off = rng.integers(0, 3, n_sources).astype(float)
    each = dijkstra(m, indices=src) + off[:, None]  # exact: whole numbers
    best = each.min(axis=0)
    reached = np.isfinite(best) & (best <= limit)
    first = np.where(reached, np.argmax(each == best, axis=0), -1)
    flip = n - 1 - np.arange(n)  # node i of m is node flip[i] of r
    r = m[flip][:, flip].tocsr()
    for method in ("buckets", "heap"):
        dist, owner = multi_source_search(m.indptr, m.indices, m.data, src, off, limit=limit,
                                          method=method)  # fmt: skip
        np.testing.assert_array_equal(owner, first)
        d2, o2 = multi_source_search(r.indptr, r.indices, r.data, flip[src], off, limit=limit,
                                     method=method)  # fmt: skip
        np.testing.assert_array_equal(o2[flip], first)
        np.testing.assert_array_equal(d2[flip], dist)
