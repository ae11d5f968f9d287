"""Goals in the web app: UDHR articles by their short names, codes in numeric order."""

from __future__ import annotations

import re

from libpolis.goal_names import short_name
from libpolis.store import session_scope
from libpolis.store.tables import Framework, Goal


def _seed_old_goals(engine) -> None:
    """Goals as a workspace aligned before the short names stored them: "Article 2"; inserted
    in text order (1, 10, 11, ... 2), which is how a text sort would show them."""
    with session_scope(engine) as s:
        for key, n, title in (("udhr", 30, "Article {c}"), ("sdg", 17, "Goal {c}")):
            fw = Framework(source="t", source_id=key, key=key, name=key, attrs={})
            s.add(fw)
            s.flush()
            for c in sorted(str(i) for i in range(1, n + 1)):  # "1", "10", "11", ..., "2"
                s.add(
                    Goal(
                        source="t",
                        source_id=f"{key}:{c}",
                        framework_id=fw.id,
                        code=c,
                        title=title.format(c=c),
                        text="",
                        attrs={},
                    )
                )


def test_goals_page_and_api_name_rights_and_sort_numerically(
    sqlite_web, sqlite_web_engine, login_as
):
    app, _ = sqlite_web
    _seed_old_goals(sqlite_web_engine)
    client = login_as(app, "officer")
    r = client.get("/api/goals", params={"framework": "udhr", "per_page": 100})
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    assert [g["code"] for g in items] == [str(i) for i in range(1, 31)]
    assert items[18]["title"] == "Freedom of opinion and information"
    assert all(not g["title"].startswith("Article") for g in items)
    # pages cut after sorting: page 2 of 10 starts at article 11
    r = client.get("/api/goals", params={"framework": "udhr", "per_page": 10, "page": 2})
    assert [g["code"] for g in r.json()["items"]][:2] == ["11", "12"]
    html = client.get("/goals", params={"framework": "udhr"}).text
    codes = re.findall(r"<td>Universal Declaration</td><td>(\d+)</td>", html)
    assert codes == [str(i) for i in range(1, 31)]
    assert "Taking part in government" in html and "Article 21<" not in html


def test_partnership_pick_lists_sort_numerically_with_names(
    sqlite_web, sqlite_web_engine, login_as
):
    app, _ = sqlite_web
    _seed_old_goals(sqlite_web_engine)
    client = login_as(app, "admin")
    for path in ("/partnerships/new", "/partnerships"):
        html = client.get(path).text
        sdg = re.findall(r">SDG (\d+) ", html)
        assert sdg == [str(i) for i in range(1, 18)], path
        udhr = re.findall(r">UDHR (\d+) ([^<]+)<", html)
        assert [c for c, _ in udhr] == [str(i) for i in range(1, 31)], path
        assert dict(udhr)["26"].strip() == short_name("udhr", 26) == "Education"


def _save(staff, library_id: int, title: str, description: str, **more: str):
    """A programme saved through the API by ``staff``: the response."""
    body = {"title": title, "description": description, "library_id": library_id, **more}
    return staff.post("/api/programmes", json=body)


def _sdg(saved) -> list[dict]:
    return [a for a in saved.json()["alignments"] if a["framework"] == "sdg"]


def test_saved_programmes_get_sdg_suggestions_only_with_evidence(sqlite_web, login_as):
    app, ids = sqlite_web
    staff = login_as(app, "staff")
    movie = _save(
        staff, ids["library_a"], "Children's Friday movie",
        "On Fridays at 17:00 there is an open cinema screening for children and families. "
        "Bring your own drinks and snacks!",
    )  # fmt: skip
    assert movie.status_code == 201, movie.text
    assert _sdg(movie) == []
    homework = _save(
        staff, ids["library_a"], "Homework help",
        "Volunteer tutors give homework help to pupils after school.",
    )  # fmt: skip
    sdg = _sdg(homework)
    assert [a["goal_code"] for a in sdg] == ["4"]
    assert "Homework help" in sdg[0]["explanation"]["evidence"]  # the text's own words
    page = staff.get(f"/programmes/{homework.json()['id']}").text
    assert "in the text: Homework help" in page


def test_a_goal_named_by_the_text_alone_says_so_and_shows_no_score(sqlite_web, login_as):
    """A Portuguese story time: the model names no goal, the text's "hora do conto" does; the
    page says the text named it, not the model, and shows the model's probability only on
    hover."""
    app, ids = sqlite_web
    staff = login_as(app, "staff")
    story = _save(
        staff, ids["library_a"], "Hora do conto",
        "Na hora do conto lemos histórias às crianças dos 3 aos 6 anos.", language="pt",
    )  # fmt: skip
    assert story.status_code == 201, story.text
    sdg = _sdg(story)
    assert [a["goal_code"] for a in sdg] == ["4"]
    assert sdg[0]["explanation"]["basis"] == "phrases"
    page = staff.get(f"/programmes/{story.json()['id']}?lang=en").text
    assert "named in the text, not by the model: Hora do conto" in page
    # in Portuguese the row names the framework and the goal in Portuguese too
    page_pt = staff.get(f"/programmes/{story.json()['id']}?lang=pt").text
    assert "<td>ODS</td>" in page_pt and "4 · Educação de qualidade" in page_pt
    assert "nomeado no texto, não pelo modelo: Hora do conto" in page_pt
    assert "the model gave it" in page
