"""Tables for the agency tree, required modules and the per-subtree counters that make stats cheap."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Column, DateTime, ForeignKey, Index, Integer, String, UniqueConstraint, Uuid
from sqlmodel import Field, SQLModel

from hocso.core.timeutil import utcnow

PATH_TYPE = String(400).with_variant(String(400, collation="C"), "postgresql")


class Agency(SQLModel, table=True):
    """A node of the org tree; `path` lists the ids from the root down to it, e.g. "/1/7/42/"."""

    __tablename__ = "agency"

    # None only until the row is first flushed; typed int so that ids read back need no None check.
    id: int = Field(default=None, primary_key=True)
    code: str = Field(sa_column=Column(String(64), unique=True, nullable=False, index=True))
    name: str = Field(max_length=300)
    parent_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("agency.id"), nullable=True, index=True))
    # A subtree is one range scan: path >= "/1/7/" AND path < "/1/70" (see agencies.tree.subtree_filter).
    # That needs byte order: PostgreSQL's locale collations skip "/" when sorting, so the column is "C" there.
    path: str = Field(sa_column=Column(PATH_TYPE, nullable=False, index=True))
    depth: int = 0


class Requirement(SQLModel, table=True):
    """A module an agency requires of everyone in its subtree, by a due date."""

    __tablename__ = "requirement"
    __table_args__ = (UniqueConstraint("agency_id", "module_slug"),)

    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(sa_column=Column(Integer, ForeignKey("agency.id"), nullable=False, index=True))
    module_slug: str = Field(sa_column=Column(String(64), ForeignKey("module.slug"), nullable=False))
    due_date: date
    created_at: datetime = Field(default_factory=utcnow)
    created_by: uuid.UUID | None = Field(default=None, sa_column=Column(Uuid, nullable=True))


# --- Rollups: counters over each agency's whole subtree, kept current on every change -----------------------


class AgencyRollup(SQLModel, table=True):
    """Civil servants in the agency's subtree."""

    __tablename__ = "agency_rollup"

    agency_id: int = Field(sa_column=Column(Integer, ForeignKey("agency.id"), primary_key=True))
    members: int = 0


class AgencyYearRollup(SQLModel, table=True):
    """Members of the subtree who met the yearly goal in a year."""

    __tablename__ = "agency_year_rollup"

    agency_id: int = Field(sa_column=Column(Integer, ForeignKey("agency.id"), primary_key=True))
    year: int = Field(primary_key=True)
    goal_met: int = 0


class AgencyModuleRollup(SQLModel, table=True):
    """Members of the subtree who first completed a module in a year."""

    __tablename__ = "agency_module_rollup"
    __table_args__ = (Index("ix_agency_module_rollup_agency_module", "agency_id", "module_slug"),)

    agency_id: int = Field(sa_column=Column(Integer, ForeignKey("agency.id"), primary_key=True))
    module_slug: str = Field(sa_column=Column(String(64), primary_key=True))
    year: int = Field(primary_key=True)
    completed: int = 0


class AgencyRollupDelta(SQLModel, table=True):
    """A change to the rollups not yet folded into them: writers only append these, the job runner folds them.

    A row counts for its agency alone: members, and goal_met in `year` when set, and completed of
    (`module_slug`, `year`) when both are set. Stats add an agency's rows to its rollups, so they stay exact.
    """

    __tablename__ = "agency_rollup_delta"
    __table_args__ = (Index("ix_agency_rollup_delta_agency", "agency_id"),)

    id: int | None = Field(
        default=None, sa_column=Column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True)
    )
    # No foreign key: every writer would take a share lock on the root's agency row, the hot row again.
    agency_id: int = Field(sa_column=Column(Integer, nullable=False))
    year: int | None = None
    module_slug: str | None = Field(default=None, sa_column=Column(String(64), nullable=True))
    members: int = 0
    goal_met: int = 0
    completed: int = 0


class AgencyInvitation(SQLModel, table=True):
    """An agency's invitation to someone who already has an account; only they can accept it."""

    __tablename__ = "agency_invitation"

    # Random, so an id cannot be guessed; accepting also checks that it is the caller's.
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    agency_id: int = Field(sa_column=Column(Integer, ForeignKey("agency.id"), nullable=False))
    user_id: uuid.UUID = Field(
        sa_column=Column(Uuid, ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    # No foreign key, as in the audit trail: the admin may erase their account later.
    created_by: uuid.UUID | None = Field(default=None, sa_column=Column(Uuid, nullable=True))
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    accepted_at: datetime | None = None


class AuditEvent(SQLModel, table=True):
    """An administrator's action on an agency (import, requirement change, export), readable by its admins."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_agency_at", "agency_id", "at"),)

    id: int = Field(default=None, primary_key=True)  # None only until first flushed, as Agency.id
    at: datetime = Field(default_factory=utcnow)
    # No foreign key: the trail outlives an erased account (the actor then shows as deleted).
    actor_id: uuid.UUID | None = Field(default=None, sa_column=Column(Uuid, nullable=True))
    agency_id: int = Field(sa_column=Column(Integer, ForeignKey("agency.id"), nullable=False))
    action: str = Field(max_length=40)
    detail: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class AgencyMonth(SQLModel, table=True):
    """An agency's subtree figures as a month ended in Vietnam: the points of the lagging units' trend lines."""

    __tablename__ = "agency_month"
    __table_args__ = (Index("ix_agency_month_month", "month"),)

    agency_id: int = Field(sa_column=Column(Integer, ForeignKey("agency.id", ondelete="CASCADE"), primary_key=True))
    month: date = Field(primary_key=True, description="The month's first day")
    members: int = 0
    goal_met: int = 0  # in the month's calendar year, up to its end
    required_completed: int = 0
    required_total: int = 0
    taken_at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))
