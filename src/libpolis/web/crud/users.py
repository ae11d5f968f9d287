"""Users and the audit log in the web app: accounts and roles (admin only), who did what."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from libpolis.errors import DataError
from libpolis.store.tables import AuditEntry, LibrarySystem, User
from libpolis.web import authz
from libpolis.web.crud._common import _add_audited, _apply, _audit_update, _get, paginate
from libpolis.web.schemas import UserCreate, UserUpdate
from libpolis.web.security import hash_password

__all__ = ["create_user", "get_user", "list_audit", "list_users", "update_user"]


def list_users(session: Session, *, page: int = 1, per_page: int = 100) -> tuple[list[User], int]:
    return paginate(session, select(User).order_by(User.email), page=page, per_page=per_page)


def get_user(session: Session, *, user_id: int) -> User:
    return _get(session, User, user_id, "user")


def _check_user_fields(session: Session, role: str, system_id: int | None) -> None:
    if system_id is not None and session.get(LibrarySystem, system_id) is None:
        raise DataError(f"no library system with id {system_id}", where="library_system_id")
    if role == "staff" and system_id is None:
        raise DataError("library staff need a library_system_id", where="library_system_id")


def create_user(session: Session, *, data: UserCreate, user: User | None) -> User:
    """Add a user; ``user=None`` only from the command line (which creates the first admin)."""
    if user is not None:
        authz.require_admin(user, "add users")
    email = data.email.strip().lower()
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise DataError(f"a user with e-mail {email} exists already", where="email")
    _check_user_fields(session, data.role, data.library_system_id)
    row = User(
        email=email,
        name=data.name,
        role=data.role,
        library_system_id=data.library_system_id,
        password_hash=hash_password(data.password),
        is_active=True,
    )
    _add_audited(
        session, row, user=user, entity="user", changes={"email": email, "role": data.role}
    )
    return row


def update_user(session: Session, *, user_id: int, data: UserUpdate, user: User) -> User:
    authz.require_admin(user, "edit users")
    row = get_user(session, user_id=user_id)
    values = data.model_dump(exclude_unset=True)
    password = values.pop("password", None)
    for key in ("role", "is_active"):
        if key in values and values[key] is None:
            raise DataError(f"{key} may not be empty", where=key)
    if "name" in values and values["name"] is None:
        values["name"] = ""
    _check_user_fields(
        session,
        values.get("role", row.role),
        values.get("library_system_id", row.library_system_id),
    )
    if row.id == user.id and (
        values.get("role", "admin") != "admin" or values.get("is_active", True) is False
    ):
        raise DataError("an admin may not demote or deactivate themselves")
    changed = _apply(row, values)
    if password:
        row.password_hash = hash_password(password)
        changed["password"] = ["***", "***"]
    if changed.keys() & {"password", "role", "is_active", "library_system_id"}:
        # a reset password, a new role or a deactivation ends every session and token
        row.token_version = (row.token_version or 0) + 1
    _audit_update(session, row, changed, user=user, entity="user")
    return row


def list_audit(
    session: Session, *, entity: str | None = None, page: int = 1, per_page: int = 100
) -> tuple[list[AuditEntry], int]:
    stmt = select(AuditEntry).order_by(AuditEntry.id.desc())
    if entity:
        stmt = stmt.where(AuditEntry.entity == entity)
    return paginate(session, stmt, page=page, per_page=per_page)
