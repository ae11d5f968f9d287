"""Helpers shared by the route modules: rendering pages, reading forms into schemas (with a
message per field for the form to show next to it) and the number format of the request."""

from __future__ import annotations

from typing import Any, TypeVar
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ValidationError

from libpolis.errors import DataError
from libpolis.rules.api import DateOrderError
from libpolis.web.deps import CSRF_FIELD, PageParams
from libpolis.web.i18n import DATE_ORDER_MESSAGE, FORM_MESSAGES, PageMessage

__all__ = [
    "form_model",
    "is_htmx",
    "pager",
    "redirect",
    "render",
    "validate_form",
]


M = TypeVar("M", bound=BaseModel)


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> Response:
    """Render a page with the signed-in user and the CSRF token in its context (``lang``,
    ``fmt`` and the other per-language names come from :func:`libpolis.web.i18n.page_context`)."""
    templates = request.app.state.templates
    ctx = {
        "user": getattr(request.state, "user", None),
        "csrf_token": request.state.session.get("csrf", ""),
        "csrf_field": CSRF_FIELD,
        **context,
    }
    return templates.TemplateResponse(request, template, ctx, status_code=status_code)


def redirect(url: str) -> RedirectResponse:
    """Post/redirect/get: send the browser to ``url`` after a successful form."""
    return RedirectResponse(url, status_code=303)


def is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"


def validate_form(
    model: type[M], data: dict[str, Any], *, partial: bool = False
) -> tuple[M | None, dict[str, str]]:
    """Validate form fields into ``model``; empty optional fields become ``None``.

    Returns the model, or None and ``{field: message}`` (the first message per field; one
    about the form as a whole under ``"form"``) for the form to show next to each field. A
    message of a common kind (required, too long, not a number or date ...) is a
    :class:`~libpolis.web.i18n.PageMessage`, written in the page's language by ``tr()``.
    """
    clean: dict[str, Any] = {}
    for key, value in data.items():
        if key == CSRF_FIELD:
            continue
        if isinstance(value, str):
            value = value.strip()
            if value == "":
                field = model.model_fields.get(key)
                if field is None or not field.is_required():
                    if partial or field is None:
                        clean[key] = None
                    continue
        clean[key] = value
    try:
        return model.model_validate(clean), {}
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for e in exc.errors():
            loc = [str(p) for p in e["loc"]]
            msg = str(e["msg"]).removeprefix("Value error, ")
            key = loc[0] if loc else _field_named(model, msg)
            kind = e["type"]
            if kind == "string_too_short" and (e.get("ctx") or {}).get("min_length") == 1:
                kind = "missing"  # a required text left blank
            raised = (e.get("ctx") or {}).get("error")
            if kind == "value_error" and isinstance(raised, DateOrderError):
                msg = PageMessage(DATE_ORDER_MESSAGE, {"end": str(raised.end),
                                                       "start": str(raised.start)})  # fmt: skip
            elif kind == "value_error" and raised is not None and raised.args:
                if isinstance(raised.args[0], PageMessage):
                    msg = raised.args[0]
            elif kind in FORM_MESSAGES:
                msg = PageMessage(FORM_MESSAGES[kind], e.get("ctx"))
            if len(loc) == 3 and loc[1].isdigit() and isinstance(msg, PageMessage):
                # a row of a list (a contact): "row 1, e-mail: ..."
                msg = PageMessage(
                    "row %(row)s, %(field)s: %(message)s",
                    {"row": int(loc[1]) + 1, "field": PageMessage(_ROW_FIELDS.get(loc[2], loc[2])),
                     "message": msg},
                )  # fmt: skip
                loc = loc[:1]
            errors.setdefault(key, f"{'.'.join(loc[1:])}: {msg}" if len(loc) > 1 else msg)
        return None, errors


#: The names of a row's fields in a message (catalogued in ``libpolis.web.i18n.PAGE_WORDS``).
_ROW_FIELDS = {"email": "e-mail", "name": "name", "role": "role", "side": "side"}


def _field_named(model: type[BaseModel], msg: str) -> str:
    """The field a message about the whole form begins with (``end date ... is before``),
    else ``"form"``."""
    for name in model.model_fields:
        if msg.startswith(name.replace("_", " ") + " "):
            return name
    return "form"


def form_model(model: type[M], data: dict[str, Any], *, partial: bool = False) -> M:
    """Validate form fields into ``model``; empty optional fields become ``None``.

    Raises
    ------
    DataError
        Naming each field that was wrong.
    """
    found, errors = validate_form(model, data, partial=partial)
    if found is None:
        parts = [f"{k}: {v}" for k, v in list(errors.items())[:5]]
        raise DataError("; ".join(parts), where="form")
    return found


def pager(request: Request, total: int, p: PageParams) -> dict[str, Any]:
    """Links to the previous and next page keeping the other query parameters."""
    params = dict(request.query_params)
    pages = max(1, -(-total // p.per_page))

    def link(n: int) -> str:
        return f"{request.url.path}?{urlencode({**params, 'page': n})}"

    return {
        "page": p.page,
        "pages": pages,
        "total": total,
        "prev": link(p.page - 1) if p.page > 1 else None,
        "next": link(p.page + 1) if p.page < pages else None,
        "query": urlencode({k: v for k, v in params.items() if k not in {"page", "per_page"}}),
    }
