"""Boolean SDG query systems: parse, compile once, match fast, explain every hit.

:class:`QueryEngine` compiles queries in the published syntaxes (Scopus ``TITLE-ABS-KEY`` with
``AND``, ``OR``, ``AND NOT``, phrases, wildcards, ``W/n``, ``PRE/n``; text2sdg's phrase and
wildcard forms) and returns, for a text, every :class:`Hit`: the query, its goal and target,
and the words of the text that matched. :func:`hit_counts` turns hits into per-system,
per-goal counts (features of the SDG ensemble).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from libpolis.align.queries._match import Hit, Query, QueryEngine
from libpolis.align.queries._parse import parse_query
from libpolis.align.queries.sources import (
    AURORA_ATTRIBUTION,
    SHIPPED_SYSTEMS,
    TEXT2SDG_SYSTEMS,
    aurora_queries,
    own_queries,
    shipped_queries,
    text2sdg_queries,
)

__all__ = [
    "AURORA_ATTRIBUTION",
    "SHIPPED_SYSTEMS",
    "TEXT2SDG_SYSTEMS",
    "Hit",
    "Query",
    "QueryEngine",
    "aurora_queries",
    "hit_counts",
    "own_queries",
    "parse_query",
    "shipped_queries",
    "text2sdg_queries",
]


def hit_counts(hits: Sequence[Sequence[Hit]], systems: Sequence[str]) -> np.ndarray:
    """Number of matched queries per text, system and goal.

    Parameters
    ----------
    hits : sequence of sequence of Hit
        :meth:`QueryEngine.match_many` output.
    systems : sequence of str
        System names, in the order of the second axis.

    Returns
    -------
    numpy.ndarray
        (n_texts, len(systems), 17) int32; column ``g - 1`` is goal ``g``.
    """
    index = {s: i for i, s in enumerate(systems)}
    out = np.zeros((len(hits), len(systems), 17), dtype=np.int32)
    for r, row in enumerate(hits):
        for h in row:
            s = index.get(h.query.system)
            if s is not None:
                out[r, s, h.query.sdg - 1] += 1
    return out
