"""The xAPI outbox: statements waiting to reach the learning record store, kept until it has them."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, Column, DateTime, Index, String, Uuid
from sqlmodel import Field, SQLModel

from hocso.core.timeutil import utcnow


class XapiStatement(SQLModel, table=True):
    """A statement as it will be sent, byte for byte: built once from the stored event, so a resend is identical."""

    __tablename__ = "xapi_outbox"
    __table_args__ = (Index("ix_xapi_outbox_next_try_at", "next_try_at"),)

    # The statement id, derived from the event's event_id.
    id: uuid.UUID = Field(sa_column=Column(Uuid, primary_key=True))
    # No foreign key: erasure deletes a person's unsent statements explicitly.
    user_id: uuid.UUID = Field(sa_column=Column(Uuid, nullable=False, index=True))
    statement: dict = Field(sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))
    attempts: int = 0
    # Not before this moment: back-off after a failure, or a lease while one sender has it in flight.
    next_try_at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))
    last_error: str | None = Field(default=None, sa_column=Column(String(300), nullable=True))
