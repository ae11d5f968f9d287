"""Sessions and API tokens that end when their user signs out or changes password.

Every session cookie and bearer token carries the user's ``token_version`` (``tv``) from the
moment it was issued; a request counts as signed in only while that equals the version stored
on the user. :func:`revoke_sessions` raises the stored version, which ends every session and
token of the user at once, in every server process (the check reads the store, not memory).
It runs on sign-out, on a change of password (by the user or by an admin), role or status.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from sqlalchemy import update
from sqlalchemy.orm import Session

from libpolis.errors import LibpolisError
from libpolis.store.tables import User
from libpolis.web.security import SessionCodec, new_csrf_token

__all__ = [
    "NotAuthenticatedError",
    "end_session",
    "issue_token",
    "request_user",
    "revoke_sessions",
    "start_session",
]


class NotAuthenticatedError(LibpolisError):
    """The request needs a signed-in user."""

    status = 401


def start_session(request: Request, user: User) -> str:
    """Sign ``user`` in on this browser; returns the new session's CSRF token.

    A new CSRF token is made at sign-in, so a token seen before cannot be fixed on the session.
    """
    csrf = new_csrf_token()
    request.state.session = {"uid": user.id, "csrf": csrf, "tv": user.token_version or 0}
    request.state.session_changed = True
    return csrf


def end_session(request: Request) -> None:
    """Make this browser's session anonymous (with a fresh CSRF token)."""
    request.state.session = {"uid": None, "csrf": new_csrf_token()}
    request.state.session_changed = True


def issue_token(codec: SessionCodec, user: User) -> str:
    """A bearer token for ``user``, valid until it expires or the user's sessions are revoked."""
    return codec.dump_token(user.id, user.token_version or 0)


def revoke_sessions(db: Session, user_id: int) -> None:
    """End every session cookie and API token of the user (in every process).

    One atomic ``UPDATE`` raises the stored version, so two revocations at once both count.
    """
    db.execute(
        update(User)
        .where(User.id == user_id)
        .values(token_version=User.token_version + 1)
        .execution_options(synchronize_session=False)
    )
    row = db.get(User, user_id)
    if row is not None:
        db.refresh(row, ["token_version"])


def _claim(request: Request, codec: SessionCodec) -> tuple[Any, Any]:
    """The user id and token version the request claims, and how (``token``/``cookie``)."""
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        request.state.auth = "token"
        claim = codec.load_token(auth[7:].strip())
        if claim is None:
            raise NotAuthenticatedError("the bearer token is invalid or expired")
        return claim
    request.state.auth = "cookie"
    session = request.state.session
    return session.get("uid"), session.get("tv", 0)


def request_user(request: Request, db: Session, codec: SessionCodec) -> User | None:
    """The active user the request is signed in as, or ``None``.

    A cookie whose user was deactivated or whose sessions were revoked becomes anonymous (and is
    replaced on the way out); a revoked bearer token is a 401.
    """
    uid, version = _claim(request, codec)
    if not isinstance(uid, int):
        return None
    user = db.get(User, uid)
    valid = (
        user is not None
        and user.is_active
        and isinstance(version, int)
        and version == (user.token_version or 0)
    )
    if valid:
        return user
    if request.state.auth == "token":
        raise NotAuthenticatedError("the bearer token was revoked (sign-out or new password)")
    end_session(request)
    return None
