"""Suggestions through ``libpolis.align.api.align_texts`` when it is installed (its answer
shape is the one documented there), and decisions that survive a new suggestion run."""

from __future__ import annotations

import sys
import types

from libpolis.web.align import suggest_alignments

from libpolis.store import open_store, session_scope
from libpolis.store.tables import Programme
from libpolis.web.crud import alignments_of


def _fake_align_texts(texts, framework="sdg", *, threshold=None, top_k=None):
    if framework == "sdg":
        from libpolis.errors import NotFoundError

        raise NotFoundError("the SDG classifier is not available")
    codes = {"udhr": ["26", "19"], "culture21": ["3"]}[framework]
    return [
        {
            "framework": framework,
            "goals": codes if "read" in t.lower() else [],
            "scores": {c: [0.3, 0.2][i] for i, c in enumerate(codes)},
            "explanations": {c: {"title": f"Item {c}", "terms": ["read"]} for c in codes},
            "method": "tfidf-sentence-goal-passage",
            "version": "1",
        }
        for t in texts
    ]


def test_framework_suggestions_become_goals_and_alignments(tmp_path, monkeypatch) -> None:
    pkg = types.ModuleType("libpolis.align")
    api = types.ModuleType("libpolis.align.api")
    api.align_texts = _fake_align_texts
    monkeypatch.setitem(sys.modules, "libpolis.align", pkg)
    monkeypatch.setitem(sys.modules, "libpolis.align.api", api)
    engine = open_store(f"sqlite:///{tmp_path / 'a.sqlite'}")
    with session_scope(engine) as s:
        p = Programme(source="t", source_id="1", attrs={}, title="Reading club", description="")
        s.add(p)
        s.flush()
        suggest_alignments(s, programme=p)
        got = [
            (k, g.code, g.title, a.score, a.status)
            for a, g, k in alignments_of(s, programme_id=p.id)
        ]
        assert got == [
            ("udhr", "26", "Item 26", 0.3, "suggested"),  # best score first, then the order
            ("culture21", "3", "Item 3", 0.3, "suggested"),  # in which they were suggested
            ("udhr", "19", "Item 19", 0.2, "suggested"),
        ]
        # a person rejects one; after the text changes the other suggestions go, the decision stays
        rejected = next(a for a, g, _ in alignments_of(s, programme_id=p.id) if g.code == "19")
        rejected.status = "rejected"
        p.title = "Chess club"
        s.flush()
        suggest_alignments(s, programme=p)
        left = [(g.code, a.status) for a, g, _ in alignments_of(s, programme_id=p.id)]
        assert left == [("19", "rejected")]
    engine.dispose()
