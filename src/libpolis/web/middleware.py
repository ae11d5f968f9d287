"""The one middleware of the web app (plain ASGI, no per-request task overhead).

For every HTTP request it refuses bodies over the size limit (413), loads the signed session
cookie (or starts an anonymous session with a fresh CSRF token) into ``request.state.session``,
and on the way out sets the cookie when the session changed (HttpOnly, SameSite=Lax, Secure on
HTTPS) and adds the security headers (CSP: everything from this origin; no framing).
"""

from __future__ import annotations

import json
from typing import Any

from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from libpolis.web.security import (
    SESSION_COOKIE,
    SESSION_MAX_AGE_S,
    SessionCodec,
    new_csrf_token,
)

__all__ = ["CSP", "SessionMiddleware"]

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
_SECURITY_HEADERS = (
    ("x-content-type-options", "nosniff"),
    ("x-frame-options", "DENY"),
    ("referrer-policy", "same-origin"),
    ("content-security-policy", CSP),
)


class SessionMiddleware:
    """Session cookie, CSRF token, body-size limit and security headers."""

    def __init__(self, app: ASGIApp, *, codec: SessionCodec, max_body_bytes: int) -> None:
        self.app = app
        self.codec = codec
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        length = headers.get("content-length", "")
        if length.isdigit() and int(length) > self.max_body_bytes:
            await _too_large(send, int(length), self.max_body_bytes)
            return
        cookie = cookie_parser(headers.get("cookie", "")).get(SESSION_COOKIE)
        data = self.codec.load_session(cookie)
        fresh = data is None or not data.get("csrf")
        state: dict[str, Any] = scope.setdefault("state", {})
        state["session"] = {"uid": None, "csrf": new_csrf_token()} if fresh else data
        state["session_changed"] = fresh
        state["user"] = None
        secure = scope.get("scheme") == "https"

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                out = MutableHeaders(scope=message)
                if state.get("session_changed"):
                    value = self.codec.dump_session(state["session"])
                    out.append(
                        "set-cookie",
                        f"{SESSION_COOKIE}={value}; Max-Age={SESSION_MAX_AGE_S}; Path=/; "
                        f"HttpOnly; SameSite=lax{'; Secure' if secure else ''}",
                    )
                for key, val in _SECURITY_HEADERS:
                    if key not in out:
                        out[key] = val
            await send(message)

        await self.app(scope, receive, send_wrapper)


async def _too_large(send: Send, length: int, limit: int) -> None:
    body = json.dumps(
        {"detail": f"the request body is {length:,} bytes; the limit is {limit:,} bytes"}
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
