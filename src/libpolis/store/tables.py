"""SQLAlchemy 2 tables of the workspace store: the domain vocabulary of libpolis.

Coordinates are WGS84 longitude/latitude floats (``lon``, ``lat``); geometries other than
points are kept as WKT text in WGS84. Every imported row keeps ``source`` and ``source_id``;
the pair is unique, so re-importing a source updates rows instead of duplicating them.
Free-form attributes that differ between sources live in the JSON column ``attrs``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = [
    "SOURCED_TABLES",
    "Alignment",
    "Area",
    "AuditEntry",
    "Base",
    "Dataset",
    "Framework",
    "Goal",
    "Indicator",
    "Library",
    "LibrarySystem",
    "Measurement",
    "Partner",
    "Partnership",
    "PartnershipContact",
    "PartnershipDocument",
    "PartnershipGoal",
    "PartnershipLibrary",
    "PartnershipNote",
    "PartnershipProgramme",
    "PartnershipStatusChange",
    "PopulationUnit",
    "Programme",
    "ResultTable",
    "Run",
    "Statistic",
    "StoreRevision",
    "User",
    "Venue",
]

_NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def _now() -> datetime:
    return datetime.now(UTC)


def _of_partnership(**kw: Any) -> Any:
    """The column ``partnership_id`` of a partnership's record (deleted with it)."""
    return mapped_column(ForeignKey("partnership.id", ondelete="CASCADE"), **kw)


class Base(DeclarativeBase):
    """Declarative base with a naming convention so Alembic migrations are stable."""

    metadata = MetaData(naming_convention=_NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON}


class _Sourced:
    """Columns shared by every imported record."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(200), index=True)
    source_id: Mapped[str] = mapped_column(String(200))
    attrs: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class Dataset(Base):
    """One imported file: what it was, where it came from, under which licence."""

    __tablename__ = "dataset"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(50))
    path: Mapped[str] = mapped_column(Text)
    publisher: Mapped[str | None] = mapped_column(Text)
    licence: Mapped[str | None] = mapped_column(Text)
    attribution: Mapped[str | None] = mapped_column(Text)
    rows: Mapped[int] = mapped_column(Integer, default=0)
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    attrs: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Area(_Sourced, Base):
    """A city, district or other administrative area; ``geometry_wkt`` in WGS84."""

    __tablename__ = "area"
    __table_args__ = (UniqueConstraint("source", "source_id"),)
    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(50))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"))
    geometry_wkt: Mapped[str | None] = mapped_column(Text)


class LibrarySystem(_Sourced, Base):
    """A library administration (IMLS administrative entity, a city library service)."""

    __tablename__ = "library_system"
    __table_args__ = (UniqueConstraint("source", "source_id"),)
    name: Mapped[str] = mapped_column(String(300))
    state: Mapped[str | None] = mapped_column(String(50))
    city: Mapped[str | None] = mapped_column(String(200))
    population_served: Mapped[float | None] = mapped_column(Float)


class Library(_Sourced, Base):
    """A library service point (outlet): branch, central, children's, mobile, ..."""

    __tablename__ = "library"
    __table_args__ = (UniqueConstraint("source", "source_id"),)
    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(50), default="library")
    system_id: Mapped[int | None] = mapped_column(ForeignKey("library_system.id"))
    system_source_id: Mapped[str | None] = mapped_column(String(200))
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    address: Mapped[str | None] = mapped_column(Text)
    city: Mapped[str | None] = mapped_column(String(200))
    hours_per_year: Mapped[float | None] = mapped_column(Float)
    floor_area_m2: Mapped[float | None] = mapped_column(Float)


class Venue(_Sourced, Base):
    """Another cultural venue: museum, gallery, theatre, arts centre, cinema, ..."""

    __tablename__ = "venue"
    __table_args__ = (UniqueConstraint("source", "source_id"),)
    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(50))
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    n_events: Mapped[int | None] = mapped_column(Integer)


class PopulationUnit(_Sourced, Base):
    """Residents at a point (grid-cell or block-group centroid), with optional attributes."""

    __tablename__ = "population_unit"
    __table_args__ = (UniqueConstraint("source", "source_id"),)
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    population: Mapped[float] = mapped_column(Float)
    area_m2: Mapped[float | None] = mapped_column(Float)
    district: Mapped[str | None] = mapped_column(String(200))
    income: Mapped[float | None] = mapped_column(Float)


class Statistic(_Sourced, Base):
    """One value about a subject (library system, library, area) in a year."""

    __tablename__ = "statistic"
    __table_args__ = (UniqueConstraint("source", "source_id"),)
    subject_type: Mapped[str] = mapped_column(String(50))
    subject_source_id: Mapped[str] = mapped_column(String(200))
    year: Mapped[int | None] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(100), index=True)
    value: Mapped[float | None] = mapped_column(Float)
    unit: Mapped[str | None] = mapped_column(String(50))


class Programme(_Sourced, Base):
    """A library programme or event: text, audience, dates, attendance, partners."""

    __tablename__ = "programme"
    __table_args__ = (UniqueConstraint("source", "source_id"),)
    library_id: Mapped[int | None] = mapped_column(ForeignKey("library.id"))
    library_name: Mapped[str | None] = mapped_column(String(300))
    title: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(Text, default="")
    audience: Mapped[str | None] = mapped_column(String(200))
    language: Mapped[str | None] = mapped_column(String(10))
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    attendance: Mapped[int | None] = mapped_column(Integer)
    partners: Mapped[str | None] = mapped_column(Text)


class Partner(_Sourced, Base):
    """An organisation a library works with: council department, school, NGO, ..."""

    __tablename__ = "partner"
    __table_args__ = (UniqueConstraint("source", "source_id"),)
    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str | None] = mapped_column(String(100))
    contact_name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(50))
    website: Mapped[str | None] = mapped_column(String(500))
    address: Mapped[str | None] = mapped_column(String(1000))


class Partnership(_Sourced, Base):
    """A partnership between a library system and a partner, with its life-cycle status,
    dates (start, end, next review) and budget (in the city's currency) with its funding."""

    __tablename__ = "partnership"
    __table_args__ = (UniqueConstraint("source", "source_id"),)
    title: Mapped[str] = mapped_column(String(500))
    purpose: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="idea")
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partner.id"))
    library_system_id: Mapped[int | None] = mapped_column(ForeignKey("library_system.id"))
    district: Mapped[str | None] = mapped_column(String(200))
    published: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    review_date: Mapped[date | None] = mapped_column(Date)
    budget: Mapped[float | None] = mapped_column(Float)
    funding_source: Mapped[str | None] = mapped_column(String(300))


class Framework(_Sourced, Base):
    """A goal framework: the SDGs, the UDHR, Culture 21 Actions or a city strategy."""

    __tablename__ = "framework"
    __table_args__ = (UniqueConstraint("source", "source_id"),)
    key: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    version: Mapped[str | None] = mapped_column(String(50))


class Goal(_Sourced, Base):
    """A goal, target or article of a framework."""

    __tablename__ = "goal"
    __table_args__ = (UniqueConstraint("source", "source_id"),)
    framework_id: Mapped[int] = mapped_column(ForeignKey("framework.id"))
    code: Mapped[str] = mapped_column(String(50))
    title: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text, default="")
    parent_code: Mapped[str | None] = mapped_column(String(50))


class Alignment(Base):
    """A suggested or decided link between a programme and a goal, with its explanation."""

    __tablename__ = "alignment"
    __table_args__ = (UniqueConstraint("programme_id", "goal_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id"))
    goal_id: Mapped[int] = mapped_column(ForeignKey("goal.id"))
    score: Mapped[float] = mapped_column(Float)
    method: Mapped[str] = mapped_column(String(100))
    method_version: Mapped[str] = mapped_column(String(50))
    explanation: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(20), default="suggested")
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class Run(Base):
    """One run of an analysis step: what ran, with which parameters, and the command."""

    __tablename__ = "run"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    step: Mapped[str] = mapped_column(String(100), index=True)
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    command: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class ResultTable(Base):
    """The register of result tables: one row per result name (the newest wins), pointing at
    the real table ``res_<name>`` that holds its rows and at the run that wrote it.

    ``columns`` records how to read the rows back: ``{"columns": [...], "dtypes": {col:
    dtype}, "json": [cols stored as JSON text], "geometry": col or None}``.
    """

    __tablename__ = "result"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("run.id"))
    rows: Mapped[int] = mapped_column(Integer)
    columns: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class WorkspaceSetting(Base):
    """Settings of the workspace as a whole, such as the name of its city (``name``); each
    says where it came from (``init --name``, an imported boundary, an OSM place)."""

    __tablename__ = "workspace_setting"
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(200), default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class StoreRevision(Base):
    """Revision counters: ``name`` is a table (or ``*``: any write, ``**``: unknown tables);
    ``n`` goes up with every committed change to it.

    Kept by :func:`libpolis.store.revision.track_revisions` (every engine that
    :func:`~libpolis.store.open_store` opens): caches of derived views (the web app's
    responses, the dashboard's evidence) compare them instead of re-reading tables.
    """

    __tablename__ = "store_revision"
    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)


# --- The partnership register (web app): users, audit log and partnership details ---------------


class User(Base):
    """A person who signs in to the web app; ``role`` is admin, staff, officer or viewer.

    Library staff (``staff``) edit the data of their own ``library_system_id`` only.
    ``password_hash`` is an argon2id hash; the password itself is never stored.
    ``token_version`` is written into every session cookie and API token of the user and goes
    up on sign-out and on a change of password, role or status, which revokes them all.
    ``failed_logins`` counts failed sign-ins since the last success (the exponential back-off
    of :mod:`libpolis.web.lockout` waits from ``last_failed_login_at``).
    """

    __tablename__ = "app_user"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    library_system_id: Mapped[int | None] = mapped_column(ForeignKey("library_system.id"))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    token_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    failed_logins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_failed_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AuditEntry(Base):
    """Who changed what and when: one row per write made through the web app or API."""

    __tablename__ = "audit_entry"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now, index=True)
    user_id: Mapped[int | None] = mapped_column(Integer)
    user_email: Mapped[str | None] = mapped_column(String(320))
    action: Mapped[str] = mapped_column(String(50))
    entity: Mapped[str] = mapped_column(String(50), index=True)
    entity_id: Mapped[int | None] = mapped_column(Integer)
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class PartnershipStatusChange(Base):
    """One step of a partnership's life cycle (idea → proposed → agreed → active → evaluated)."""

    __tablename__ = "partnership_status_change"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    partnership_id: Mapped[int] = _of_partnership(index=True)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    changed_by: Mapped[str | None] = mapped_column(String(320))


class PartnershipGoal(Base):
    """A goal (SDG, right, Culture 21 action, city goal) a partnership works towards."""

    __tablename__ = "partnership_goal"
    __table_args__ = (UniqueConstraint("partnership_id", "goal_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    partnership_id: Mapped[int] = _of_partnership(index=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("goal.id", ondelete="CASCADE"), index=True)


class Indicator(Base):
    """An indicator of a partnership: baseline, target and the latest measured value (same
    ``unit``); every measurement over time is a :class:`Measurement`."""

    __tablename__ = "indicator"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    partnership_id: Mapped[int] = _of_partnership(index=True)
    name: Mapped[str] = mapped_column(String(300))
    unit: Mapped[str] = mapped_column(String(50), default="")
    baseline: Mapped[float | None] = mapped_column(Float)
    target: Mapped[float | None] = mapped_column(Float)
    measured: Mapped[float | None] = mapped_column(Float)
    measured_on: Mapped[date | None] = mapped_column(Date)


class PartnershipDocument(Base):
    """A document of a partnership: metadata here, the file under the workspace's folder."""

    __tablename__ = "partnership_document"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    partnership_id: Mapped[int] = _of_partnership(index=True)
    title: Mapped[str] = mapped_column(String(300))
    filename: Mapped[str] = mapped_column(String(300))
    content_type: Mapped[str] = mapped_column(String(200))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    stored_as: Mapped[str] = mapped_column(String(300))
    uploaded_by: Mapped[str | None] = mapped_column(String(320))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class PartnershipNote(Base):
    """A dated note on a partnership."""

    __tablename__ = "partnership_note"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    partnership_id: Mapped[int] = _of_partnership(index=True)
    body: Mapped[str] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class Measurement(Base):
    """One measured value of an indicator: on which day, from which source, by whom."""

    __tablename__ = "measurement"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    indicator_id: Mapped[int] = mapped_column(
        ForeignKey("indicator.id", ondelete="CASCADE"), index=True
    )
    value: Mapped[float] = mapped_column(Float)
    measured_on: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(500), default="")
    recorded_by: Mapped[str | None] = mapped_column(String(320))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class PartnershipContact(Base):
    """A person responsible for a partnership on the library's or the partner's ``side``."""

    __tablename__ = "partnership_contact"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    partnership_id: Mapped[int] = _of_partnership(index=True)
    side: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(320), default="")


class PartnershipLibrary(Base):
    """A library (branch) a partnership involves."""

    __tablename__ = "partnership_library"
    partnership_id: Mapped[int] = _of_partnership(primary_key=True)
    library_id: Mapped[int] = mapped_column(
        ForeignKey("library.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class PartnershipProgramme(Base):
    """A programme a partnership involves."""

    __tablename__ = "partnership_programme"
    partnership_id: Mapped[int] = _of_partnership(primary_key=True)
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programme.id", ondelete="CASCADE"), primary_key=True, index=True
    )


SOURCED_TABLES: dict[str, type[_Sourced]] = {
    "area": Area,
    "library_system": LibrarySystem,
    "library": Library,
    "venue": Venue,
    "population_unit": PopulationUnit,
    "statistic": Statistic,
    "programme": Programme,
    "partner": Partner,
    "partnership": Partnership,
    "framework": Framework,
    "goal": Goal,
}
