"""Signing in and out: pages, the JSON API (session cookie) and bearer tokens."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from libpolis.errors import PermissionDeniedError
from libpolis.store.tables import User
from libpolis.web.crud import audit
from libpolis.web.deps import Db, MaybeUser, WebConfig, Writer, check_csrf, current_user
from libpolis.web.openapi import errors
from libpolis.web.routes._common import redirect, render
from libpolis.web.schemas import LoginIn, TokenOut, UserPublic
from libpolis.web.security import SESSION_MAX_AGE_S, hash_password, verify_password
from libpolis.web.sessions import end_session, issue_token, revoke_sessions, start_session

__all__ = ["LoginOut", "PasswordChangeIn", "authenticate", "client_address", "pages", "router"]

router = APIRouter(prefix="/api", tags=["auth"])
pages = APIRouter(include_in_schema=False)


class LoginOut(BaseModel):
    """A cookie session was started: who is signed in, and the session's CSRF token."""

    user: UserPublic
    csrf_token: str


class PasswordChangeIn(BaseModel):
    current_password: str = Field(min_length=1, max_length=200)
    new_password: str = Field(min_length=10, max_length=200)


def client_address(request: Request) -> str:
    """The client's address: the connection's peer, or what a trusted proxy says it is
    (``Settings.trusted_proxies``; the app believes no other ``X-Forwarded-For``)."""
    return request.client.host if request.client else "-"


def authenticate(request: Request, db: Session, email: str, password: str) -> User:
    """The active user with this e-mail and password; failures back off per account.

    Raises
    ------
    PermissionDeniedError
        Wrong e-mail or password (one message for both).
    TooManyAttemptsError
        The account is waiting out its back-off, or the address made too many failures
        (:mod:`libpolis.web.lockout`).
    """
    cfg: WebConfig = request.app.state.config
    email = email.strip().lower()
    address = client_address(request)
    user = db.scalar(select(User).where(User.email == email))
    cfg.guard.reserve(db, user=user, email=email, address=address)
    ok = verify_password(password, user.password_hash if user else None)
    if not ok or user is None or not user.is_active:
        cfg.guard.failed(address=address)
        audit(
            db,
            user=None,
            action="login-failed",
            entity="user",
            entity_id=user.id if user else None,
            changes={"email": email},
        )
        db.commit()  # keep the audit record of the failure
        raise PermissionDeniedError("wrong e-mail or password")
    cfg.guard.succeeded(db, user=user)
    audit(db, user=user, action="login", entity="user", entity_id=user.id)
    return user


@router.post("/auth/login", response_model=LoginOut, responses=errors(403, 422, 429))
def api_login(data: LoginIn, request: Request, db: Db) -> LoginOut:
    """Sign in with e-mail and password; sets the session cookie and returns the CSRF token
    that cookie-authenticated writes must send as header ``X-CSRF-Token``.

    Only JSON bodies are read here, which a page on another site cannot send without a CORS
    preflight this app never grants, so signing in needs no CSRF token of its own."""
    user = authenticate(request, db, data.email, data.password)
    csrf = start_session(request, user)
    return LoginOut(user=UserPublic.model_validate(user), csrf_token=csrf)


@router.post("/auth/token", response_model=TokenOut, responses=errors(403, 422, 429))
def api_token(data: LoginIn, request: Request, db: Db) -> TokenOut:
    """A bearer token for scripts (``Authorization: Bearer …``), valid for eight hours or
    until the user signs out (``POST /api/auth/logout`` with the token) or changes password."""
    user = authenticate(request, db, data.email, data.password)
    cfg: WebConfig = request.app.state.config
    return TokenOut(access_token=issue_token(cfg.codec, user), expires_in_s=SESSION_MAX_AGE_S)


@router.post(
    "/auth/logout",
    status_code=204,
    dependencies=[Depends(check_csrf)],
    response_class=Response,
    responses=errors(401, 403),
)
def api_logout(request: Request, db: Db, user: MaybeUser) -> Response:
    """Sign out: ends this session and every other session and token of the user."""
    _sign_out(request, db, user)
    return Response(status_code=204)


def _sign_out(request: Request, db: Session, user: User | None) -> None:
    if user is not None:
        revoke_sessions(db, user.id)
        audit(db, user=user, action="logout", entity="user", entity_id=user.id)
    end_session(request)


@router.post("/me/password", response_model=LoginOut | None, responses=errors(401, 403, 422, 429))
def api_change_password(
    data: PasswordChangeIn, request: Request, db: Db, user: Writer
) -> LoginOut | None:
    """Change one's own password: every other session and token of the user ends. A cookie
    session continues under a new CSRF token (returned); a bearer token ends too (``null``)."""
    if authenticate(request, db, user.email, data.current_password).id != user.id:
        raise PermissionDeniedError("wrong e-mail or password")
    user.password_hash = hash_password(data.new_password)
    revoke_sessions(db, user.id)
    audit(db, user=user, action="password", entity="user", entity_id=user.id)
    if request.state.auth == "token":
        return None
    csrf = start_session(request, user)
    return LoginOut(user=UserPublic.model_validate(user), csrf_token=csrf)


@router.get("/me", response_model=UserPublic, responses=errors(401))
def api_me(user: Annotated[User, Depends(current_user)]) -> User:
    """The signed-in user."""
    return user


@pages.get("/login")
def login_page(request: Request, user: MaybeUser, next: str = "/") -> Response:
    return render(request, "login.html", next=_safe_next(next), error=None)


def _safe_next(target: str) -> str:
    """Only a path on this site: no scheme, no host, no ``//`` or ``/\\`` tricks."""
    ok = (
        target.startswith("/")
        and not target.startswith(("//", "/\\"))
        and "\\" not in target
        and not any(c in target for c in "\r\n")
    )
    return target if ok else "/"


@pages.post("/login", dependencies=[Depends(check_csrf)])
def login_submit(
    request: Request,
    db: Db,
    email: Annotated[str, Form(max_length=320)],
    password: Annotated[str, Form(max_length=200)],
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    try:
        user = authenticate(request, db, email, password)
    except PermissionDeniedError as exc:
        db.commit()  # keep the audit record of the failure
        return render(
            request,
            "login.html",
            status_code=403,
            next=_safe_next(next),
            error=str(exc),
            email=email,
        )
    start_session(request, user)
    return redirect(_safe_next(next))


@pages.post("/logout", dependencies=[Depends(check_csrf)])
def logout_submit(request: Request, db: Db, user: MaybeUser) -> Response:
    _sign_out(request, db, user)
    return redirect("/")
