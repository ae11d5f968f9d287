"""Who may change what: every write of the web app and API asks here first.

Roles: ``admin`` (everything), ``staff`` (library staff: the programmes and partnerships of
their own library system, partners), ``officer`` (city officer: partnerships, partners, city
goals and alignment decisions; reads everything), ``viewer`` (reads what is published).
Who may *see* which partnership is decided in :mod:`libpolis.web.visibility`.
"""

from __future__ import annotations

from libpolis.errors import PermissionDeniedError
from libpolis.store.tables import User

__all__ = [
    "require_admin",
    "require_alignment_decider",
    "require_goal_editor",
    "require_partner_editor",
    "require_partnership_editor",
    "require_programme_editor",
]


def _deny(user: User, what: str) -> PermissionDeniedError:
    return PermissionDeniedError(f"{user.email} ({user.role}) may not {what}")


def _own_system(user: User, system_id: int | None) -> bool:
    return (
        user.role == "staff"
        and user.library_system_id is not None
        and system_id == user.library_system_id
    )


def require_admin(user: User, what: str) -> None:
    if user.role != "admin":
        raise _deny(user, what)


def require_programme_editor(user: User, system_id: int | None, what: str) -> None:
    """Admins, and staff of the library system the programme's library belongs to."""
    if user.role == "admin" or _own_system(user, system_id):
        return
    raise _deny(user, what)


def require_alignment_decider(user: User, system_id: int | None, what: str) -> None:
    """Admins, city officers, and staff of the programme's library system."""
    if user.role in {"admin", "officer"} or _own_system(user, system_id):
        return
    raise _deny(user, what)


def require_partnership_editor(user: User, system_id: int | None, what: str) -> None:
    """Admins, city officers, and staff of the partnership's library system."""
    if user.role in {"admin", "officer"} or _own_system(user, system_id):
        return
    raise _deny(user, what)


def require_partner_editor(user: User, what: str) -> None:
    if user.role in {"admin", "officer", "staff"}:
        return
    raise _deny(user, what)


def require_goal_editor(user: User, what: str) -> None:
    """City goals are edited by admins and city officers."""
    if user.role in {"admin", "officer"}:
        return
    raise _deny(user, what)
