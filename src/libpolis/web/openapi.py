"""The API's OpenAPI document as the API behaves: error bodies, status codes, UTC datetimes.

Every error of the API is a JSON object with ``detail`` (one line saying what was wrong);
a 422 for a request that does not fit the operation adds ``errors`` (one item per field). :func:`install_openapi` documents, on every
operation, the statuses it can answer with, read from how the route is built:

- 422 where a request has parameters or a body (and a write may break a data rule);
- 401 where the route reads the signed-in user (a bad, expired or revoked bearer token);
- 403 on writes (CSRF and ``Origin`` checks, :mod:`libpolis.web.origin`) and where the route
  asks who the user is (roles, :mod:`libpolis.web.authz`);
- 404 where the path names a record; 409 on writes (a change that conflicts with stored rows);
- 400 and 413 on writes with a body (it does not parse; it is over the size limit); 304 on
  reads (``If-None-Match``);
- 503 everywhere (the server is saturated: try again after ``Retry-After`` seconds).

Datetimes are answered with their UTC offset (:data:`UtcDateTime`): SQLite gives them back
without one, and a datetime without offset is not an RFC 3339 ``date-time``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import AfterValidator, BaseModel, Field

__all__ = [
    "ErrorOut",
    "FieldError",
    "UtcDateTime",
    "ValidationErrorOut",
    "errors",
    "install_openapi",
]


def _utc(value: datetime) -> datetime:
    """A naive datetime (as SQLite returns it) was stored in UTC; aware ones become UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


UtcDateTime = Annotated[datetime, AfterValidator(_utc)]
"""A datetime answered in UTC with its offset (``2026-12-07T01:00:00Z``)."""


class ErrorOut(BaseModel):
    """An error: one line saying what was wrong and, where known, where."""

    detail: str


class FieldError(BaseModel):
    """One invalid field of a request."""

    loc: list[str]
    msg: str
    type: str


class ValidationErrorOut(ErrorOut):
    """A request that does not fit the operation's parameters or body (``errors`` lists the
    fields), or breaks a rule of the data (no ``errors``: ``detail`` says which)."""

    errors: list[FieldError] = Field(default_factory=list)


_DESCRIPTIONS = {
    400: "The body cannot be read as the declared media type (JSON that does not parse)",
    304: "Not modified: the representation named by If-None-Match is still current",
    401: "Not signed in, or the bearer token is invalid, expired or revoked",
    403: "Not allowed: the role may not do this, or a write failed the CSRF or Origin check",
    404: "No such record",
    409: "The change conflicts with stored records",
    413: "The request body is over the size limit",
    422: "The request's parameters or body are invalid",
    429: "Too many failed sign-ins: wait Retry-After seconds",
    503: "The server is saturated: try again after Retry-After seconds",
}
_RETRY = {"Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}}
_UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def _response(code: int) -> dict[str, Any]:
    out: dict[str, Any] = {"description": _DESCRIPTIONS[code]}
    if code != 304:
        model = "ValidationErrorOut" if code == 422 else "ErrorOut"
        ref = {"$ref": f"#/components/schemas/{model}"}
        out["content"] = {"application/json": {"schema": ref}}
    if code in {429, 503}:
        out["headers"] = _RETRY
    return out


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` of a route that answers these error statuses (beyond the automatic
    ones of :func:`install_openapi`)."""
    return {code: {"model": ValidationErrorOut if code == 422 else ErrorOut} for code in codes}


def _calls(route: APIRoute) -> set[Callable[..., Any]]:
    seen: set[Callable[..., Any]] = set()
    stack = [route.dependant]
    while stack:
        dep = stack.pop()
        if dep.call is not None:
            seen.add(dep.call)
        stack.extend(dep.dependencies)
    return seen


def _codes(route: APIRoute, method: str) -> set[int]:
    from libpolis.web.deps import current_user, maybe_user

    calls = _calls(route)
    dep = route.dependant
    has_input = bool(dep.path_params or dep.query_params or dep.body_params or dep.header_params)
    codes = {503}
    if has_input:
        codes.add(422)
    if maybe_user in calls:
        codes.add(401)
    if method in _UNSAFE:
        codes |= {403, 409, 422}
        if dep.body_params:
            codes |= {400, 413}
    else:
        codes.add(304)
    if current_user in calls:
        codes |= {401, 403}
    if dep.path_params:
        codes.add(404)
    return codes


def _document(spec: dict[str, Any], routes: Iterable[Any]) -> None:
    paths = spec.get("paths", {})
    for ctx in iter_route_contexts(list(routes)):  # routes of included routers too
        route = ctx.original_route
        if not isinstance(route, APIRoute) or not route.include_in_schema:
            continue
        for method in route.methods:
            op = paths.get(ctx.path_format or route.path_format, {}).get(method.lower())
            if op is None:
                continue
            responses = op.setdefault("responses", {})
            given = {int(c) for c in responses if c.isdigit()}
            for code in sorted(_codes(route, method) | given):
                if code in _DESCRIPTIONS and (code >= 400 or code not in given):
                    responses[str(code)] = _response(code)
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    for model in (ErrorOut, FieldError, ValidationErrorOut):
        one = model.model_json_schema(ref_template="#/components/schemas/{model}")
        one.pop("$defs", None)
        schemas[model.__name__] = one
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)


def install_openapi(app: FastAPI) -> None:
    """Serve an OpenAPI document whose error responses say what the API answers."""

    def build() -> dict[str, Any]:
        if app.openapi_schema is None:
            spec = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            _document(spec, app.routes)
            app.openapi_schema = spec
        return app.openapi_schema

    app.openapi = build  # type: ignore[method-assign]
