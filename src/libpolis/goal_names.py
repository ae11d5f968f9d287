"""Short names of the UDHR articles and Culture 21 Actions commitments, and goal-code order.

The Universal Declaration's articles carry no title of their own ("Article 19"), so a list of
rights reads as a list of numbers. ``data/frameworks/short_names.json`` gives every article and
every Culture 21 Actions commitment a short name in English, French, Spanish and Portuguese,
written by the libpolis authors. This module reads that file; it sits below every face (brief, web app, CLI)
and below the analyses, so each shows the same name.

:func:`code_key` sorts goal codes as numbers ("1", "2", "10", "4.a"), never as text
("1", "10", "2").
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from functools import lru_cache
from importlib import resources

__all__ = [
    "FRAMEWORK_ABBREVIATIONS",
    "NAMED_FRAMEWORKS",
    "NUMBERED_TITLES",
    "code_key",
    "goal_label",
    "goal_order",
    "goal_text",
    "short_name",
    "short_names",
]

#: How a goal's framework is written before its code: "SDG 4.1", "Culture 21 2.3".
FRAMEWORK_ABBREVIATIONS: dict[str, str] = {
    "sdg": "SDG",
    "sdg_targets": "SDG",
    "udhr": "UDHR",
    "culture21": "Culture 21",
    "city": "City",
}

#: The order frameworks are listed in (others after them, by key).
_FRAMEWORK_ORDER = ("sdg", "sdg_targets", "culture21", "udhr", "city")

#: Frameworks whose goals have short names.
NAMED_FRAMEWORKS: tuple[str, ...] = ("udhr", "culture21")
#: Frameworks whose official goal titles only number them ("Article 19", "Article premier").
NUMBERED_TITLES: tuple[str, ...] = ("udhr",)

_PART = re.compile(r"\d+|[^\d.]+")


@lru_cache(maxsize=1)
def _all() -> dict[str, dict[str, dict[str, str]]]:
    path = resources.files("libpolis") / "data" / "frameworks" / "short_names.json"
    raw = json.loads(path.read_text(encoding="utf-8"))
    return {k: v for k, v in raw.items() if not k.startswith("_")}


def short_names(framework: str) -> Mapping[str, Mapping[str, str]]:
    """``{code: {lang: name}}`` for ``framework`` (empty for a framework without names).

    Parameters
    ----------
    framework : str
        ``"udhr"`` or ``"culture21"``; any other name gives an empty mapping.
    """
    return _all().get(str(framework), {})


def short_name(framework: str, code: str | int, lang: str = "en") -> str | None:
    """The short name of goal ``code`` of ``framework`` in ``lang`` (English if missing).

    Returns None when the framework or the code has no short name.

    Examples
    --------
    >>> short_name("udhr", 19)
    'Freedom of opinion and information'
    >>> short_name("udhr", "26", "fr")
    'Éducation'
    """
    names = short_names(framework).get(str(code))
    if not names:
        return None
    return names.get(lang) or names.get("en")


_TEXT_FILES: dict[str, tuple[str, ...]] = {
    "sdg": ("sdg.json", "sdg_targets.json"),
    # udhr_pt.json: the Portuguese texts, for display only (udhr.json feeds the aligner)
    "udhr": ("udhr.json", "udhr_pt.json"),
    "culture21": ("culture21.json",),
}


@lru_cache(maxsize=4)
def _texts(framework: str) -> dict[str, dict[str, dict[str, str]]]:
    """``{code: {"title": {lang: ...}, "text": {lang: ...}}}`` of a bundled framework."""
    out: dict[str, dict[str, dict[str, str]]] = {}
    for name in _TEXT_FILES.get(framework, ()):
        path = resources.files("libpolis") / "data" / "frameworks" / name
        for g in json.loads(path.read_text(encoding="utf-8")).get("goals", []):
            entry = out.setdefault(str(g["code"]), {"title": {}, "text": {}})
            entry["title"].update(g.get("title") or {})
            entry["text"].update(g.get("text") or {})
    return out


def goal_text(framework: str, code: str | int, lang: str, part: str = "text") -> tuple[str, str]:
    """The published ``part`` (``"text"`` or ``"title"``) of goal ``code`` in ``lang``, and the
    language it is actually in: ``lang`` where the source publishes it (the UN's SDG texts in
    en/fr/es, the UDHR in en/fr/es/fi/sv/pt), else English. ``("", "en")`` for a goal the bundled
    frameworks do not hold (a city's own goal).

    Examples
    --------
    >>> goal_text("sdg", "4", "fr")[1]
    'fr'
    >>> goal_text("sdg", "4", "pt")[1]  # Portuguese is not a UN official language
    'en'
    >>> goal_text("udhr", "26", "pt")[0][:31]  # the OHCHR translation (pt-BR)
    'Todo ser humano tem direito à i'
    """
    entry = _texts(str(framework)).get(str(code))
    if not entry:
        return "", "en"
    texts = entry.get(part, {})
    if texts.get(lang):
        return texts[lang], lang
    return texts.get("en", ""), "en"


def code_key(code: str | int) -> tuple[tuple[int, int | str], ...]:
    """Sort key that orders goal codes numerically: 1 < 2 < 10 < 10.1 < 10.a < 11.

    Examples
    --------
    >>> sorted(["10", "2", "1", "4.a", "4.10", "4.2"], key=code_key)
    ['1', '2', '4.2', '4.10', '4.a', '10']
    """
    parts = []
    for p in _PART.findall(str(code)):
        parts.append((0, int(p)) if p.isdigit() else (1, p.strip().lower()))
    return tuple(parts)


def goal_label(
    framework: str, code: str | int, title: str = "", lang: str = "en", max_chars: int = 0
) -> str:
    """A goal as a person reads it: ``"SDG 4.1 Quality education"``, ``"UDHR 19 Freedom of
    expression"`` (the short name where there is one, else ``title``), cut at ``max_chars``
    with an ellipsis if that is set."""
    abbr = FRAMEWORK_ABBREVIATIONS.get(framework, framework)
    name = short_name(framework, code, lang) or title
    text = f"{abbr} {code} {name}".strip()
    if max_chars and len(text) > max_chars:
        text = text[: max_chars - 1].rstrip() + "…"
    return text


def goal_order(framework: str, code: str | int) -> tuple:
    """Sort key of goals across frameworks: SDGs, Culture 21, UDHR, city; codes as numbers."""
    rank = _FRAMEWORK_ORDER.index(framework) if framework in _FRAMEWORK_ORDER else 99
    return (rank, framework, code_key(code))
