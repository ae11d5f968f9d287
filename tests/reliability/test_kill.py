"""``kill -9`` at random (seeded) moments of imports and of web writes, on SQLite and
PostgreSQL: after each, the store passes its integrity check and holds no partial rows (an
import is all there or not at all; every programme written through the web has its audit
entry and no audit entry lacks its programme)."""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select, text

from libpolis.store.tables import AuditEntry, Dataset, PopulationUnit, Programme

pytestmark = pytest.mark.slow

SEED = 20261207
#: kills per backend: 2 backends x (7 imports + 3 web servers) = 20 kills
IMPORT_RUNS, WEB_RUNS = 7, 3
UNITS = 40_000
PASSWORD = "kill-test password 1"
LIBPOLIS = [sys.executable, "-m", "libpolis.cli"]


def _big_population(path: Path) -> None:
    rng = random.Random(SEED)
    rows = [
        f"k{i},{24.90 + rng.random() * 0.2:.5f},{60.15 + rng.random() * 0.1:.5f},{rng.randint(0, 50)}"
        for i in range(UNITS)
    ]
    path.write_text("id,lon,lat,population\n" + "\n".join(rows) + "\n", encoding="utf-8")


#: The killed clients' PostgreSQL sessions carry this name: unique to this run, since other
#: runs of these tests may share the server.
APP_NAME = f"libpolis-kill-{os.getpid()}"


def _args(ws) -> list[str]:
    """The store options of the killed processes (on PostgreSQL tagged with APP_NAME)."""
    if ws.backend == "sqlite":
        return ws.args
    return ["--db", f"{ws.url}&application_name={APP_NAME}"]


def _integrity(ws) -> None:
    """SQLite's own check; on PostgreSQL, no session of a killed client left open (the
    server ends it, and rolls its transaction back, once it sees the socket closed)."""
    if ws.backend == "sqlite":
        with ws.engine.connect() as conn:
            assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
            assert conn.execute(text("PRAGMA foreign_key_check")).all() == []
        return
    states: list[str] = []
    for _ in range(240):  # the server notices a dead client when it next reads or writes
        # One transaction per look: PostgreSQL keeps the pg_stat_activity a transaction first
        # read until that transaction ends, so polling inside one would see the same rows.
        with ws.engine.connect() as conn:
            states = list(
                conn.execute(
                    text("select state from pg_stat_activity where application_name = :n"),
                    {"n": APP_NAME},
                ).scalars()
            )
        if not states:
            break
        time.sleep(0.5)
    assert not states, f"sessions of killed clients still open after 120 s: {states}"


def _kill_after(proc: subprocess.Popen, delay: float) -> bool:
    """SIGKILL ``proc`` after ``delay`` s; False if it had already ended."""
    try:
        proc.wait(timeout=delay)
        return False
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        return True


def _env() -> dict[str, str]:
    src = str(Path(__file__).resolve().parents[2] / "src")
    return {**os.environ, "PYTHONPATH": src, "LIBPOLIS_SECRET_KEY": "k" * 40}


def _import(path: Path, ws, source: str) -> subprocess.Popen:
    return subprocess.Popen(
        [*LIBPOLIS, "import", "population", str(path), "--source", source, *_args(ws)],
        env=_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def test_kill_9_during_imports(workspace, tmp_path: Path) -> None:
    path = tmp_path / "kill.csv"
    _big_population(path)
    start = time.monotonic()
    assert _import(path, workspace, "timing").wait() == 0
    took = time.monotonic() - start  # start-up, reading, checking, writing: kills land in all
    rng = random.Random(SEED)
    killed, outcomes = 0, []
    for run in range(IMPORT_RUNS):
        delay = rng.uniform(0.2, 1.0) * took
        source = f"kill{run}"
        killed += _kill_after(_import(path, workspace, source), delay)
        _integrity(workspace)
        with workspace.engine.connect() as conn:
            n = conn.scalar(select(func.count()).where(PopulationUnit.source == source))
            ds = conn.scalar(select(func.count()).where(Dataset.source == source))
        assert n in (0, UNITS), f"{n} partial rows after a kill at {delay:.2f} s"
        assert ds == (1 if n else 0)
        outcomes.append(f"{delay / took:.0%}: {'whole' if n else 'absent'}")
    print(f"[{workspace.backend}] an import took {took:.1f} s; {killed}/{IMPORT_RUNS} kills"
          f" landed during one (at a share of that time: outcome) {outcomes}")  # fmt: skip
    assert killed >= 1


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(ws) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    proc = subprocess.Popen(
        [*LIBPOLIS, "serve", "--host", "127.0.0.1", "--port", str(port), *_args(ws)],
        env=_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 240  # the app builds in seconds, far longer on a busy machine
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/api/programmes", timeout=2).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise AssertionError("the server did not start in 240 s")


def _writer(base: str, token: str, stop: threading.Event, first: threading.Event,
            sent: list[int], codes: list[int]) -> None:  # fmt: skip
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as client:
        i = 0
        while not stop.is_set():
            try:
                r = client.post(
                    "/api/programmes",
                    json={"title": f"kill {i}", "description": "d" * 2000, "language": "en"},
                    timeout=60,
                )
            except httpx.HTTPError:
                return
            codes.append(r.status_code)
            if r.status_code == 201:
                sent.append(i)
                first.set()
            i += 1


def test_kill_9_during_web_writes(workspace) -> None:
    code, _, err = workspace.run(
        "user", "add", "--email", "killer@example.org", "--role", "admin", "--password", PASSWORD
    )
    assert code == 0, err
    rng = random.Random(SEED + 1)
    for _ in range(WEB_RUNS):
        proc, base = _serve(workspace)
        token = httpx.post(
            f"{base}/api/auth/token",
            json={"email": "killer@example.org", "password": PASSWORD},
            timeout=10,
        ).json()["access_token"]
        stop, first, sent, codes = threading.Event(), threading.Event(), [], []
        writer = threading.Thread(target=_writer, args=(base, token, stop, first, sent, codes))
        writer.start()
        if not first.wait(timeout=120):  # the kill falls among writes, not before the first
            proc.kill()
            stop.set()
            raise AssertionError(f"no write was answered 201 in 120 s: {codes[:5]}")
        assert _kill_after(proc, rng.uniform(0.3, 2.5)), "the server ended on its own"
        stop.set()
        writer.join(timeout=30)
        _integrity(workspace)
        with workspace.engine.connect() as conn:
            progs = set(conn.scalars(select(Programme.id).where(Programme.source == "web")))
            audited = set(
                conn.scalars(
                    select(AuditEntry.entity_id).where(
                        AuditEntry.entity == "programme", AuditEntry.action == "create"
                    )
                )
            )
            blank = conn.scalar(
                select(func.count()).where(Programme.source == "web", Programme.title == "")
            )
        assert progs == audited, "a programme without its audit entry, or the reverse"
        assert blank == 0
        assert len(progs) >= len(sent)  # every answered write is stored
        print(f"[{workspace.backend}] {len(sent)} writes answered before the kill,"
              f" {len(progs)} web programmes stored in all")  # fmt: skip
