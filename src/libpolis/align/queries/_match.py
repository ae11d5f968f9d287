"""Compile many Boolean queries once and match them over tokenised texts fast (private).

Compilation turns every distinct word pattern into an integer id (exact words, with their
plural forms for Scopus loose phrases, through one dictionary; trailing-``*`` prefixes through a
second; any other wildcard through a regular expression), every distinct phrase into a sequence
of those ids, and every query into a small tuple tree over phrase ids. Matching a text then
costs one dictionary look-up per word (cached across texts) and one phrase check per word
pattern found; only the queries that contain a phrase found in the text are evaluated.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from libpolis.align.queries._parse import (
    And,
    AndNot,
    Node,
    Or,
    Term,
    parse_query,
    tokenize,
)
from libpolis.errors import DataError

__all__: list[str] = []

_CACHE_MAX = 200_000
Span = tuple[int, int]


@dataclass(frozen=True)
class Query:
    """One published query and what it stands for.

    Attributes
    ----------
    system : str
        Query system, e.g. ``"aurora"``.
    sdg : int
        Goal 1-17.
    target : str or None
        Target code (``"4.6"``) when the system has one query per target.
    query_id : str
        Identifier within the system (e.g. ``"4.6#2"``: second query line of target 4.6).
    text : str
        The query as published.
    syntax : str
        ``"scopus"`` or ``"text2sdg"``.
    """

    system: str
    sdg: int
    target: str | None
    query_id: str
    text: str
    syntax: str = "scopus"


@dataclass(frozen=True)
class Hit:
    """A query that matched a text: the explanation shown to people.

    Attributes
    ----------
    query : Query
    words : tuple of str
        The matched words as they are written in the text, one entry per matched phrase,
        in text order.
    spans : tuple of (int, int)
        Character offsets (start, end) of those words in the text.
    """

    query: Query
    words: tuple[str, ...]
    spans: tuple[Span, ...]

    def to_dict(self) -> dict:
        """JSON-ready: system, sdg, target, query_id, query, words."""
        q = self.query
        return {
            "system": q.system,
            "sdg": q.sdg,
            "target": q.target,
            "query_id": q.query_id,
            "query": q.text,
            "words": list(self.words),
        }


def _plural_forms(w: str) -> tuple[str, ...]:
    forms = [w, w + "s", w + "es"]
    if len(w) > 2 and w.endswith("y") and w[-2] not in "aeiou":
        forms.append(w[:-1] + "ies")
    return tuple(forms)


class _Compiler:
    def __init__(self) -> None:
        self.pattern_ids: dict[tuple[str, bool], int] = {}
        self.exact: dict[str, list[int]] = defaultdict(list)
        self.prefix: dict[str, list[int]] = defaultdict(list)
        self.regex: list[tuple[re.Pattern[str], int]] = []
        self.term_ids: dict[tuple[int, ...], int] = {}

    def pattern(self, w: str, plurals: bool) -> int:
        wild = "*" in w or "?" in w
        key = (w, plurals and not wild)
        if key in self.pattern_ids:
            return self.pattern_ids[key]
        pid = len(self.pattern_ids)
        self.pattern_ids[key] = pid
        if not wild:
            for form in _plural_forms(w) if key[1] else (w,):
                self.exact[form].append(pid)
        elif w.endswith("*") and "*" not in w[:-1] and "?" not in w:
            self.prefix[w[:-1]].append(pid)
        else:
            rx = "".join(r"\w*" if c == "*" else r"\w" if c == "?" else re.escape(c) for c in w)
            self.regex.append((re.compile(rx), pid))
        return pid

    def term(self, t: Term) -> int:
        key = tuple(self.pattern(w, t.plurals) for w in t.words)
        if key not in self.term_ids:
            self.term_ids[key] = len(self.term_ids)
        return self.term_ids[key]

    def tree(self, node: Node) -> tuple:
        if isinstance(node, Term):
            return ("t", self.term(node))
        if isinstance(node, Or):
            parts = _flat_or(node)
            terms = frozenset(self.term(p) for p in parts if isinstance(p, Term))
            rest = tuple(
                (frozenset(_required(p, self)), self.tree(p))
                for p in parts
                if not isinstance(p, Term)
            )
            return ("or", terms, rest)
        if isinstance(node, And):
            return ("and", tuple((frozenset(_required(p, self)), self.tree(p)) for p in node.parts))
        if isinstance(node, AndNot):
            return ("not", self.tree(node.keep), self.tree(node.drop))
        return ("near", self.tree(node.left), self.tree(node.right), node.n, node.ordered)


def _required(node: Node, comp: _Compiler) -> set[int]:
    """Terms one of which a text must hold for ``node`` to match (a small such set)."""
    if isinstance(node, Term):
        return {comp.term(node)}
    if isinstance(node, Or):
        return set().union(*(_required(p, comp) for p in node.parts))
    if isinstance(node, And):
        return min((_required(p, comp) for p in node.parts), key=len)
    if isinstance(node, AndNot):
        return _required(node.keep, comp)
    return min(_required(node.left, comp), _required(node.right, comp), key=len)


def _flat_or(node: Or) -> list[Node]:
    out: list[Node] = []
    for p in node.parts:
        out.extend(_flat_or(p) if isinstance(p, Or) else [p])
    return out


def _near(left: list[Span], right: list[Span], n: int, ordered: bool) -> list[Span]:
    out: set[Span] = set()
    for a in left:
        for b in right:
            if a[1] <= b[0]:
                gap = b[0] - a[1]
            elif not ordered and b[1] <= a[0]:
                gap = a[0] - b[1]
            else:
                continue
            if gap <= n:
                out.add(a)
                out.add(b)
    return sorted(out)


def _eval(node: tuple, found: dict[int, list[Span]], keys: set[int]) -> list[Span]:
    # ``keys`` is ``set(found)``: ``isdisjoint`` of two sets walks the smaller one
    kind = node[0]
    if kind == "t":
        return found.get(node[1], [])
    if kind == "or":
        terms = node[1]
        spans: set[Span] = set()
        if len(found) < len(terms):
            for t, got in found.items():
                if t in terms:
                    spans.update(got)
        else:
            for t in terms:
                spans.update(found.get(t, ()))
        for req, p in node[2]:
            if not req.isdisjoint(keys):
                spans.update(_eval(p, found, keys))
        return sorted(spans)
    if kind == "and":
        if any(req.isdisjoint(keys) for req, _ in node[1]):
            return []
        spans = set()
        for _, p in node[1]:
            got = _eval(p, found, keys)
            if not got:
                return []
            spans.update(got)
        return sorted(spans)
    if kind == "not":
        keep = _eval(node[1], found, keys)
        return keep if keep and not _eval(node[2], found, keys) else []
    left = _eval(node[1], found, keys)
    if not left:
        return []
    right = _eval(node[2], found, keys)
    return _near(left, right, node[3], node[4]) if right else []


class QueryEngine:
    """Many queries compiled once; :meth:`match` finds the ones a text satisfies.

    Parameters
    ----------
    queries : sequence of Query
        Queries of one or more systems.
    skip_invalid : bool
        Leave out queries that cannot be parsed (their number is in :attr:`skipped`) instead
        of raising.

    Raises
    ------
    DataError
        A query cannot be parsed (``skip_invalid=False``).
    """

    def __init__(self, queries: Sequence[Query], *, skip_invalid: bool = False) -> None:
        comp = _Compiler()
        self.queries: list[Query] = []
        self._trees: list[tuple] = []
        self.skipped: list[tuple[Query, str]] = []
        by_term: dict[int, list[int]] = defaultdict(list)
        for q in queries:
            try:
                node = parse_query(q.text, q.syntax)
            except DataError as exc:
                if not skip_invalid:
                    raise DataError(f"{q.system} query {q.query_id}: {exc}") from None
                self.skipped.append((q, str(exc)))
                continue
            qi = len(self.queries)
            self.queries.append(q)
            self._trees.append(comp.tree(node))
            for t in sorted(_required(node, comp)):
                by_term[t].append(qi)
        self._exact = dict(comp.exact)
        self._prefix = dict(comp.prefix)
        self._regex = comp.regex
        self._max_prefix = max((len(p) for p in self._prefix), default=0)
        single: dict[int, list[int]] = defaultdict(list)
        pairs: dict[tuple[int, int], list[tuple[int, tuple[int, ...]]]] = defaultdict(list)
        for seq, tid in comp.term_ids.items():
            if len(seq) == 1:
                single[seq[0]].append(tid)
            else:
                pairs[seq[0], seq[1]].append((tid, seq))
        self._single = {p: tuple(v) for p, v in single.items()}
        self._pairs = dict(pairs)
        self._by_term = {t: tuple(v) for t, v in by_term.items()}
        self._cache: dict[str, frozenset[int]] = {}
        self.systems: tuple[str, ...] = tuple(dict.fromkeys(q.system for q in self.queries))

    @property
    def n_patterns(self) -> int:
        """Number of distinct word patterns."""
        return (
            len({p for v in self._exact.values() for p in v})
            + sum(len(v) for v in self._prefix.values())
            + len(self._regex)
        )

    def _patterns(self, word: str) -> frozenset[int]:
        got = self._cache.get(word)
        if got is not None:
            return got
        ids: list[int] = list(self._exact.get(word, ()))
        for k in range(1, min(len(word), self._max_prefix) + 1):
            ids.extend(self._prefix.get(word[:k], ()))
        ids.extend(pid for rx, pid in self._regex if rx.fullmatch(word))
        got = frozenset(ids)
        if len(self._cache) >= _CACHE_MAX:
            self._cache.clear()
        self._cache[word] = got
        return got

    def _found(self, words: list[str]) -> dict[int, list[Span]]:
        pats = [self._patterns(w) for w in words]
        n = len(pats)
        found: dict[int, list[Span]] = defaultdict(list)
        single, pairs = self._single, self._pairs
        empty: frozenset[int] = frozenset()
        for i, ps in enumerate(pats):
            if not ps:
                continue
            nxt = pats[i + 1] if i + 1 < n else empty
            for p in ps:
                for tid in single.get(p, ()):
                    found[tid].append((i, i + 1))
                for q in nxt:
                    for tid, seq in pairs.get((p, q), ()):
                        m = len(seq)
                        if i + m <= n and all(seq[k] in pats[i + k] for k in range(2, m)):
                            found[tid].append((i, i + m))
        return found

    def match(self, text: str) -> list[Hit]:
        """Queries matched by ``text``, in the order they were given.

        Parameters
        ----------
        text : str

        Returns
        -------
        list of Hit
        """
        if not isinstance(text, str):
            raise DataError(f"text is {type(text).__name__}, expected str")
        words, offsets = tokenize(text)
        found = dict(self._found(words))
        if not found:
            return []
        keys = set(found)
        cand = sorted({qi for t in found for qi in self._by_term.get(t, ())})
        hits = []
        for qi in cand:
            spans = _eval(self._trees[qi], found, keys)
            if spans:
                chars = tuple((offsets[s][0], offsets[e - 1][1]) for s, e in spans)
                hits.append(Hit(self.queries[qi], tuple(text[a:b] for a, b in chars), chars))
        return hits

    def match_many(self, texts: Sequence[str]) -> list[list[Hit]]:
        """:meth:`match` for each text."""
        return [self.match(t) for t in texts]
