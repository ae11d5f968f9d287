"""Outcome surveys: survey links per programme session (made by staff and officers), the
public survey page that works on a phone without an account, and the results.

The public form (``/s/<token>``) is an anonymous form like the sign-in form: the session
cookie's CSRF token is in the form and checked on submit, and the app-wide Origin check
applies. Submissions are limited per client address (``SURVEY_LIMIT`` per ``SURVEY_WINDOW_S``;
429 with ``Retry-After`` beyond it). The address is the one the app sees — behind a reverse
proxy listed in ``LIBPOLIS_TRUSTED_PROXIES`` it is the forwarded client's — and it is kept in
memory only for the window, never stored. Results never show a figure without its ``n``.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi import Path as PathParam
from fastapi.responses import Response

from libpolis.errors import DataError, LibpolisError, PermissionDeniedError
from libpolis.pipeline.surveys import (
    DIMENSIONS,
    OPEN_QUESTIONS,
    create_survey,
    open_survey,
    submit_response,
    survey_results,
    survey_templates,
)
from libpolis.store.tables import Programme
from libpolis.web.crud._common import audit
from libpolis.web.deps import CurrentUser, Db, Writer, check_csrf
from libpolis.web.routes._common import redirect, render

__all__ = ["SURVEY_LIMIT", "SURVEY_WINDOW_S", "SurveyRateLimitedError", "pages", "router"]

router = APIRouter(prefix="/api", tags=["surveys"])
pages = APIRouter(include_in_schema=False)

SURVEY_LIMIT = 30
"""Survey submissions one client address may make per window (a class on shared wifi fits)."""
SURVEY_WINDOW_S = 60.0

Token = Annotated[str, PathParam(min_length=20, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


class SurveyRateLimitedError(LibpolisError):
    """Too many survey submissions from one address; ``retry_after_s`` says when to retry."""

    status = 429

    def __init__(self, message: str, *, retry_after_s: int = 1) -> None:
        super().__init__(message)
        self.retry_after_s = max(1, int(retry_after_s))


class _Window:
    """Submissions per address in a sliding window, in memory (per worker process)."""

    def __init__(self, limit: int, window_s: float) -> None:
        self.limit, self.window_s = limit, window_s
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, address: str) -> None:
        now = time.monotonic()
        with self._lock:
            if len(self._hits) > 10_000:  # forget idle addresses
                self._hits = {a: q for a, q in self._hits.items() if q and q[-1] > now - 60}
            q = self._hits.setdefault(address, deque())
            while q and q[0] <= now - self.window_s:
                q.popleft()
            if len(q) >= self.limit:
                wait = math.ceil(q[0] + self.window_s - now)
                raise SurveyRateLimitedError(
                    f"too many survey answers from this address; try again in {wait} s",
                    retry_after_s=wait,
                )
            q.append(now)


def _window(request: Request) -> _Window:
    state = request.app.state
    if not hasattr(state, "survey_window"):
        state.survey_window = _Window(SURVEY_LIMIT, SURVEY_WINDOW_S)
    return state.survey_window  # type: ignore[no-any-return]


def require_survey_maker(user: Any, what: str) -> None:
    """Library staff, city officers and admins make survey links and read results."""
    if user.role not in {"admin", "officer", "staff"}:
        raise PermissionDeniedError(f"{user.email} ({user.role}) may not {what}")


def _results_json(db: Db) -> dict[str, Any]:
    res = survey_results(db)

    def recs(df: Any) -> list[dict[str, Any]]:
        return [
            {k: (None if isinstance(v, float) and v != v else v) for k, v in r.items()}
            for r in df.to_dict("records")
        ]

    return {
        "responses": res.responses,
        "interval": "Wilson score interval (95%) of the share agreeing (4 or 5 on the 1-5 scale)",
        "by": {k: recs(v) for k, v in res.by.items()},
        "open": {k: recs(v) for k, v in res.open.items()},
    }


@router.get("/surveys/results")
def api_results(db: Db, user: CurrentUser) -> dict[str, Any]:
    """Survey results per programme, goal and district: per outcome dimension the response
    count ``n``, the mean, the share agreeing and its Wilson 95 % interval; open answers with
    their count and share."""
    require_survey_maker(user, "read survey results")
    return _results_json(db)


@pages.get("/surveys")
def surveys_page(request: Request, db: Db, user: CurrentUser) -> Response:
    require_survey_maker(user, "read survey results")
    res = survey_results(db)
    progs = db.query(Programme.id, Programme.title).order_by(Programme.title).limit(500).all()
    t = survey_templates()
    return render(
        request,
        "surveys.html",
        res=res,
        programmes=progs,
        areas={k: v["title"] for k, v in t["areas"].items()},
        dims=DIMENSIONS,
        open_q=t["open"],
        base=str(request.base_url).rstrip("/"),
    )


@pages.post("/surveys/new")
async def new_survey(request: Request, db: Db, user: Writer) -> Response:
    require_survey_maker(user, "make survey links")
    form = await request.form()
    try:
        pid = int(str(form.get("programme_id") or ""))
        held = str(form.get("held_on") or "").strip()
        held_on = date.fromisoformat(held) if held else None
    except ValueError:
        raise DataError("programme_id and held_on (YYYY-MM-DD) are required", where="form") from None
    row = create_survey(
        db,
        programme_id=pid,
        area=str(form.get("area") or ""),
        label=str(form.get("label") or ""),
        district=str(form.get("district") or ""),
        held_on=held_on,
        who=user.email,
    )
    audit(db, user=user, action="create", entity="survey_session", entity_id=row.id,
          changes={"programme_id": pid, "area": row.area})  # fmt: skip
    return redirect("/surveys")


@pages.get("/s/{token}")
def survey_form(request: Request, token: Token, db: Db) -> Response:
    survey, prog = open_survey(db, token)
    t = survey_templates()
    area = t["areas"][survey.area]
    return render(
        request,
        "survey_public.html",
        token=token,
        programme=prog.title,
        survey=survey,
        area=area,
        dims=DIMENSIONS,
        scale=t["scale"]["labels"],
        open_q=t["open"],
    )


@pages.post("/s/{token}", dependencies=[Depends(check_csrf)])
async def survey_submit(request: Request, token: Token, db: Db) -> Response:
    survey, prog = open_survey(db, token)
    _window(request).hit(request.client.host if request.client else "unknown")
    form = await request.form()
    fields = (*DIMENSIONS, *OPEN_QUESTIONS, "email", "consent")
    row = submit_response(db, survey, {k: form.get(k) for k in fields if k in form})
    audit(db, user=None, action="create", entity="survey_response", entity_id=row.id,
          changes={"survey": survey.id})  # fmt: skip
    return render(request, "survey_thanks.html", programme=prog.title)
