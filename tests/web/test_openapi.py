"""schemathesis against the OpenAPI document: no request, valid or not, gets a 5xx answer.

Requests are signed in as an admin (bearer token), so writes reach the store and its checks.
Bounded to a few examples per operation to keep the run short.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from libpolis.store import open_store
from libpolis.web.app import create_app

MAX_EXAMPLES = 6


@pytest.fixture(scope="module")
def api_app(tmp_path_factory, password_hash, web_kit):
    tmp = tmp_path_factory.mktemp("schemathesis")
    engine = open_store(f"sqlite:///{tmp / 'api.sqlite'}")
    web_kit.seed(engine, password_hash)
    app = create_app(
        engine,
        secret_key=web_kit.SECRET,
        documents_dir=tmp / "docs",
        login_max_failures=1_000_000,
    )
    yield app
    engine.dispose()


@pytest.fixture(scope="module")
def admin_token(api_app, web_kit) -> str:
    from fastapi.testclient import TestClient

    r = TestClient(api_app).post(
        "/api/auth/token", json={"email": "admin@example.org", "password": web_kit.PASSWORD}
    )
    return r.json()["access_token"]


def _runner(op, headers: dict[str, str], calls: list[int], failures: list[str]):
    @given(case=op.as_strategy())
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case) -> None:
        calls.append(1)
        try:
            case.call_and_validate(headers=headers, checks=[not_a_server_error])
        except Exception as exc:  # keep going; report every failing operation
            failures.append(f"{op.method.upper()} {op.path}: {str(exc)[:400]}")
            raise

    return run


def test_no_server_errors(api_app, admin_token) -> None:
    """Every operation, a few generated cases each; collect every 5xx before failing."""
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", api_app)
    headers = {"Authorization": f"Bearer {admin_token}"}
    failures: list[str] = []
    calls: list[int] = []
    other: list[str] = []
    n_ops = 0
    for result in schema.get_all_operations():
        op = result.ok()
        if op.path.startswith("/api/brief"):
            continue  # rendering the brief is covered by the dashboard and browser tests
        n_ops += 1
        try:
            _runner(op, headers, calls, failures)()
        except Exception as exc:
            if not failures or op.path not in failures[-1]:
                other.append(f"{op.method.upper()} {op.path}: {exc!r}"[:400])
    assert not failures, "\n".join(dict.fromkeys(failures))
    assert not other, "\n".join(other)
    assert n_ops >= 30 and len(calls) >= 2 * n_ops, (n_ops, len(calls))
    print(f"{n_ops} operations, {len(calls)} requests")
