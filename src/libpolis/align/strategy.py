"""Import a city's own strategy (txt, md or pdf) as a framework of goals, and export one back.

Splitting rules, applied in this order; the first that finds at least two goals wins:

1. **Headings** (Markdown ``#`` .. ``######`` or a line underlined with ``===`` / ``---``).
   When the shallowest heading level occurs once, before any other heading, it is the
   document title and the goals are the headings of the next level; otherwise the goals are the
   headings of the shallowest level. A goal's text is everything up to the next heading of the
   same or a shallower level (deeper headings are kept as text).
2. **Numbered items**: lines starting with a number or a single letter and ``.``, ``)``,
   ``:`` or a dash, optionally preceded by a word such as Goal, Objective, Aim, Priority,
   Objectif, Axe, Objetivo, Eje, Tavoite or Mål (``1. ...``, ``Goal 2: ...``, ``B) ...``). The
   lines that follow, up to the next item, belong to it. If an item's first line looks like a
   heading (at most 80 characters, not ending in punctuation) and more lines follow, that line is
   the title and the rest the text; otherwise the title is the item's first sentence and the text
   the whole item. Text before the first item is the document title (its first line).
3. **Paragraphs** separated by blank lines; a short first line without final punctuation is the
   document title. Each paragraph is a goal titled by its first sentence.

Goal codes are the numbers or letters of rules 1-2 when every goal has one and they are unique;
otherwise ``1``, ``2``, ... in document order. PDF text is read with pypdf (no OCR: a scanned
PDF without a text layer gives a DataError). :func:`export_strategy` writes Markdown (rule 1)
or a PDF typeset with Typst (read back by rule 2), so export -> import gives the same goals.
"""

from __future__ import annotations

import io
import logging
import re
import unicodedata
import warnings
from pathlib import Path

from libpolis.align._text import detect_language, split_sentences
from libpolis.align.frameworks import BUILTIN_FRAMEWORKS, Framework, Goal, _ro
from libpolis.errors import DataError, NotFoundError

__all__ = [
    "export_strategy",
    "import_strategy",
    "read_document",
    "split_goals",
    "strategy_from_text",
]

SUFFIXES = (".txt", ".md", ".markdown", ".pdf")

_ATX = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_SETEXT = re.compile(r"^\s{0,3}(=+|-+)\s*$")
_WORDS = (
    r"goal|objective|aim|priority|target|objectif|axe|priorit[eé]|objetivo|eje|meta|tavoite|m[aå]l"
)
_ITEM = re.compile(
    rf"^\s*(?:(?:{_WORDS})\s+)?(?P<code>\d{{1,2}}|[A-Za-z])\s*(?:[.):]|\s[-–—])\s+(?P<rest>\S.*)$",
    re.IGNORECASE,
)
_LEAD_CODE = re.compile(
    rf"^(?:(?:{_WORDS})\s+)?(\d{{1,2}}|[A-Za-z])\s*(?:[.):]|\s[-–—])\s+(\S.*)$", re.I
)
_MAX_TITLE = 120


def _clean(text: str) -> str:
    return " ".join(text.split())


def _first_sentence(text: str) -> str:
    sents = split_sentences(text)
    first = sents[0] if sents else _clean(text)
    if len(first) > _MAX_TITLE:
        cut = first.rfind(" ", 0, _MAX_TITLE)
        first = first[: cut if cut > 40 else _MAX_TITLE].rstrip(" ,;:") + "…"
    return first


def _headingish(line: str) -> bool:
    line = line.strip()
    return 0 < len(line) <= 80 and not line.endswith((".", ",", ";", "!", "?", ":"))


def _split_code(title: str) -> tuple[str | None, str]:
    m = _LEAD_CODE.match(title.strip())
    if m:
        return m.group(1), m.group(2).strip()
    return None, title.strip()


def _by_headings(lines: list[str]) -> tuple[str | None, list[tuple[str | None, str, str]]]:
    heads: list[tuple[int, int, str]] = []  # (line index, level, text)
    skip: set[int] = set()
    for i, line in enumerate(lines):
        m = _ATX.match(line)
        if m:
            heads.append((i, len(m.group(1)), m.group(2)))
        elif (
            i > 0
            and _SETEXT.match(line)
            and lines[i - 1].strip()
            and not _ATX.match(lines[i - 1])
            and (i < 2 or not lines[i - 2].strip())
        ):
            heads.append((i - 1, 1 if line.strip()[0] == "=" else 2, lines[i - 1].strip()))
            skip.add(i)
    if not heads:
        return None, []
    heads.sort()
    levels = sorted({lv for _, lv, _ in heads})
    top = levels[0]
    doc_title = None
    goal_level = top
    tops = [h for h in heads if h[1] == top]
    if len(tops) == 1 and heads[0][1] == top and len(levels) > 1:
        doc_title = tops[0][2].strip()
        goal_level = levels[1]
    goals: list[tuple[str | None, str, str]] = []
    for k, (i, lv, text) in enumerate(heads):
        if lv != goal_level:
            continue
        end = len(lines)
        for j, lv2, _ in heads[k + 1 :]:
            if lv2 <= goal_level:
                end = j
                break
        body = []
        for n in range(i + 1, end):
            if n in skip:
                continue
            m = _ATX.match(lines[n])
            body.append(m.group(2) if m else lines[n])
            if n + 1 in skip:  # setext heading text followed by its underline
                continue
        code, title = _split_code(text)
        goals.append((code, title, _clean(" ".join(body))))
    return doc_title, goals


def _by_items(lines: list[str]) -> tuple[str | None, list[tuple[str | None, str, str]]]:
    starts = [(i, _ITEM.match(line)) for i, line in enumerate(lines)]
    starts = [(i, m) for i, m in starts if m]
    if len(starts) < 2:
        return None, []
    pre = [ln.strip() for ln in lines[: starts[0][0]] if ln.strip()]
    doc_title = pre[0] if pre else None
    goals: list[tuple[str | None, str, str]] = []
    for k, (i, m) in enumerate(starts):
        end = starts[k + 1][0] if k + 1 < len(starts) else len(lines)
        first = m.group("rest").strip()
        rest = [ln.strip() for ln in lines[i + 1 : end] if ln.strip()]
        if rest and _headingish(first):
            title, text = first, _clean(" ".join(rest))
        else:
            text = _clean(" ".join([first, *rest]))
            title = _first_sentence(text)
        goals.append((m.group("code"), title, text))
    return doc_title, goals


def _by_paragraphs(text: str) -> tuple[str | None, list[tuple[str | None, str, str]]]:
    paras = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    doc_title = None
    if paras:
        first_line = paras[0].splitlines()[0]
        if _headingish(first_line):
            doc_title = first_line.strip()
            remainder = "\n".join(paras[0].splitlines()[1:]).strip()
            paras = ([remainder] if remainder else []) + paras[1:]
    goals = [(None, _first_sentence(p), _clean(p)) for p in paras]
    return doc_title, goals


def split_goals(text: str) -> tuple[str | None, list[tuple[str, str, str]]]:
    """Split a strategy document into goals by the rules in the module docstring.

    Parameters
    ----------
    text : str
        The document's text.

    Returns
    -------
    tuple
        ``(document title or None, [(code, title, text), ...])``.

    Raises
    ------
    DataError
        The text is empty.
    """
    if not isinstance(text, str):
        raise DataError(f"a strategy must be text, found {type(text).__name__}")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise DataError("the strategy document is empty: no goals to import")
    lines = text.split("\n")
    doc_title, goals = None, []
    for rule in (_by_headings, _by_items):
        doc_title, goals = rule(lines)
        if len(goals) >= 2:
            break
    else:
        doc_title, goals = _by_paragraphs(text)
    codes = [c for c, _, _ in goals]
    if any(c is None for c in codes) or len(set(codes)) != len(codes):
        codes = [str(i + 1) for i in range(len(goals))]
    out = []
    for code, (_, title, body) in zip(codes, goals, strict=True):
        out.append((str(code), _clean(title), body or _clean(title)))
    return doc_title, out


def _slug(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "strategy"
    return f"strategy-{slug}" if slug in BUILTIN_FRAMEWORKS else slug


def strategy_from_text(
    text: str,
    *,
    name: str,
    title: str | None = None,
    language: str | None = None,
    source: str = "",
) -> Framework:
    """Build a strategy :class:`Framework` from its text (see :func:`split_goals`).

    Parameters
    ----------
    text : str
        The document's text.
    name : str
        Framework name (a slug is made of it).
    title : str, optional
        Framework title; default the document title found in the text, else ``name``.
    language : str, optional
        Language code of the document; guessed from stop words when omitted.
    source : str
        Provenance note (the file it came from).
    """
    doc_title, goals = split_goals(text)
    lang = language or detect_language(text)
    lang = "en" if lang == "und" else lang
    return Framework(
        name=_slug(name),
        title=title or doc_title or name,
        goals=tuple(Goal(code=c, titles=_ro({lang: t}), texts=_ro({lang: b})) for c, t, b in goals),
        kind="strategy",
        version="",
        languages=(lang,),
        source=source,
        licence="as published by the city",
    )


def read_document(path: str | Path) -> str:
    """Text of a ``.txt``, ``.md`` or ``.pdf`` file.

    Raises
    ------
    NotFoundError
        No such file.
    DataError
        Unsupported extension, binary content, undecodable text, unreadable or image-only PDF.
    """
    p = Path(path)
    if not p.is_file():
        raise NotFoundError(f"no strategy file at {p}")
    suffix = p.suffix.lower()
    if suffix not in SUFFIXES:
        raise DataError(
            f"unsupported strategy file type {suffix or '(none)'!r}; "
            f"use one of {', '.join(SUFFIXES)}",
            where=str(p),
        )
    data = p.read_bytes()
    if suffix == ".pdf":
        return _pdf_text(data, str(p))
    if b"\x00" in data[:4096]:
        raise DataError("the file is binary, not text (found NUL bytes)", where=str(p))
    for enc in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise DataError("the file is neither UTF-8 nor Windows-1252 text", where=str(p))


def _pdf_text(data: bytes, where: str) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    quiet = logging.getLogger("pypdf")  # its repair notes ("incorrect startxref") are not ours
    level = quiet.level
    quiet.setLevel(logging.CRITICAL)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(io.BytesIO(data))
            pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise DataError(f"cannot read the PDF ({exc})", where=where) from None
    finally:
        quiet.setLevel(level)
    text = "\n".join(pages)
    if not text.strip():
        raise DataError(
            "the PDF has no text layer (a scanned image?); OCR is not supported", where=where
        )
    return text


def import_strategy(
    path: str | Path, *, name: str | None = None, language: str | None = None
) -> Framework:
    """Import a city strategy document as a framework of goals.

    Parameters
    ----------
    path : str or Path
        A ``.txt``, ``.md`` or ``.pdf`` file.
    name : str, optional
        Framework name; default a slug of the file name.
    language : str, optional
        Language of the document; guessed when omitted.

    Returns
    -------
    Framework
        ``kind="strategy"``, goals split by the rules in the module docstring.
    """
    p = Path(path)
    text = read_document(p)
    try:
        return strategy_from_text(text, name=name or p.stem, language=language, source=p.name)
    except DataError as exc:
        raise DataError(exc.message, where=str(p)) from None


def _typst_escape(text: str) -> str:
    return re.sub(r"([\\#$*_`<>@=\[\]~/\-+.])", r"\\\1", text)


def export_strategy(framework: Framework, path: str | Path, *, language: str | None = None) -> Path:
    """Write a framework as a strategy document that :func:`import_strategy` reads back.

    Parameters
    ----------
    framework : Framework
        Any framework (typically an imported strategy).
    path : str or Path
        ``.md`` / ``.txt`` (Markdown: ``# title``, then ``## code. goal title`` and the goal text)
        or ``.pdf`` (the same structure typeset with Typst).
    language : str, optional
        Language of the texts to write; default the framework's first language.

    Returns
    -------
    Path
        The written file.
    """
    p = Path(path)
    lang = language or framework.languages[0]
    suffix = p.suffix.lower()
    if suffix in (".md", ".markdown", ".txt"):
        parts = [f"# {framework.title}", ""]
        for g in framework.goals:
            parts += [f"## {g.code}. {g.title_in(lang)}", "", g.text_in(lang), ""]
        p.write_text("\n".join(parts), encoding="utf-8")
        return p
    if suffix == ".pdf":
        import typst

        src = [f"= {_typst_escape(framework.title)}", ""]
        for g in framework.goals:
            src += [f"== {_typst_escape(g.code)}. {_typst_escape(g.title_in(lang))}", ""]
            src += [_typst_escape(g.text_in(lang)), ""]
        p.write_bytes(typst.compile("\n".join(src).encode("utf-8")))
        return p
    raise DataError(f"cannot export to {suffix!r}; use .md, .txt or .pdf", where=str(p))
