"""Libraries in the web app: list, look up, and the statistics of a library and its system."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from libpolis.store.tables import Library, LibrarySystem, Statistic
from libpolis.web.crud._common import _get, paginate, text_match

__all__ = ["get_library", "library_statistics", "list_libraries"]


def list_libraries(
    session: Session, *, q: str | None = None, page: int = 1, per_page: int = 50
) -> tuple[list[Library], int]:
    stmt = select(Library).order_by(Library.name, Library.id)
    if q:
        stmt = stmt.where(text_match(q, Library.name))
    return paginate(session, stmt, page=page, per_page=per_page)


def get_library(session: Session, *, library_id: int) -> Library:
    return _get(session, Library, library_id, "library")


def library_statistics(session: Session, *, library: Library) -> list[Statistic]:
    """Statistics about the library itself and about its library system, by name and year."""
    conds = [
        (Statistic.subject_type == "library") & (Statistic.subject_source_id == library.source_id)
    ]
    if library.system_id is not None:
        system = session.get(LibrarySystem, library.system_id)
        if system is not None:
            conds.append(
                (Statistic.subject_type == "library_system")
                & (Statistic.subject_source_id == system.source_id)
            )
    stmt = select(Statistic).where(or_(*conds)).order_by(Statistic.name, Statistic.year)
    return list(session.scalars(stmt).all())
