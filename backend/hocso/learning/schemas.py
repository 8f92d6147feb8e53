"""What crosses the wire for attempts, progress events and the yearly goal."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field


def _iso_text(value: Any) -> Any:
    # Numbers would otherwise be read as Unix seconds; a phone always sends ISO 8601 text.
    if not isinstance(value, str | datetime):
        raise ValueError("give the time as ISO 8601 text with an offset, e.g. 2026-05-01T10:00:00+07:00")
    return value


Moment = Annotated[AwareDatetime, BeforeValidator(_iso_text)]
# Module slugs and lesson ids are lowercase letters, digits and hyphens (content/README.md).
SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]*$"


class AttemptIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    event_id: uuid.UUID = Field(description="Made by the client; re-sending it returns the first result")
    answers: dict[str, list[str]] = Field(
        max_length=100, description="Question id to the chosen choice ids", examples=[{"q1": ["a"]}]
    )
    occurred_at: Moment | None = Field(
        default=None,
        description="When the learner answered (offline attempts are sent later); believed within a window around"
        " receipt (API.md, Client time), else the receipt time",
    )
    version: int | None = Field(
        default=None, ge=1, le=1_000_000, description="The module version the learner saw; defaults to the current one"
    )


class QuestionResult(BaseModel):
    question_id: str
    correct: bool
    chosen_choice_ids: list[str]
    correct_choice_ids: list[str]
    explanation: str


class AttemptResult(BaseModel):
    score: float = Field(ge=0, le=1)
    passed: bool
    pass_score: float
    results: list[QuestionResult]
    module_completed: bool
    version: int
    occurred_at: datetime


class ProgressEventIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    event_id: uuid.UUID
    type: Literal["lesson_completed"]
    module: str = Field(min_length=1, max_length=64, pattern=SLUG_PATTERN)
    lesson: str = Field(min_length=1, max_length=64, pattern=SLUG_PATTERN)
    occurred_at: Moment


class ProgressBatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    events: list[ProgressEventIn] = Field(
        description="At most HOCSO_MAX_EVENTS_PER_BATCH (500) events; send more in another batch"
    )


class RejectedEvent(BaseModel):
    event_id: uuid.UUID
    reason: str


class ProgressBatchResult(BaseModel):
    accepted: int = Field(description="Events stored now")
    duplicates: int = Field(description="Events already stored before (or twice in this batch)")
    rejected: list[RejectedEvent] = Field(
        default_factory=list, description="Events that can never be stored (unknown module or lesson)"
    )


class YearlyGoal(BaseModel):
    target: int
    new_skills: int
    met: bool


class ModuleStatus(BaseModel):
    slug: str
    status: Literal["not_started", "in_progress", "completed"]
    completed_at: datetime | None
    lessons_completed: int
    lessons_done: list[str] = Field(default_factory=list, description="Ids of the lessons the person completed")
    best_score: float | None


class YearCount(BaseModel):
    year: int
    new_skills: int


class RequiredModule(BaseModel):
    slug: str
    due_date: date
    status: Literal["not_started", "in_progress", "completed"]
    overdue: bool = Field(description="Not completed and past its due date in Vietnam (not yet on the due date itself)")


class ProgressSummary(BaseModel):
    year: int
    goal: YearlyGoal
    modules: list[ModuleStatus]
    history: list[YearCount]
    required: list[RequiredModule]
