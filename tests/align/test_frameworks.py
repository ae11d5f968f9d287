"""Shipped frameworks: counts, languages, provenance, and the JSON round trip."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from libpolis.align.frameworks import (
    BUILTIN_FRAMEWORKS,
    Framework,
    framework_from_dict,
    load_framework,
)
from libpolis.errors import DataError, NotFoundError

ROOT = Path(__file__).resolve().parents[2]
# shared/ sits beside the repository (main and CI) or two levels up (a helper's worktree)
SHARED = next(
    (p / "shared" / "data" for p in (ROOT.parent, ROOT.parent.parent) if (p / "shared").is_dir()),
    ROOT.parent / "shared" / "data",
)
DATA_DIR = ROOT / "src" / "libpolis" / "data" / "frameworks"


@pytest.mark.parametrize(
    ("name", "count", "languages"),
    [
        ("sdg", 17, {"en", "fr", "es"}),
        ("sdg_targets", 169, {"en", "fr", "es"}),
        ("udhr", 30, {"en", "fi", "sv", "es", "fr"}),
        ("culture21", 9, {"en", "fr", "es"}),
    ],
)
def test_counts_and_languages(name: str, count: int, languages: set[str]) -> None:
    fw = load_framework(name)
    assert len(fw) == count
    assert len(set(fw.codes)) == count
    assert set(fw.languages) == languages
    for goal in fw.goals:
        assert set(goal.texts) == languages, goal.code
        assert all(t.strip() for t in goal.texts.values())
    assert fw.source and fw.licence


def test_sdg_targets_cover_every_goal_and_match_the_csv() -> None:
    targets = load_framework("sdg_targets")
    assert {g.parent for g in targets.goals} == {str(i) for i in range(1, 18)}
    assert sum(1 for g in targets.goals if g.code.split(".")[1].isdigit()) == 126
    csv_path = SHARED / "sdg-goals-targets-indicators" / "sdg_targets_en.csv"
    if csv_path.is_file():  # an independent derivation of the same source text
        with open(csv_path, encoding="utf-8") as f:
            rows = {r["target"]: r["text"] for r in csv.DictReader(f)}
        assert rows == {g.code: g.text for g in targets.goals}


def test_udhr_matches_the_article_csv() -> None:
    udhr = load_framework("udhr")
    assert udhr.goal(19).text.startswith("Everyone has the right to freedom of opinion")
    assert udhr.goal("26").text_in("fr").startswith("Toute personne a droit à l’éducation")
    csv_path = SHARED / "udhr" / "udhr_articles_eng.csv"
    if csv_path.is_file():
        with open(csv_path, encoding="utf-8") as f:
            rows = {r["article"]: " ".join(r["text"].split()) for r in csv.DictReader(f)}
        assert rows == {g.code: g.text for g in udhr.goals}


def test_culture21_titles_as_published_and_descriptions_in_four_languages() -> None:
    c21 = load_framework("culture21")
    assert [g.title for g in c21.goals] == [
        "Cultural rights",
        "Heritage, diversity and creativity",
        "Culture and education",
        "Culture and environment",
        "Culture and economy",
        "Culture, equality and social inclusion",
        "Culture, urban planning and public space",
        "Culture, information and knowledge",
        "Governance of culture",
    ]
    for g in c21.goals:
        assert set(g.descriptions) == {"en", "fr", "es", "fi"}
    assert c21.goal(1).title_in("fr") == "Droits culturels"
    assert c21.goal(1).title_in("de") == "Cultural rights"  # falls back to English


def test_every_rights_article_has_a_description() -> None:
    udhr = load_framework("udhr")
    assert all(set(g.descriptions) == {"en", "fr", "es", "fi"} for g in udhr.goals)


def test_provenance_file_names_every_shipped_file() -> None:
    text = (DATA_DIR / "PROVENANCE.md").read_text(encoding="utf-8")
    for name in BUILTIN_FRAMEWORKS:
        assert f"{name}.json" in text
    assert "programmes.csv" in text


def test_json_round_trip(tmp_path: Path) -> None:
    fw = load_framework("culture21")
    path = tmp_path / "c21.json"
    path.write_text(json.dumps(fw.to_dict()), encoding="utf-8")
    back = load_framework(path)
    assert back == fw
    assert hash(back) == hash(fw)


def test_load_framework_errors(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="unknown framework 'sdgs'"):
        load_framework("sdgs")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(DataError, match="not a framework JSON"):
        load_framework(bad)
    with pytest.raises(DataError, match="needs 'name' and 'goals'"):
        framework_from_dict({"goals": []})
    with pytest.raises(DataError, match="appears twice"):
        framework_from_dict({"name": "x", "goals": [{"code": 1}, {"code": "1"}]})
    with pytest.raises(DataError, match="has no goals"):
        framework_from_dict({"name": "x", "goals": []})
    with pytest.raises(NotFoundError, match="no goal '99'"):
        load_framework("udhr").goal(99)


def test_framework_passthrough_and_caching() -> None:
    fw = load_framework("udhr")
    assert load_framework(fw) is fw
    assert load_framework("udhr") is fw
    assert isinstance(fw, Framework)
