"""Load test of the web app: 50 concurrent clients for 30 s over the dashboard and the lists.

Builds the Helsinki demo workspace, adds 10,000 programmes and 500 partnerships (with partners,
city goals and goal links), starts ``libpolis serve`` on a free loopback port in a subprocess
(``--workers`` uvicorn workers, read cache on unless ``--no-read-cache``), warms it up (four
requests per endpoint kind and worker, on new connections), then drives ``--clients`` concurrent clients for ``--seconds``
seconds. Each client is one keep-alive HTTP/1.1 connection that keeps its session cookie like
a browser, sending its next request as soon as the last one is answered (or after
``--think-ms``). Prints p50/p95/max latency per endpoint and overall, requests per second,
errors (any status other than 200, or a failed request), the share of responses served from
the read cache, and the CPU time per request of the server and of the load generator.

A static file of the same server is in the mix as the floor: the latency of the server and
the load generator themselves, without any libpolis code.

Usage::

    python benchmarks/web_load.py [--clients 50] [--seconds 30] [--programmes 10000]
                                  [--partnerships 500] [--workers 1] [--no-read-cache]
                                  [--think-ms 0] [--json]

``--crowd`` runs the crowd scenarios of issue 14 instead (``_web_crowd.py``): 200 anonymous
clients on cache-missing searches, 100 signed-in writers and 50 signed-in readers, ``--seconds``
each, on SQLite and PostgreSQL (``--backends``), optionally behind nginx (``--proxy nginx``)::

    python benchmarks/web_load.py --crowd --workers 2 --seconds 60 [--proxy nginx]

Loopback only; the load generator runs on the same machine as the server.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import httpx
from sqlalchemy import insert

from libpolis.demo import build_demo_workspace
from libpolis.store import open_store, session_scope
from libpolis.store.tables import (
    Framework,
    Goal,
    Library,
    Partner,
    Partnership,
    PartnershipGoal,
    PartnershipStatusChange,
    Programme,
    User,
)
from libpolis.web.security import hash_password

_TOPICS = [
    ("Reading club", "Children and families read together and talk about books."),
    ("Coding workshop", "Young people learn programming and digital skills with mentors."),
    ("Language café", "Newcomers practise Finnish and Swedish in a relaxed meeting."),
    ("Health information desk", "Nurses answer questions about health and wellbeing."),
    ("Local history talk", "Residents share memories and photographs of the district."),
    ("Maker space evening", "3D printing, sewing and repair for everyone, free of charge."),
    ("Job search help", "Advice on CVs, applications and online job portals."),
    ("Storytime", "Picture books read aloud for small children and their parents."),
]
_STATUSES = ["idea", "proposed", "agreed", "active", "evaluated"]
WRITER_EMAIL = "admin@bench.example"
WRITER_PASSWORD = "bench admin password"


def build_store(path: Path, n_programmes: int, n_partnerships: int, seed: int = 7) -> None:
    """The demo workspace plus synthetic register records (seeded, reproducible)."""
    build_demo_workspace(path, show_progress=False)
    engine = open_store(f"sqlite:///{path}")
    rng = random.Random(seed)
    now = datetime.now(UTC)
    with session_scope(engine) as s:
        libs = [(lib.id, lib.name) for lib in s.query(Library).all()]
        rows = []
        for i in range(n_programmes):
            title, text = _TOPICS[i % len(_TOPICS)]
            lib_id, lib_name = rng.choice(libs)
            start = date(2024, 1, 1) + timedelta(days=rng.randrange(600))
            rows.append(
                {
                    "source": "bench",
                    "source_id": f"p{i}",
                    "attrs": {},
                    "updated_at": now,
                    "title": f"{title} {i}",
                    "description": f"{text} Session {i}.",
                    "library_id": lib_id,
                    "library_name": lib_name,
                    "audience": rng.choice(["children", "young people", "adults", None]),
                    "start_date": start,
                    "end_date": start + timedelta(days=rng.randrange(90)),
                    "attendance": rng.randrange(5, 200),
                }
            )
        s.execute(insert(Programme), rows)
        fw = Framework(source="bench", source_id="city", key="city", name="City goals", attrs={})
        s.add(fw)
        s.flush()
        goals = []
        for k in range(12):
            g = Goal(
                source="bench",
                source_id=f"g{k}",
                framework_id=fw.id,
                code=f"C{k + 1}",
                title=f"City goal {k + 1}",
                text="",
                attrs={},
            )
            s.add(g)
            goals.append(g)
        partners = [
            Partner(
                source="bench",
                source_id=f"o{k}",
                name=f"Partner {k}",
                kind=rng.choice(["school", "NGO", "health service"]),
                attrs={},
            )
            for k in range(100)
        ]
        s.add_all(partners)
        s.flush()
        districts = [
            "Eteläinen",
            "Läntinen",
            "Keskinen",
            "Pohjoinen",
            "Koillinen",
            "Kaakkoinen",
            "Itäinen",
            "Östersundom",
        ]
        for i in range(n_partnerships):
            status = _STATUSES[i % len(_STATUSES)]
            p = Partnership(
                source="bench",
                source_id=f"s{i}",
                attrs={},
                title=f"Partnership {i}",
                purpose=_TOPICS[i % len(_TOPICS)][1],
                status=status,
                partner_id=rng.choice(partners).id,
                district=rng.choice(districts),
                published=i % 2 == 0,
            )
            s.add(p)
            s.flush()
            for gl in rng.sample(goals, 2):
                s.add(PartnershipGoal(partnership_id=p.id, goal_id=gl.id))
            for a, b in zip(
                [None, *_STATUSES], _STATUSES[: _STATUSES.index(status) + 1], strict=False
            ):
                s.add(
                    PartnershipStatusChange(
                        partnership_id=p.id, from_status=a, to_status=b, changed_by="bench"
                    )
                )
        s.add(
            User(
                email=WRITER_EMAIL,
                name="Bench admin",
                role="admin",
                password_hash=hash_password(WRITER_PASSWORD),
                is_active=True,
            )
        )
    engine.dispose()


def _cpu_s(pid: int) -> float:
    """CPU seconds (user + system) of a process and its direct children (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(entry.name) == pid or int(fields[1]) == pid:
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _endpoints(rng: random.Random, n_programmes: int) -> list[tuple[str, str]]:
    """(name, url) pairs drawn for one request each; names group the statistics."""
    pages = max(1, n_programmes // 50)
    return [
        ("dashboard /", "/"),
        ("GET /api/evidence", "/api/evidence"),
        ("GET /api/programmes?page=k", f"/api/programmes?page={rng.randint(1, pages)}"),
        (
            "GET /api/programmes?q=",
            f"/api/programmes?q={rng.choice(['reading', 'health', 'café'])}",
        ),
        ("page /programmes?page=k", f"/programmes?page={rng.randint(1, pages)}"),
        ("GET /api/partnerships?status=", f"/api/partnerships?status={rng.choice(_STATUSES)}"),
        ("GET /api/partnerships?page=k", f"/api/partnerships?page={rng.randint(1, 5)}"),
        ("page /partnerships?status=", f"/partnerships?status={rng.choice(_STATUSES)}"),
        ("GET /api/libraries", "/api/libraries"),
        ("GET /api/partners", "/api/partners"),
        ("floor: static file", "/static/favicon.svg"),
    ]


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes | None, bool, bool]:
    """Status, the session cookie if set, whether the server keeps the connection, and
    whether the response came from the read cache."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split(b" ", 2)[1])
    length, chunked, cookie, keep, hit = 0, False, None, True, False
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        name, value = name.strip().lower(), value.strip()
        if name == b"content-length":
            length = int(value)
        elif name == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
        elif name == b"set-cookie":
            cookie = value.split(b";", 1)[0]
        elif name == b"connection" and value.lower() == b"close":
            keep = False
        elif name == b"x-libpolis-cache":
            hit = value == b"hit"
    if chunked:
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    elif length:
        await reader.readexactly(length)
    return status, cookie, keep, hit


async def _client(
    host: str,
    port: int,
    stop: float,
    seed: int,
    n_programmes: int,
    out: dict[str, list[float]],
    errors: dict[str, int],
    hits: dict[str, int],
    think_s: float,
) -> None:
    """One visitor: a keep-alive HTTP/1.1 connection that keeps its session cookie, as a
    browser does. A minimal client on raw sockets, so that the load generator costs the
    shared CPUs as little as possible (the httpx client used before spent about 1.1 ms of CPU per request)."""
    rng = random.Random(seed)
    cookie = b""
    conn: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
    while time.perf_counter() < stop:
        name, url = rng.choice(_endpoints(rng, n_programmes))
        request = (
            f"GET {quote(url, safe='/?=&')} HTTP/1.1\r\nHost: {host}:{port}\r\n".encode()
            + (b"Cookie: " + cookie + b"\r\n" if cookie else b"")
            + b"\r\n"
        )
        t0 = time.perf_counter()
        try:
            if conn is None:
                conn = await asyncio.open_connection(host, port)
            reader, writer = conn
            writer.write(request)
            status, set_cookie, keep, hit = await _read_response(reader)
            if hit:
                hits[name] = hits.get(name, 0) + 1
            ok = status == 200
            if set_cookie:
                cookie = set_cookie
            if not keep:
                writer.close()
                conn = None
        except (OSError, asyncio.IncompleteReadError, ValueError, IndexError):
            ok = False
            conn = None
        dt = (time.perf_counter() - t0) * 1000
        if ok:
            out.setdefault(name, []).append(dt)
        else:
            errors[name] = errors.get(name, 0) + 1
        if think_s:
            await asyncio.sleep(think_s * rng.uniform(0.5, 1.5))
    if conn is not None:
        conn[1].close()


def _pct(values: list[float], q: float) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


async def _drive(
    port: int, clients: int, seconds: float, n_programmes: int, think_s: float, writes_per_s: float
):
    out: dict[str, list[float]] = {}
    errors: dict[str, int] = {}
    hits: dict[str, int] = {}
    writes: list[float] = []
    write_errors: list[int] = []
    stop = time.perf_counter() + seconds
    t0 = time.perf_counter()
    tasks = [
        _client("127.0.0.1", port, stop, i, n_programmes, out, errors, hits, think_s)
        for i in range(clients)
    ]
    if writes_per_s > 0:
        base = f"http://127.0.0.1:{port}"
        library_id = httpx.get(f"{base}/api/libraries").json()["items"][0]["id"]
        tasks.append(_writer(base, stop, 1 / writes_per_s, library_id, writes, write_errors))
    await asyncio.gather(*tasks)
    return out, errors, hits, (writes, write_errors), time.perf_counter() - t0


async def _writer(
    base: str, stop: float, every_s: float, library_id: int, out: list[float], errors: list[int]
):
    """A signed-in admin (bearer token) who adds, every ``every_s`` seconds, a partner and a
    programme in turn through the API; each write makes stale every cached response that read
    the table it changed (a new programme also gets its alignment suggestions)."""
    async with httpx.AsyncClient(base_url=base, timeout=30.0) as client:
        r = await client.post(
            "/api/auth/token", json={"email": WRITER_EMAIL, "password": WRITER_PASSWORD}
        )
        r.raise_for_status()
        auth = {"Authorization": f"Bearer {r.json()['access_token']}"}
        k = 0
        while time.perf_counter() < stop:
            k += 1
            t0 = time.perf_counter()
            if k % 2:
                r = await client.post(
                    "/api/partners", json={"name": f"New partner {k}", "kind": "NGO"}, headers=auth
                )
            else:
                title, text = _TOPICS[k % len(_TOPICS)]
                body = {
                    "title": f"{title} (new {k})",
                    "description": text,
                    "library_id": library_id,
                }
                r = await client.post("/api/programmes", json=body, headers=auth)
            out.append((time.perf_counter() - t0) * 1000)
            if r.status_code != 201:
                errors.append(r.status_code)
            await asyncio.sleep(max(0.0, every_s - (time.perf_counter() - t0)))


def _run(coro):
    """Run the load on uvloop when it is installed (it is, with uvicorn[standard])."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover
        return asyncio.run(coro)
    return uvloop.run(coro)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--programmes", type=int, default=10_000)
    ap.add_argument("--partnerships", type=int, default=500)
    ap.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    ap.add_argument(
        "--writes-per-s",
        type=float,
        default=0.0,
        help="A signed-in admin adds this many records per second during the run "
        "(a partner and a programme in turn)",
    )
    ap.add_argument(
        "--no-read-cache",
        action="store_true",
        help="Serve with the read cache off (every request runs its route)",
    )
    ap.add_argument(
        "--think-ms",
        type=float,
        default=0.0,
        help="Pause of each client between its requests (0: back to back)",
    )
    ap.add_argument(
        "--crowd",
        action="store_true",
        help="Run the crowd scenarios instead (issue 14): 200 anonymous clients on "
        "cache-missing searches, 100 signed-in writers, 50 signed-in readers; --seconds each",
    )
    ap.add_argument("--backends", default="sqlite,postgresql", help="--crowd: stores to run on")
    ap.add_argument(
        "--pg-url",
        default=os.environ.get("LIBPOLIS_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1/test"),
        help="--crowd: PostgreSQL server (a schema is made for the run and dropped after)",
    )
    ap.add_argument("--proxy", choices=["nginx"], help="--crowd: serve behind this proxy")
    ap.add_argument("--timeout-s", type=float, default=10.0, help="--crowd: client timeout")
    ap.add_argument(
        "--reader-think-ms",
        type=float,
        default=1000.0,
        help="--crowd: pause of each signed-in reader between requests (0.5-1.5 times it)",
    )
    ap.add_argument(
        "--scenario", action="append", help="--crowd: run only this scenario (repeatable)"
    )
    ap.add_argument("--env", action="append", default=[], help="--crowd: KEY=VALUE for the server")
    ap.add_argument(
        "--store",
        type=Path,
        help="Work on a copy of this workspace, built there first if missing (saves the build)",
    )
    ap.add_argument("--json", action="store_true", help="Print one JSON object.")
    ap.add_argument("--keep", action="store_true", help="Keep the temporary workspace.")
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="libpolis-webload-"))
    ws = tmp / "workspace.sqlite"
    t = time.perf_counter()
    if args.store is None or not args.store.exists():
        build_store(ws, args.programmes, args.partnerships)
        if args.store is not None:
            shutil.copy(ws, args.store)
    else:
        shutil.copy(args.store, ws)
    build_s = time.perf_counter() - t
    if args.crowd:
        from _web_crowd_run import crowd

        try:
            crowd(args, ws, tmp)
        finally:
            if not args.keep:
                shutil.rmtree(tmp, ignore_errors=True)
        return
    port = _free_port()
    env = {**os.environ, "LIBPOLIS_SECRET_KEY": os.urandom(24).hex()}
    cmd = [
        sys.executable,
        "-c",
        "from libpolis.cli import main; main()",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workspace",
        str(ws),
        "--workers",
        str(args.workers),
        "--log-level",
        "warning",
        *(["--no-read-cache"] if args.no_read_cache else []),
    ]
    log = (tmp / "server.log").open("wb")
    server = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{base}/api/evidence", timeout=30).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                log.flush()
                tail = (tmp / "server.log").read_text(errors="replace")[-2000:]
                raise SystemExit(f"server did not start: {tail}")
            time.sleep(0.2)
        # warm every worker: each request opens its own connection, which the kernel hands to
        # whichever worker accepts it; a started server has built its evidence once per worker
        for _ in range(4 * args.workers):
            for _, url in _endpoints(random.Random(0), args.programmes):
                httpx.get(base + url, timeout=30)
        cpu0, own0 = _cpu_s(server.pid), time.process_time()
        out, errors, hits, (writes, write_errors), elapsed = _run(
            _drive(
                port,
                args.clients,
                args.seconds,
                args.programmes,
                args.think_ms / 1000,
                args.writes_per_s,
            )
        )
        server_cpu, client_cpu = _cpu_s(server.pid) - cpu0, time.process_time() - own0
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)

    rows = []
    for name in sorted(out):
        v = out[name]
        rows.append(
            {
                "endpoint": name,
                "n": len(v),
                "p50_ms": _pct(v, 50),
                "p95_ms": _pct(v, 95),
                "max_ms": max(v),
                "errors": errors.get(name, 0),
                "cache_hits": hits.get(name, 0),
            }
        )
    n_req = sum(len(v) for v in out.values()) + sum(errors.values())
    app_lat = [x for k, v in out.items() if not k.startswith("floor") for x in v]
    total = {
        "requests": n_req,
        "errors": sum(errors.values()),
        "rps": n_req / elapsed,
        "p50_ms": _pct(app_lat, 50),
        "p95_ms": _pct(app_lat, 95),
        "clients": args.clients,
        "seconds": round(elapsed, 1),
        "think_ms": args.think_ms,
        "workers": args.workers,
        "read_cache": not args.no_read_cache,
        "writes": len(writes),
        "write_errors": len(write_errors),
        "write_p50_ms": _pct(writes, 50) if writes else None,
        "write_p95_ms": _pct(writes, 95) if writes else None,
        "cache_hit_share": sum(v for k, v in hits.items() if not k.startswith("floor"))
        / max(1, len(app_lat)),
        "programmes": args.programmes,
        "partnerships": args.partnerships,
        "build_s": round(build_s, 1),
        "server_cpu_ms_per_request": 1000 * server_cpu / max(1, n_req),
        "client_cpu_ms_per_request": 1000 * client_cpu / max(1, n_req),
        "cpus": os.cpu_count(),
        "load_avg_1m": os.getloadavg()[0],
    }
    if args.json:
        print(json.dumps({"endpoints": rows, "total": total}, indent=1))
        return
    print(
        f"libpolis web load: {args.clients} clients, {elapsed:.1f} s, {args.programmes:,} "
        f"programmes, {args.partnerships} partnerships (store built in {build_s:.1f} s); "
        f"{args.workers} worker(s), read cache {'off' if args.no_read_cache else 'on'}, "
        f"think time {args.think_ms:.0f} ms"
    )
    print(
        f"{'endpoint':34s} {'n':>7s} {'p50 ms':>8s} {'p95 ms':>8s} {'max ms':>8s} "
        f"{'errors':>7s} {'hits':>6s}"
    )
    for r in rows:
        print(
            f"{r['endpoint']:34s} {r['n']:7d} {r['p50_ms']:8.1f} {r['p95_ms']:8.1f} "
            f"{r['max_ms']:8.1f} {r['errors']:7d} {r['cache_hits'] / r['n']:6.0%}"
        )
    print(
        f"all libpolis endpoints: p50 {total['p50_ms']:.1f} ms, p95 {total['p95_ms']:.1f} ms; "
        f"{total['rps']:.0f} requests/s; errors {total['errors']} of {total['requests']} "
        f"(target p95 < 100 ms, zero errors); {total['cache_hit_share']:.0%} served from the "
        f"read cache"
    )
    if writes:
        print(
            f"writes (partners and programmes in turn, {args.writes_per_s:g}/s): {len(writes)}, "
            f"p50 {total['write_p50_ms']:.1f} ms, p95 {total['write_p95_ms']:.1f} ms, "
            f"errors {len(write_errors)}"
        )
    print(
        f"CPU per request: server {total['server_cpu_ms_per_request']:.1f} ms, load generator "
        f"{total['client_cpu_ms_per_request']:.1f} ms; machine: {total['cpus']} CPUs, "
        f"1-minute load average at the end {total['load_avg_1m']:.1f}"
    )


if __name__ == "__main__":
    main()
