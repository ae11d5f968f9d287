"""Render the city brief from the evidence: one self-contained HTML file and an A4 PDF (Typst)."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Sequence
from datetime import date
from importlib.resources import files
from pathlib import Path
from typing import Any

import matplotlib as mpl
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape

from libpolis.errors import DataError
from libpolis.evidence import Evidence
from libpolis.report.blocks import Bullets, Chart, Document, Headline, Para, Table
from libpolis.report.document import build_document
from libpolis.report.i18n import LANGUAGES, get_lang

__all__ = [
    "FORMATS",
    "checked_formats",
    "render_brief",
    "render_html",
    "render_pdf",
    "render_typst",
    "write_atomic",
    "write_document",
]

FORMATS: tuple[str, ...] = ("html", "pdf")

_VENDOR = Path(str(files("libpolis") / "data" / "vendor" / "leaflet"))
_BREAKS_M = [250, 500, 750, 1000, 1500, 2000]
_BREAKS_MIN = [5, 10, 15, 20, 30, 45]


# --------------------------------------------------------------------------- HTML


def _inline(text: Any) -> Markup:
    """Escape ``text`` and turn `backtick` spans into <code>."""
    parts = str(text).split("`")
    out = [
        (Markup("<code>{}</code>").format(p) if i % 2 else escape(p)) for i, p in enumerate(parts)
    ]
    return Markup("").join(out)


def _tojson_safe(obj: Any) -> Markup:
    s = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    return Markup(s.replace("</", "<\\/").replace("<!--", "<\\!--"))


def _leaflet_css() -> str:
    css = (_VENDOR / "leaflet.css").read_text(encoding="utf-8")

    def data_uri(m: re.Match[str]) -> str:
        img = _VENDOR / "images" / m.group(1)
        return f"url(data:image/png;base64,{base64.b64encode(img.read_bytes()).decode()})"

    return re.sub(r"url\(images/([\w.-]+\.png)\)", data_uri, css)


def _colors(n: int) -> list[str]:
    cmap = mpl.colormaps["cividis_r"]
    return [mpl.colors.to_hex(cmap(i / (n - 1))) for i in range(n)]


def render_html(doc: Document, *, attribution: str) -> str:
    """The brief as one self-contained HTML page (CSS, SVG, Leaflet and data inline)."""
    env = Environment(
        loader=PackageLoader("libpolis.report", "templates"), autoescape=select_autoescape()
    )
    env.filters["inline"] = _inline
    env.filters["tojson_safe"] = _tojson_safe
    charts = [b for s in doc.sections for b in s.blocks if isinstance(b, Chart)]
    geo = next((c.geojson for c in charts if c.geojson), None)
    breaks = _BREAKS_MIN if geo and geo.get("cost_unit") == "min" else _BREAKS_M
    js = (_VENDOR / "leaflet.js").read_text(encoding="utf-8").replace("</script", "<\\/script")
    page = env.get_template("brief.html").render(
        doc=doc,
        has_map=geo is not None,
        leaflet_css=_leaflet_css() if geo else "",
        leaflet_js=js if geo else "",
        colors=_colors(len(breaks) + 1),
        breaks=breaks,
        layer_names=[
            doc.strings["layers_units"],
            doc.strings["layers_libraries"],
            doc.strings["layers_districts"],
        ],
        attribution=attribution,
    )
    return with_csp(page)


_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)


def with_csp(page: str) -> str:
    """The page with a Content-Security-Policy that lets only its own inline scripts run
    (each by its SHA-256), loads nothing from anywhere, and allows inline styles and data:
    images (Leaflet positions its layers with style attributes)."""
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(m.encode("utf-8")).digest()).decode() + "'"
        for m in _SCRIPT.findall(page)
    )
    policy = (
        f"default-src 'none'; script-src {hashes or chr(39) + 'none' + chr(39)}; "
        "style-src 'unsafe-inline'; img-src data:; font-src data:; base-uri 'none'; "
        "form-action 'none'"
    )
    meta = f'<meta http-equiv="Content-Security-Policy" content="{policy}">'
    return page.replace('<meta charset="utf-8">', f'<meta charset="utf-8">\n{meta}', 1)


# --------------------------------------------------------------------------- Typst


def _str(s: Any) -> str:
    """A Typst string literal (backslash and quote escaped; line breaks and tabs as spaces)."""
    text = re.sub(r"[\r\n\t]+", " ", str(s))
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _content(text: Any) -> str:
    """Typst content for ``text`` with `backtick` spans as raw text."""
    parts = str(text).split("`")
    out = []
    for i, p in enumerate(parts):
        if not p:
            continue
        out.append(f"#raw({_str(p)})" if i % 2 else f"#{_str(p)}")
    return "[" + "".join(out) + "]"


def render_typst(doc: Document, images: dict[str, str]) -> str:
    """The Typst source of the brief; ``images`` maps chart keys to SVG file names."""
    o: list[str] = [
        f'#set document(title: {_str(doc.title)}, author: "libpolis")',
        '#set page(paper: "a4", margin: (x: 2cm, y: 2.2cm), numbering: "1 / 1", '
        f"header: context {{ if counter(page).get().first() > 1 {{ text(8pt, fill: "
        f'rgb("#444444"), {_str(doc.title)}) }} }})',
        f'#set text(lang: "{doc.lang}", size: 10pt, fill: rgb("#1a1a1a"))',
        "#set par(justify: false)",
        "#show heading.where(level: 1): it => block(below: 0.8em, above: 1.4em, "
        'stroke: (bottom: 1.5pt + rgb("#0072B2")), inset: (bottom: 3pt), width: 100%, it)',
        "#show raw: set text(size: 0.85em)",
        "#show figure.where(kind: table): set block(breakable: true)",
        '#show table.cell.where(y: 0): set text(weight: "bold")',
        f'#text(size: 22pt, weight: "bold"){_content(doc.title)}',
        "",
        f"#text(size: 12pt){_content(doc.subtitle + ' ' + doc.date)}",
        "",
        f"#outline(title: {_content(doc.strings['contents'])}, depth: 2)",
        "",
    ]
    for sec in doc.sections:
        if sec.id in ("libraries", "methods"):
            o.append("#pagebreak(weak: true)")
        o.append(f"#heading(level: 1){_content(sec.title)} <{sec.id}>")
        for b in sec.blocks:
            o.append(_typst_block(b, images))
            o.append("")
    o.append(f"#v(1em) #text(size: 8pt){_content(doc.strings['made'])}")
    return "\n".join(o)


def _typst_block(b: Any, images: dict[str, str]) -> str:
    if isinstance(b, Para):
        if b.kind == "h3":
            return f"#heading(level: 2){_content(b.text)}"
        if b.kind == "missing":
            return (
                '#block(fill: rgb("#fff4d6"), inset: 6pt, width: 100%, stroke: (left: 3pt + '
                f'rgb("#E69F00"))){_content(b.text)}'
            )
        if b.kind == "note":
            return f"#emph{_content(b.text)}"
        return f"#par{_content(b.text)}"
    if isinstance(b, Headline):
        cells = ", ".join(
            f'block(stroke: 0.6pt + rgb("#999999"), radius: 3pt, inset: 6pt, width: 100%)'
            f'[#text(size: 16pt, weight: "bold", fill: rgb("#004d7a")){_content(v)} \\ '
            f"#text(size: 8.5pt){_content(label)}]"
            for _, v, label in b.items
        )
        return f"#grid(columns: (1fr,) * 3, gutter: 6pt, {cells})"
    if isinstance(b, Bullets):
        mark = "+" if b.ordered else "-"
        return "\n".join(f"{mark} {_content(it)[1:-1]}" for it in b.items)
    if isinstance(b, Table):
        n = len(b.header)
        cols = ", ".join("auto" if num else "1fr" for num in b.numeric)
        align = ", ".join("right" if num else "left" for num in b.numeric)
        head = ", ".join(_content(h) for h in b.header)
        cells = ",\n".join(", ".join(_content(c) for c in row) for row in b.rows)
        size = "7pt" if n >= 5 else "8.5pt"
        return (
            f"#figure(kind: table, caption: {_content(b.caption)})[#set text(size: {size})\n"
            f'#table(columns: ({cols},), align: ({align},), stroke: 0.4pt + rgb("#bbbbbb"), '
            f'fill: (_, y) => if y == 0 {{ rgb("#eef4f8") }}, '
            f"table.header({head}),\n{cells}{',' if cells else ''})]"
        )
    if isinstance(b, Chart):
        return (
            f'#figure(image("{images[b.key]}", width: 100%, alt: {_str(b.alt)}), '
            f"caption: {_content(b.caption)})"
        )
    raise DataError(f"unknown block {type(b).__name__}")


def render_pdf(doc: Document) -> bytes:
    """Compile the brief to an A4 PDF with Typst (offline; fonts embedded in the compiler)."""
    import typst

    with tempfile.TemporaryDirectory(prefix="libpolis-brief-") as tmp:
        root = Path(tmp)
        images: dict[str, str] = {}
        for s in doc.sections:
            for b in s.blocks:
                if isinstance(b, Chart):
                    name = f"{b.key}.svg"
                    (root / name).write_text(b.svg, encoding="utf-8")
                    images[b.key] = name
        (root / "brief.typ").write_text(render_typst(doc, images), encoding="utf-8")
        return typst.compile(str(root / "brief.typ"), root=str(root))


# --------------------------------------------------------------------------- writing


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write a file so readers see the old or the new content, never half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data.encode() if isinstance(data, str) else data)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def checked_formats(formats: Sequence[str], lang: str) -> tuple[str, ...]:
    """``formats`` cleaned, or a :class:`DataError` naming a bad format or language."""
    formats = tuple(f.strip().lower() for f in formats if f.strip())
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        raise DataError(f"unknown format(s) {bad or formats!r}; choose from {', '.join(FORMATS)}")
    if lang not in LANGUAGES:
        raise DataError(f"language {lang!r} is not available; choose one of {', '.join(LANGUAGES)}")
    return formats


def write_document(
    doc: Document, ev: Evidence, out: Path, stem: str, formats: Sequence[str]
) -> dict[str, str]:
    """Write ``doc`` as ``<stem>.html`` and/or ``<stem>.pdf`` in ``out``, each atomically (the
    brief and the human-rights submission); returns the paths written by format."""
    written: dict[str, str] = {}
    if "html" in formats:
        attribution = "; ".join(sorted({str(a) for a in ev.sources.get("attribution", []) if a}))
        target = Path(out) / f"{stem}.html"
        write_atomic(target, render_html(doc, attribution=attribution))
        written["html"] = str(target)
    if "pdf" in formats:
        target = Path(out) / f"{stem}.pdf"
        write_atomic(target, render_pdf(doc))
        written["pdf"] = str(target)
    return written


def render_brief(
    ev: Evidence,
    out: Path,
    *,
    lang: str = "en",
    formats: Sequence[str] = FORMATS,
    today: date | None = None,
) -> dict[str, Any]:
    """Write the brief of ``ev`` as ``brief[.<lang>].html`` / ``.pdf`` into the folder ``out``.

    English files are ``brief.html`` and ``brief.pdf``; other languages add the language code
    (``brief.fr.pdf``). Each file is written atomically. Returns the paths written (``html``,
    ``pdf``), the ``lang``, the ``place`` name (None when the workspace has none), the
    headline figures as printed and the ``missing`` topics. Reads no store: everything comes
    from the evidence.
    """
    formats = checked_formats(formats, lang)
    doc = build_document(ev, get_lang(lang), today=today or date.today())
    result: dict[str, Any] = {"lang": lang, "place": ev.place_name}
    result |= write_document(doc, ev, out, "brief" if lang == "en" else f"brief.{lang}", formats)
    result["headline"] = dict(doc.headline)
    result["figures"] = {k: f.value for k, f in ev.figures.items()}
    result["missing"] = sorted(ev.missing)
    return result
