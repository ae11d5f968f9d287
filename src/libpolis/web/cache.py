"""A response cache for anonymous reads, valid until the store changes.

Most traffic of a public register is people who are not signed in reading the dashboard and
the lists. Their responses depend only on the store and the request, so :class:`ReadCache`
keeps them (plain ASGI middleware, inside :class:`~libpolis.web.middleware.SessionMiddleware`)
and answers a repeated request without running the route, as long as nothing it was built from
changed: while the route runs, the tables its SQL reads are recorded, and the entry keeps their
revisions (:mod:`libpolis.store.revision`; one small read per request fetches the current
ones). A committed write to one of those tables, by this worker, another worker or the CLI,
makes the entry stale; writes to other tables do not. Views served from in-process caches
(the dashboard's evidence) depend on every write.

What is cached: ``GET`` requests without an ``Authorization`` header from a session with no
signed-in user, answered ``200`` without ``Set-Cookie`` or ``Cache-Control: no-store/private``,
whose route left the session as it was, with bodies up to ``max_body_bytes``. Entries are keyed
on path, query string and the request headers the routes read (``HX-Request`` and friends,
``Accept``, ``Accept-Language``) and the language the page is written in
(:mod:`libpolis.web.i18n`); a cached response with an ``ETag`` answers a matching
``If-None-Match`` with ``304``. Pages carry the session's CSRF token; it is replaced by a
placeholder when stored and by the asking session's own token when served, so sessions never
see each other's tokens. Least recently used entries go first beyond ``max_entries`` or
``max_bytes``. Visitors asking for a response that another request is building at the same
revision wait for it instead of building it again (no stampede after a write). Each response
says ``X-Libpolis-Cache: hit`` or ``miss``.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from libpolis.store.revision import ANY, SCHEMA, recording_reads

__all__ = ["CACHE_HEADER", "ReadCache"]

CACHE_HEADER = "x-libpolis-cache"
_VARY = ("hx-request", "hx-target", "hx-trigger", "hx-boosted", "accept", "accept-language")
_TOKEN_SLOT = b"\x00libpolis-csrf\x00"
_NO_STORE = (b"no-store", b"private")
_NOT_MODIFIED_HEADERS = (b"etag", b"cache-control", b"vary", b"content-location", b"expires")


@dataclass(frozen=True)
class _Entry:
    depends: tuple[tuple[str, int], ...]  # (revision counter, its value when built)
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes


class ReadCache:
    """ASGI middleware: cached responses to anonymous ``GET`` requests (see the module doc).

    Parameters
    ----------
    app : ASGIApp
        The wrapped application.
    revisions : callable
        Returns the current store revisions (:func:`libpolis.store.read_revisions`); called on
        the event loop, so it must not wait for the connection pool the routes use
        (:func:`libpolis.store.side_engine`).
    max_entries, max_bytes, max_body_bytes : int
        Bounds of the cache (entries, total body bytes, one body).
    skip_prefixes : tuple of str
        Paths never cached (sign-in, static files served with their own validators, uploads).
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        revisions: Callable[[], dict[str, int]],
        max_entries: int = 2048,
        max_bytes: int = 64 * 1024 * 1024,
        max_body_bytes: int = 2 * 1024 * 1024,
        skip_prefixes: tuple[str, ...] = ("/login", "/logout", "/static/", "/vendor/"),
    ) -> None:
        self.app = app
        self.revisions = revisions
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.max_body_bytes = max_body_bytes
        self.skip_prefixes = skip_prefixes
        self._entries: OrderedDict[tuple, _Entry] = OrderedDict()
        self._pending: dict[tuple, tuple[int, asyncio.Future[None]]] = {}  # by ANY revision
        self._bytes = 0

    def _cacheable_request(self, scope: Scope) -> bool:
        if scope["type"] != "http" or scope["method"] != "GET":
            return False
        if scope["path"].startswith(self.skip_prefixes):
            return False
        if any(name == b"if-modified-since" for name, _ in scope["headers"]):
            return False
        state = scope.get("state") or {}
        session = state.get("session")
        if not isinstance(session, dict) or session.get("uid") is not None:
            return False
        return not any(name == b"authorization" for name, _ in scope["headers"])

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self._cacheable_request(scope):
            await self.app(scope, receive, send)
            return
        state: dict[str, Any] = scope["state"]
        token = str(state["session"].get("csrf", "")).encode()
        headers = Headers(scope=scope)
        key = (
            scope["path"],
            scope["query_string"],
            state.get("lang"),  # libpolis.web.i18n: from the lang cookie or Accept-Language
            tuple(headers.get(h) for h in _VARY),
        )
        revisions = self.revisions()
        entry = self._entries.get(key)
        if entry is not None and _fresh(entry, revisions):
            self._entries.move_to_end(key)
            await _replay(entry, token, send, headers.get("if-none-match"))
            return
        now = revisions.get(ANY, 0)
        pending = self._pending.get(key)
        if pending is not None and pending[0] == now:
            # the same response is being built for another visitor: wait for it, not redo it
            await asyncio.shield(pending[1])
            entry = self._entries.get(key)
            if entry is not None and _fresh(entry, revisions):
                await _replay(entry, token, send, headers.get("if-none-match"))
                return
        done = asyncio.get_running_loop().create_future()
        self._pending[key] = (now, done)
        try:
            await self._run_and_keep(scope, receive, send, key, revisions, token)
        finally:
            if self._pending.get(key, (None, None))[1] is done:
                del self._pending[key]
            done.set_result(None)

    async def _run_and_keep(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        key: tuple,
        revisions: dict[str, int],
        token: bytes,
    ) -> None:
        state: dict[str, Any] = scope["state"]
        session_before = dict(state["session"])
        changed_before = state.get("session_changed")
        start: Message | None = None
        chunks: list[bytes] = []
        size = 0
        keep = True

        async def capture(message: Message) -> None:
            nonlocal start, size, keep
            if message["type"] == "http.response.start":
                start = message
                keep = message["status"] == 200 and _storable(message["headers"])
                message["headers"] = [*message.get("headers", []), (CACHE_HEADER.encode(), b"miss")]
            elif message["type"] == "http.response.body" and keep:
                chunk = message.get("body", b"")
                size += len(chunk)
                if size > self.max_body_bytes:
                    keep = False
                    chunks.clear()
                else:
                    chunks.append(chunk)
            await send(message)

        with recording_reads() as reads:
            await self.app(scope, receive, capture)
        if not keep or start is None:
            return
        if state.get("session") != session_before or state.get("session_changed") != changed_before:
            return
        body = b"".join(chunks)
        if token:
            body = body.replace(token, _TOKEN_SLOT)
        kept = [
            (k, v)
            for k, v in start["headers"]
            if k.lower() not in (b"content-length", CACHE_HEADER.encode())
        ]
        names = sorted((reads or {ANY}) | {SCHEMA})  # no SQL seen: depend on every write
        depends = tuple((name, revisions.get(name, 0)) for name in names)
        self._store(key, _Entry(depends, start["status"], kept, body))

    def _store(self, key: tuple, entry: _Entry) -> None:
        old = self._entries.pop(key, None)
        if old is not None:
            self._bytes -= len(old.body)
        self._entries[key] = entry
        self._bytes += len(entry.body)
        while self._entries and (
            len(self._entries) > self.max_entries or self._bytes > self.max_bytes
        ):
            _, dropped = self._entries.popitem(last=False)
            self._bytes -= len(dropped.body)


def _fresh(entry: _Entry, revisions: dict[str, int]) -> bool:
    return all(revisions.get(name, 0) == n for name, n in entry.depends)


def _tag_matches(if_none_match: str, etag: str) -> bool:
    wanted = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
    return "*" in wanted or etag.removeprefix("W/") in wanted


def _storable(headers: list[tuple[bytes, bytes]]) -> bool:
    for name, value in headers:
        low = name.lower()
        if low == b"set-cookie":
            return False
        if low == b"cache-control" and any(v in value.lower() for v in _NO_STORE):
            return False
    return True


async def _replay(entry: _Entry, token: bytes, send: Send, if_none_match: str | None) -> None:
    etag = next((v for k, v in entry.headers if k.lower() == b"etag"), None)
    if etag is not None and if_none_match and _tag_matches(if_none_match, etag.decode()):
        headers = [(k, v) for k, v in entry.headers if k.lower() in _NOT_MODIFIED_HEADERS]
        headers.append((CACHE_HEADER.encode(), b"hit"))
        await send({"type": "http.response.start", "status": 304, "headers": headers})
        await send({"type": "http.response.body", "body": b""})
        return
    body = entry.body.replace(_TOKEN_SLOT, token) if token else entry.body
    headers = [
        *entry.headers,
        (b"content-length", str(len(body)).encode()),
        (CACHE_HEADER.encode(), b"hit"),
    ]
    await send({"type": "http.response.start", "status": entry.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
