"""Rebuild the shipped framework JSON files from the public sources.

Run from the repository root::

    python src/libpolis/data/frameworks/_build.py ../shared/data

It reads the Open SDG translation files (17 goals, 169 targets in en/fr/es) and the UDHR in XML
project's JSON derivations (30 articles in en/fi/sv/es/fr) and writes ``sdg.json``,
``sdg_targets.json`` and ``udhr.json`` beside this file. Texts are copied unchanged except for
whitespace: YAML line folding is undone and runs of spaces become one space.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import yaml

__all__: list[str] = []

_HERE = Path(__file__).resolve().parent
_SDG_LANGS = ("en", "fr", "es")
_UDHR_LANGS = {"en": "eng", "fi": "fin", "sv": "swe", "es": "spa", "fr": "fra"}
_SDG_SOURCE = (
    "United Nations, 'Transforming our world: the 2030 Agenda for Sustainable Development' "
    "(A/RES/70/1); texts and translations from the Open SDG project, repository "
    "open-sdg/sdg-translations, commit 0cda585851a5c6f04040a9a2755fbb4496c4eead"
)
_SDG_LICENCE = "UN official document (reuse with attribution); Open SDG files MIT (c) 2019 Open SDG"


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", str(text)).strip()


def _sort_key(code: str) -> tuple[int, int, str]:
    goal, _, target = code.partition(".")
    return (int(goal), int(target) if target.isdigit() else 1000, target)


def _sdg(shared: Path) -> None:
    root = shared / "sdg-goals-targets-indicators" / "source_yaml"
    goals: dict[str, dict] = {}
    targets: dict[str, dict] = {}
    for lang in _SDG_LANGS:
        g = yaml.safe_load((root / lang / "global_goals.yml").read_text(encoding="utf-8"))
        t = yaml.safe_load((root / lang / "global_targets.yml").read_text(encoding="utf-8"))
        for key, value in g.items():
            num, _, field = key.partition("-")
            entry = goals.setdefault(num, {"code": num, "title": {}, "text": {}})
            entry["title" if field == "short" else "text"][lang] = _clean(value)
        for key, value in t.items():
            goal, target, _ = key.split("-")
            code = f"{goal}.{target}"
            entry = targets.setdefault(
                code, {"code": code, "parent": goal, "title": {}, "text": {}}
            )
            entry["title"][lang] = f"Target {code}" if lang == "en" else f"{code}"
            entry["text"][lang] = _clean(value)
    common = {"languages": list(_SDG_LANGS), "source": _SDG_SOURCE, "licence": _SDG_LICENCE}
    sdg = {
        "name": "sdg",
        "title": "UN Sustainable Development Goals",
        "kind": "sdg",
        "version": "2015",
        **common,
        "goals": [goals[k] for k in sorted(goals, key=int)],
    }
    sdg_t = {
        "name": "sdg_targets",
        "title": "UN Sustainable Development Goals: targets",
        "kind": "sdg",
        "version": "2015",
        **common,
        "goals": [targets[k] for k in sorted(targets, key=_sort_key)],
    }
    _write("sdg.json", sdg)
    _write("sdg_targets.json", sdg_t)


def _udhr(shared: Path) -> None:
    articles: dict[int, dict] = {}
    titles: dict[str, str] = {}
    for lang, iso3 in _UDHR_LANGS.items():
        data = json.loads((shared / "udhr" / f"udhr_{iso3}.json").read_text(encoding="utf-8"))
        titles[lang] = _clean(data["title"])
        for art in data["articles"]:
            entry = articles.setdefault(
                int(art["article"]), {"code": str(art["article"]), "title": {}, "text": {}}
            )
            entry["title"][lang] = _clean(art["title"])
            entry["text"][lang] = _clean(art["text"])
    udhr = {
        "name": "udhr",
        "title": "Universal Declaration of Human Rights",
        "kind": "rights",
        "version": "1948",
        "languages": list(_UDHR_LANGS),
        "source": (
            "United Nations General Assembly resolution 217 A (III), 10 December 1948; "
            "translations from the OHCHR UDHR Translation Project, encoded by the UDHR in XML "
            "project (repository eric-muller/udhr, commit f93dd614154c47fc4b85ec03d8d6f1abe97869ef)"
        ),
        "licence": "UN official document; the UDHR and its translations are in the commons",
        "goals": [articles[k] for k in sorted(articles)],
    }
    _write("udhr.json", udhr)


def _write(name: str, data: dict) -> None:
    path = _HERE / name
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {path} ({len(data['goals'])} goals)")


if __name__ == "__main__":
    shared = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data")
    _sdg(shared)
    _udhr(shared)
