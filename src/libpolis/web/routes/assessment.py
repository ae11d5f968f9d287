"""The Culture 21 Actions self-assessment of the city's library services.

Library staff, city officers and admins rate each action (1–9) with its evidence, per year;
viewers read. Pages show the scores per commitment, a radar chart of the assessed years, the
change from year to year, and suggestions of evidence from the workspace, each traced to its
figure or table. The global panel of experts (UCLG, 2015) is not compared: its figures were
published as an image only (see ``GLOBAL_PANEL_NOTE``).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi import Path as PathParam
from fastapi.responses import Response
from pydantic import BaseModel, Field

from libpolis.errors import PermissionDeniedError
from libpolis.evidence.culture21 import suggestions_for
from libpolis.goal_names import short_name
from libpolis.pipeline.assessment import (
    SCALE_MAX,
    SCALE_MIN,
    AssessmentResult,
    Commitment,
    answers_csv,
    assessment_city,
    assessment_result,
    commitments,
    save_answers,
    stage_of,
)
from libpolis.report.i18n import N_
from libpolis.report.radar import radar_svg
from libpolis.store.tables import User
from libpolis.web.crud._common import audit
from libpolis.web.deps import CurrentUser, Db, Writer
from libpolis.web.i18n import translations
from libpolis.web.live import LiveEvidence
from libpolis.web.routes._common import redirect, render
from libpolis.web.visibility import evidence_for

__all__ = ["GLOBAL_PANEL_NOTE", "commitment_title", "pages", "router"]

router = APIRouter(prefix="/api", tags=["assessment"])
pages = APIRouter(include_in_schema=False)

Year = Annotated[int, PathParam(ge=1990, le=2100, description="The assessed year.")]

GLOBAL_PANEL_URL = "http://agenda21culture.net/index.php/ar/newa21c-ar/global-panel-2015-ar"
GLOBAL_PANEL_NOTE = N_(
    "UCLG's Committee on Culture published the results of its 2015 Global Panel of 34 experts "
    "as a chart image and a PDF; we found no published figures per commitment in a form we "
    "could read and cite, so this page does not compare with them."
)


class AnswerIn(BaseModel):
    """One action's answer: a level on the 1–9 scale (None leaves it unrated) and evidence."""

    action: str = Field(max_length=10, examples=["6.1"])
    level: int | None = Field(default=None, ge=SCALE_MIN, le=SCALE_MAX)
    evidence: str = Field(default="", max_length=5000)


class AnswersIn(BaseModel):
    answers: list[AnswerIn] = Field(max_length=200)


def require_assessment_editor(user: User, what: str) -> None:
    """Library staff, city officers and admins fill in the assessment; viewers read."""
    if user.role not in {"admin", "officer", "staff"}:
        raise PermissionDeniedError(f"{user.email} ({user.role}) may not {what}")


def _city(request: Request) -> str:
    return assessment_city(request.app.state.engine)


def _score_json(res: AssessmentResult) -> dict[str, Any]:
    def clean(v: Any) -> Any:
        return None if v is None or v != v else v

    return {
        "city": res.city,
        "scale": {"min": SCALE_MIN, "max": SCALE_MAX},
        "years": res.years,
        "scores": [{k: clean(v) for k, v in r.items()} for r in res.scores.to_dict("records")],
        "change": [{k: clean(v) for k, v in r.items()} for r in res.change.to_dict("records")],
        "global_panel": {"compared": False, "note": GLOBAL_PANEL_NOTE, "url": GLOBAL_PANEL_URL},
    }


def _save(db: Db, user: User, city: str, year: int, answers: list[tuple[str, Any, str]]) -> int:
    require_assessment_editor(user, "fill in the Culture 21 self-assessment")
    changed = save_answers(db, city=city, year=year, answers=answers, who=user.email)
    if changed:
        audit(
            db,
            user=user,
            action="update",
            entity="assessment",
            entity_id=year,
            changes={"city": city, "answers": changed},
        )
    return len(changed)


@router.get("/assessment")
def api_scores(request: Request, db: Db, user: CurrentUser) -> dict[str, Any]:
    """Scores per commitment and assessed year (mean level of the rated actions, 1–9) and the
    change from the previous assessed year."""
    return _score_json(assessment_result(db, city=_city(request)))


@router.post("/assessment/{year}")
def api_save(request: Request, year: Year, data: AnswersIn, db: Db, user: Writer) -> dict:
    """Create or update answers of one year (library staff, city officers, admins)."""
    rows = [(a.action, a.level, a.evidence) for a in data.answers]
    n = _save(db, user, _city(request), year, rows)
    return {"changed": n} | _score_json(assessment_result(db, city=_city(request)))


@router.get(
    "/assessment.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
def api_csv(request: Request, db: Db, user: CurrentUser) -> Response:
    """Every answer with its commitment, level, stage and evidence, as CSV."""
    return Response(
        answers_csv(assessment_result(db, city=_city(request))), media_type="text/csv"
    )


def commitment_title(c: Commitment, lang: str) -> str:
    """A commitment's title in ``lang``: UCLG's where ``culture21.json`` has it (en, fr, es),
    else libpolis's short name in that language (Portuguese), else the English title."""
    return c.titles.get(lang) or short_name("culture21", c.code, lang) or c.title(lang)


def _radar(res: AssessmentResult, lang: str = "en") -> str | None:
    if not res.years:
        return None
    axes = [f"{c.code}. {commitment_title(c, lang)}" for c in commitments()]
    series = {}
    for y in res.years[-5:]:
        part = res.scores[res.scores["year"] == y].set_index("commitment")["score"]
        series[str(y)] = [
            None if part.get(c.code) is None or part.get(c.code) != part.get(c.code)
            else float(part[c.code])
            for c in commitments()
        ]
    return radar_svg(
        [a if len(a) <= 26 else a[:25] + "…" for a in axes],
        series,
        top=SCALE_MAX,
        title=translations(lang).gettext(
            N_("Culture 21 Actions self-assessment of %(city)s: score per commitment (1–9) in "
               "%(years)s")
        ) % {"city": res.city, "years": ", ".join(series)},
        rings=(3, 6),
    )


@pages.get("/assessment")
def overview_page(request: Request, db: Db, user: CurrentUser) -> Response:
    res = assessment_result(db, city=_city(request))
    lang = getattr(request.state, "lang", "en")
    titles = {c.code: commitment_title(c, lang) for c in commitments()}
    return render(
        request,
        "assessment.html",
        res=res,
        titles=titles,
        radar=_radar(res, lang),
        cells={(int(r.year), str(r.commitment)): r for r in res.scores.itertuples()},
        may_edit=user.role in {"admin", "officer", "staff"},
        panel_note=GLOBAL_PANEL_NOTE,
        panel_url=GLOBAL_PANEL_URL,
        this_year=date.today().year,
    )


@pages.get("/assessment/{year}")
def year_page(request: Request, year: Year, db: Db, user: CurrentUser) -> Response:
    res = assessment_result(db, city=_city(request))
    mine = res.answers[res.answers["year"] == year] if len(res.answers) else res.answers
    answers = {r.action: r for r in mine.itertuples()}
    live: LiveEvidence = request.app.state.live
    ev = evidence_for(db, live.evidence(), user)
    suggestions = {c.code: suggestions_for(ev, c.code, c.hints) for c in commitments()}
    return render(
        request,
        "assessment_year.html",
        year=year,
        city=res.city,
        commitments=commitments(),
        answers=answers,
        suggestions=suggestions,
        levels=list(range(SCALE_MIN, SCALE_MAX + 1)),
        stage_of=stage_of,
        commitment_title=commitment_title,
        may_edit=user.role in {"admin", "officer", "staff"},
    )


@pages.post("/assessment/{year}")
async def year_submit(request: Request, year: Year, db: Db, user: Writer) -> Response:
    form = await request.form()
    rows = []
    for c in commitments():
        for a in c.actions:
            if f"level_{a.code}" in form or f"evidence_{a.code}" in form:
                level = form.get(f"level_{a.code}")
                evidence = form.get(f"evidence_{a.code}")
                rows.append(
                    (a.code, level if isinstance(level, str) else None,
                     evidence if isinstance(evidence, str) else "")
                )
    _save(db, user, _city(request), year, rows)
    return redirect("/assessment")
