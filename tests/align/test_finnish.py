"""Finnish programme texts: compounds, evidence, suggestions for every framework."""

from __future__ import annotations

import csv
import html
import re
from pathlib import Path

import pytest

from libpolis.align._finnish import holds, parts, vocabulary
from libpolis.align._text import tokens
from libpolis.align.abstain import _languages, evidence_phrases, keep_supported
from libpolis.align.api import align_texts

ROOT = Path(__file__).resolve().parents[2]
PROGRAMMES = ROOT / "src" / "libpolis" / "data" / "helsinki" / "programmes.csv"
CALIBRATION = ROOT / "src" / "libpolis" / "data" / "frameworks" / "calibration"
LABELLED = ROOT / "tests" / "data" / "align" / "programmes_labelled.csv"


def _demo_finnish() -> dict[str, str]:
    """The demo's Finnish programmes (City of Helsinki Linked Events, CC BY 4.0), as the
    pipeline reads them: title, a blank line, the description without markup."""
    out = {}
    with open(PROGRAMMES, encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            body = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", r["description"])))
            text = f"{r['title'].strip()}.\n\n{body.strip()}"
            if _languages(text.casefold().split()) == ("fi",):
                out[r["id"]] = text
    return out


def test_compound_parts() -> None:
    assert "satutuokio" in parts("iltasatutuokioihin")  # end of a compound, plus an ending
    assert parts("lukukoiralle") == ("lukukoira",)  # start, plus an ending
    assert "kierratys" in parts("kirjakierratyspiste")  # inside a compound
    assert "tyopaja" in parts("tyopajassa")
    assert parts("satutuokio") == ()  # a vocabulary word holds no other part of itself here
    # English and Romance words hold no Finnish part: a lone plural "s" is no Finnish ending
    # and a part must follow a first part of three letters or more
    for word in ("historias", "materials", "materiales", "estudio", "storytime", "saturday"):
        assert parts(word) == (), word
    # five-letter words match whole words only: "vapaaehtoinen" (volunteer) is not "vapaa"
    assert not holds("vapaaehtoinen", "vapaa")
    assert holds("vapaa", "vapaa")
    assert holds("ryhmaopastus", "opastus") and not holds("opastusta", "opastuksen")
    assert all(len(w) >= 6 for w in vocabulary())


def test_tokens_of_other_languages_are_unchanged() -> None:
    """No word of the English, French, Spanish and Portuguese texts in the repository (the
    calibration sets and the labelled real programmes) gains a Finnish part."""
    texts: list[str] = []
    for name in ("programmes.csv", "sdg_library.csv"):
        with open(CALIBRATION / name, encoding="utf-8", newline="") as fh:
            texts += [r["text"] for r in csv.DictReader(fh)]
    with open(LABELLED, encoding="utf-8", newline="") as fh:
        texts += [
            f"{r['title']} {r['description']}"
            for r in csv.DictReader(fh)
            if r["language"] in ("en", "fr", "es", "pt") and r["title"]
        ]
    assert len(texts) > 300
    held = {w: parts(w) for t in texts for w in re.findall(r"[a-z0-9]+", t.casefold())}
    assert {w: p for w, p in held.items() if p} == {}
    t = "Story time with picture books for toddlers"
    words = tokens(t, bigrams=False)
    assert words == ["story", "picture", "book", "toddler"]  # no extra Finnish part
    assert tokens(t) == [*words, "story picture", "picture book", "book toddler"]


def test_finnish_tokens_meet_the_vocabulary() -> None:
    got = tokens("Tervetuloa Malminkartanon kirjaston iltasatutuokioihin!")
    assert "satutuokio" in got and "iltasatutuokioihin" in got


def test_finnish_markers_pick_the_finnish_phrases() -> None:
    fi = "Tervetuloa pelaamaan lautapelejä joka torstai klo 17-20 kirjastossa ja kotona"
    assert _languages(fi.casefold().split()) == ("fi",)
    en = "Welcome to our story time for children and their families on Saturday"
    assert "fi" not in _languages(en.casefold().split())


@pytest.mark.parametrize(
    ("text", "goal", "phrase"),
    [
        ("Iltasatutuokio", 4, "satutuokio"),
        ("Tervetuloa kirjaston iltasatutuokioihin! Luemme satukirjoja.", 4, "satutuokio"),
        ("Satutunti", 4, "satutunti"),
        ("Lue lukukoiralle! Lukukoira kuuntelee kärsivällisesti.", 4, "lukukoira"),
        ("Läksykerho koululaisille tiistaisin", 4, "laksykerho"),
        ("Kielikahvila: harjoittele suomea rennosti", 10, "kielikahvila"),
        ("Kirjakierrätyspiste", 12, "kierratys"),
        ("Asianajajapäivystys kirjastossa", 16, "asianajaja"),
    ],
)
def test_finnish_evidence(text: str, goal: int, phrase: str) -> None:
    found = evidence_phrases(text, goal)
    assert phrase in found, found


def test_no_evidence_for_leisure() -> None:
    games = (
        "Lautapelikerho (aikuisille ja nuorille).\n\nTervetuloa pelaamaan lautapelejä! Kerhoa "
        "vetää vapaaehtoinen, joka etsii peliseuraa. Voit tuoda oman suosikkipelisi."
    )
    for goal in range(1, 18):
        assert evidence_phrases(games, goal) == [], goal
    assert evidence_phrases("Kuperkeikkoja ja sateenkaaria", 10) == []  # rainbows, not LGBTQ+


def test_mixed_finnish_and_english() -> None:
    text = (
        "Satutuokio / Story time. Luemme kuvakirjoja lapsille ja perheille. "
        "We read picture books for children and their families."
    )
    assert set(_languages(text.casefold().split())) == {"en", "fi"}
    assert {"satutuokio", "story time"} <= set(evidence_phrases(text, 4))


def test_demo_finnish_programmes_get_their_suggestions() -> None:
    demo = _demo_finnish()
    titles = {t.split(".\n\n")[0]: k for k, t in demo.items()}
    assert {
        "Iltasatutuokio",
        "Studion käytön opastus",
        "Lautapelikerho (aikuisille ja nuorille)",
    } <= (set(titles))
    ids = sorted(demo)
    texts = [demo[k] for k in ids]
    sdg = keep_supported(texts, align_texts(texts, "sdg"))
    udhr = align_texts(texts, "udhr")
    c21 = align_texts(texts, "culture21")
    by = {
        demo[k].split(".\n\n")[0]: (s["sdgs"], u["goals"], c["goals"])
        for k, s, u, c in zip(ids, sdg, udhr, c21, strict=True)
    }
    assert by["Iltasatutuokio"][0] == [4]
    assert by["Studion käytön opastus"][0] == [4]
    assert "26" in by["Iltasatutuokio"][1] and "3" in by["Iltasatutuokio"][2]
    for title, (goals, rights, culture) in by.items():
        if "lautapel" in title.casefold():  # board games: leisure, no SDG
            assert goals == [], title
            assert "24" in rights and "1" in culture, title
    # every one of the four gets a suggestion for at least one framework
    assert all(any(v) for v in by.values())


def test_deterministic() -> None:
    demo = _demo_finnish()
    texts = [demo[k] for k in sorted(demo)]
    assert align_texts(texts, "udhr") == align_texts(list(reversed(texts)), "udhr")[::-1]
    a = keep_supported(texts, align_texts(texts, "sdg"))
    b = keep_supported(texts, align_texts(texts, "sdg"))
    assert a == b
