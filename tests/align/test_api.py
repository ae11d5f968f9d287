"""align_texts for every framework, and the CLI: ``align texts``, ``frameworks import-strategy``,
``align run`` on a real SQLite workspace."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import ClassVar

import numpy as np
import pytest
import typer
from sqlalchemy import select, update
from typer.testing import CliRunner

import libpolis.align.api as api
from libpolis.align.api import align_texts
from libpolis.errors import DataError, NotFoundError
from libpolis.sources.texts import read_texts_csv
from libpolis.steps.align import register

runner = CliRunner()


def _shipped_sdg_model() -> bool:
    """True when the SDG classifier module and its shipped model are both installed."""
    try:
        from libpolis.align.sdg import SdgClassifier

        SdgClassifier.load()
    except (ImportError, NotFoundError):
        return False
    return True


HAS_SDG = _shipped_sdg_model()

TEXTS = [
    "Weekly job clinic: volunteers help job seekers write a CV and prepare for interviews.",
    "Atelier d'éducation aux médias : repérer les fausses nouvelles.",
    "",
]


def _app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def _root() -> None:
        """libpolis (test shell)."""

    register(app)
    return app


@pytest.mark.parametrize("framework", ["udhr", "culture21", "sdg_targets"])
def test_align_texts_similarity_frameworks(framework: str) -> None:
    out = align_texts(TEXTS, framework)
    assert len(out) == 3
    for res in out:
        assert set(res) >= {"goals", "scores", "explanations", "method", "version", "framework"}
        assert list(res["scores"]) == res["goals"] == list(res["explanations"])
        vals = list(res["scores"].values())
        assert vals == sorted(vals, reverse=True)
        for code, ex in res["explanations"].items():
            assert ex["score"] == res["scores"][code]
            assert ex["sentence"] and ex["goal_text"] and ex["title"]
    assert out[2]["goals"] == []
    json.dumps(out)  # JSON-ready


def test_align_texts_udhr_content() -> None:
    out = align_texts(TEXTS[:2], "udhr")
    assert out[0]["goals"][0] == "23"
    assert "19" in out[1]["goals"]
    assert out[0]["explanations"]["23"]["sentence"] == TEXTS[0]


def test_align_texts_errors() -> None:
    with pytest.raises(DataError):
        align_texts("one string", "udhr")  # type: ignore[arg-type]
    with pytest.raises(DataError, match="text #1"):
        align_texts(["ok", 5], "udhr")  # type: ignore[list-item]
    with pytest.raises(NotFoundError, match="unknown framework"):
        align_texts(["ok"], "rights")


class _FakeSdg:
    """Implements the SdgClassifier interface with fixed numbers (tests the mapping only)."""

    meta: ClassVar[dict[str, str]] = {"method": "a long description " * 10, "version": "0"}

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        p = np.zeros((len(texts), 17))
        p[:, 3], p[:, 9], p[:, 7] = 0.7, 0.91, 0.2
        return p

    def predict(self, texts: list[str], threshold: float | None = None) -> list[list[int]]:
        t = 0.5 if threshold is None else threshold
        return [[g + 1 for g in np.flatnonzero(row >= t)] for row in self.predict_proba(texts)]

    def explain(self, text: str, goal: int) -> dict:
        return {"sentence": text, "target": f"{goal}.1", "target_text": "t", "score": 0.5}


def test_sdg_output_mapping(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(api, "_sdg_classifier", lambda: _FakeSdg())
    out = align_texts(["a text", "  "], "sdg")
    assert out[0]["sdgs"] == [10, 4]  # best first
    assert out[0]["scores"] == {"10": 0.91, "4": 0.7}
    assert out[0]["explanations"]["4"]["target"] == "4.1"
    assert out[0]["explanations"]["4"]["score"] == 0.5  # the classifier's own score is kept
    assert len(out[0]["method"]) == 100 and out[0]["version"] == "0"
    assert out[1]["sdgs"] == [] and out[1]["scores"] == {}
    assert align_texts(["x"], "sdg", threshold=0.1)[0]["sdgs"] == [10, 4, 8]


def test_sdg_with_the_real_classifier_or_a_clear_error() -> None:
    api._sdg_classifier.cache_clear()
    if not HAS_SDG:
        with pytest.raises(NotFoundError):
            align_texts(["Coding club for girls"], "sdg")
        return
    out = align_texts(["Free coding club for girls at the library.", ""], "sdg")
    assert all(1 <= g <= 17 for g in out[0]["sdgs"])
    for g in out[0]["sdgs"]:
        ex = out[0]["explanations"][str(g)]
        assert {"sentence", "target", "target_text", "score"} <= set(ex)
    assert out[1]["sdgs"] == []


# ---------------------------------------------------------------- CLI: align texts


def _csv(tmp_path: Path, body: str, name: str = "in.csv") -> Path:
    p = tmp_path / name
    p.write_text(body, encoding="utf-8")
    return p


def test_cli_align_texts(tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        'id,text\np1,"Weekly job clinic: help with CV and job interviews."\n'
        "p2,Atelier numérique : repérer les fausses nouvelles sur internet.\np3,\n",
    )
    res = runner.invoke(
        _app(), ["align", "texts", "--framework", "culture21", "--input", str(path)]
    )
    assert res.exit_code == 0, res.stderr
    lines = [json.loads(line) for line in res.stdout.splitlines()]
    assert [r["id"] for r in lines] == ["p1", "p2", "p3"]
    assert lines[0]["goals"][0] == "5" and "5" in lines[0]["scores"]
    assert lines[1]["goals"][0] == "8"
    assert lines[2] == {"id": "p3", "goals": [], "scores": {}}
    res = runner.invoke(_app(), ["align", "texts", "-f", "udhr", "-i", str(path), "--explain"])
    assert res.exit_code == 0
    first = json.loads(res.stdout.splitlines()[0])
    assert first["explanations"]["23"]["sentence"].startswith("Weekly job clinic")


def test_cli_align_texts_sdg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(api, "_sdg_classifier", lambda: _FakeSdg())
    path = _csv(tmp_path, "id,text\n7,some text\n")
    res = runner.invoke(_app(), ["align", "texts", "--framework", "sdg", "--input", str(path)])
    assert res.exit_code == 0, res.stderr
    assert json.loads(res.stdout) == {"id": "7", "sdgs": [10, 4], "scores": {"10": 0.91, "4": 0.7}}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("ident,text\n1,a\n", r"column\(s\) id missing; found columns \['ident', 'text'\]"),
        ("id,text\n1,a\n,b\n", "line 3, column id: empty id"),
        ("id,text\n1,a\n1,b\n", "line 3, column id: duplicate id '1' \\(first on line 2\\)"),
        ("id,text\n1,a\n2\n", "line 3, column text: missing"),
        ("", "the CSV file is empty"),
        ('id,text\n1,"unterminated\n', "line 2: unexpected end of data"),
    ],
)
def test_cli_align_texts_bad_csv(tmp_path: Path, body: str, message: str) -> None:
    path = _csv(tmp_path, body)
    res = runner.invoke(_app(), ["align", "texts", "--framework", "udhr", "--input", str(path)])
    assert res.exit_code == 2
    assert res.stdout == ""
    err = res.stderr.strip()
    assert err.count("\n") == 0
    assert err.startswith(f"error: {path}")
    with pytest.raises(DataError, match=message):
        read_texts_csv(path)


def test_cli_align_texts_missing_and_binary_files(tmp_path: Path) -> None:
    res = runner.invoke(_app(), ["align", "texts", "--input", str(tmp_path / "no.csv")])
    assert res.exit_code == 2 and "no input file" in res.stderr
    binary = tmp_path / "b.csv"
    binary.write_bytes(b"id,text\n1,\x00\x01")
    with pytest.raises(DataError, match="binary"):
        read_texts_csv(binary)
    latin = tmp_path / "l.csv"
    latin.write_bytes("id,text\n1,médiathèque\n".encode("latin-1"))
    with pytest.raises(DataError, match="not utf-8 text"):
        read_texts_csv(latin)
    assert read_texts_csv(latin, encoding="latin-1") == (["1"], ["médiathèque"])


def test_cli_unknown_framework(tmp_path: Path) -> None:
    path = _csv(tmp_path, "id,text\n1,a\n")
    res = runner.invoke(_app(), ["align", "texts", "--framework", "nope", "--input", str(path)])
    assert res.exit_code == 2 and "unknown framework 'nope'" in res.stderr


# ---------------------------------------------------------------- CLI with a workspace

PROGRAMMES = (
    "id,library,title,description\n"
    'p1,Central,Job club,"One-to-one help to write a CV, search vacancies and practise job interviews."\n'
    'p2,Central,Fake news workshop,"Learn to check facts and spot misinformation online."\n'
    'p3,East,Heure du conte,"Comptines et albums pour les tout-petits et leurs parents."\n'
    "p4,East,Closed for renovation,\n"
)


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    from libpolis.cli import app as main_app

    ws = tmp_path / "ws.sqlite"
    progs = _csv(tmp_path, PROGRAMMES, "programmes.csv")
    res = runner.invoke(main_app, ["import", "programmes", str(progs), "--workspace", str(ws)])
    assert res.exit_code == 0, res.stderr
    return ws


def test_cli_import_strategy_and_align_run(ws: Path, tmp_path: Path) -> None:
    from libpolis.store import open_store
    from libpolis.store.tables import Alignment, Framework, Goal, Programme, Run

    strategy = _csv(
        tmp_path,
        "# Example City strategy\n\n## 1. Work for everyone\nResidents find jobs: CV and "
        "interview help.\n\n## 2. Informed citizens\nEveryone can check facts and read the news "
        "critically.\n",
        "example-city.md",
    )
    res = runner.invoke(
        _app(), ["frameworks", "import-strategy", str(strategy), "-w", str(ws), "--json"]
    )
    assert res.exit_code == 0, res.stderr
    info = json.loads(res.stdout)
    assert info["name"] == "example-city" and len(info["goals"]) == 2

    res = runner.invoke(_app(), ["frameworks", "show", "example-city", "-w", str(ws), "--json"])
    assert res.exit_code == 0, res.stderr
    assert [g["title"] for g in json.loads(res.stdout)["goals"]] == [
        "Work for everyone",
        "Informed citizens",
    ]
    res = runner.invoke(_app(), ["frameworks", "show", "culture21", "--language", "es"])
    assert res.exit_code == 0 and "Derechos culturales" in res.stdout
    res = runner.invoke(_app(), ["frameworks", "show", "nope"])
    assert res.exit_code == 2 and "unknown framework 'nope'" in res.stderr

    res = runner.invoke(_app(), ["frameworks", "list", "-w", str(ws), "--json"])
    names = [f["name"] for f in json.loads(res.stdout)["frameworks"]]
    assert names == ["sdg", "sdg_targets", "udhr", "culture21", "example-city"]

    args = ["align", "run", "-w", str(ws), "--json"]
    args += ["-f", "udhr", "-f", "culture21", "-f", "example-city"]
    res = runner.invoke(_app(), args)
    assert res.exit_code == 0, res.stderr
    summary = json.loads(res.stdout)
    assert summary["programmes"] == 4
    assert summary["frameworks"]["udhr"]["programmes_with_a_suggestion"] == 3

    engine = open_store(f"sqlite:///{ws}")
    with engine.connect() as c:
        rows = c.execute(
            select(
                Programme.source_id,
                Framework.key,
                Goal.code,
                Alignment.method,
                Alignment.method_version,
                Alignment.status,
                Alignment.explanation,
            )
            .join(Alignment, Alignment.programme_id == Programme.id)
            .join(Goal, Goal.id == Alignment.goal_id)
            .join(Framework, Framework.id == Goal.framework_id)
        ).all()
    got = {(r[0], r[1], r[2]) for r in rows}
    assert {("p1", "udhr", "23"), ("p1", "culture21", "5"), ("p1", "example-city", "1")} <= got
    assert ("p2", "example-city", "2") in got
    assert not any(r[0] == "p4" for r in rows)
    assert all(r[3] == "tfidf-sentence-goal-passage" and r[4] and r[5] == "suggested" for r in rows)
    assert all(r[6]["sentence"] and r[6]["goal_text"] for r in rows)

    # a person rejects one suggestion; a re-run keeps that decision and adds no duplicate
    with engine.begin() as c:
        c.execute(update(Alignment).where(Alignment.id == 1).values(status="rejected"))
    res = runner.invoke(_app(), args)
    assert res.exit_code == 0, res.stderr
    with engine.connect() as c:
        statuses = c.execute(select(Alignment.id, Alignment.status)).all()
        runs = c.execute(select(Run.step, Run.command)).all()
    assert len(statuses) == len(rows)
    assert (1, "rejected") in statuses
    assert [r[0] for r in runs] == ["align", "align"]
    engine.dispose()


def test_cli_align_run_sdg_without_or_with_classifier(ws: Path) -> None:
    api._sdg_classifier.cache_clear()
    res = runner.invoke(_app(), ["align", "run", "-w", str(ws), "-f", "sdg", "--json"])
    assert res.exit_code == 0, res.stderr
    info = json.loads(res.stdout)["frameworks"]["sdg"]
    if HAS_SDG:
        assert info["suggestions"] >= 1
    else:
        assert "not available" in info["skipped"]


def test_cli_align_run_needs_a_workspace(tmp_path: Path) -> None:
    res = runner.invoke(_app(), ["align", "run", "-w", str(tmp_path / "none.sqlite")])
    assert res.exit_code == 2 and "no workspace" in res.stderr


def test_cli_import_strategy_bad_file(tmp_path: Path) -> None:
    bad = _csv(tmp_path, "", "empty.md")
    res = runner.invoke(
        _app(), ["frameworks", "import-strategy", str(bad), "-w", str(tmp_path / "w.sqlite")]
    )
    assert res.exit_code == 2
    assert "empty.md: the strategy document is empty" in res.stderr


def test_cli_align_train_wiring(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if importlib.util.find_spec("libpolis.align.train") is None:
        res = runner.invoke(_app(), ["align", "train", "--out", str(tmp_path)])
        assert res.exit_code == 2 and "SDG training is not available" in res.stderr
        return
    import libpolis.align.train as train

    calls: list[tuple] = []

    def fake(out_dir: Path, seed: int = 0, *, data_dir: Path | None = None) -> dict:
        calls.append((Path(out_dir), seed, data_dir))
        return {"val_micro_f1": 0.5}

    monkeypatch.setattr(train, "train_sdg_model", fake)
    res = runner.invoke(_app(), ["align", "train", "--out", str(tmp_path), "--seed", "3", "--json"])
    assert res.exit_code == 0, res.stderr
    assert calls == [(tmp_path, 3, None)]
    assert json.loads(res.stdout) == {"out": str(tmp_path), "val_micro_f1": 0.5}
