"""Reminders from a manager to the people behind: at most one a day each, shown in the app and sent by push."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from sqlalchemy import Column, Date, ForeignKey, Index, Integer, String, UniqueConstraint, Uuid, update
from sqlmodel import Field, Session, SQLModel, col, select

from hocso.agencies.models import Agency
from hocso.core.db import dialect_insert, table_of
from hocso.core.errors import NotFound
from hocso.core.timeutil import utcnow

ReminderStatus = Literal["behind", "overdue", "goal_not_met"]
PUSH_JOB = "push_reminders"
PUSH_BATCH = 200

DEFAULT_TEXT = {
    "behind": ("Bạn còn học phần bắt buộc chưa hoàn thành", "You have a required module to finish"),
    "overdue": ("Học phần bắt buộc của bạn đã quá hạn", "Your required module is past its due date"),
    "goal_not_met": ("Năm nay bạn chưa học kỹ năng số mới nào", "You have not learnt a new digital skill this year"),
}


class Reminder(SQLModel, table=True):
    """One reminder to one person on one day (Vietnam's calendar); it doubles as the in-app notice."""

    __tablename__ = "reminder"
    __table_args__ = (
        UniqueConstraint("user_id", "day", name="uq_reminder_user_day"),
        Index("ix_reminder_pending", "pushed_at", "id"),
    )

    id: int = Field(default=None, primary_key=True)  # None only until first flushed, as Agency.id
    user_id: uuid.UUID = Field(sa_column=Column(Uuid, ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False))
    day: date = Field(sa_column=Column(Date, nullable=False))
    agency_id: int = Field(sa_column=Column(Integer, ForeignKey("agency.id"), nullable=False))
    status: ReminderStatus = Field(sa_column=Column(String(20), nullable=False))
    message: str | None = Field(default=None, max_length=500)
    # No foreign key: the reminder stays with its recipient when the manager's account is erased.
    sent_by: uuid.UUID | None = Field(default=None, sa_column=Column(Uuid, nullable=True))
    created_at: datetime = Field(default_factory=utcnow)
    read_at: datetime | None = None
    pushed_at: datetime | None = None


def queue(
    session: Session,
    *,
    agency: Agency,
    user_ids: list[uuid.UUID],
    status: ReminderStatus,
    message: str | None,
    sent_by: uuid.UUID,
    today: date,
) -> int:
    """Writes today's reminder for each person who has none yet; returns how many were written."""
    if not user_ids:
        return 0
    table = table_of(Reminder)
    stmt = (
        dialect_insert(session.get_bind().dialect.name, table)
        .on_conflict_do_nothing(index_elements=["user_id", "day"])
        .returning(table.c.id)
    )
    now = utcnow()
    queued = 0
    for start in range(0, len(user_ids), 1000):
        rows = [
            {
                "user_id": u,
                "day": today,
                "agency_id": agency.id,
                "status": status,
                "message": message,
                "sent_by": sent_by,
                "created_at": now,
            }
            for u in user_ids[start : start + 1000]
        ]
        queued += len(session.execute(stmt, rows).all())
    session.flush()
    return queued


def text_of(reminder: Reminder, lang: str = "vi") -> str:
    if reminder.message:
        return reminder.message
    vi, en = DEFAULT_TEXT.get(reminder.status, DEFAULT_TEXT["behind"])
    return en if lang == "en" else vi


def notices(session: Session, *, user_id: uuid.UUID, limit: int = 20) -> list[tuple[Reminder, Agency]]:
    """The person's latest reminders, newest first."""
    return list(
        session.exec(
            select(Reminder, Agency)
            .join(Agency, col(Agency.id) == col(Reminder.agency_id))
            .where(Reminder.user_id == user_id)
            .order_by(col(Reminder.id).desc())
            .limit(limit)
        ).all()
    )


def mark_read(session: Session, *, user_id: uuid.UUID, notice_id: int) -> None:
    """Marks one of the person's notices read; someone else's is not found."""
    reminder = session.get(Reminder, notice_id)
    if reminder is None or reminder.user_id != user_id:
        raise NotFound("There is no such notice.", "Không có thông báo này.")
    if reminder.read_at is None:
        session.execute(update(Reminder).where(col(Reminder.id) == notice_id).values(read_at=utcnow()))
    session.flush()
