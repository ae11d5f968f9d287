"""Who may see which partnership: the one rule every output of the web app applies.

A partnership is *published* or not. Everyone (signed out included) sees the published ones;
admins and city officers see all; library staff also see their own library system's. The rule
is written once, as an :class:`Audience`, and applied

- in SQL (:func:`visible_partnerships`) by the API's and the pages' lists, counts and
  exports (``/api/partnerships``, ``/partnerships``, ``/api/export/partnerships.*``, the
  dashboard's counts);
- to one record (:func:`may_see_partnership`) by ``GET /api/partnerships/{id}``, its page,
  indicators, notes and documents (a partnership one may not see is a 404, as if absent);
- to the evidence (:func:`evidence_for`, :func:`figures_for`) by the brief
  (``/api/brief.html``, ``/api/brief.pdf``), ``/api/evidence`` and the dashboard: the register's
  figures and tables are rebuilt from the partnerships the reader may see, read fresh from the
  store, so no one's brief lists or counts a partnership they could not open.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass
from typing import Any, Protocol

import pandas as pd
from sqlalchemy import ColumnElement, Select, false, or_, select, true
from sqlalchemy.orm import Session

from libpolis.evidence import Evidence
from libpolis.evidence.partnerships import (
    REGISTER_FIGURE_PREFIX,
    REGISTER_TABLES,
    register_evidence,
)
from libpolis.store.tables import Partner, Partnership

__all__ = [
    "Audience",
    "audience_of",
    "evidence_for",
    "figures_for",
    "may_see_partnership",
    "register_fingerprint",
    "visible_partnerships",
]


class _Reader(Protocol):
    role: str
    library_system_id: int | None


@dataclass(frozen=True)
class Audience:
    """Whose eyes an output is for: all partnerships, or the published ones plus (for library
    staff) those of one library system."""

    everything: bool = False
    system_id: int | None = None

    @property
    def key(self) -> str:
        """A name of the audience for caches: ``all``, ``system:<id>`` or ``public``."""
        if self.everything:
            return "all"
        return f"system:{self.system_id}" if self.system_id is not None else "public"

    def clause(self) -> ColumnElement[bool]:
        """The SQL condition on :class:`~libpolis.store.tables.Partnership` rows."""
        if self.everything:
            return true()
        own = Partnership.library_system_id == self.system_id
        return or_(Partnership.published.is_(True), own if self.system_id is not None else false())


def audience_of(user: _Reader | None) -> Audience:
    """The audience of a user (``None``: signed out)."""
    if user is None:
        return Audience()
    if user.role in {"admin", "officer"}:
        return Audience(everything=True)
    if user.role == "staff" and user.library_system_id is not None:
        return Audience(system_id=user.library_system_id)
    return Audience()


def may_see_partnership(user: _Reader | None, *, published: bool, system_id: int | None) -> bool:
    """Whether ``user`` may see a partnership with this publication state and system."""
    aud = audience_of(user)
    return (
        aud.everything
        or bool(published)
        or (aud.system_id is not None and system_id == aud.system_id)
    )


def visible_partnerships(stmt: Select, user: _Reader | None) -> Select:
    """``stmt`` (over partnerships) limited to those ``user`` may see."""
    return stmt.where(audience_of(user).clause())


def _register(db: Session, user: _Reader | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    cols = (
        Partnership.id,
        Partnership.title,
        Partnership.status,
        Partnership.partner_id,
        Partnership.district,
        Partnership.source,
    )
    stmt = visible_partnerships(select(*cols), user).order_by(Partnership.id)
    ships = pd.DataFrame(db.execute(stmt).all(), columns=[c.key for c in cols])
    partners = pd.DataFrame(
        db.execute(select(Partner.id, Partner.name, Partner.kind).order_by(Partner.id)).all(),
        columns=["id", "name", "kind"],
    )
    return partners, ships


def register_fingerprint(db: Session, user: _Reader | None) -> str:
    """A digest of the register as ``user`` sees it (for caches of outputs that show it)."""
    partners, ships = _register(db, user)
    text = audience_of(user).key + ships.to_csv(index=False) + partners.to_csv(index=False)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def evidence_for(db: Session, ev: Evidence, user: _Reader | None) -> Evidence:
    """A copy of ``ev`` whose register figures and tables hold only what ``user`` may see."""
    out = dataclasses.replace(
        ev,
        figures={k: f for k, f in ev.figures.items() if not k.startswith(REGISTER_FIGURE_PREFIX)},
        tables={k: t for k, t in ev.tables.items() if k not in REGISTER_TABLES},
    )
    register_evidence(out, *_register(db, user))
    return out


def figures_for(
    db: Session, ev: Evidence, figures: dict[str, Any], user: _Reader | None, as_view: Any
) -> dict[str, Any]:
    """The dashboard's ``figures`` (built by ``as_view`` from each figure) with the register's
    replaced by those of :func:`evidence_for`."""
    mine = evidence_for(db, ev, user)
    keep = {k: v for k, v in figures.items() if not k.startswith(REGISTER_FIGURE_PREFIX)}
    return keep | {
        k: as_view(f) for k, f in mine.figures.items() if k.startswith(REGISTER_FIGURE_PREFIX)
    }
