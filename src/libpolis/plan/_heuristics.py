"""Private: lazy greedy, swap local search and bounds for the two location models.

Both work on compact integer-indexed data: for coverage a boolean clients x candidates matrix
(aggregated demand); for the median a clients x candidates matrix of times below each client's
cap (the time to the nearest fixed library, a penalty, or a pigeonhole bound).
"""

from __future__ import annotations

import heapq
import time

import numpy as np
import scipy.sparse as sp

__all__: list[str] = []

_EPS = 1e-9


def _lazy_greedy(n: int, n_cand: int, gain_of, initial: np.ndarray, accept) -> list[int]:
    """Pick ``n`` columns by lazy greedy; ties go to the lowest column index (determinism)."""
    heap = [(-float(g), j) for j, g in enumerate(initial)]
    heapq.heapify(heap)
    chosen: list[int] = []
    while len(chosen) < min(n, n_cand):
        _, j = heapq.heappop(heap)
        g = float(gain_of(j))
        if not heap or (-g, j) <= heap[0]:
            chosen.append(j)
            accept(j)
        else:
            heapq.heappush(heap, (-g, j))
    return chosen


# --------------------------------------------------------------------------- coverage (MCLP)


def _mclp_heuristic(
    cover: sp.csr_matrix,
    w: np.ndarray,
    n: int,
    deadline: float,
    start: np.ndarray | None = None,
) -> tuple[np.ndarray, float, float]:
    """Lazy greedy (or ``start``) then best-improvement 1-swaps.

    Returns (chosen columns, value, online bound).

    ``value`` is the covered weight; the bound is the value plus the ``n`` largest marginal gains
    of unchosen columns at the final solution (valid for any monotone submodular objective).
    """
    csc = cover.tocsc()
    csc.sort_indices()
    ptr, rows = csc.indptr, csc.indices
    n_cand = cover.shape[1]
    covered = np.zeros(cover.shape[0], dtype=bool)

    def gain_of(j: int) -> float:
        r = rows[ptr[j] : ptr[j + 1]]
        return w[r[~covered[r]]].sum()

    def accept(j: int) -> None:
        covered[rows[ptr[j] : ptr[j + 1]]] = True

    if start is None:
        initial = csc.T @ w
        chosen = np.array(_lazy_greedy(n, n_cand, gain_of, initial, accept), dtype=np.int64)
    else:
        chosen = np.array(start, dtype=np.int64)
    count = (
        np.asarray(csc[:, chosen].sum(axis=1)).ravel() if chosen.size else np.zeros(cover.shape[0])
    )
    in_sol = np.zeros(n_cand, dtype=bool)
    in_sol[chosen] = True
    while chosen.size and chosen.size < n_cand and time.perf_counter() < deadline:
        uncovered_w = w * (count == 0)
        best = (_EPS * max(1.0, float(w.sum())), -1, -1)
        for pos, s in enumerate(chosen):
            r = rows[ptr[s] : ptr[s + 1]]
            only = count[r] == 1
            loss = w[r[only]].sum()
            u = uncovered_w.copy()
            u[r[only]] += w[r[only]]
            gains = csc.T @ u
            gains[in_sol] = -np.inf
            c = int(np.argmax(gains))
            delta = gains[c] - loss
            if delta > best[0]:
                best = (delta, pos, c)
        if best[1] < 0:
            break
        _, pos, c = best
        s = chosen[pos]
        count[rows[ptr[s] : ptr[s + 1]]] -= 1
        count[rows[ptr[c] : ptr[c + 1]]] += 1
        in_sol[s], in_sol[c] = False, True
        chosen[pos] = c
    value = float(w[count > 0].sum())
    gains = csc.T @ (w * (count == 0))
    gains[in_sol] = 0.0
    top = np.sort(gains)[::-1][:n]
    return np.sort(chosen), value, value + float(top.sum())


# --------------------------------------------------------------------------- p-median


def _median_heuristic(
    near: sp.csr_matrix,
    w: np.ndarray,
    cap: np.ndarray,
    n: int,
    deadline: float,
    start: np.ndarray | None = None,
) -> tuple[np.ndarray, float]:
    """Lazy greedy (or ``start``) then vertex substitution (Teitz-Bart swaps, best improvement).

    ``near`` holds times below each client's ``cap``; a client's cost is ``w * min(cap, times
    to chosen columns)``. Returns (chosen columns, total weighted cost).
    """
    csc = near.tocsc()
    csc.sort_indices()
    ptr, rows, dist = csc.indptr, csc.indices, csc.data
    col_of = np.repeat(np.arange(csc.shape[1]), np.diff(ptr))
    n_cand = near.shape[1]
    best = cap.astype(np.float64).copy()

    def gain_of(j: int) -> float:
        r = rows[ptr[j] : ptr[j + 1]]
        return float((w[r] * np.maximum(0.0, best[r] - dist[ptr[j] : ptr[j + 1]])).sum())

    def accept(j: int) -> None:
        r = rows[ptr[j] : ptr[j + 1]]
        np.minimum.at(best, r, dist[ptr[j] : ptr[j + 1]])

    if start is None:
        initial = np.bincount(col_of, weights=w[rows] * (cap[rows] - dist), minlength=n_cand)
        chosen = np.array(_lazy_greedy(n, n_cand, gain_of, initial, accept), dtype=np.int64)
    else:
        chosen = np.array(start, dtype=np.int64)
    in_sol = np.zeros(n_cand, dtype=bool)
    in_sol[chosen] = True

    def nearest_two() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per client: best time, second best time (cap counts as always open), best column."""
        b1, b2 = cap.astype(np.float64).copy(), cap.astype(np.float64).copy()
        arg = np.full(near.shape[0], -1, dtype=np.int64)
        for j in chosen:
            r = rows[ptr[j] : ptr[j + 1]]
            d = dist[ptr[j] : ptr[j + 1]]
            better = d < b1[r]
            second = ~better & (d < b2[r])
            rb = r[better]
            b2[rb] = b1[rb]
            b1[rb] = d[better]
            arg[rb] = j
            b2[r[second]] = d[second]
        return b1, b2, arg

    while chosen.size and chosen.size < n_cand and time.perf_counter() < deadline:
        b1, b2, arg = nearest_two()
        current = float((w * b1).sum())
        best_move = (_EPS * max(1.0, current), -1, -1)
        for pos, s in enumerate(chosen):
            base = np.where(arg == s, b2, b1)
            loss = float((w * base).sum()) - current
            saving = np.bincount(
                col_of, weights=w[rows] * np.maximum(0.0, base[rows] - dist), minlength=n_cand
            )
            saving[in_sol] = -np.inf
            c = int(np.argmax(saving))
            delta = saving[c] - loss
            if delta > best_move[0]:
                best_move = (delta, pos, c)
        if best_move[1] < 0:
            break
        _, pos, c = best_move
        in_sol[chosen[pos]], in_sol[c] = False, True
        chosen[pos] = c
    b1, _, _ = nearest_two()
    return np.sort(chosen), float((w * b1).sum())


def _median_lagrangian(
    near: sp.csr_matrix,
    w: np.ndarray,
    cap: np.ndarray,
    n: int,
    upper: float,
    deadline: float,
    gap_tol: float,
    max_iter: int = 5000,
    keep: int = 3,
) -> tuple[float, list[np.ndarray], np.ndarray]:
    """Lower bound by Lagrangian relaxation of the assignment constraints (subgradient ascent).

    L(u) = sum_i min(u_i, w_i cap_i) + sum of the n smallest rho_j, with
    rho_j = sum_i min(0, w_i d_ij - u_i): a valid lower bound for every u (its maximum equals
    the LP bound). Each iterate's n sites are also a feasible choice (Lagrangian heuristic).
    Returns (bound, the best ``keep`` distinct site sets, best first, and the ``2 n`` sites
    with the smallest rho at the best multipliers).
    """
    csr = near.tocsr()
    csr.sort_indices()
    r = np.repeat(np.arange(csr.shape[0]), np.diff(csr.indptr))
    c = csr.indices
    cost = w[r] * csr.data
    fallback = w * cap
    n_cand = near.shape[1]
    has = np.flatnonzero(np.diff(csr.indptr) > 0)
    starts = csr.indptr[has]
    u = fallback.copy()
    best = -np.inf
    step, stall = 2.0, 0
    seen: dict[bytes, float] = {}
    for _ in range(max_iter):
        red = np.minimum(0.0, cost - u[r])
        rho = np.bincount(c, weights=red, minlength=n_cand)
        open_ = np.argpartition(rho, n - 1)[:n] if n < n_cand else np.arange(n_cand)
        value = float(np.minimum(u, fallback).sum() + rho[open_].sum())
        is_open = np.zeros(n_cand, dtype=bool)
        is_open[open_] = True
        key = np.sort(open_).tobytes()
        if key not in seen:
            served_cost = fallback.copy()
            if starts.size:
                masked = np.where(is_open[c], cost, np.inf)
                served_cost[has] = np.minimum(fallback[has], np.minimum.reduceat(masked, starts))
            seen[key] = float(served_cost.sum())
            upper = min(upper, seen[key])
        if value > best + 1e-12 * max(1.0, abs(value)):
            best, stall = value, 0
            attractive = np.argsort(rho, kind="stable")[: 2 * n]
        else:
            stall += 1
            if stall >= 20:
                step, stall = step / 2.0, 0
        if step < 1e-4 or (upper - best) <= gap_tol * max(abs(best), 1e-12):
            break
        if time.perf_counter() > deadline:
            break
        served = np.bincount(r, weights=(is_open[c] & (red < 0)), minlength=near.shape[0])
        g = (u < fallback).astype(np.float64) - served
        norm = float(g @ g)
        if norm == 0.0:
            break
        u = np.clip(u + step * max(upper - value, 0.0) / norm * g, 0.0, fallback)
    top = sorted(seen.items(), key=lambda kv: (kv[1], kv[0]))[:keep]
    sets = [np.frombuffer(key, dtype=np.int64).copy() for key, _ in top]
    return best, sets, np.sort(attractive)


def _mclp_lagrangian(
    cover: sp.csr_matrix,
    w: np.ndarray,
    n: int,
    lower: float,
    deadline: float,
    gap_tol: float,
    max_iter: int = 3000,
) -> tuple[float, list[np.ndarray]]:
    """Upper bound by Lagrangian relaxation of ``x_k <= sum_{j in N_k} y_j`` (subgradient descent).

    L(lam) = sum_k max(0, w_k - lam_k) + sum of the n largest (A^T lam)_j, for 0 <= lam <= w:
    a valid upper bound for every lam (its minimum equals the LP bound). Each iterate's site
    set is also a feasible choice. Returns (bound, the best three distinct site sets).
    """
    csr = cover.tocsr()
    csc_t = csr.T.tocsr()
    n_cand = cover.shape[1]
    lam = w.copy()
    best_bound = np.inf
    seen: dict[bytes, float] = {}
    step, stall = 2.0, 0
    for _ in range(max_iter):
        score = csc_t @ lam
        chosen = np.argpartition(-score, n - 1)[:n] if n < n_cand else np.arange(n_cand)
        bound = float(np.maximum(0.0, w - lam).sum() + score[chosen].sum())
        y = np.zeros(n_cand)
        y[chosen] = 1.0
        count = csr @ y
        val = float(w[count > 0].sum())
        seen[np.sort(chosen).tobytes()] = val
        lower = max(lower, val)
        if bound < best_bound - 1e-12 * max(1.0, abs(bound)):
            best_bound, stall = bound, 0
        else:
            stall += 1
            if stall >= 20:
                step, stall = step / 2.0, 0
        if step < 1e-5 or (best_bound - lower) <= gap_tol * max(abs(best_bound), 1e-12):
            break
        if time.perf_counter() > deadline:
            break
        g = count - (w > lam)
        norm = float(g @ g)
        if norm == 0.0:
            break
        lam = np.clip(lam - step * (bound - lower) / norm * g, 0.0, w)
    top = sorted(seen.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
    return best_bound, [np.frombuffer(key, dtype=np.int64).copy() for key, _ in top]
