"""What crosses the wire for the manager's lists, reminders, notices and push subscriptions."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from hocso.agencies.schemas import AgencyRef

MemberStatus = Literal["behind", "overdue", "goal_not_met"]


class RequiredOut(BaseModel):
    module: str
    due_date: date
    status: Literal["completed", "overdue", "in_progress", "not_started"]


class MemberCertificateOut(BaseModel):
    id: str
    number: str
    kind: Literal["module", "year"]
    module: str | None
    year: int
    verify_url: str = Field(description="The public verification page of the certificate")


class MemberOut(BaseModel):
    id: uuid.UUID
    full_name: str
    agency: AgencyRef
    goal_met: bool = Field(description="Completed a module in the year asked for")
    required: list[RequiredOut]
    certificates: list[MemberCertificateOut] = Field(default_factory=list, description="The member's valid certificates")
    activated: bool = Field(
        default=True, description="Has set a password; false for an imported person who has not yet used their code"
    )


class MembersPage(BaseModel):
    items: list[MemberOut]
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page; null at the end")


class ReminderIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: MemberStatus
    message: str | None = Field(default=None, max_length=500)
    q: str | None = Field(default=None, max_length=100, description="Only people whose name contains this")
    year: int | None = Field(default=None, ge=2000, le=2100)


class RemindersQueued(BaseModel):
    queued: int = Field(description="People reminded now; those already reminded today are skipped")
    skipped: int = Field(description="People who matched but were already reminded today")


class PushKeys(BaseModel):
    p256dh: str = Field(min_length=20, max_length=200)
    auth: str = Field(min_length=8, max_length=100)


class PushSubscriptionIn(BaseModel):
    """A browser's PushSubscription.toJSON()."""

    endpoint: str = Field(min_length=8, max_length=2000)
    expirationTime: int | float | None = None  # noqa: N815 - the browser's name
    keys: PushKeys


class PushSubscriptionRef(BaseModel):
    endpoint: str = Field(min_length=8, max_length=2000)


class PublicKeyOut(BaseModel):
    public_key: str = Field(description="VAPID application server key, base64url (applicationServerKey)")


class NoticeOut(BaseModel):
    id: int
    at: datetime
    agency: AgencyRef
    status: MemberStatus
    text: str
    read: bool


class NoticesOut(BaseModel):
    items: list[NoticeOut]
    unread: int


class TrendPoint(BaseModel):
    month: str = Field(description="YYYY-MM")
    rate: float | None = Field(description="The rate at the month's end (now, for the current month); null if unknown")


class RankedUnit(BaseModel):
    code: str
    name: str
    members: int
    rate: float | None = Field(description="The latest point; null when nothing is required of the unit")
    trend: list[TrendPoint]


class RankingOut(BaseModel):
    agency: AgencyRef
    year: int
    by: Literal["goal_rate", "required_rate"]
    depth: int
    total: int = Field(description="Units at this depth; items holds the first `limit` of them, lowest rate first")
    items: list[RankedUnit]


class SlipCode(BaseModel):
    model_config = ConfigDict(extra="forbid")

    identifier: str = Field(min_length=3, max_length=254, description="The email or phone the code was issued for")
    code: str = Field(min_length=4, max_length=64)


class SlipsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    slips: list[SlipCode] = Field(min_length=1, max_length=2000, description="Codes as the import or a re-issue gave them")


class ActivationCodeOut(BaseModel):
    identifier: str = Field(description="The email or phone the person signs in with")
    code: str = Field(description="Give it to the person; they activate their account with it at /auth/activate")
    expires_at: datetime
