"""Read published SDG query systems into :class:`~libpolis.align.queries.Query` lists.

- :func:`aurora_queries`: the Aurora Universities Network SDG queries v5.0 (XML, one file per
  goal, one query definition per target, Scopus syntax). A copy ships with libpolis in
  ``libpolis/data/queries/aurora-v5/`` ("Aurora Universities Network (AUR), SDG queries v5.0,
  CC BY 4.0", doi 10.5281/zenodo.3817445); only its ``TITLE-ABS-KEY`` query lines are read (the
  affiliation and year filters do not apply to free text). Each query line is one query.
- :func:`own_queries`: libpolis's own multilingual keyword queries (French, Spanish and
  Portuguese forms of each goal's core vocabulary and of library programme words, written by the
  libpolis authors; ``libpolis/data/queries/libpolis-multilingual.csv``, Scopus syntax), so that
  texts in those languages get query evidence too (the Aurora queries are English).
- :func:`text2sdg_queries`: a query table of the R package text2sdg 1.1.1 converted to CSV
  (columns ``system, sdg, query_id, query``; ``sdg`` as ``"SDG-01"``). These tables are used
  for measurement only; libpolis does not ship them (see the data's PROVENANCE).
"""

from __future__ import annotations

import csv
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

from libpolis.align.queries._match import Query
from libpolis.errors import DataError, NotFoundError

__all__ = [
    "AURORA_ATTRIBUTION",
    "SHIPPED_SYSTEMS",
    "TEXT2SDG_SYSTEMS",
    "aurora_queries",
    "own_queries",
    "shipped_queries",
    "text2sdg_queries",
]

AURORA_ATTRIBUTION = "Aurora Universities Network (AUR), SDG queries v5.0, CC BY 4.0"

#: text2sdg table name -> text encoding of its CSV
TEXT2SDG_SYSTEMS = {
    "aurora": "utf-8",
    "elsevier": "utf-8",
    "siris": "utf-8",
    "auckland": "utf-8",
    "sdsn": "cp1252",
    "sdgo": "utf-8",
}

_NS = {
    "aqd": "http://aurora-network.global/queries/namespace/",
    "dc": "http://dublincore.org/documents/dcmi-namespace/",
}


def _shipped_aurora() -> Path:
    return Path(str(resources.files("libpolis") / "data" / "queries" / "aurora-v5"))


def _space(text: str) -> str:
    return " ".join(text.split())


def aurora_queries(folder: str | Path | None = None) -> list[Query]:
    """The Aurora v5 queries, one per ``TITLE-ABS-KEY`` query line, goals 1-17 in order.

    Parameters
    ----------
    folder : str or Path, optional
        Folder with ``query_SDG1.xml`` .. ``query_SDG17.xml`` (default: the shipped copy).

    Returns
    -------
    list of Query
        ``system="aurora"``, ``target`` the target code (``"1.1"``), ``query_id`` the target
        and line number (``"1.1#2"``), syntax ``"scopus"``.

    Raises
    ------
    NotFoundError
        A goal's file is missing.
    DataError
        A file is not an Aurora query file.
    """
    base = Path(folder) if folder is not None else _shipped_aurora()
    out: list[Query] = []
    for goal in range(1, 18):
        path = base / f"query_SDG{goal}.xml"
        if not path.is_file():
            raise NotFoundError(f"Aurora query file {str(path)!r} is missing")
        try:
            root = ET.parse(path).getroot()
        except ET.ParseError as exc:
            raise DataError(f"{path}: not readable XML ({exc})") from None
        for k, qdef in enumerate(root.iterfind(".//aqd:query-definition", _NS), start=1):
            uri = qdef.find("dc:identifier[@type='uri']", _NS)
            target = None
            if uri is not None and uri.text and "/" in uri.text:
                target = uri.text.strip().rstrip("/").rsplit("/", 1)[1]
                target = re.sub(r"^(\d+)([a-z])$", r"\1.\2", target)  # "3c" in SDG 3's file
            sub = qdef.find("aqd:subquery-identifier", _NS)
            tid = target or (sub.text.strip() if sub is not None and sub.text else str(k))
            lines = [
                _space(line.text or "")
                for line in qdef.iterfind(".//aqd:query-line", _NS)
                if line.get("field", "TITLE-ABS-KEY") == "TITLE-ABS-KEY"
            ]
            for i, text in enumerate([t for t in lines if t], start=1):
                out.append(Query("aurora", goal, target, f"{tid}#{i}", text, "scopus"))
    return out


def _unescape(text: str) -> str:
    """Undo the R string escapes left in a few rows (``\\"``, ``\\u00f1``)."""
    if "\\" not in text:
        return text
    text = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), text)
    return text.replace('\\"', '"').replace("\\", " ")


def text2sdg_queries(path: str | Path, system: str | None = None) -> list[Query]:
    """One text2sdg query table (CSV).

    Parameters
    ----------
    path : str or Path
        ``<system>_queries.csv`` as converted from text2sdg 1.1.1.
    system : str, optional
        System name (default: from the file name); sets the text encoding
        (:data:`TEXT2SDG_SYSTEMS`).

    Returns
    -------
    list of Query
        Syntax ``"text2sdg"``; ``target`` is None.
    """
    p = Path(path)
    name = system or p.name.removesuffix("_queries.csv")
    if not p.is_file():
        raise NotFoundError(f"query table {str(p)!r} is missing")
    enc = TEXT2SDG_SYSTEMS.get(name, "utf-8")
    out: list[Query] = []
    with p.open(encoding=enc, newline="") as fh:
        for line, row in enumerate(csv.DictReader(fh), start=2):
            try:
                goal = int(str(row["sdg"]).upper().removeprefix("SDG-").removeprefix("SDG"))
                text = _unescape(_space(row["query"]))
                qid = str(row["query_id"])
            except (KeyError, ValueError) as exc:
                raise DataError(f"{p}, line {line}: not a query row ({exc})") from None
            if not 1 <= goal <= 17:
                raise DataError(f"{p}, line {line}: goal {goal} is not 1-17")
            if text:
                out.append(Query(name, goal, None, qid, text, "text2sdg"))
    return out


def own_queries(path: str | Path | None = None) -> list[Query]:
    """libpolis's own multilingual keyword queries (fr, es, pt), one per goal and language.

    Parameters
    ----------
    path : str or Path, optional
        CSV with columns ``sdg, lang, query`` (default: the shipped file).

    Returns
    -------
    list of Query
        ``system="libpolis"``, ``query_id`` as ``"4-pt"``, syntax ``"scopus"``.
    """
    p = Path(path) if path is not None else _shipped_aurora().parent / "libpolis-multilingual.csv"
    if not p.is_file():
        raise NotFoundError(f"query table {str(p)!r} is missing")
    out: list[Query] = []
    with p.open(encoding="utf-8", newline="") as fh:
        for line, row in enumerate(csv.DictReader(fh), start=2):
            try:
                goal, lang, text = int(row["sdg"]), row["lang"].strip(), _space(row["query"])
            except (KeyError, ValueError, AttributeError) as exc:
                raise DataError(f"{p}, line {line}: not a query row ({exc})") from None
            if not 1 <= goal <= 17:
                raise DataError(f"{p}, line {line}: goal {goal} is not 1-17")
            out.append(Query("libpolis", goal, None, f"{goal}-{lang}", text, "scopus"))
    return out


#: Query systems that may ship and run in the installed package (licence checked).
SHIPPED_SYSTEMS = {"aurora": aurora_queries, "libpolis": own_queries}


def shipped_queries(systems: Sequence[str]) -> list[Query]:
    """Queries of the named shipped systems (:data:`SHIPPED_SYSTEMS`), in that order.

    Raises
    ------
    DataError
        A system is not one that ships with libpolis.
    """
    out: list[Query] = []
    for s in systems:
        if s not in SHIPPED_SYSTEMS:
            raise DataError(f"query system {s!r} does not ship with libpolis")
        out += SHIPPED_SYSTEMS[s]()
    return out
