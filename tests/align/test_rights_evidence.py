"""UDHR and Culture 21 programme suggestions rest on evidence a librarian would accept."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from libpolis.align.api import align_texts
from libpolis.align.rights_evidence import (
    admin_sentence,
    align_programme_texts,
    goal_evidence,
    keep_rights_supported,
    substantive_text,
)
from libpolis.cli import app as cli_app
from libpolis.demo import DEMO_DATA
from libpolis.errors import DataError
from libpolis.pipeline.align import programme_text
from libpolis.store import open_store, session_scope
from libpolis.store.tables import Alignment, Framework, Goal, Programme


def _demo_texts() -> dict[str, str]:
    """The Helsinki demo programmes (City of Helsinki Linked Events, CC BY 4.0), as aligned."""
    frame = pd.read_csv(DEMO_DATA / "programmes.csv", dtype=str, keep_default_na=False)
    return {r.title: programme_text(r.title, r.description) for r in frame.itertuples()}


CHESS = "Chess Club"
STORY = "Open Storytime"
MOVIE = "Lippulaiva library's movie screening for children"
THEATRE = "Ukrainian Children's Theater Masks"


def _goals(title: str, framework: str) -> dict[str, dict]:
    (res,) = align_programme_texts([_demo_texts()[title]], framework)
    return res["explanations"]


def test_the_matcher_alone_makes_the_rejected_suggestions() -> None:
    # the situation the rule answers: without it, one generic word carries a right
    texts = _demo_texts()
    chess, story, movie, theatre = align_texts(
        [texts[CHESS], texts[STORY], texts[MOVIE], texts[THEATRE]], "udhr"
    )
    assert chess["explanations"]["7"]["terms"] == ["know"]
    assert story["explanations"]["2"]["terms"] == ["language"]
    assert movie["explanations"]["2"]["terms"] == ["language"]
    assert "18" in theatre["goals"]
    (c21,) = align_texts([texts[THEATRE]], "culture21")
    assert c21["goals"] == ["8"] and "e-mail" in c21["explanations"]["8"]["sentence"]


def test_one_generic_word_no_longer_carries_a_right() -> None:
    assert "7" not in _goals(CHESS, "udhr")  # "know" is not "know your rights"
    assert "2" not in _goals(STORY, "udhr")  # the language of the storytime is practical
    assert "2" not in _goals(MOVIE, "udhr")
    theatre = _goals(THEATRE, "udhr")
    assert "18" not in theatre  # "express your thoughts" is not freedom of thought
    assert "8" not in _goals(THEATRE, "culture21")  # an e-mail address to sign up


def test_genuine_suggestions_survive_with_the_texts_own_words() -> None:
    texts = _demo_texts()
    story = _goals(STORY, "udhr")
    assert story["26"]["evidence"] == ["Storytime"]
    assert _goals(STORY, "culture21")["3"]["evidence"] == ["Storytime"]
    movie = _goals(MOVIE, "udhr")
    assert "27" in movie and "film screening" in movie["27"]["evidence"]
    for title in (STORY, MOVIE, THEATRE):
        for fw in ("udhr", "culture21"):
            for ex in _goals(title, fw).values():
                assert ex["sentence"] in texts[title] or ex["sentence"] in " ".join(
                    texts[title].split()
                )
                assert not admin_sentence(ex["sentence"])
                for phrase in ex["evidence"]:
                    assert phrase in ex["sentence"]  # a phrase of the person's own sentence
    # the theatre studio teaches: education is kept with the learning sentence as its reason,
    # not "try, fantasize, show, experiment" (the matcher's best sentence)
    (raw,) = align_texts([texts[THEATRE]], "udhr")
    assert "experiment" in raw["explanations"]["26"]["sentence"]
    theatre = _goals(THEATRE, "udhr")
    assert "experiment" not in theatre["26"]["sentence"]
    assert theatre["26"]["evidence"] == ["learn"]


@pytest.mark.parametrize(
    ("sentence", "admin"),
    [
        ("The language of the storytime is Finnish.", True),
        ("The presentation language is Finnish.", True),
        ("L'heure du conte se déroule en finnois.", True),
        ("La hora del cuento es en finés.", True),
        ("Subtitles are chosen according to the wishes of the children.", True),
        ("You can sign up for the studio by e-mail at studio@example.org", True),
        ("Book your own reading time at the info desk or by telephone 09-31085033.", True),
        ("Wednesdays: 8.1, 29.1, 19.2 from 6.00 to 7.05 pm.", True),
        ("English language classes for adults, all levels.", False),
        ("Our volunteers help you set up email and get online.", False),
        ("Voter registration day: staff help residents register to vote.", False),
        ("Community meeting room free to book for neighbourhood associations.", False),
        ("", False),
    ],
)
def test_practical_sentences(sentence: str, admin: bool) -> None:
    assert admin_sentence(sentence) is admin


def test_substantive_text_keeps_sentences_verbatim() -> None:
    text = (
        "Open Storytime.\n\nWe read stories to children. The language of the storytime is Finnish."
    )
    assert substantive_text(text) == "Open Storytime.\n\nWe read stories to children."
    assert substantive_text("") == ""
    assert substantive_text("Call 09-31085033.") == ""


def test_goal_phrases_are_specific_and_in_the_texts_language() -> None:
    assert goal_evidence("Know your rights: a legal aid evening", "udhr", "7") == [
        "Know your rights",
        "legal aid",
    ]
    assert goal_evidence("Players who already know the basics.", "udhr", "7") == []
    assert goal_evidence("Express your thoughts out loud", "udhr", "18") == []
    assert goal_evidence("A talk on freedom of thought", "udhr", "18") == ["freedom of thought"]
    # generic words of the descriptions are no evidence alone
    assert goal_evidence("Stories in our language for children", "udhr", "2") == []
    assert goal_evidence("Get more information in the lobby", "culture21", "8") == []
    # plural folding does not make "new" out of "news"
    assert goal_evidence("A new club", "udhr", "19") == []
    assert goal_evidence("Reading the news together", "udhr", "19") == ["news"]
    assert goal_evidence("Hora del cuento para familias", "culture21", "3") == ["Hora del cuento"]
    assert goal_evidence("Hora del cuento para familias", "udhr", "16") == []  # an audience
    assert goal_evidence("Heure du conte pour les petits", "culture21", "2") == ["conte"]


def _result(goals: dict[str, tuple[str, list[str]]]) -> dict:
    return {
        "framework": "udhr",
        "goals": list(goals),
        "scores": {g: 0.3 - i / 100 for i, g in enumerate(goals)},
        "explanations": {
            g: {"title": g, "sentence": s, "goal_text": "x", "terms": t, "score": 0.3}
            for g, (s, t) in goals.items()
        },
        "method": "m",
        "version": "1",
    }


def test_keep_rights_supported_rule() -> None:
    text = "Chess for beginners. Players who know the basics learn openings."
    res = _result(
        {
            "7": ("Players who know the basics learn openings.", ["know"]),
            "26": ("Players who know the basics learn openings.", ["learn"]),
            "24": ("Chess for beginners.", ["chess", "beginner"]),  # two distinct terms
        }
    )
    (out,) = keep_rights_supported([text], [res], "udhr")
    assert out["raw_goals"] == ["7", "26", "24"]
    assert out["goals"] == ["26", "24"]
    assert out["explanations"]["26"]["evidence"] == ["learn"]
    assert out["explanations"]["24"]["evidence"] == []
    assert set(out["scores"]) == {"26", "24"}
    # a framework without the rule is returned unchanged; lengths must agree
    assert keep_rights_supported([text], [res], "sdg_targets") == [res]
    with pytest.raises(DataError, match="1 texts but 2 results"):
        keep_rights_supported([text], [res, res], "udhr")


def test_empty_texts_determinism_and_batches() -> None:
    texts = list(_demo_texts().values())
    for fw in ("udhr", "culture21"):
        assert align_programme_texts([], fw) == []
        empty = align_programme_texts(["", "   ", "Call 09-31085033."], fw)
        assert [r["goals"] for r in empty] == [[], [], []]
        first = align_programme_texts(texts, fw)
        assert align_programme_texts(texts, fw) == first
        assert [align_programme_texts([t], fw)[0] for t in texts] == first
        for r in first:
            assert set(r["goals"]) <= set(r["raw_goals"])  # the rule only removes
    with pytest.raises(DataError, match="covers udhr, culture21"):
        align_programme_texts(["x"], "sdg")


def test_the_workspace_stores_the_rules_suggestions(tmp_path: Path) -> None:
    frame = pd.read_csv(DEMO_DATA / "programmes.csv", dtype=str, keep_default_na=False)
    csv = tmp_path / "programmes.csv"
    frame[frame["title"].isin([CHESS, STORY])].to_csv(csv, index=False)
    ws = tmp_path / "ws.sqlite"
    runner = CliRunner()
    for args in (
        ["import", "programmes", str(csv)],
        ["align", "run", "-f", "udhr", "-f", "culture21", "--json"],
    ):
        res = runner.invoke(cli_app, [*args, "--workspace", str(ws)])
        assert res.exit_code == 0, res.stderr
    assert json.loads(res.stdout)["frameworks"]["udhr"]["suggestions"] >= 1
    engine = open_store(f"sqlite:///{ws}")
    with session_scope(engine) as s:
        rows = s.execute(
            select(Programme.title, Framework.key, Goal.code, Alignment.explanation)
            .join(Alignment, Alignment.programme_id == Programme.id)
            .join(Goal, Goal.id == Alignment.goal_id)
            .join(Framework, Framework.id == Goal.framework_id)
        ).all()
    engine.dispose()
    got = {(t, k, str(c)) for t, k, c, _ in rows}
    assert (STORY, "udhr", "26") in got and (STORY, "udhr", "2") not in got
    assert not any(t == CHESS and k == "udhr" and c == "7" for t, k, c in got)
    assert all("evidence" in dict(e) for *_, e in rows)


def test_finnish_rights_evidence_is_read_inside_compounds() -> None:
    """A Finnish bedtime story hour names its evidence inside one compound word."""
    from libpolis.align.rights_evidence import goal_evidence

    text = "Iltasatutuokio. Tervetuloa kirjaston iltasatutuokioihin! Luemme lapsille satuja."
    assert goal_evidence(text, "udhr", "26")
    assert goal_evidence(text, "culture21", "3")
    # the same letters inside an English word are not Finnish evidence
    english = "Bedtime stories for children. Welcome to the library's story hour."
    assert all("satu" not in p.lower() for p in goal_evidence(english, "udhr", "26"))


def test_what_to_bring_is_practical_information() -> None:
    """An ID or a proof of address to bring is practical, in every language the rule reads;
    a programme about getting an ID is not."""
    from libpolis.align.rights_evidence import admin_sentence

    for s in (
        "Leve documento oficial com foto e comprovante de residência.",
        "Bring your photo ID and a proof of address.",
        "Munissez-vous d'une pièce d'identité.",
        "Traiga su cédula de identidad.",
    ):
        assert admin_sentence(s), s
    for s in (
        "Help to get your first ID card and open a bank account.",
        "Bring your children to story time.",
        "Atendimento do Cartório Eleitoral na biblioteca: emissão do primeiro título.",
    ):
        assert not admin_sentence(s), s
