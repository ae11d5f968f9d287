"""Errors become HTTP in one place: JSON under ``/api``, an HTML page everywhere else.

A :class:`~libpolis.errors.LibpolisError` carries its HTTP status; a page that needs a
signed-in user redirects to the sign-in page instead of showing a 401.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from libpolis.errors import LibpolisError

__all__ = ["install_error_handlers", "wants_json"]


def wants_json(request: Request) -> bool:
    """API paths answer errors in JSON; pages answer with an HTML page."""
    return request.url.path.startswith("/api")


def _validation_message(errors: list[dict[str, Any]]) -> str:
    parts = []
    for e in errors[:5]:
        loc = ".".join(str(p) for p in e.get("loc", ()) if p not in {"body", "query", "path"})
        parts.append(f"{loc}: {e.get('msg', 'invalid')}" if loc else str(e.get("msg", "invalid")))
    return "; ".join(parts)


def install_error_handlers(app: FastAPI, templates: Jinja2Templates) -> None:
    """Register the one translation of errors into responses."""

    def page(request: Request, status: int, message: str) -> Response:
        if status == 401:
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
        return templates.TemplateResponse(
            request,
            "error.html",
            {"status": status, "message": message, "user": getattr(request.state, "user", None)},
            status_code=status,
        )

    @app.exception_handler(LibpolisError)
    async def _libpolis(request: Request, exc: LibpolisError) -> Response:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else {}
        if getattr(exc, "retry_after_s", None):
            headers["Retry-After"] = str(exc.retry_after_s)
        if wants_json(request):
            return JSONResponse({"detail": str(exc)}, status_code=exc.status, headers=headers)
        response = page(request, exc.status, str(exc))
        if "Retry-After" in headers:
            response.headers["Retry-After"] = headers["Retry-After"]
        return response

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        if wants_json(request):
            return JSONResponse(
                {"detail": _validation_message(list(exc.errors())), "errors": _safe(exc)},
                status_code=422,
            )
        return page(request, 422, _validation_message(list(exc.errors())))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if wants_json(request):
            return JSONResponse(
                {"detail": exc.detail},
                status_code=exc.status_code,
                headers=getattr(exc, "headers", None),
            )
        return page(request, exc.status_code, str(exc.detail))


def _safe(exc: RequestValidationError) -> list[dict[str, Any]]:
    return [
        {
            "loc": [str(p) for p in e.get("loc", ())],
            "msg": str(e.get("msg", "")),
            "type": str(e.get("type", "")),
        }
        for e in exc.errors()
    ]
