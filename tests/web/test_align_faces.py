"""The CLI and the web register suggest the same goals for the same programme: both run
:func:`libpolis.pipeline.suggest_for_programme` / :func:`libpolis.pipeline.run_align` on one
programme text, with the real classifier and matcher."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import select
from typer.testing import CliRunner

from libpolis.cli import app as cli_app
from libpolis.demo import DEMO_DATA
from libpolis.pipeline import suggest_for_programme
from libpolis.store import open_store, session_scope
from libpolis.store.tables import Alignment, Framework, Goal, Programme

# real Helsinki programmes (City of Helsinki Linked Events, CC BY 4.0), HTML as published
_IDS = ("helsinki:agh4tz56va", "espoo_le:agkgtq3jme", "espoo_le:agjyxkf6qu")


def _programmes() -> pd.DataFrame:
    frame = pd.read_csv(DEMO_DATA / "programmes.csv", dtype=str, keep_default_na=False)
    return frame[frame["id"].isin(_IDS)].reset_index(drop=True)


def _by_framework(rows: list[dict[str, Any]]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for r in rows:
        out.setdefault(r["framework"], set()).add(str(r["goal_code"]))
    return out


def test_cli_and_web_suggest_the_same_goals(sqlite_web, login_as, tmp_path: Path) -> None:
    progs = _programmes()
    assert len(progs) == 3
    # the web: a staff member saves each programme
    web_app, ids = sqlite_web
    staff = login_as(web_app, "staff")
    web: dict[str, dict[str, set[str]]] = {}
    for p in progs.itertuples():
        r = staff.post(
            "/api/programmes",
            json={"title": p.title, "description": p.description, "library_id": ids["library_a"]},
        )
        assert r.status_code == 201, r.text
        got = [a for a in r.json()["alignments"] if a["framework"] != "city"]
        web[p.title] = _by_framework(got)
    # the CLI: the same programmes imported from CSV, then `libpolis align run`
    csv = tmp_path / "programmes.csv"
    progs.to_csv(csv, index=False)
    ws = tmp_path / "cli.sqlite"
    runner = CliRunner()
    for args in (["import", "programmes", str(csv)], ["align", "run", "--json"]):
        res = runner.invoke(cli_app, [*args, "--workspace", str(ws)])
        assert res.exit_code == 0, res.stderr
    summary = json.loads(res.stdout)
    assert summary["programmes"] == 3 and "sdg" in summary["frameworks"]
    engine = open_store(f"sqlite:///{ws}")
    with session_scope(engine) as s:
        rows = s.execute(
            select(Programme.title, Framework.key, Goal.code)
            .join(Alignment, Alignment.programme_id == Programme.id)
            .join(Goal, Goal.id == Alignment.goal_id)
            .join(Framework, Framework.id == Goal.framework_id)
        ).all()
    engine.dispose()
    cli: dict[str, dict[str, set[str]]] = {}
    for title, key, code in rows:
        cli.setdefault(title, {}).setdefault(key, set()).add(str(code))
    for title in progs["title"]:
        assert web.get(title, {}) == cli.get(title, {}), title
    # the programmes are about reading and storytelling: both name SDG 4 somewhere
    assert any("4" in v.get("sdg", set()) for v in cli.values())


def test_decisions_survive_a_new_suggestion_run(tmp_path: Path) -> None:
    engine = open_store(f"sqlite:///{tmp_path / 'a.sqlite'}")
    p0 = _programmes().iloc[0]
    with session_scope(engine) as s:
        p = Programme(source="t", source_id="1", attrs={}, title=p0["title"],
                      description=p0["description"])  # fmt: skip
        s.add(p)
        s.flush()
        first = suggest_for_programme(s, p)
        assert first and all(a.status == "suggested" for a in first)
        rejected = first[0]
        rejected.status = "rejected"
        kept_goal = rejected.goal_id
        # the text changes to something else entirely: suggestions go, the decision stays
        p.title, p.description = "Chess tournament", "Rated games for club players."
        s.flush()
        after = suggest_for_programme(s, p)
        decided = [a for a in after if a.goal_id == kept_goal]
        assert [a.status for a in decided] == ["rejected"]
        # the suggestions left are exactly those a new programme with the new text gets
        fresh = Programme(source="t", source_id="2", attrs={}, title=p.title,
                          description=p.description)  # fmt: skip
        s.add(fresh)
        s.flush()
        want = {a.goal_id for a in suggest_for_programme(s, fresh)} - {kept_goal}
        still = {a.goal_id for a in after if a.status == "suggested"}
        assert still == want
        assert {a.goal_id for a in first[1:]} != still  # the old text's suggestions went
    engine.dispose()
