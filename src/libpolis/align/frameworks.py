"""Reference frameworks as data: SDGs, SDG targets, the UDHR, Culture 21 Actions, city strategies.

The shipped frameworks live in ``libpolis/data/frameworks/*.json`` (see the PROVENANCE.md there
for sources and licences). Each framework is a list of goals; a goal has a code (``"4"``,
``"4.6"``, ``"19"``), a title and an official text per language, and optionally a keyword
description per language written by the libpolis authors that the matcher uses to enrich the
official text.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

from libpolis.errors import DataError, NotFoundError
from libpolis.goal_names import short_names

__all__ = [
    "BUILTIN_FRAMEWORKS",
    "Framework",
    "Goal",
    "framework_from_dict",
    "load_framework",
]

#: Names of the frameworks shipped with libpolis.
BUILTIN_FRAMEWORKS: tuple[str, ...] = ("sdg", "sdg_targets", "udhr", "culture21")

_EMPTY: Mapping[str, str] = MappingProxyType({})


def _ro(d: Mapping[str, str] | None) -> Mapping[str, str]:
    return MappingProxyType({str(k): str(v) for k, v in (d or {}).items()})


@dataclass(frozen=True)
class Goal:
    """One goal of a framework (an SDG, an SDG target, a UDHR article, a city goal...).

    Attributes
    ----------
    code : str
        Identifier inside the framework: ``"4"``, ``"4.6"``, ``"19"``, ``"2"``.
    titles : Mapping[str, str]
        Short title per language code (``"en"``, ``"fr"``...).
    texts : Mapping[str, str]
        Official (or imported) text per language.
    descriptions : Mapping[str, str]
        Keyword descriptions per language written by the libpolis authors (may be empty).
    parent : str or None
        Code of the parent goal (SDG targets point to their goal).
    names : Mapping[str, str]
        Short name per language written by the libpolis authors (UDHR articles and Culture 21
        commitments, :mod:`libpolis.goal_names`); empty for other goals.
    """

    code: str
    titles: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    texts: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    descriptions: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    parent: str | None = None
    names: Mapping[str, str] = field(default_factory=lambda: _EMPTY)

    def __hash__(self) -> int:
        return hash(
            (
                self.code,
                self.parent,
                tuple(sorted(self.titles.items())),
                tuple(sorted(self.texts.items())),
                tuple(sorted(self.descriptions.items())),
                tuple(sorted(self.names.items())),
            )
        )

    def title_in(self, lang: str = "en") -> str:
        """Title in ``lang``, else English, else the first language available."""
        return _pick(self.titles, lang) or self.code

    def label_in(self, lang: str = "en") -> str:
        """What people read for this goal: its short name in ``lang`` where it has one
        ("Freedom of opinion and information" for UDHR article 19), else its title."""
        return _pick(self.names, lang) or self.title_in(lang)

    def text_in(self, lang: str = "en") -> str:
        """Official text in ``lang``, else English, else the first language available."""
        return _pick(self.texts, lang)

    @property
    def title(self) -> str:
        """Title in English (or the first language available)."""
        return self.title_in("en")

    @property
    def text(self) -> str:
        """Text in English (or the first language available)."""
        return self.text_in("en")

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dictionary."""
        d: dict[str, Any] = {
            "code": self.code,
            "title": dict(self.titles),
            "text": dict(self.texts),
        }
        if self.parent is not None:
            d["parent"] = self.parent
        if self.descriptions:
            d["description"] = dict(self.descriptions)
        if self.names:
            d["name"] = dict(self.names)
        return d


@dataclass(frozen=True)
class Framework:
    """A named list of goals with its source and licence.

    Attributes
    ----------
    name : str
        Machine name (``"sdg"``, ``"udhr"``, ``"culture21"``, ``"helsinki-strategy"``...).
    title : str
        Human title.
    goals : tuple[Goal, ...]
        The goals in published order.
    kind : str
        ``"sdg"``, ``"rights"``, ``"culture"`` or ``"strategy"``.
    version, source, licence : str
        Provenance.
    languages : tuple[str, ...]
        Language codes of the texts, the first being the main one.
    """

    name: str
    title: str
    goals: tuple[Goal, ...]
    kind: str = "strategy"
    version: str = ""
    languages: tuple[str, ...] = ("en",)
    source: str = ""
    licence: str = ""

    def __len__(self) -> int:
        return len(self.goals)

    @property
    def codes(self) -> list[str]:
        """Goal codes in order."""
        return [g.code for g in self.goals]

    def goal(self, code: str | int) -> Goal:
        """The goal with ``code``; raises NotFoundError naming the known codes."""
        for g in self.goals:
            if g.code == str(code):
                return g
        raise NotFoundError(
            f"no goal {str(code)!r} in framework {self.name!r}; codes are {', '.join(self.codes)}"
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dictionary (the format of the shipped files)."""
        return {
            "name": self.name,
            "title": self.title,
            "kind": self.kind,
            "version": self.version,
            "languages": list(self.languages),
            "source": self.source,
            "licence": self.licence,
            "goals": [g.to_dict() for g in self.goals],
        }


def _pick(d: Mapping[str, str], lang: str) -> str:
    if lang in d:
        return d[lang]
    if "en" in d:
        return d["en"]
    return next(iter(d.values()), "")


def _as_lang_map(value: Any, default_lang: str, where: str) -> dict[str, str]:
    if value is None:
        return {}
    if isinstance(value, str):
        return {default_lang: value}
    if isinstance(value, Mapping):
        return {str(k): str(v) for k, v in value.items()}
    raise DataError(
        f"expected a text or a mapping language -> text, found {type(value).__name__}", where=where
    )


def framework_from_dict(
    data: Mapping[str, Any], descriptions: Mapping[str, Mapping[str, str]] | None = None
) -> Framework:
    """Build a :class:`Framework` from the JSON dictionary format.

    Parameters
    ----------
    data : Mapping
        ``{"name", "title", "goals": [{"code", "title", "text", ...}], ...}``; ``title`` and
        ``text`` of a goal are a string or a mapping language -> string.
    descriptions : Mapping, optional
        Extra keyword descriptions ``{code: {lang: text}}`` merged into the goals.

    Returns
    -------
    Framework
    """
    if not isinstance(data, Mapping) or "name" not in data or "goals" not in data:
        found = sorted(data) if isinstance(data, Mapping) else type(data).__name__
        raise DataError(f"framework data needs 'name' and 'goals'; found {found}")
    name = str(data["name"])
    langs = tuple(data.get("languages") or ("en",))
    lang0 = langs[0]
    goals: list[Goal] = []
    seen: set[str] = set()
    for i, g in enumerate(data["goals"]):
        where = f"framework {name!r}, goal #{i + 1}"
        if not isinstance(g, Mapping) or "code" not in g:
            raise DataError("goal has no 'code'", where=where)
        code = str(g["code"])
        if code in seen:
            raise DataError(f"goal code {code!r} appears twice", where=where)
        seen.add(code)
        desc = _as_lang_map(g.get("description"), lang0, where)
        if descriptions and code in descriptions:
            desc = {**desc, **descriptions[code]}
        goals.append(
            Goal(
                code=code,
                titles=_ro(_as_lang_map(g.get("title"), lang0, where)),
                texts=_ro(_as_lang_map(g.get("text"), lang0, where)),
                descriptions=_ro(desc),
                parent=None if g.get("parent") is None else str(g["parent"]),
                names=_ro(_as_lang_map(g.get("name"), lang0, where)),
            )
        )
    if not goals:
        raise DataError(f"framework {name!r} has no goals")
    return Framework(
        name=name,
        title=str(data.get("title") or name),
        goals=tuple(goals),
        kind=str(data.get("kind") or "strategy"),
        version=str(data.get("version") or ""),
        languages=langs,
        source=str(data.get("source") or ""),
        licence=str(data.get("licence") or ""),
    )


@lru_cache(maxsize=16)
def _load_builtin(name: str) -> Framework:
    base = resources.files("libpolis") / "data" / "frameworks"
    data = json.loads((base / f"{name}.json").read_text(encoding="utf-8"))
    desc_file = base / "descriptions" / f"{name}.json"
    descriptions = None
    if desc_file.is_file():
        raw = json.loads(desc_file.read_text(encoding="utf-8"))
        descriptions = {k: v for k, v in raw.items() if not k.startswith("_")}
    names = short_names(name)  # UDHR articles and Culture 21 commitments (libpolis.goal_names)
    if names:
        goals = [{**g, "name": dict(names.get(str(g["code"]), {}))} for g in data["goals"]]
        data = {**data, "goals": goals}
    return framework_from_dict(data, descriptions)


def load_framework(name: str | Path | Framework) -> Framework:
    """Load a framework by name or from a file.

    Parameters
    ----------
    name : str, Path or Framework
        One of :data:`BUILTIN_FRAMEWORKS` (``"sdg"`` 17 goals, ``"sdg_targets"`` 169 targets,
        ``"udhr"`` 30 articles, ``"culture21"`` 9 commitments), or the path of a city strategy:
        a ``.json`` file in the framework format, or a ``.txt``, ``.md`` or ``.pdf`` document
        split into goals by :func:`libpolis.align.strategy.import_strategy`. A Framework is
        returned as is.

    Returns
    -------
    Framework

    Raises
    ------
    NotFoundError
        Unknown name and no such file.
    DataError
        The file cannot be read as a framework.
    """
    if isinstance(name, Framework):
        return name
    key = str(name)
    if key in BUILTIN_FRAMEWORKS:
        return _load_builtin(key)
    path = Path(key)
    if path.is_file():
        if path.suffix.lower() == ".json":
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise DataError(f"not a framework JSON file ({exc})", where=str(path)) from None
            return framework_from_dict(data)
        from libpolis.align.strategy import import_strategy

        return import_strategy(path)
    raise NotFoundError(
        f"unknown framework {key!r}: use one of {', '.join(BUILTIN_FRAMEWORKS)} "
        "or the path of a strategy file (.json, .txt, .md, .pdf)"
    )
