"""Multi-source shortest paths on a CSR graph, vectorised with numpy (internal).

The algorithm is *delta-stepping* (Meyer & Sanders 2003) with whole frontiers processed as
numpy arrays: nodes whose label improved wait in an ``active`` list; each round relaxes, in
one vectorised step, the out-edges of every active node whose label is below the current
bucket bound ``bound``; when no active node is below it, the bound moves to the smallest active
label plus ``delta``. A node is re-activated whenever its label improves, so the result is the
exact shortest distance whatever ``delta`` is (``delta`` only trades rounds against repeated
relaxations). Each node also inherits the *owner* (the source it was reached from), which is
how one search yields both the time to and the identity of the nearest source.

Measured against ``scipy.sparse.csgraph.dijkstra(..., min_only=True)`` (Fibonacci heap, one
node at a time) this is about 2x faster on million-node road graphs; see
``benchmarks/access.md``. Its rounds, though, follow the graph's depth in edges from the
sources, not its size, and each costs a few dozen numpy calls: on small graphs (the 11,746-node
demo network: 208 rounds, 5 ms) SciPy's compiled Dijkstra is faster (1.1 ms alone). Below
:data:`_HEAP_BELOW` nodes the search therefore runs one SciPy Dijkstra from a virtual node
joined to every source by an edge as long as its offset, and finds each node's owner by
following the predecessors back to the source its path left from. Both give the exact
shortest distance, and where sources are exactly as near, the first of them in ``sources``
owns the node: the rounds keep the lower owner when a label is matched, the heap's tree is
corrected along the edges whose sum makes a label (:func:`_lowest_owners`).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

__all__ = ["multi_source_search"]

#: Edges a bucket should relax for its rounds' fixed cost to be small beside the work (the
#: default bucket width adapts to it; see :func:`multi_source_search`).
_MIN_WORK = 4096

#: Graphs with fewer nodes are searched by SciPy's Dijkstra (see the module's docstring): on
#: the demo network it was 1.2-2.4x faster (ties settled), on road-like grids faster at 22,500
#: nodes with 30 sources (slower with 1,000) and slower from 62,500 nodes on (`python
#: benchmarks/search_methods.py`, figures in benchmarks/search_methods.md).
_HEAP_BELOW = 30_000


def multi_source_search(
    indptr: np.ndarray,
    indices: np.ndarray,
    weights: np.ndarray,
    sources: np.ndarray,
    offsets: np.ndarray | None = None,
    *,
    limit: float = np.inf,
    delta: float | None = None,
    method: str = "auto",
) -> tuple[np.ndarray, np.ndarray]:
    """Shortest distance from the nearest of many sources to every node.

    Parameters
    ----------
    indptr, indices, weights : ndarray
        CSR arrays of the graph; ``weights`` non-negative.
    sources : ndarray of int
        Source nodes (repeats allowed).
    offsets : ndarray of float, optional
        Starting label of each source (e.g. an access leg); zeros by default.
    limit : float
        Labels above ``limit`` are not expanded; such nodes stay unreached (``inf``).
    delta : float, optional
        Bucket width, fixed. By default it starts at the mean edge weight and adapts: doubled
        after a bucket that relaxed fewer than ``_MIN_WORK`` edges, halved (not below the start)
        after one that relaxed more than 16 times that. The result is exact either way.
    method : {"auto", "buckets", "heap"}
        ``"buckets"``: the vectorised rounds; ``"heap"``: SciPy's Dijkstra from a virtual
        source; ``"auto"`` (default): the heap below :data:`_HEAP_BELOW` nodes unless a
        ``delta`` is given.

    Returns
    -------
    dist : ndarray of float64
        Distance per node, ``inf`` when unreached.
    owner : ndarray of int64
        Position in ``sources`` of the nearest source per node, ``-1`` when unreached; where
        several are exactly as near (the same sum of the same edge times), the first of them
        in ``sources``, so that either method, and a partition of the graph, give the same.
    """
    n = len(indptr) - 1
    sources = np.asarray(sources, dtype=np.int64)
    if offsets is None:
        offsets = np.zeros(len(sources))
    offsets = np.asarray(offsets, dtype=np.float64)
    dist = np.full(n, np.inf)
    owner = np.full(n, -1, dtype=np.int64)
    if len(sources) == 0 or n == 0:
        return dist, owner
    # Several sources on one node: the smallest offset wins (stable: first such source).
    order = np.lexsort((np.arange(len(sources)), offsets, sources))
    s_sorted = sources[order]
    first = np.ones(len(order), dtype=bool)
    first[1:] = s_sorted[1:] != s_sorted[:-1]
    keep = order[first]
    keep = keep[offsets[keep] <= limit]
    if method not in ("auto", "buckets", "heap"):
        raise ValueError(f"method must be 'auto', 'buckets' or 'heap', got {method!r}")
    if method == "heap" or (method == "auto" and delta is None and n < _HEAP_BELOW):
        return _heap_search(indptr, indices, weights, sources[keep], offsets[keep], keep, limit)
    dist[sources[keep]] = offsets[keep]
    owner[sources[keep]] = keep
    adaptive = delta is None
    if delta is None:
        delta = float(weights.mean()) if len(weights) else 1.0
    if not delta > 0:
        delta = 1.0
    base = delta
    indptr = np.asarray(indptr, dtype=np.int64)
    pos = np.empty(n, dtype=np.int64)  # scratch for de-duplicating frontiers
    active = sources[keep]
    bound = -np.inf
    work = 0  # edges relaxed in the current bucket
    while active.size:
        da = dist[active]
        sel = da < bound
        if not sel.any():
            if adaptive and bound > -np.inf:
                # a round costs a few dozen numpy calls whatever its size: widen buckets that
                # held too little work (few sources, small graphs), narrow them back when
                # they hold much (labels settled in one go, few relaxed twice)
                if work < _MIN_WORK:
                    delta *= 2.0
                elif work > 16 * _MIN_WORK and delta > base:
                    delta = max(base, delta / 2.0)
            work = 0
            bound = float(da.min()) + delta
            sel = da < bound
        frontier = active[sel]
        active = active[~sel]
        # de-duplicate without sorting: exactly one position survives per node
        ar = np.arange(frontier.size)
        pos[frontier] = ar
        frontier = frontier[pos[frontier] == ar]
        edge, cnt, csum = _out_edges(indptr, frontier)
        work += edge.size
        if edge.size == 0:
            continue
        head = indices[edge]
        owner_f = owner[frontier]  # read with the labels, before this round's updates
        cand = np.repeat(dist[frontier], cnt)
        cand += weights[edge]
        dh = dist[head]
        tie = np.flatnonzero(cand == dh)  # as near as the label: the lower owner wins
        if tie.size:
            o = owner_f[np.searchsorted(csum, tie, side="right")]
            h = head[tie]
            lower = o < owner[h]
            if lower.any():
                h = h[lower]
                np.minimum.at(owner, h, o[lower])
                active = np.concatenate((active, h))  # passes its owner on
        better = np.flatnonzero((cand < dh) & (cand <= limit))
        if better.size == 0:
            continue
        head = head[better]
        cand = cand[better]
        np.minimum.at(dist, head, cand)
        won = cand == dist[head]
        head = head[won]
        o = owner_f[np.searchsorted(csum, better[won], side="right")]
        owner[head] = o
        np.minimum.at(owner, head, o)  # several as near in one round: the lowest
        active = np.concatenate((active, head))
    return dist, owner


def _out_edges(indptr: np.ndarray, nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The CSR positions of the out-edges of ``nodes`` (node by node), the count per node and
    its running sum (``np.searchsorted(csum, i, side="right")`` is the node of edge ``i``)."""
    start = indptr[nodes]
    cnt = indptr[nodes + 1] - start
    csum = np.cumsum(cnt)
    total = int(csum[-1]) if csum.size else 0
    edge = np.repeat(start - (csum - cnt), cnt)
    edge += np.arange(total)
    return edge, cnt, csum


def _heap_search(
    indptr: np.ndarray,
    indices: np.ndarray,
    weights: np.ndarray,
    roots: np.ndarray,
    offsets: np.ndarray,
    positions: np.ndarray,
    limit: float,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`multi_source_search` by one SciPy Dijkstra from a virtual node ``n``.

    ``roots`` are distinct source nodes in ascending order (a CSR row's columns), ``offsets``
    their starting labels and ``positions`` their positions in the caller's ``sources``.
    """
    n = len(indptr) - 1
    k = len(roots)
    indptr = np.asarray(indptr, np.int64)
    m = sp.csr_array(
        (
            np.concatenate((np.asarray(weights, np.float64), offsets)),
            np.concatenate((np.asarray(indices, np.int64), roots)),
            np.concatenate((indptr, [int(indptr[-1]) + k])),
        ),
        shape=(n + 1, n + 1),
    )
    dist, pred = dijkstra(m, directed=True, indices=n, return_predecessors=True, limit=limit)
    dist = dist[:n]
    # each node's root: follow predecessors, doubling the stride (log2 of the depth rounds);
    # a root whose own edge from the virtual node carried its best label points at itself
    up = pred[:n].astype(np.int64)
    own = (up == n) | (up < 0)  # from the virtual node, or unreached: points at itself
    up[own] = np.flatnonzero(own)
    while True:
        nxt = up[up]
        if np.array_equal(nxt, up):
            break
        up = nxt
    position = np.full(n, -1, dtype=np.int64)
    position[roots] = positions
    owner = np.where(np.isfinite(dist), position[up], -1)
    # the predecessor tree holds one source per node; where several are exactly as near,
    # the lowest position wins, as in the rounds
    at = dist[roots] == offsets
    np.minimum.at(owner, roots[at], positions[at])
    _lowest_owners(indptr, indices, weights, dist, owner)
    return dist, owner


def _lowest_owners(
    indptr: np.ndarray,
    indices: np.ndarray,
    weights: np.ndarray,
    dist: np.ndarray,
    owner: np.ndarray,
) -> None:
    """Pass the lower owner along every tight edge (``dist[tail] + w == dist[head]``, the sum
    the search itself made) until none is lower, in place: each node then belongs to the
    first, in ``sources`` order, of the sources exactly as near, whatever the method or the
    node numbering (a partition's graph numbers its nodes anew). One pass over every edge,
    then only over the edges of nodes whose owner went down (none without exact ties)."""
    deg = np.diff(indptr)
    o_tail = np.repeat(owner, deg)
    sel = np.flatnonzero(
        (np.repeat(dist, deg) + weights == dist[indices]) & (o_tail < owner[indices])
    )
    heads, owners = indices[sel], o_tail[sel]
    del o_tail
    while heads.size:
        np.minimum.at(owner, heads, owners)
        frontier = np.unique(heads)
        edge, cnt, _ = _out_edges(indptr, frontier)
        nxt = indices[edge]
        o = np.repeat(owner[frontier], cnt)
        sel = np.flatnonzero(
            (np.repeat(dist[frontier], cnt) + weights[edge] == dist[nxt]) & (o < owner[nxt])
        )
        heads, owners = nxt[sel], o[sel]
