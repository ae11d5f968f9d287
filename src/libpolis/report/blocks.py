"""The brief as a document model: sections of blocks (paragraphs, bullets, tables, charts,
headline figures). The HTML and Typst renderers draw the same :class:`Document`; inline code in
text is written between backticks (a command) and both renderers honour it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "SECTION_IDS",
    "Bullets",
    "Chart",
    "Document",
    "Headline",
    "Para",
    "Section",
    "Table",
]

SECTION_IDS: tuple[str, ...] = (
    "summary",
    "libraries",
    "culture",
    "city",
    "development",
    "rights",
    "partnerships",
    "scenarios",
    "peers",
    "methods",
)


@dataclass
class Para:
    text: str
    kind: str = "p"  # "p", "missing" (data the workspace lacks), "note"


@dataclass
class Bullets:
    items: list[str]
    ordered: bool = False


@dataclass
class Table:
    caption: str
    header: list[str]
    rows: list[list[str]]
    numeric: list[bool]
    keys: list[str] | None = None  # one per row: the figure a row shows (``data-figure``)


@dataclass
class Chart:
    key: str
    svg: str
    alt: str
    caption: str
    geojson: dict[str, Any] | None = None  # for the interactive map (HTML only)


@dataclass
class Headline:
    items: list[tuple[str, str, str]]  # key, formatted value, label


@dataclass
class Section:
    id: str
    title: str
    blocks: list[Any] = field(default_factory=list)


@dataclass
class Document:
    lang: str
    title: str
    subtitle: str
    date: str
    sections: list[Section]
    strings: dict[str, str]  # interface words of the renderers (contents, page, ...)
    headline: list[tuple[str, str]]  # (key, formatted value) as printed
