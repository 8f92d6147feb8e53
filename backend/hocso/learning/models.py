"""Tables for what a person did (events, attempts) and the one summary per person and module."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, String, UniqueConstraint, Uuid, text
from sqlmodel import Field, SQLModel

from hocso.core.timeutil import utcnow


def _user_fk() -> Column:
    return Column(Uuid, ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False)


class ProgressEvent(SQLModel, table=True):
    """A lesson completion as sent by a phone; event_id (made on the phone) makes replays harmless."""

    __tablename__ = "progress_event"
    __table_args__ = (Index("ix_progress_event_user_module", "user_id", "module_slug"),)

    event_id: uuid.UUID = Field(primary_key=True)
    user_id: uuid.UUID = Field(sa_column=_user_fk())
    type: str = Field(max_length=32)
    module_slug: str = Field(max_length=64)
    lesson_id: str = Field(max_length=64)
    # When it counts as done (the phone's time if believable, else received_at), and what the phone said.
    occurred_at: datetime
    claimed_at: datetime | None = None
    received_at: datetime = Field(default_factory=utcnow)
    # Sent while a community digital team helper sat beside the learner (their assisted session), else None.
    assisted_session_id: uuid.UUID | None = Field(default=None, sa_column=Column(Uuid, nullable=True))


class Attempt(SQLModel, table=True):
    """A graded quiz attempt; the stored result is what a replay of the same event_id gets back."""

    __tablename__ = "attempt"
    __table_args__ = (Index("ix_attempt_user_module", "user_id", "module_slug"),)

    id: int | None = Field(default=None, primary_key=True)
    event_id: uuid.UUID = Field(sa_column=Column(Uuid, unique=True, nullable=False))
    user_id: uuid.UUID = Field(sa_column=_user_fk())
    module_slug: str = Field(max_length=64)
    module_version_id: int = Field(sa_column=Column(Integer, ForeignKey("module_version.id"), nullable=False))
    answers: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    score: float
    passed: bool
    result: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    # When it counts as done (the phone's time if believable, else received_at), and what the phone said.
    occurred_at: datetime
    claimed_at: datetime | None = None
    received_at: datetime = Field(default_factory=utcnow)
    # Set when taken in an assisted session (a helper beside the citizen on a shared device).
    assisted_session_id: uuid.UUID | None = Field(default=None, sa_column=Column(Uuid, nullable=True))


class ModuleProgress(SQLModel, table=True):
    """One monotonic summary per person and module; completed_at is the earliest passed attempt."""

    __tablename__ = "module_progress"
    __table_args__ = (
        UniqueConstraint("user_id", "module_slug"),
        Index("ix_module_progress_user_year", "user_id", "completed_year"),
        # Partial: almost every row has no assisted session, and a full index of them made SQLite's planner scan
        # the whole table for an agency's assisted count (it takes the index for one NULL-heavy value).
        Index(
            "ix_module_progress_assisted",
            "assisted_session_id",
            sqlite_where=text("assisted_session_id IS NOT NULL"),
            postgresql_where=text("assisted_session_id IS NOT NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: uuid.UUID = Field(sa_column=_user_fk())
    module_slug: str = Field(sa_column=Column(String(64), ForeignKey("module.slug"), nullable=False))
    started_at: datetime
    lessons_completed: int = 0
    best_score: float | None = None
    completed_at: datetime | None = None
    # Calendar year of completed_at in Asia/Ho_Chi_Minh: the year this module counts as a new skill.
    completed_year: int | None = None
    completed_version_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("module_version.id"), nullable=True)
    )
    # The assisted session the completing attempt was taken in, if any: such completions count as assisted.
    assisted_session_id: uuid.UUID | None = Field(default=None, sa_column=Column(Uuid, nullable=True))
