"""Signing in and out: pages, the JSON API (session cookie) and bearer tokens."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from libpolis.errors import PermissionDeniedError
from libpolis.store.tables import User
from libpolis.web.crud import audit
from libpolis.web.deps import Db, MaybeUser, WebConfig, check_csrf, current_user
from libpolis.web.routes._common import redirect, render
from libpolis.web.schemas import LoginIn, TokenOut, UserPublic
from libpolis.web.security import SESSION_MAX_AGE_S, new_csrf_token, verify_password

__all__ = ["authenticate", "pages", "router"]

router = APIRouter(prefix="/api", tags=["auth"])
pages = APIRouter(include_in_schema=False)


def authenticate(request: Request, db: Session, email: str, password: str) -> User:
    """The active user with this e-mail and password; failures are rate-limited.

    Raises
    ------
    PermissionDeniedError
        Wrong e-mail or password (one message for both).
    TooManyAttemptsError
        Too many failures from this address or for this account.
    """
    cfg: WebConfig = request.app.state.config
    email = email.strip().lower()
    keys = (f"ip:{request.client.host if request.client else '-'}", f"email:{email}")
    cfg.limiter.check(*keys)
    user = db.scalar(select(User).where(User.email == email))
    ok = verify_password(password, user.password_hash if user else None)
    if not ok or user is None or not user.is_active:
        cfg.limiter.failed(*keys)
        audit(
            db,
            user=None,
            action="login-failed",
            entity="user",
            entity_id=user.id if user else None,
            changes={"email": email},
        )
        raise PermissionDeniedError("wrong e-mail or password")
    cfg.limiter.succeeded(*keys)
    audit(db, user=user, action="login", entity="user", entity_id=user.id)
    return user


def _start_session(request: Request, user: User) -> str:
    csrf = new_csrf_token()  # a new token at sign-in (no fixation of a pre-login token)
    request.state.session = {"uid": user.id, "csrf": csrf}
    request.state.session_changed = True
    return csrf


def _end_session(request: Request) -> None:
    request.state.session = {"uid": None, "csrf": new_csrf_token()}
    request.state.session_changed = True


@router.post("/auth/login", response_model=dict)
def api_login(data: LoginIn, request: Request, db: Db) -> dict:
    """Sign in with e-mail and password; sets the session cookie and returns the CSRF token
    that cookie-authenticated writes must send as header ``X-CSRF-Token``.

    Only JSON bodies are read here, which a page on another site cannot send without a CORS
    preflight this app never grants, so signing in needs no CSRF token of its own."""
    user = authenticate(request, db, data.email, data.password)
    csrf = _start_session(request, user)
    return {"user": UserPublic.model_validate(user).model_dump(mode="json"), "csrf_token": csrf}


@router.post("/auth/token", response_model=TokenOut)
def api_token(data: LoginIn, request: Request, db: Db) -> TokenOut:
    """A bearer token for scripts (``Authorization: Bearer …``), valid for eight hours."""
    user = authenticate(request, db, data.email, data.password)
    cfg: WebConfig = request.app.state.config
    return TokenOut(access_token=cfg.codec.dump_token(user.id), expires_in_s=SESSION_MAX_AGE_S)


@router.post("/auth/logout", status_code=204, dependencies=[Depends(check_csrf)])
def api_logout(request: Request) -> Response:
    _end_session(request)
    return Response(status_code=204)


@router.get("/me", response_model=UserPublic)
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
    _start_session(request, user)
    return redirect(_safe_next(next))


@pages.post("/logout", dependencies=[Depends(check_csrf)])
def logout_submit(request: Request) -> Response:
    _end_session(request)
    return redirect("/")
