"""What crosses the wire for agencies, requirements, imports and stats."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class AgencyRef(BaseModel):
    code: str
    name: str


class AgencyOut(BaseModel):
    code: str
    name: str
    parent_code: str | None
    children: list[AgencyRef]
    members: int


class RequirementIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    module: str = Field(min_length=1, max_length=64)
    due_date: date


class RequirementOut(BaseModel):
    module: str
    due_date: date
    agency: AgencyRef = Field(description="The agency that set it (this one, an ancestor, or with ?below=true a unit below)")
    inherited: bool = Field(description="Set by an ancestor: it applies here and cannot be removed here")
    origin: Literal["own", "above", "below"] = Field(
        default="own", description="Set by this agency, by an ancestor, or by a unit in its subtree (with ?below=true)"
    )


class ImportRejection(BaseModel):
    row: int = Field(description="Line number in the file, the header being line 1")
    reason: str
    values: dict[str, str] | None = Field(
        default=None,
        exclude_if=lambda v: v is None,  # an invited row stays {"row", "reason"}, as the contract has it
        description="The row's values by column (each cut to 300 characters), to fix and import again; null for invited rows",
    )


class Invitation(BaseModel):
    row: int
    identifier: str
    code: str = Field(description="One-time code to give the person; they set a password with it")
    expires_at: datetime


class ImportResult(BaseModel):
    created: int
    updated: int
    unchanged: int
    rejected: list[ImportRejection] = Field(
        description="Rows not imported, with a reason; reason 'invited' means the person was invited to join instead"
    )
    invited: int = Field(default=0, description="Rows whose person already had an account and was invited")
    invitations: list[Invitation] = Field(
        default_factory=list, description="One-time codes, one per account created (or never activated and expired)"
    )


class ImportQueued(BaseModel):
    job_id: str
    status_url: str
    rows_total: int


class ImportJobOut(BaseModel):
    job_id: str
    status: Literal["queued", "running", "done", "failed"]
    rows_total: int
    rows_done: int
    result: ImportResult | None = Field(description="The import's answer once done; null before")
    error: str | None = None


class InvitationOut(BaseModel):
    """An agency's invitation, as the invited person sees it."""

    id: str
    agency: AgencyRef
    created_at: datetime
    expires_at: datetime
    accepted_at: datetime | None = None

    @classmethod
    def of(cls, invitation, agency) -> InvitationOut:
        return cls(
            id=str(invitation.id),
            agency=AgencyRef(code=agency.code, name=agency.name),
            created_at=invitation.created_at,
            expires_at=invitation.expires_at,
            accepted_at=invitation.accepted_at,
        )


class ModuleFigure(BaseModel):
    slug: str
    completed: int = Field(description="Members of the subtree who have completed it, ever")
    completed_in_year: int
    rate: float


class ChildFigure(BaseModel):
    code: str
    name: str
    members: int
    goal_met: int
    goal_rate: float
    required_completed: int
    required_total: int
    required_rate: float | None
    overdue: int


class AgencyStats(BaseModel):
    agency: AgencyRef
    year: int
    members: int
    goal_met: int
    goal_rate: float
    required_completed: int = Field(description="Required modules completed, counted per person and module")
    required_total: int
    required_rate: float | None = Field(description="required_completed / required_total; null if nothing is required")
    overdue: int = Field(description="Required modules past their due date and not completed, per person and module")
    by_module: list[ModuleFigure]
    children: list[ChildFigure]
    assisted: int = Field(default=0, description="Modules completed this year in assisted sessions held by the subtree's helpers")


class AuditEventOut(BaseModel):
    id: int
    at: datetime
    agency: AgencyRef
    actor: str = Field(description="Who did it: name and email/phone, or 'deleted account'")
    action: str
    detail: dict


class AuditPage(BaseModel):
    events: list[AuditEventOut]
    next_before: int | None = Field(description="Pass as ?before= for the next (older) page; null at the end")
