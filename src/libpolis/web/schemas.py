"""Pydantic schemas of the web API: a Base / Create / Update / Public family per entity."""

from __future__ import annotations

from datetime import date
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from libpolis.web.openapi import UtcDateTime

__all__ = [
    "ROLES",
    "STATUSES",
    "AlignmentDecision",
    "AlignmentPublic",
    "AuditPublic",
    "DocumentPublic",
    "GoalCreate",
    "GoalPublic",
    "GoalUpdate",
    "IndicatorCreate",
    "IndicatorPublic",
    "IndicatorUpdate",
    "LibraryPublic",
    "LoginIn",
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

STATUSES: tuple[str, ...] = ("idea", "proposed", "agreed", "active", "evaluated")
"""The life cycle of a partnership, in order."""

Role = Literal["admin", "staff", "officer", "viewer"]
Status = Literal["idea", "proposed", "agreed", "active", "evaluated"]
T = TypeVar("T")

_Title = Field(min_length=1, max_length=500)
_Name = Field(min_length=1, max_length=300)


class _ORM(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class Page(BaseModel, Generic[T]):
    """One page of a list: ``items``, the ``total`` matching, and where this page is."""

    items: list[T]
    total: int
    page: int
    per_page: int


# -- programmes -----------------------------------------------------------------------------


class ProgrammeBase(BaseModel):
    title: str = _Title
    description: str = Field(default="", max_length=20_000)
    audience: str | None = Field(default=None, max_length=200)
    language: str | None = Field(default=None, max_length=10)
    start_date: date | None = None
    end_date: date | None = None
    attendance: int | None = Field(default=None, ge=0, le=100_000_000)
    partners: str | None = Field(default=None, max_length=2_000)
    library_id: int | None = Field(default=None, ge=1, le=2**31 - 1)


class ProgrammeCreate(ProgrammeBase):
    pass


class ProgrammeUpdate(BaseModel):
    title: str | None = Field(default=None, min_length=1, max_length=500)
    description: str | None = Field(default=None, max_length=20_000)
    audience: str | None = Field(default=None, max_length=200)
    language: str | None = Field(default=None, max_length=10)
    start_date: date | None = None
    end_date: date | None = None
    attendance: int | None = Field(default=None, ge=0, le=100_000_000)
    partners: str | None = Field(default=None, max_length=2_000)
    library_id: int | None = Field(default=None, ge=1, le=2**31 - 1)


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


class GoalBase(BaseModel):
    code: str = Field(min_length=1, max_length=50)
    title: str = Field(min_length=1, max_length=1_000)
    text: str = Field(default="", max_length=10_000)


class GoalCreate(GoalBase):
    pass


class GoalUpdate(BaseModel):
    code: str | None = Field(default=None, min_length=1, max_length=50)
    title: str | None = Field(default=None, min_length=1, max_length=1_000)
    text: str | None = Field(default=None, max_length=10_000)


class GoalPublic(GoalBase, _ORM):
    id: int
    framework: str = ""


# -- partners -------------------------------------------------------------------------------


class PartnerBase(BaseModel):
    name: str = _Name
    kind: str | None = Field(default=None, max_length=100)


class PartnerCreate(PartnerBase):
    pass


class PartnerUpdate(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=300)
    kind: str | None = Field(default=None, max_length=100)


class PartnerPublic(PartnerBase, _ORM):
    id: int


# -- partnerships ---------------------------------------------------------------------------


class PartnershipBase(BaseModel):
    title: str = _Title
    purpose: str = Field(default="", max_length=20_000)
    partner_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    library_system_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    district: str | None = Field(default=None, max_length=200)
    published: bool = False
    goal_ids: list[int] = Field(default_factory=list, max_length=100)


class PartnershipCreate(PartnershipBase):
    pass


class PartnershipUpdate(BaseModel):
    title: str | None = Field(default=None, min_length=1, max_length=500)
    purpose: str | None = Field(default=None, max_length=20_000)
    partner_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    library_system_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    district: str | None = Field(default=None, max_length=200)
    published: bool | None = None
    goal_ids: list[int] | None = Field(default=None, max_length=100)


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


class IndicatorBase(BaseModel):
    name: str = _Name
    unit: str = Field(default="", max_length=50)
    target: float | None = Field(default=None, allow_inf_nan=False)
    measured: float | None = Field(default=None, allow_inf_nan=False)
    measured_on: date | None = None


class IndicatorCreate(IndicatorBase):
    pass


class IndicatorUpdate(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=300)
    unit: str | None = Field(default=None, max_length=50)
    target: float | None = Field(default=None, allow_inf_nan=False)
    measured: float | None = Field(default=None, allow_inf_nan=False)
    measured_on: date | None = None


class IndicatorPublic(IndicatorBase, _ORM):
    id: int
    partnership_id: int


class NoteCreate(BaseModel):
    body: str = Field(min_length=1, max_length=20_000)


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
