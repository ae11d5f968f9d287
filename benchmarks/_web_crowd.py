"""The crowd scenarios of ``web_load.py --crowd`` (issue 14): does the register stay up?

Three scenarios, each for ``seconds`` against one running server:

* ``anonymous searches``: 200 visitors who are not signed in, each asking searches no one
  asked before (``/api/programmes?q=…`` and the programmes page with ``q``), so every request
  misses the read cache and runs its SQL;
* ``signed-in writers``: 100 signed-in staff (cookie session and CSRF token, as the pages do),
  each adding a partner and a programme in turn (a programme also gets its alignment
  suggestions); afterwards every write answered ``201`` is looked up in the store, and every
  refused one must be absent;
* ``signed-in reads``: 50 signed-in staff reading lists, records and pages (never served from
  the read cache), each pausing ``reader_think_s`` (0.5-1.5 times it) between requests as a
  person reading does: 50 people clicking once a second is a busy register.

Each client is a keep-alive HTTP/1.1 connection on raw sockets (as in ``web_load.py``). A
request is counted as: ok (2xx, 3xx), shed (``503`` with ``Retry-After``: the client waits that
long and carries on, as a browser's user would), other 5xx, 4xx, timeout (no answer within
``timeout_s``) or connection error. The target: 0 other 5xx and 0 timeouts.
"""

from __future__ import annotations

import asyncio
import json
import random
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

__all__ = ["SCENARIOS", "Tally", "run_scenario", "stored_writes"]

_TOPIC_WORDS = ["reading", "coding", "language", "health", "history", "maker", "job", "story"]
_STATUSES = ["idea", "proposed", "agreed", "active", "evaluated"]


@dataclass
class Tally:
    """What the clients of one scenario saw."""

    latencies_ms: list[float] = field(default_factory=list)
    shed: int = 0
    shed_without_retry_after: int = 0
    server_errors: dict[int, int] = field(default_factory=dict)
    client_errors: dict[int, int] = field(default_factory=dict)
    timeouts: int = 0
    conn_errors: int = 0
    written: list[tuple[str, str]] = field(default_factory=list)  # (kind, unique name): 201
    refused: list[tuple[str, str]] = field(default_factory=list)  # writes not answered 2xx
    signin_failures: int = 0

    def summary(self, seconds: float) -> dict[str, Any]:
        lat = self.latencies_ms
        n = len(lat) + self.shed + sum(self.server_errors.values())
        n += sum(self.client_errors.values()) + self.timeouts + self.conn_errors
        return {
            "requests": n,
            "ok": len(lat),
            "ok_per_s": len(lat) / seconds if seconds else 0.0,
            "p50_ms": _pct(lat, 50),
            "p95_ms": _pct(lat, 95),
            "max_ms": max(lat) if lat else float("nan"),
            "shed_503": self.shed,
            "503_without_retry_after": self.shed_without_retry_after,
            "other_5xx": sum(self.server_errors.values()),
            "5xx_by_status": dict(self.server_errors),
            "4xx": dict(self.client_errors),
            "timeouts": self.timeouts,
            "connection_errors": self.conn_errors,
            "signin_failures": self.signin_failures,
        }


def _pct(values: list[float], q: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


class Client:
    """One visitor: a keep-alive HTTP/1.1 connection with its session cookie."""

    def __init__(self, host: str, port: int, timeout_s: float) -> None:
        self.host, self.port, self.timeout_s = host, port, timeout_s
        self.cookie = b""
        self.csrf: str | None = None
        self._conn: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    def close(self) -> None:
        if self._conn is not None:
            self._conn[1].close()
            self._conn = None

    async def request(
        self, method: str, path: str, body: Any = None
    ) -> tuple[int, dict[bytes, bytes], bytes]:
        """Status, headers and body; raises TimeoutError, OSError, IncompleteReadError."""
        data = json.dumps(body).encode() if body is not None else b""
        head = (
            f"{method} {quote(path, safe='/?=&%')} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
        ).encode()
        if self.cookie:
            head += b"Cookie: " + self.cookie + b"\r\n"
        if method != "GET":
            head += f"Origin: http://{self.host}:{self.port}\r\n".encode()
            if self.csrf:
                head += f"X-CSRF-Token: {self.csrf}\r\n".encode()
            head += b"Content-Type: application/json\r\n"
            head += f"Content-Length: {len(data)}\r\n".encode()
        raw = head + b"\r\n" + data
        try:
            return await asyncio.wait_for(self._exchange(raw), self.timeout_s)
        except BaseException:
            self.close()
            raise

    async def _exchange(self, raw: bytes) -> tuple[int, dict[bytes, bytes], bytes]:
        reused = self._conn is not None
        try:
            return await self._once(raw)
        except (asyncio.IncompleteReadError, ConnectionResetError, BrokenPipeError):
            if not reused:
                raise
            self.close()  # the server closed an idle kept-alive connection: once more
            return await self._once(raw)

    async def _once(self, raw: bytes) -> tuple[int, dict[bytes, bytes], bytes]:
        if self._conn is None:
            self._conn = await asyncio.open_connection(self.host, self.port)
        reader, writer = self._conn
        writer.write(raw)
        await writer.drain()
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        status = int(lines[0].split(b" ", 2)[1])
        headers: dict[bytes, bytes] = {}
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            if name:
                headers[name.strip().lower()] = value.strip()
        if b"set-cookie" in headers:
            self.cookie = headers[b"set-cookie"].split(b";", 1)[0]
        if b"chunked" in headers.get(b"transfer-encoding", b"").lower():
            parts = []
            while True:
                size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
                parts.append((await reader.readexactly(size + 2))[:-2])
                if size == 0:
                    break
            body = b"".join(parts)
        else:
            body = await reader.readexactly(int(headers.get(b"content-length", b"0")))
        if headers.get(b"connection", b"").lower() == b"close":
            self.close()
        return status, headers, body

    async def sign_in(self, email: str, password: str, tally: Tally, stop: float) -> bool:
        """Sign in with a cookie session (retrying after a 503, as a person would)."""
        while time.perf_counter() < stop:
            try:
                status, headers, body = await self.request(
                    "POST", "/api/auth/login", {"email": email, "password": password}
                )
            except (TimeoutError, OSError, asyncio.IncompleteReadError):
                await asyncio.sleep(1.0)
                continue
            if status == 200:
                self.csrf = json.loads(body)["csrf_token"]
                return True
            if status == 503:
                await asyncio.sleep(float(headers.get(b"retry-after", b"1")))
                continue
            break
        tally.signin_failures += 1
        self.close()
        return False


async def _timed(client: Client, tally: Tally, method: str, path: str, body: Any = None) -> int:
    """One request, counted in ``tally``; a 503 with Retry-After is waited out. The status
    (0 for a timeout or a failed connection)."""
    t0 = time.perf_counter()
    try:
        status, headers, _ = await client.request(method, path, body)
    except TimeoutError:
        tally.timeouts += 1
        return 0
    except (OSError, asyncio.IncompleteReadError, ValueError, IndexError):
        tally.conn_errors += 1
        await asyncio.sleep(0.5)
        return 0
    dt = (time.perf_counter() - t0) * 1000
    if status < 400:
        tally.latencies_ms.append(dt)
    elif status == 503 and b"retry-after" in headers:
        tally.shed += 1
        await asyncio.sleep(float(headers[b"retry-after"]) * random.uniform(0.5, 1.5))
    elif status >= 500:
        tally.server_errors[status] = tally.server_errors.get(status, 0) + 1
        if status == 503:
            tally.shed_without_retry_after += 1
    else:
        tally.client_errors[status] = tally.client_errors.get(status, 0) + 1
    return status


@dataclass
class Context:
    """What the scenarios need to know about the store they run against."""

    host: str
    port: int
    email: str
    password: str
    library_id: int
    programme_ids: list[int]
    partnership_ids: list[int]
    n_programmes: int
    timeout_s: float = 10.0
    think_s: float = 0.0
    reader_think_s: float = 1.0


async def _anonymous_search(c: Client, ctx: Context, i: int, stop: float, tally: Tally) -> None:
    rng = random.Random(1000 + i)
    k = 0
    while time.perf_counter() < stop:
        k += 1
        word = rng.choice(_TOPIC_WORDS)
        q = f"{word} {i}-{k}-{rng.randrange(10**6)}"  # never asked before: a cache miss
        if k % 4:
            await _timed(c, tally, "GET", f"/api/programmes?q={q}")
        else:
            await _timed(c, tally, "GET", f"/programmes?q={q}")


async def _writer(c: Client, ctx: Context, i: int, stop: float, tally: Tally) -> None:
    k = 0
    while time.perf_counter() < stop:
        k += 1
        name = f"Crowd {i}-{k}-{random.randrange(10**9)}"
        if k % 2:
            kind, path = "partner", "/api/partners"
            body: dict[str, Any] = {"name": name, "kind": "NGO"}
        else:
            kind, path = "programme", "/api/programmes"
            body = {
                "title": name,
                "description": "Children and families read together and talk about books.",
                "library_id": ctx.library_id,
            }
        status = await _timed(c, tally, "POST", path, body)
        (tally.written if 200 <= status < 300 else tally.refused).append((kind, name))
        if ctx.think_s:
            await asyncio.sleep(ctx.think_s * random.uniform(0.5, 1.5))


async def _signed_in_reads(c: Client, ctx: Context, i: int, stop: float, tally: Tally) -> None:
    rng = random.Random(2000 + i)
    pages = max(1, ctx.n_programmes // 50)
    while time.perf_counter() < stop:
        pick = rng.randrange(6)
        if pick == 0:
            path = f"/api/programmes?page={rng.randint(1, pages)}"
        elif pick == 1:
            path = f"/api/programmes/{rng.choice(ctx.programme_ids)}"
        elif pick == 2:
            path = f"/programmes?page={rng.randint(1, pages)}"
        elif pick == 3:
            path = f"/api/partnerships?status={rng.choice(_STATUSES)}"
        elif pick == 4:
            path = f"/api/partnerships/{rng.choice(ctx.partnership_ids)}"
        else:
            path = "/api/libraries"
        await _timed(c, tally, "GET", path)
        if ctx.reader_think_s:
            await asyncio.sleep(ctx.reader_think_s * rng.uniform(0.5, 1.5))


Loop = Callable[[Client, Context, int, float, Tally], Awaitable[None]]
SCENARIOS: dict[str, tuple[int, Loop]] = {
    "anonymous searches": (200, _anonymous_search),
    "signed-in writers": (100, _writer),
    "signed-in reads": (50, _signed_in_reads),
}
_SIGNED_IN = {"signed-in writers", "signed-in reads"}


async def run_scenario(
    ctx: Context, name: str, seconds: float, clients: int | None = None
) -> tuple[Tally, float]:
    """Run scenario ``name`` with its number of clients (or ``clients``) for ``seconds``."""
    n, loop = SCENARIOS[name]
    n = clients or n
    tally = Tally()
    conns = [Client(ctx.host, ctx.port, ctx.timeout_s) for _ in range(n)]
    if name in _SIGNED_IN:  # everyone signs in first (not timed; 503s waited out)
        until = time.perf_counter() + max(120.0, 4 * seconds)
        signed = await asyncio.gather(
            *(c.sign_in(ctx.email, ctx.password, tally, until) for c in conns)
        )
        conns = [c for c, ok in zip(conns, signed, strict=True) if ok]
    stop = time.perf_counter() + seconds
    t0 = time.perf_counter()
    await asyncio.gather(*(loop(c, ctx, i, stop, tally) for i, c in enumerate(conns)))
    for c in conns:
        c.close()
    return tally, time.perf_counter() - t0


def stored_writes(engine: Any, tally: Tally) -> dict[str, int]:
    """How many of the writes answered 2xx are in the store, and how many refused ones are."""
    from sqlalchemy import select

    from libpolis.store.tables import Partner, Programme

    def present(items: list[tuple[str, str]]) -> int:
        found = 0
        with engine.connect() as conn:
            for kind, column in (("partner", Partner.name), ("programme", Programme.title)):
                names = [n for k, n in items if k == kind]
                for start in range(0, len(names), 500):
                    chunk = names[start : start + 500]
                    found += len(set(conn.scalars(select(column).where(column.in_(chunk)))))
        return found

    return {
        "writes_2xx": len(tally.written),
        "writes_2xx_stored": present(tally.written),
        "writes_refused": len(tally.refused),
        "writes_refused_stored": present(tally.refused),
    }
