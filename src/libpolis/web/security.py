"""Passwords, signed session cookies, CSRF tokens and the login rate limit.

Sessions are a signed (itsdangerous) cookie holding the user id and a CSRF token; nothing
secret is stored in it. Passwords are hashed with argon2id (argon2-cffi).
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
    """Too many failed sign-ins from one address or for one account; try again later."""

    status = 429


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

    def dump_token(self, user_id: int) -> str:
        return self._token.dumps({"uid": user_id})

    def load_token(self, token: str) -> int | None:
        try:
            data = self._token.loads(token, max_age=SESSION_MAX_AGE_S)
        except BadSignature:
            return None
        uid = data.get("uid") if isinstance(data, dict) else None
        return uid if isinstance(uid, int) else None


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
                if len(self._recent(key, now)) >= self.max_failures:
                    raise TooManyAttemptsError(
                        f"too many failed sign-ins; wait {self.window_s / 60:.0f} minutes"
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
