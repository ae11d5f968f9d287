"""Passwords, signed session cookies, CSRF tokens and the per-address sign-in brake.

Sessions are a signed (itsdangerous) cookie holding the user id, their token version and a CSRF
token; nothing secret is stored in it (revocation: :mod:`libpolis.web.sessions`). Passwords are hashed with argon2id (argon2-cffi).
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import deque
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from itsdangerous import BadSignature, URLSafeTimedSerializer

from libpolis.errors import LibpolisError

__all__ = [
    "SESSION_COOKIE",
    "SESSION_MAX_AGE_S",
    "LoginRateLimiter",
    "SessionCodec",
    "TooManyAttemptsError",
    "hash_password",
    "new_csrf_token",
    "tokens_match",
    "verify_password",
]

SESSION_COOKIE = "libpolis_session"
SESSION_MAX_AGE_S = 8 * 3600
"""A session lasts eight hours after sign-in."""

_HASHER = PasswordHasher()
_DUMMY_HASH = _HASHER.hash("not-a-password-" + secrets.token_hex(8))


class TooManyAttemptsError(LibpolisError):
    """Too many failed sign-ins for one account or from one address; ``retry_after_s`` says
    when to try again (sent as the ``Retry-After`` header)."""

    status = 429

    def __init__(self, message: str, *, retry_after_s: int = 1) -> None:
        super().__init__(message)
        self.retry_after_s = max(1, int(retry_after_s))


def hash_password(password: str) -> str:
    """An argon2id hash of ``password`` (with its own random salt)."""
    return _HASHER.hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    """Whether ``password`` matches ``password_hash``; takes as long when there is no user."""
    try:
        return _HASHER.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def new_csrf_token() -> str:
    """A fresh random CSRF token."""
    return secrets.token_urlsafe(24)


def tokens_match(given: str | None, expected: str | None) -> bool:
    """Constant-time comparison of two tokens; ``False`` if either is missing."""
    return bool(given) and bool(expected) and secrets.compare_digest(str(given), str(expected))


class SessionCodec:
    """Sign and verify session cookies and API tokens with the app's secret key."""

    def __init__(self, secret_key: str) -> None:
        self._session = URLSafeTimedSerializer(secret_key, salt="libpolis.session")
        self._token = URLSafeTimedSerializer(secret_key, salt="libpolis.api-token")

    def dump_session(self, data: dict[str, Any]) -> str:
        return self._session.dumps(data)

    def load_session(self, cookie: str | None) -> dict[str, Any] | None:
        if not cookie:
            return None
        try:
            data = self._session.loads(cookie, max_age=SESSION_MAX_AGE_S)
        except BadSignature:
            return None
        return data if isinstance(data, dict) else None

    def dump_token(self, user_id: int, version: int = 0) -> str:
        """A signed token naming the user and their token version (see
        :mod:`libpolis.web.sessions`)."""
        return self._token.dumps({"uid": user_id, "tv": version})

    def load_token(self, token: str) -> tuple[int, int] | None:
        """``(user id, token version)`` of a valid, unexpired token, else ``None``."""
        try:
            data = self._token.loads(token, max_age=SESSION_MAX_AGE_S)
        except BadSignature:
            return None
        if not isinstance(data, dict):
            return None
        uid, version = data.get("uid"), data.get("tv", 0)
        ok = isinstance(uid, int) and isinstance(version, int)
        return (uid, version) if ok else None


class LoginRateLimiter:
    """At most ``max_failures`` failed sign-ins per key (address, account) in ``window_s``.

    Kept in the memory of the server process (one uvicorn worker); a restart forgets it.
    """

    def __init__(self, max_failures: int = 5, window_s: float = 300.0) -> None:
        self.max_failures = max_failures
        self.window_s = window_s
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        q = self._failures.setdefault(key, deque())
        while q and now - q[0] > self.window_s:
            q.popleft()
        return q

    def check(self, *keys: str) -> None:
        """Raise :class:`TooManyAttemptsError` when any key is over its limit."""
        now = time.monotonic()
        with self._lock:
            for key in keys:
                q = self._recent(key, now)
                if len(q) >= self.max_failures:
                    wait = self.window_s - (now - q[0])
                    raise TooManyAttemptsError(
                        f"too many failed sign-ins from this address; wait {wait / 60:.0f} minutes",
                        retry_after_s=int(wait) + 1,
                    )

    def failed(self, *keys: str) -> None:
        now = time.monotonic()
        with self._lock:
            for key in keys:
                self._recent(key, now).append(now)

    def succeeded(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)
