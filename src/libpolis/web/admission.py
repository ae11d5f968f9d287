"""Graceful degradation of the web app under a crowd: admission control and error pages.

:class:`AdmissionLimiter` (plain ASGI middleware, inside the read cache so that cached answers
never wait) lets at most ``limit`` requests of a worker run at once, of which at most
``write_limit`` writes (``POST``, ``PUT``, ``PATCH``, ``DELETE``). The others wait, without a
thread or a database connection, in a first-come first-served queue of at most ``max_queue``
requests for at most ``queue_timeout_s`` seconds. A request that finds the queue full, or
waits longer, is answered at once with ``503 Service Unavailable`` and
``Retry-After: retry_after_s``; so is, at once, one that would not be done by then judging by
the recent run time of requests (the requests ahead of it times that time, over the slots, and
its own run). A crowd gets a
quick "come back in a moment" instead of timeouts, and the requests let in run at full speed.

Why a bound and not more threads: a route with a synchronous body runs its dependencies and its
body in worker threads, one step after another, and its database session keeps its pooled
connection between the steps. With more requests in flight than pooled connections, the
threads of some wait for a connection while the sessions holding the connections wait for a
thread for their next step: the worker freezes until the pool timeout and answers 500. While
the requests in flight are no more than half the pool (a request may hold two pooled
connections: the brief and the scenarios read through a second one) and no more than the
worker threads, every step finds its connection and its thread.

:class:`ServerErrors` (just inside the session middleware, so its answers carry the same
security headers and cookie handling as every other response) turns an exception no handler
took into a ``500`` with a JSON body under ``/api`` and an HTML page elsewhere, and a sign that
the store is overloaded (pool timeout, SQLite busy) into a ``503`` with ``Retry-After``. Every
``503`` leaving the app gets a ``Retry-After`` header.

The bounds come from the settings (``LIBPOLIS_WEB_MAX_CONCURRENCY``,
``LIBPOLIS_WEB_MAX_WRITERS``, ``LIBPOLIS_WEB_MAX_QUEUE``, ``LIBPOLIS_WEB_QUEUE_TIMEOUT_S``,
``LIBPOLIS_WEB_RETRY_AFTER_S``; :func:`admission_options`). They are per worker process.
"""

from __future__ import annotations

import asyncio
import html
import json
import logging
import time
from collections import deque
from dataclasses import dataclass
from typing import Any

import anyio.to_thread
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from libpolis.settings import Settings, get_settings

__all__ = ["AdmissionLimiter", "AdmissionStats", "ServerErrors", "admission_options"]

_LOG = logging.getLogger("libpolis.web")
_UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_EXEMPT = ("/static/", "/vendor/")  # files from disk: no database, and quick
_BUSY = ("database is locked", "database is busy", "database table is locked")


@dataclass
class AdmissionStats:
    """Counters of one limiter since it started (per worker)."""

    admitted: int = 0
    queued: int = 0
    refused_full: int = 0
    refused_timeout: int = 0
    running: int = 0
    waiting: int = 0


def admission_options(engine: Engine, settings: Settings | None = None) -> dict[str, Any]:
    """The limiter's bounds for a worker on ``engine``, from the settings.

    By default a worker runs four requests at once, or half its connection pool
    (``db_pool_size + db_max_overflow``) if that is less: a worker runs Python on one core at a
    time, and a few requests keep it busy while others wait for the database; more would only
    share the core and all finish later. Two of them may be writes on SQLite (which writes one
    at a time), all of them on PostgreSQL.
    """
    s = settings or get_settings()
    limit = s.web_max_concurrency or max(1, min(4, (s.db_pool_size + s.db_max_overflow) // 2))
    # SQLite writes one at a time (the engine's WriterLock); two let the next one get ready
    writers = s.web_max_writers or (2 if engine.dialect.name == "sqlite" else limit)
    return {
        "limit": limit,
        "write_limit": min(writers, limit),
        "max_queue": s.web_max_queue,
        "queue_timeout_s": s.web_queue_timeout_s,
        "retry_after_s": s.web_retry_after_s,
    }


class AdmissionLimiter:
    """ASGI middleware: a bounded number of requests at once, a bounded queue, then ``503``.

    Parameters
    ----------
    app : ASGIApp
        The wrapped application.
    limit : int
        Requests running at once (in this worker).
    write_limit : int
        Of those, writes running at once.
    max_queue : int
        Requests that may wait for their turn; more are refused at once.
    queue_timeout_s : float
        Longest wait in the queue, in seconds; then the request is refused.
    retry_after_s : int
        The ``Retry-After`` of a refusal, in seconds.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        limit: int,
        write_limit: int,
        max_queue: int,
        queue_timeout_s: float,
        retry_after_s: int,
    ) -> None:
        if limit < 1 or not 1 <= write_limit <= limit:
            raise ValueError(f"limits must satisfy 1 <= write_limit ({write_limit}) <= limit")
        self.app = app
        self.limit = limit
        self.write_limit = write_limit
        self.max_queue = max_queue
        self.queue_timeout_s = queue_timeout_s
        self.retry_after_s = retry_after_s
        self.stats = AdmissionStats()
        self._writes = 0
        self._service_s = [0.0, 0.0]  # recent run time of a read, of a write (seconds)
        self._queue: deque[tuple[bool, asyncio.Future[None]]] = deque()
        self._threads_checked = False

    def _can_run(self, write: bool) -> bool:
        return self.stats.running < self.limit and (not write or self._writes < self.write_limit)

    def _take(self, write: bool) -> None:
        self.stats.running += 1
        self.stats.admitted += 1
        self._writes += write

    def _give_back(self, write: bool) -> None:
        self.stats.running -= 1
        self._writes -= write
        for item in list(self._queue):  # first come first served, among those that may run
            wants_write, fut = item
            if self.stats.running >= self.limit:
                break
            if fut.done() or not self._can_run(wants_write):
                continue
            self._queue.remove(item)
            self._take(wants_write)
            fut.set_result(None)
        self.stats.waiting = len(self._queue)

    def _expected_wait_s(self, write: bool) -> float:
        """How long a request joining the queue now would wait and run: the requests ahead of
        it (of its kind, for a write) times the recent time a request runs, over the slots,
        and its own run."""
        ahead = sum(1 for w, _ in self._queue if w or not write) + 1
        slots = self.write_limit if write else self.limit
        return (ahead / slots + 1) * self._service_s[write]

    def _ran(self, write: bool, seconds: float) -> None:
        self._service_s[write] += 0.1 * (seconds - self._service_s[write])  # moving average

    async def _wait_turn(self, write: bool) -> bool:
        """Whether the request may run (it then holds a slot)."""
        if self._can_run(write):
            self._take(write)
            return True
        if len(self._queue) >= self.max_queue:
            self.stats.refused_full += 1
            return False
        if self._expected_wait_s(write) > self.queue_timeout_s:  # it would wait in vain
            self.stats.refused_full += 1
            return False
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        item = (write, fut)
        self._queue.append(item)
        self.stats.queued += 1
        self.stats.waiting = len(self._queue)
        try:
            await asyncio.wait({fut}, timeout=self.queue_timeout_s)
        except BaseException:  # the client went away (cancelled): leave no slot behind
            if fut.done():
                self._give_back(write)
            else:
                self._queue.remove(item)
            raise
        if fut.done():
            return True
        self._queue.remove(item)
        self.stats.waiting = len(self._queue)
        self.stats.refused_timeout += 1
        return False

    def _ensure_threads(self) -> None:
        # every request in flight may need a worker thread for its next step: never fewer
        limiter = anyio.to_thread.current_default_thread_limiter()
        if limiter.total_tokens < self.limit + 8:
            limiter.total_tokens = self.limit + 8
        self._threads_checked = True

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(_EXEMPT):
            await self.app(scope, receive, send)
            return
        if not self._threads_checked:
            self._ensure_threads()
        write = scope["method"] in _UNSAFE
        if not await self._wait_turn(write):
            await send_error(
                send,
                scope,
                503,
                "the server is busy; try again in a moment",
                retry_after_s=self.retry_after_s,
            )
            return
        t0 = time.perf_counter()
        try:
            await self.app(scope, receive, send)
        finally:
            self._give_back(write)
            self._ran(write, time.perf_counter() - t0)


class ServerErrors:
    """ASGI middleware: an exception no handler took becomes a ``500`` page or JSON body
    (a ``503`` with ``Retry-After`` when the store is overloaded); every ``503`` gets a
    ``Retry-After``. The exception is logged with its traceback (logger ``libpolis.web``)."""

    def __init__(self, app: ASGIApp, *, retry_after_s: int | None = None) -> None:
        self.app = app
        self.retry_after_s = retry_after_s or get_settings().web_retry_after_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False
        retry = str(self.retry_after_s)

        async def watch(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                if message["status"] == 503:
                    headers = MutableHeaders(scope=message)
                    if "retry-after" not in headers:
                        headers["retry-after"] = retry
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception as exc:
            if started:  # too late for another answer: the server closes the connection
                raise
            if overloaded(exc):
                _LOG.warning("%s %s: store overloaded: %s", scope["method"], scope["path"], exc)
                await send_error(
                    send,
                    scope,
                    503,
                    "the server is busy; try again in a moment",
                    retry_after_s=self.retry_after_s,
                )
                return
            _LOG.exception("%s %s failed", scope["method"], scope["path"])
            await send_error(send, scope, 500, "something went wrong on the server")


def overloaded(exc: BaseException) -> bool:
    """Whether ``exc`` says the store is overloaded rather than broken: the connection pool
    timed out, or SQLite stayed locked by other writers past its busy timeout."""
    if isinstance(exc, PoolTimeoutError):
        return True
    if isinstance(exc, OperationalError):
        text = str(exc.orig).lower()
        return any(b in text for b in _BUSY)
    return False


async def send_error(
    send: Send, scope: Scope, status: int, message: str, *, retry_after_s: int | None = None
) -> None:
    """Answer ``status`` with ``{"detail": message}`` under ``/api``, a small HTML page
    elsewhere (no template: it must work when everything else is failing)."""
    if scope["path"].startswith("/api"):
        body = json.dumps({"detail": message}).encode()
        ctype = b"application/json"
    else:
        title = {500: "Server error", 503: "Busy"}.get(status, "Error")
        body = (
            '<!doctype html><html lang="en"><head><meta charset="utf-8">'
            f"<title>{status} {title} · libpolis</title></head><body><main>"
            f"<h1>{status} {title}</h1><p>{html.escape(message)}</p>"
            '<p><a href="/">Back to the start page</a></p></main></body></html>'
        ).encode()
        ctype = b"text/html; charset=utf-8"
    headers = [(b"content-type", ctype), (b"content-length", str(len(body)).encode())]
    headers.append((b"cache-control", b"no-store"))
    if retry_after_s is not None:
        headers.append((b"retry-after", str(retry_after_s).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
