"""The brief names every UDHR article and Culture 21 commitment in its own language (short
names of ``data/frameworks/short_names.json``), also for goals stored before those names."""

from __future__ import annotations

import pytest

from libpolis.evidence import assemble_evidence
from libpolis.goal_names import short_name
from libpolis.report.i18n import get_lang
from libpolis.report.sections.goals import partnerships, rights


def _tables(section) -> list:
    return [b for b in section.blocks if hasattr(b, "rows")]


@pytest.mark.parametrize("lang", ["en", "fr", "es"])
def test_rights_and_commitments_are_named_in_the_brief_language(rich_engine, lang: str) -> None:
    ev = assemble_evidence(rich_engine)
    (table,) = _tables(rights(get_lang(lang), ev))
    named = {row[0]: row[1] for row in table.rows}
    assert [int(a) for a in named] == sorted(int(a) for a in named)  # numeric order
    for article in ("19", "21", "26", "27"):  # the focus articles are always listed
        assert named[article] == short_name("udhr", article, lang)
    assert not any(v.startswith(("Article", "Artículo")) for v in named.values())
    part = partnerships(get_lang(lang), ev)
    cells = [row[0] for t in _tables(part) for row in t.rows]
    assert f"3. {short_name('culture21', 3, lang)}" in cells
    # the workspace stored the commitment as "Culture and education": the short name wins
    assert not any("Culture and education" in c for c in cells)


def test_missing_focus_articles_are_named() -> None:
    assert short_name("udhr", 21, "es") == "Participar en el gobierno"
