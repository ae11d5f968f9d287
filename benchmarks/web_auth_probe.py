"""Probe the register's sessions and sign-in as an attacker would; print what held.

Run: ``.venv/bin/python benchmarks/web_auth_probe.py [--attempts 1000] [--threads 50]``

On a fresh SQLite workspace with one user per role (cheap argon2 parameters, so the probe
measures the guards, not the hashing):

1. sessions: sign in N browsers and mint N bearer tokens, copy every cookie to another client,
   sign out once; count the copies and tokens still accepted (expected 0). The same after an
   admin resets the password.
2. lockout: ``--attempts`` wrong passwords for one account, each from a new
   ``X-Forwarded-For`` address through a trusted proxy; count the password checks made (403)
   versus refusals (429). Then ``--threads`` concurrent wrong passwords on a fresh account.
   Then the same address signs in to another account (must work).
3. Origin: every write route of the API and the pages, with 6 cross-site ``Origin`` /
   ``Referer`` variants, signed in as an admin with a valid CSRF token: count the writes
   that got through (expected 0).
4. ``q=``: ``%``, ``_`` and ``\\`` on every search; count rows that match without containing
   the character (expected 0).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "web"))

PASSWORD = "correct horse battery staple"


def _app(tmp: Path) -> tuple[Any, dict[str, Any]]:
    from conftest import SECRET, seed  # tests/web/conftest.py: one user per role
    from libpolis.store import open_store
    from libpolis.web.app import create_app

    engine = open_store(f"sqlite:///{tmp / 'probe.sqlite'}")
    ids = seed(engine, PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(PASSWORD))
    app = create_app(
        engine, secret_key=SECRET, documents_dir=tmp / "docs", trusted_proxies=["testclient"]
    )
    return app, ids


def _login(app: Any, email: str) -> TestClient:
    from conftest import login

    return login(app, email.split("@")[0])


def _token(app: Any, email: str, password: str = PASSWORD) -> TestClient:
    r = TestClient(app).post("/api/auth/token", json={"email": email, "password": password})
    assert r.status_code == 200, r.text
    return TestClient(app, headers={"Authorization": f"Bearer {r.json()['access_token']}"})


def _copy(client: TestClient, app: Any) -> TestClient:
    c = TestClient(app)
    c.cookies.set("libpolis_session", client.cookies["libpolis_session"], domain="testserver.local")
    return c


def sessions(app: Any, ids: dict[str, Any], n: int) -> dict[str, int]:
    browsers = [_login(app, "staff@example.org") for _ in range(n)]
    copies = [_copy(b, app) for b in browsers]
    tokens = [_token(app, "staff@example.org") for _ in range(n)]
    before = sum(c.get("/api/me").status_code == 200 for c in copies + tokens)
    browsers[0].post("/api/auth/logout")
    after_logout = sum(c.get("/api/me").status_code == 200 for c in copies + tokens + browsers)
    browsers = [_login(app, "staff@example.org") for _ in range(n)]
    tokens = [_token(app, "staff@example.org") for _ in range(n)]
    admin = _login(app, "admin@example.org")
    admin.patch(f"/api/users/{ids['user_staff']}", json={"password": "a brand new password"})
    after_reset = sum(c.get("/api/me").status_code == 200 for c in browsers + tokens)
    return {
        "sessions+tokens": 2 * n,
        "accepted before": before,
        "accepted after sign-out": after_logout,
        "accepted after reset": after_reset,
    }


def lockout(app: Any, attempts: int, threads: int) -> dict[str, Any]:
    c = TestClient(app)
    codes: list[int] = []
    t0 = time.perf_counter()
    for i in range(attempts):
        xff = f"10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}"
        r = c.post(
            "/api/auth/token",
            json={"email": "officer@example.org", "password": f"guess-{i}"},
            headers={"X-Forwarded-For": xff},
        )
        codes.append(r.status_code)
    seconds = time.perf_counter() - t0
    conc: list[int] = []
    lock = threading.Lock()

    def one() -> None:
        code = (
            TestClient(app)
            .post("/api/auth/token", json={"email": "viewer@example.org", "password": "guess"})
            .status_code
        )
        with lock:
            conc.append(code)

    pool = [threading.Thread(target=one) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    other = c.post(
        "/api/auth/token", json={"email": "staff_other@example.org", "password": PASSWORD}
    )
    return {
        "rotating-address attempts": attempts,
        "password checks (403)": codes.count(403),
        "refused (429)": codes.count(429),
        "other": len(codes) - codes.count(403) - codes.count(429),
        "seconds": round(seconds, 1),
        "concurrent attempts": threads,
        "concurrent password checks (403)": conc.count(403),
        "concurrent refused (429)": conc.count(429),
        "same address, other account signs in": other.status_code,
    }


_CROSS = (
    {"Origin": "https://evil.example"},
    {"Origin": "null"},
    {"Origin": "http://testserver.evil.example"},
    {"Origin": "https://testserver"},
    {"Referer": "https://evil.example/form"},
    {"Referer": "http://testserver:8080/x"},
)


def origin(app: Any) -> dict[str, int]:
    from libpolis.web.routes import ROUTERS

    admin = _login(app, "admin@example.org")
    writes = sorted(
        {
            (m, r.path)
            for router in ROUTERS
            for r in router.routes
            if isinstance(r, APIRoute)
            for m in r.methods
            if m in {"POST", "PATCH", "PUT", "DELETE"}
        }
    )
    through = tried = 0
    for method, path in writes:
        url = path.replace("{", "").replace("}", "")
        url = "/".join("1" if part.endswith("_id") else part for part in url.split("/"))
        for headers in _CROSS:
            tried += 1
            r = admin.request(method, url, json={}, headers=headers, follow_redirects=False)
            if r.status_code != 403 or "cross-site" not in r.text:
                through += 1
    return {"write routes": len(writes), "cross-site writes tried": tried, "got through": through}


def wildcards(app: Any) -> dict[str, int]:
    admin = _login(app, "admin@example.org")
    for name in ("100% reading", "Plain", "snake_case", "back\\slash"):
        admin.post("/api/partners", json={"name": name})
        admin.post("/api/partnerships", json={"title": name})
    searches = ["/api/partners", "/api/partnerships", "/api/libraries", "/api/programmes"]
    searches += [f"/api/export/{r}.csv" for r in ("partners", "libraries", "venues", "goals")]
    wrong = tried = 0
    for path in searches:
        for ch in ("%", "_", "\\"):
            tried += 1
            r = admin.get(path, params={"q": ch})
            if path.endswith(".csv"):
                rows = r.text.splitlines()[1:]
                wrong += sum(ch not in row for row in rows)
            else:
                for item in r.json()["items"]:
                    text = " ".join(str(v) for v in item.values() if isinstance(v, str))
                    wrong += ch not in text
    return {"searches tried": tried, "rows matched without the character": wrong}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--attempts", type=int, default=1000)
    ap.add_argument("--threads", type=int, default=50)
    ap.add_argument("--sessions", type=int, default=20)
    args = ap.parse_args()
    load = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.setdefault("LIBPOLIS_LOGIN_ADDRESS_MAX_FAILURES", "100")
        app, ids = _app(Path(tmp))
        for name, result in (
            ("sessions", sessions(app, ids, args.sessions)),
            ("lockout", lockout(app, args.attempts, args.threads)),
            ("origin", origin(app)),
            ("q= wildcards", wildcards(app)),
        ):
            print(f"{name}: {result}")
        app.state.engine.dispose()
    print(f"load: {load}")


if __name__ == "__main__":
    main()
