"""Parse Boolean keyword queries into a small syntax tree (private).

Two published syntaxes are read:

``"scopus"``
    Scopus advanced search as used by the Aurora SDG queries: quoted loose phrases
    ``"poverty line*"``, exact phrases in braces ``{food bank}``, bare words, wildcards ``*``
    (zero or more characters) and ``?`` (exactly one), ``AND``, ``OR``, ``AND NOT``,
    ``W/n`` (both operands within ``n`` words of each other, any order) and ``PRE/n`` (the
    first precedes the second by at most ``n`` words). Precedence is Scopus's own, from the
    tightest: ``OR``, ``W/n``, ``PRE/n``, ``AND``, ``AND NOT``. Juxtaposed terms are ``AND``.
``"text2sdg"``
    The query tables of the R package text2sdg: phrases in ``"..."``, ``<...>`` or ``{...}``,
    bare words, ``*`` and ``?`` wildcards, ``AND``, ``OR``, ``NOT`` (``a NOT b`` = ``a AND NOT
    b``) and parentheses; ``AND``/``NOT`` bind tighter than ``OR``. The Scopus proximity
    operators are read here too (text2sdg's Aurora table keeps them).

``n`` counts the words *between* the two operands: ``W/0`` is adjacency.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from libpolis.errors import DataError

__all__: list[str] = []

# ------------------------------------------------------------------ syntax tree


@dataclass(frozen=True)
class Term:
    """A phrase: one or more word patterns (``*``/``?`` wildcards allowed), in order."""

    words: tuple[str, ...]
    plurals: bool = False


@dataclass(frozen=True)
class Or:
    parts: tuple[Node, ...]


@dataclass(frozen=True)
class And:
    parts: tuple[Node, ...]


@dataclass(frozen=True)
class AndNot:
    keep: Node
    drop: Node


@dataclass(frozen=True)
class Near:
    """``left W/n right`` (``ordered=False``) or ``left PRE/n right`` (``ordered=True``)."""

    left: Node
    right: Node
    n: int
    ordered: bool


Node = Term | Or | And | AndNot | Near

# ------------------------------------------------------------------ words

_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def fold(text: str) -> str:
    """NFKC, lower case, accents removed: the form both queries and texts are matched in."""
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).casefold())
    return "".join(c for c in text if not unicodedata.combining(c))


def pattern_words(phrase: str) -> tuple[str, ...]:
    """Word patterns of a phrase: folded, split at anything but letters, digits, ``*``, ``?``."""
    out = []
    for w in re.split(r"[^\w*?]+|_", fold(phrase)):
        w = w.strip()
        if w and w.strip("*?"):
            out.append(w)
    return tuple(out)


# ------------------------------------------------------------------ lexer

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<lp>\() | (?P<rp>\)) |
      "(?P<dq>[^"]*)" | \{(?P<br>[^}]*)\} | <(?P<ang>[^>]*)> |
      (?P<prox>(?:W|PRE)/\d+)(?![\w*?]) |
      (?P<word>[^\s()"{}<>]+)
    )""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class _Tok:
    kind: str  # "(", ")", "term", "op"
    value: str
    col: int
    exact: bool = False


def _lex(query: str) -> list[_Tok]:
    toks: list[_Tok] = []
    pos = 0
    query = query.replace("\u201c", '"').replace("\u201d", '"')
    while pos < len(query):
        if query[pos:].strip() == "":
            break
        m = _TOKEN.match(query, pos)
        if m is None or m.end() == pos:
            raise DataError(f"cannot read the query at column {pos + 1}: {query[pos : pos + 30]!r}")
        col = m.start() + len(m.group(0)) - len(m.group(0).lstrip())
        kind = m.lastgroup
        if kind == "lp":
            toks.append(_Tok("(", "(", col))
        elif kind == "rp":
            toks.append(_Tok(")", ")", col))
        elif kind in ("dq", "br", "ang"):
            toks.append(_Tok("term", m.group(kind), col, exact=kind != "dq"))
        elif kind == "prox":
            toks.append(_Tok("op", m.group(kind).upper(), col))
        else:
            word = m.group("word")
            if word in ("AND", "OR", "NOT"):
                toks.append(_Tok("op", word, col))
            else:
                toks.append(_Tok("term", word, col))
        pos = m.end()
    # merge "AND NOT" into one operator
    merged: list[_Tok] = []
    for t in toks:
        if t.kind == "op" and t.value == "NOT" and merged and merged[-1].value == "AND":
            merged[-1] = _Tok("op", "AND NOT", merged[-1].col)
        else:
            merged.append(t)
    return merged


# ------------------------------------------------------------------ parser

# binding strength of the binary operators (higher binds tighter); "JUXT" = implicit AND
_PRECEDENCE = {
    "scopus": {"OR": 5, "W": 4, "PRE": 3, "AND": 2, "JUXT": 2, "AND NOT": 1, "NOT": 1},
    "text2sdg": {"W": 5, "PRE": 5, "AND": 3, "JUXT": 3, "AND NOT": 3, "NOT": 3, "OR": 2},
}


def _op_key(value: str) -> str:
    return value.split("/")[0] if "/" in value else value


class _Parser:
    def __init__(self, query: str, syntax: str) -> None:
        if syntax not in _PRECEDENCE:
            raise DataError(f"unknown query syntax {syntax!r}; use 'scopus' or 'text2sdg'")
        self.query = query
        self.prec = _PRECEDENCE[syntax]
        self.plurals = syntax == "scopus"
        self.toks = _lex(query)
        self.i = 0

    def _err(self, what: str, col: int | None = None) -> DataError:
        where = f" at column {col + 1}" if col is not None else " at the end"
        return DataError(f"query {self.query[:60]!r}: {what}{where}")

    def _peek(self) -> _Tok | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def parse(self) -> Node:
        if not self.toks:
            raise DataError("empty query")
        node = self._expr(0)
        tok = self._peek()
        if tok is not None:
            raise self._err(f"unexpected {tok.value!r}", tok.col)
        return node

    def _primary(self) -> Node:
        tok = self._peek()
        if tok is None:
            raise self._err("a term or '(' is missing")
        if tok.kind == "(":
            self.i += 1
            node = self._expr(0)
            close = self._peek()
            if close is None or close.kind != ")":
                raise self._err("')' is missing", close.col if close else None)
            self.i += 1
            return node
        if tok.kind == "term":
            self.i += 1
            words = pattern_words(tok.value)
            if not words:
                raise self._err(f"the term {tok.value!r} has no word", tok.col)
            return Term(words, self.plurals and not tok.exact)
        raise self._err(f"unexpected {tok.value!r}", tok.col)

    def _next_op(self) -> tuple[str, str] | None:
        tok = self._peek()
        if tok is None or tok.kind == ")":
            return None
        if tok.kind == "op":
            return _op_key(tok.value), tok.value
        return "JUXT", "JUXT"  # a term or '(' right after an operand

    def _expr(self, min_prec: int) -> Node:
        left = self._primary()
        while True:
            nxt = self._next_op()
            if nxt is None:
                return left
            key, value = nxt
            prec = self.prec[key]
            if prec < min_prec:
                return left
            if key != "JUXT":
                self.i += 1
            right = self._expr(prec + 1)
            left = _combine(key, value, left, right)


def _combine(key: str, value: str, left: Node, right: Node) -> Node:
    if key == "OR":
        return Or((*(left.parts if isinstance(left, Or) else (left,)), right))
    if key in ("AND", "JUXT"):
        return And((*(left.parts if isinstance(left, And) else (left,)), right))
    if key in ("AND NOT", "NOT"):
        return AndNot(left, right)
    n = int(value.split("/")[1])
    return Near(left, right, n, ordered=key == "PRE")


def parse_query(query: str, syntax: str = "scopus") -> Node:
    """Parse one query string.

    Parameters
    ----------
    query : str
        The query, e.g. ``'("poverty") W/3 ("eradicat*" OR "end")'``.
    syntax : {"scopus", "text2sdg"}
        Which published syntax (operator precedence, plural folding of loose phrases).

    Returns
    -------
    Node
        The syntax tree.

    Raises
    ------
    DataError
        The query cannot be read (the message gives the column).
    """
    return _Parser(query, syntax).parse()


def terms_of(node: Node) -> list[Term]:
    """Every term of a tree, left to right (with repeats)."""
    if isinstance(node, Term):
        return [node]
    if isinstance(node, (Or, And)):
        return [t for p in node.parts for t in terms_of(p)]
    if isinstance(node, AndNot):
        return terms_of(node.keep) + terms_of(node.drop)
    return terms_of(node.left) + terms_of(node.right)


def positive_terms(node: Node) -> list[Term]:
    """The terms one of which must be found for the query to match (not under ``AND NOT``)."""
    if isinstance(node, Term):
        return [node]
    if isinstance(node, (Or, And)):
        return [t for p in node.parts for t in positive_terms(p)]
    if isinstance(node, AndNot):
        return positive_terms(node.keep)
    return positive_terms(node.left) + positive_terms(node.right)


def tokenize(text: str) -> tuple[list[str], list[tuple[int, int]]]:
    """Folded words of a text and their (start, end) character offsets in ``text``."""
    words, spans = [], []
    for m in _WORD.finditer(text):
        w = m.group()
        words.append(w.lower() if w.isascii() else fold(w))
        spans.append(m.span())
    return words, spans
