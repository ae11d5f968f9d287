"""FastAPI dependencies: the database session, the signed-in user, CSRF and role checks.

Use them as ``Annotated`` types in route signatures::

    def create(data: ProgrammeCreate, db: Db, user: Writer) -> ProgrammePublic: ...

``Writer`` is a signed-in user whose request passed the CSRF check (cookie sessions must send
the session's token as form field ``csrf_token`` or header ``X-CSRF-Token``; bearer tokens are
not sent by browsers on their own, so they need none).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from fastapi import Path as PathParam
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from libpolis.errors import DataError, PermissionDeniedError
from libpolis.store.tables import User
from libpolis.web.lockout import LoginGuard
from libpolis.web.security import SessionCodec, tokens_match
from libpolis.web.sessions import NotAuthenticatedError, request_user

__all__ = [
    "CSRF_FIELD",
    "CSRF_HEADER",
    "Admin",
    "CurrentUser",
    "Db",
    "MaybeUser",
    "NotAuthenticatedError",
    "PageParams",
    "Paging",
    "PathId",
    "UserView",
    "WebConfig",
    "Writer",
    "check_csrf",
    "current_user",
    "get_db",
    "maybe_user",
    "page_dict",
    "page_params",
    "writer",
]

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"


class CsrfError(PermissionDeniedError):
    """A cookie-authenticated write came without the session's CSRF token."""


@dataclass(frozen=True)
class UserView:
    """What pages show of the signed-in user; a plain copy that outlives the DB session."""

    id: int
    email: str
    role: str
    library_system_id: int | None

    @classmethod
    def of(cls, user: User) -> UserView:
        return cls(user.id, user.email, user.role, user.library_system_id)


@dataclass
class WebConfig:
    """What the app needs besides the store (kept on ``app.state.config``)."""

    codec: SessionCodec
    guard: LoginGuard
    documents_dir: Path
    brief_dir: Path
    max_upload_bytes: int = 10 * 1024 * 1024


def get_db(request: Request) -> Iterator[Session]:
    """One session per request, in one transaction: committed when the route returns."""
    factory: sessionmaker = request.app.state.sessionmaker
    session = factory()
    try:
        yield session
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise DataError(f"the change conflicts with existing records: {exc.orig}") from None
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


Db = Annotated[Session, Depends(get_db, scope="function")]

#: A record id in a path: a positive 64-bit integer (anything else is a 422, never a 500).
PathId = Annotated[
    int, PathParam(ge=1, le=2**63 - 1, description="Record id (a positive integer).")
]


def maybe_user(request: Request, db: Db) -> User | None:
    """The signed-in user (bearer token or session cookie), or ``None``; a session or token
    revoked by sign-out or a new password does not count (:mod:`libpolis.web.sessions`)."""
    cfg: WebConfig = request.app.state.config
    user = request_user(request, db, cfg.codec)
    request.state.user = UserView.of(user) if user is not None else None
    return user


MaybeUser = Annotated[User | None, Depends(maybe_user)]


def current_user(user: MaybeUser) -> User:
    if user is None:
        raise NotAuthenticatedError("sign in first")
    return user


CurrentUser = Annotated[User, Depends(current_user)]


async def check_csrf(request: Request) -> None:
    """Refuse a cookie-authenticated write without the session's CSRF token."""
    bearer = request.headers.get("authorization", "").lower().startswith("bearer ")
    if bearer or getattr(request.state, "auth", "cookie") == "token":
        return  # a browser cannot be made to send an Authorization header to another site
    expected = request.state.session.get("csrf")
    given = request.headers.get(CSRF_HEADER)
    ctype = request.headers.get("content-type", "")
    if not given and (
        ctype.startswith("application/x-www-form-urlencoded")
        or ctype.startswith("multipart/form-data")
    ):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        given = value if isinstance(value, str) else None
    if not tokens_match(given, expected):
        raise CsrfError(
            f"missing or wrong CSRF token (send form field {CSRF_FIELD} or header {CSRF_HEADER})"
        )


def writer(
    user: Annotated[User, Depends(current_user)], _csrf: Annotated[None, Depends(check_csrf)]
) -> User:
    """A signed-in user making a write that passed the CSRF check."""
    return user


Writer = Annotated[User, Depends(writer)]


def admin(user: Writer) -> User:
    if user.role != "admin":
        raise PermissionDeniedError(f"{user.email} ({user.role}) is not an admin")
    return user


Admin = Annotated[User, Depends(admin)]


@dataclass(frozen=True)
class PageParams:
    page: int
    per_page: int


def page_params(
    page: Annotated[int, Query(ge=1, le=1_000_000, description="1-based page number")] = 1,
    per_page: Annotated[int, Query(ge=1, le=200, description="Rows per page (at most 200)")] = 50,
) -> PageParams:
    return PageParams(page, per_page)


Paging = Annotated[PageParams, Depends(page_params)]


def page_dict(items: list[Any], total: int, p: PageParams) -> dict[str, Any]:
    return {"items": items, "total": total, "page": p.page, "per_page": p.per_page}
