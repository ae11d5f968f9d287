"""Runs the crowd scenarios (``web_load.py --crowd``) on SQLite and PostgreSQL, behind nginx
or not: builds each store, starts ``libpolis serve`` (and nginx), runs every scenario, prints
one table and the machine's load (``uptime``) before and after each scenario."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from _web_crowd import SCENARIOS, Context, run_scenario, stored_writes
from sqlalchemy import Engine, create_engine, select, text

from libpolis.store import open_store
from libpolis.store.tables import Base, Partnership, Programme

__all__ = ["crowd"]

_NOT_COPIED = {"run", "result"}  # the evidence's runs point at result tables not copied


def _uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def copy_to_postgres(sqlite_path: Path, pg_base: str) -> tuple[str, str]:
    """The register of the SQLite store in a new PostgreSQL schema: (URL, schema)."""
    schema = f"lp_crowd_{uuid.uuid4().hex[:10]}"
    admin = create_engine(pg_base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    url = f"{pg_base}?options=-csearch_path%3D{schema}"
    src, dst = open_store(f"sqlite:///{sqlite_path}"), open_store(url)
    with src.connect() as s, dst.begin() as d:
        for table in Base.metadata.sorted_tables:
            if table.name in _NOT_COPIED or table.name in {"alembic_version", "store_revision"}:
                continue
            rows = [dict(r._mapping) for r in s.execute(select(table))]
            for start in range(0, len(rows), 5000):
                d.execute(table.insert(), rows[start : start + 5000])
            if "id" in table.c and rows:
                d.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f"(SELECT max(id) FROM {table.name}))"
                    )
                )
    src.dispose()
    dst.dispose()
    return url, schema


def drop_schema(pg_base: str, schema: str) -> None:
    admin = create_engine(pg_base)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


_NGINX_CONF = """worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/nginx-body;
    proxy_temp_path {tmp}/nginx-proxy;
    fastcgi_temp_path {tmp}/nginx-fastcgi;
    uwsgi_temp_path {tmp}/nginx-uwsgi;
    scgi_temp_path {tmp}/nginx-scgi;
    upstream libpolis {{ server 127.0.0.1:{upstream}; keepalive 64; }}
    server {{
        listen 127.0.0.1:{port};
        client_max_body_size 11m;
        location / {{
            proxy_pass http://libpolis;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_read_timeout 60s;
        }}
    }}
}}
"""


@contextmanager
def serving(store: str, workers: int, tmp: Path, proxy: str | None, env_extra: dict[str, str]):
    """``libpolis serve`` on ``store`` (and nginx in front with ``proxy='nginx'``): yields the
    port clients use."""
    from web_load import _free_port

    port = _free_port()
    env = {**os.environ, "LIBPOLIS_SECRET_KEY": os.urandom(24).hex(), **env_extra}
    where = ["--db", store] if store.startswith("postgresql") else ["--workspace", store]
    cmd = [sys.executable, "-c", "from libpolis.cli import main; main()", "serve", "--host",
           "127.0.0.1", "--port", str(port), *where, "--workers", str(workers),
           "--log-level", "warning"]  # fmt: skip
    log = (tmp / "server.log").open("ab")
    procs = [subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)]
    front = port
    try:
        if proxy == "nginx":
            front = _free_port()
            conf = tmp / "nginx.conf"
            conf.write_text(_NGINX_CONF.format(tmp=tmp, upstream=port, port=front))
            nginx = shutil.which("nginx") or "/usr/sbin/nginx"
            procs.append(
                subprocess.Popen(
                    [nginx, "-c", str(conf), "-p", str(tmp), "-g", "daemon off;"],
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
        deadline = time.monotonic() + 600  # workers start slowly on a loaded machine
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{front}/api/libraries", timeout=30).is_success:
                    break
            except httpx.HTTPError:
                pass
            if any(p.poll() is not None for p in procs) or time.monotonic() > deadline:
                raise SystemExit(
                    "server did not start: " + (tmp / "server.log").read_text()[-2000:]
                )
            time.sleep(0.3)
        yield front
    finally:
        for p in reversed(procs):
            p.terminate()
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        log.close()


def _context(engine: Engine, port: int, args: Any) -> Context:
    from web_load import WRITER_EMAIL, WRITER_PASSWORD

    with engine.connect() as conn:
        lib = conn.execute(text("SELECT min(id) FROM library")).scalar_one()
        progs = list(conn.scalars(select(Programme.id).limit(2000)))
        ships = list(conn.scalars(select(Partnership.id)))
    return Context(
        host="127.0.0.1",
        port=port,
        email=WRITER_EMAIL,
        password=WRITER_PASSWORD,
        library_id=lib,
        programme_ids=progs,
        partnership_ids=ships,
        n_programmes=args.programmes,
        timeout_s=args.timeout_s,
        think_s=args.think_ms / 1000,
        reader_think_s=args.reader_think_ms / 1000,
    )


def crowd(args: Any, sqlite_path: Path, tmp: Path) -> list[dict[str, Any]]:
    """Every scenario on every backend asked for; prints each result as it comes (one JSON
    object a line with --json, then all of them)."""
    from web_load import _run

    results: list[dict[str, Any]] = []
    env_extra = dict(kv.split("=", 1) for kv in args.env)
    for backend in args.backends.split(","):
        schema = None
        if backend == "postgresql":
            store, schema = copy_to_postgres(sqlite_path, args.pg_url)
        else:
            store = str(sqlite_path)
        engine = open_store(store if schema else f"sqlite:///{store}")
        try:
            with serving(store, args.workers, tmp, args.proxy, env_extra) as port:
                ctx = _context(engine, port, args)
                for name in args.scenario or list(SCENARIOS):
                    before = _uptime()
                    tally, elapsed = _run(run_scenario(ctx, name, args.seconds))
                    row = {"backend": backend, "scenario": name, "clients": SCENARIOS[name][0],
                           "proxy": args.proxy or "none", "workers": args.workers,
                           **tally.summary(elapsed), "seconds": round(elapsed, 1),
                           "uptime_before": before, "uptime_after": _uptime()}  # fmt: skip
                    if tally.written or tally.refused:
                        row.update(stored_writes(engine, tally))
                    results.append(row)
                    if args.json:
                        print(json.dumps(row), flush=True)
                    else:
                        _print_row(row)
        finally:
            engine.dispose()
            if schema:
                drop_schema(args.pg_url, schema)
    if args.json:
        print(json.dumps(results, indent=1))
    return results


def _print_row(r: dict[str, Any]) -> None:
    print(
        f"[{r['backend']}, {r['workers']} workers, proxy {r['proxy']}] {r['scenario']} "
        f"({r['clients']} clients, {r['seconds']} s): {r['requests']} requests, ok {r['ok']} "
        f"({r['ok_per_s']:.0f}/s, p50 {r['p50_ms']:.0f} ms, p95 {r['p95_ms']:.0f} ms, "
        f"max {r['max_ms']:.0f} ms); 503+Retry-After {r['shed_503']}; other 5xx "
        f"{r['other_5xx']} {r['5xx_by_status'] or ''}; timeouts {r['timeouts']}; "
        f"connection errors {r['connection_errors']}; 4xx {r['4xx'] or 0}; "
        f"sign-in failures {r['signin_failures']}"
    )
    if "writes_2xx" in r:
        print(
            f"    writes answered 2xx: {r['writes_2xx']}, of which stored "
            f"{r['writes_2xx_stored']}; refused: {r['writes_refused']}, of which stored "
            f"{r['writes_refused_stored']}"
        )
    print(
        f"    uptime before: {r['uptime_before']}\n    uptime after:  {r['uptime_after']}",
        flush=True,
    )
