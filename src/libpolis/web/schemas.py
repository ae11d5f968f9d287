"""Pydantic schemas of the web API: a Base / Create / Update / Public family per entity."""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator

from libpolis.rules.api import RuleChecked, rule_field
from libpolis.rules.fields import CONTROL_LINE
from libpolis.web.i18n import PageMessage
from libpolis.web.openapi import UtcDateTime

__all__ = [
    "ROLES",
    "STATUSES",
    "STATUS_PATTERN",
    "AlignmentDecision",
    "AlignmentPublic",
    "AuditPublic",
    "ContactIn",
    "ContactPublic",
    "DocumentPublic",
    "GoalCreate",
    "GoalPublic",
    "GoalUpdate",
    "IndicatorCreate",
    "IndicatorPublic",
    "IndicatorUpdate",
    "LibraryPublic",
    "LinkPublic",
    "LoginIn",
    "MeasurementCreate",
    "MeasurementPublic",
    "NoteCreate",
    "NotePublic",
    "Page",
    "PartnerCreate",
    "PartnerPublic",
    "PartnerUpdate",
    "PartnershipCreate",
    "PartnershipDetail",
    "PartnershipPublic",
    "PartnershipUpdate",
    "ProgrammeCreate",
    "ProgrammeDetail",
    "ProgrammePublic",
    "ProgrammeUpdate",
    "StatisticPublic",
    "StatusChange",
    "StatusChangePublic",
    "TokenOut",
    "UserCreate",
    "UserPublic",
    "UserUpdate",
]

ROLES: tuple[str, ...] = ("admin", "staff", "officer", "viewer")
"""admin; library staff (own library system); city officer; public viewer."""

STATUSES: tuple[str, ...] = ("idea", "proposed", "agreed", "active", "evaluated", "ended")
"""The life cycle of a partnership, in order (a partnership may also end early)."""
STATUS_PATTERN = "^(" + "|".join(STATUSES) + ")$"

Role = Literal["admin", "staff", "officer", "viewer"]
Status = Literal["idea", "proposed", "agreed", "active", "evaluated", "ended"]
T = TypeVar("T")


_PART = "[^@ " + CONTROL_LINE[1:-1] + "]+"  # no @, space or control character
#: An e-mail address: blank, or name@host.tld (documented in OpenAPI and checked as written).
EMAIL_PATTERN = f"^({_PART}@{_PART}\\.{_PART})?$"
_EMAIL = re.compile(EMAIL_PATTERN)


def _email_field(entity: str, *, default: Any = None, optional: bool = False) -> Any:
    """The ``email`` field of ``entity``: its length from the rules, its form documented."""
    return rule_field(entity, "email", default=default, optional=optional, pattern=EMAIL_PATTERN)


def _email_or_blank(value: str | None) -> str | None:
    """An e-mail address as typed (``name@host.tld``), or nothing."""
    if value and not _EMAIL.fullmatch(value):
        raise ValueError(
            PageMessage(
                "%(value)s is not an e-mail address (name@example.org)", {"value": repr(value[:60])}
            )
        )
    return value


class _ORM(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class Page(BaseModel, Generic[T]):
    """One page of a list: ``items``, the ``total`` matching, and where this page is."""

    items: list[T]
    total: int
    page: int
    per_page: int


# -- programmes -----------------------------------------------------------------------------


class ProgrammeBase(RuleChecked):
    entity = "programme"
    title: str = rule_field("programme", "title")
    description: str = rule_field("programme", "description", default="")
    audience: str | None = rule_field("programme", "audience", default=None)
    language: str | None = rule_field("programme", "language", default=None)
    start_date: date | None = None
    end_date: date | None = None
    attendance: int | None = rule_field("programme", "attendance", default=None)
    partners: str | None = rule_field("programme", "partners", default=None)
    library_id: int | None = rule_field("programme", "library_id", default=None)


class ProgrammeCreate(ProgrammeBase):
    pass


class ProgrammeUpdate(RuleChecked):
    entity = "programme"
    title: str | None = rule_field("programme", "title", optional=True)
    description: str | None = rule_field("programme", "description", optional=True)
    audience: str | None = rule_field("programme", "audience", optional=True)
    language: str | None = rule_field("programme", "language", optional=True)
    start_date: date | None = None
    end_date: date | None = None
    attendance: int | None = rule_field("programme", "attendance", optional=True)
    partners: str | None = rule_field("programme", "partners", optional=True)
    library_id: int | None = rule_field("programme", "library_id", optional=True)


class ProgrammePublic(ProgrammeBase, _ORM):
    id: int
    source: str
    source_id: str
    library_name: str | None = None


class AlignmentPublic(_ORM):
    id: int
    programme_id: int
    goal_id: int
    framework: str = ""
    goal_code: str = ""
    goal_title: str = ""
    score: float
    method: str
    method_version: str
    explanation: dict[str, Any]
    status: str
    decided_by: str | None
    decided_at: UtcDateTime | None


class ProgrammeDetail(ProgrammePublic):
    alignments: list[AlignmentPublic] = []


class AlignmentDecision(BaseModel):
    status: Literal["confirmed", "rejected", "suggested"]


# -- goals (frameworks; city goals are edited here) -------------------------------------------


class GoalBase(RuleChecked):
    entity = "goal"
    code: str = rule_field("goal", "code")
    title: str = rule_field("goal", "title")
    text: str = rule_field("goal", "text", default="")


class GoalCreate(GoalBase):
    pass


class GoalUpdate(RuleChecked):
    entity = "goal"
    code: str | None = rule_field("goal", "code", optional=True)
    title: str | None = rule_field("goal", "title", optional=True)
    text: str | None = rule_field("goal", "text", optional=True)


class GoalPublic(GoalBase, _ORM):
    id: int
    framework: str = ""


# -- partners -------------------------------------------------------------------------------


class PartnerBase(RuleChecked):
    entity = "partner"
    name: str = rule_field("partner", "name")
    kind: str | None = rule_field("partner", "kind", default=None)
    contact_name: str | None = rule_field("partner", "contact_name", default=None)
    email: str | None = _email_field("partner")
    phone: str | None = rule_field("partner", "phone", default=None)
    website: str | None = rule_field("partner", "website", default=None)
    address: str | None = rule_field("partner", "address", default=None)

    _email = field_validator("email")(_email_or_blank)


class PartnerCreate(PartnerBase):
    pass


class PartnerUpdate(RuleChecked):
    entity = "partner"
    name: str | None = rule_field("partner", "name", optional=True)
    kind: str | None = rule_field("partner", "kind", optional=True)
    contact_name: str | None = rule_field("partner", "contact_name", optional=True)
    email: str | None = _email_field("partner", optional=True)
    phone: str | None = rule_field("partner", "phone", optional=True)
    website: str | None = rule_field("partner", "website", optional=True)
    address: str | None = rule_field("partner", "address", optional=True)

    _email = field_validator("email")(_email_or_blank)


class PartnerPublic(PartnerBase, _ORM):
    id: int


# -- partnerships ---------------------------------------------------------------------------


class ContactIn(RuleChecked):
    """A person responsible for the partnership, on the library's or the partner's side."""

    entity = "contact"
    side: Literal["library", "partner"]
    name: str = rule_field("contact", "name")
    role: str = rule_field("contact", "role", default="")
    email: str = _email_field("contact", default="")

    _email = field_validator("email")(_email_or_blank)


class ContactPublic(ContactIn, _ORM):
    id: int


class LinkPublic(BaseModel):
    """A record a partnership links to: its id and its name (a library, a programme)."""

    id: int
    name: str


_IDS = {"max_length": 200}


class PartnershipBase(RuleChecked):
    entity = "partnership"
    title: str = rule_field("partnership", "title")
    purpose: str = rule_field("partnership", "purpose", default="")
    partner_id: int | None = rule_field("partnership", "partner_id", default=None)
    library_system_id: int | None = rule_field("partnership", "library_system_id", default=None)
    district: str | None = rule_field("partnership", "district", default=None)
    published: bool = False
    start_date: date | None = None
    end_date: date | None = None
    review_date: date | None = None
    budget: float | None = rule_field("partnership", "budget", default=None)
    funding_source: str | None = rule_field("partnership", "funding_source", default=None)
    goal_ids: list[int] = Field(default_factory=list, max_length=100)
    library_ids: list[int] = Field(default_factory=list, **_IDS)
    programme_ids: list[int] = Field(default_factory=list, **_IDS)
    contacts: list[ContactIn] = Field(default_factory=list, max_length=20)


class PartnershipCreate(PartnershipBase):
    pass


class PartnershipUpdate(RuleChecked):
    entity = "partnership"
    title: str | None = rule_field("partnership", "title", optional=True)
    purpose: str | None = rule_field("partnership", "purpose", optional=True)
    partner_id: int | None = rule_field("partnership", "partner_id", optional=True)
    library_system_id: int | None = rule_field("partnership", "library_system_id", optional=True)
    district: str | None = rule_field("partnership", "district", optional=True)
    published: bool | None = None
    start_date: date | None = None
    end_date: date | None = None
    review_date: date | None = None
    budget: float | None = rule_field("partnership", "budget", optional=True)
    funding_source: str | None = rule_field("partnership", "funding_source", optional=True)
    goal_ids: list[int] | None = Field(default=None, max_length=100)
    library_ids: list[int] | None = Field(default=None, **_IDS)
    programme_ids: list[int] | None = Field(default=None, **_IDS)
    contacts: list[ContactIn] | None = Field(default=None, max_length=20)


class PartnershipPublic(PartnershipBase, _ORM):
    id: int
    status: Status
    partner_name: str | None = None


class StatusChange(BaseModel):
    status: Status


class StatusChangePublic(_ORM):
    from_status: str | None
    to_status: str
    changed_at: UtcDateTime
    changed_by: str | None


class MeasurementCreate(RuleChecked):
    """A measured value; ``measured_on`` defaults to today."""

    entity = "measurement"
    value: float = rule_field("measurement", "value")
    measured_on: date | None = None
    source: str = rule_field("measurement", "source", default="")


class MeasurementPublic(_ORM):
    id: int
    indicator_id: int
    value: float
    measured_on: date
    source: str
    recorded_by: str | None
    recorded_at: UtcDateTime


class IndicatorBase(RuleChecked):
    entity = "indicator"
    name: str = rule_field("indicator", "name")
    unit: str = rule_field("indicator", "unit", default="")
    baseline: float | None = rule_field("indicator", "baseline", default=None)
    target: float | None = rule_field("indicator", "target", default=None)
    measured: float | None = rule_field("indicator", "measured", default=None)
    measured_on: date | None = None


class IndicatorCreate(IndicatorBase):
    pass


class IndicatorUpdate(RuleChecked):
    entity = "indicator"
    name: str | None = rule_field("indicator", "name", optional=True)
    unit: str | None = rule_field("indicator", "unit", optional=True)
    baseline: float | None = rule_field("indicator", "baseline", optional=True)
    target: float | None = rule_field("indicator", "target", optional=True)
    measured: float | None = rule_field("indicator", "measured", optional=True)
    measured_on: date | None = None


class IndicatorPublic(IndicatorBase, _ORM):
    id: int
    partnership_id: int
    measurements: list[MeasurementPublic] = []


class NoteCreate(RuleChecked):
    entity = "note"
    body: str = rule_field("note", "body")


class NotePublic(_ORM):
    id: int
    partnership_id: int
    body: str
    author: str | None
    created_at: UtcDateTime


class DocumentPublic(_ORM):
    id: int
    partnership_id: int
    title: str
    filename: str
    content_type: str
    size_bytes: int
    sha256: str
    uploaded_by: str | None
    uploaded_at: UtcDateTime


class PartnershipDetail(PartnershipPublic):
    history: list[StatusChangePublic] = []
    indicators: list[IndicatorPublic] = []
    notes: list[NotePublic] = []
    documents: list[DocumentPublic] = []
    goals: list[GoalPublic] = []
    contacts: list[ContactPublic] = []
    libraries: list[LinkPublic] = []
    programmes: list[LinkPublic] = []


# -- libraries (read only) ------------------------------------------------------------------


class LibraryPublic(_ORM):
    id: int
    name: str
    kind: str
    system_id: int | None
    lon: float | None
    lat: float | None
    address: str | None
    city: str | None
    hours_per_year: float | None
    floor_area_m2: float | None
    source: str
    attrs: dict[str, Any]


class StatisticPublic(_ORM):
    year: int | None
    name: str
    value: float | None
    unit: str | None
    source: str


# -- users and audit ------------------------------------------------------------------------


class UserBase(BaseModel):
    email: str = Field(min_length=3, max_length=320, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    name: str = Field(default="", max_length=200)
    role: Role
    library_system_id: int | None = Field(default=None, ge=1, le=2**31 - 1)


class UserCreate(UserBase):
    password: str = Field(min_length=10, max_length=200)


class UserUpdate(BaseModel):
    name: str | None = Field(default=None, max_length=200)
    role: Role | None = None
    library_system_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    is_active: bool | None = None
    password: str | None = Field(default=None, min_length=10, max_length=200)


class UserPublic(UserBase, _ORM):
    id: int
    is_active: bool


class LoginIn(BaseModel):
    email: str = Field(min_length=1, max_length=320)
    password: str = Field(min_length=1, max_length=200)


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in_s: int


class AuditPublic(_ORM):
    id: int
    at: UtcDateTime
    user_email: str | None
    action: str
    entity: str
    entity_id: int | None
    changes: dict[str, Any]
