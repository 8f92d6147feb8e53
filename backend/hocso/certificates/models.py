"""The certificate table: one per completed module and one per year whose goal was met."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Column, DateTime, ForeignKey, String, UniqueConstraint, Uuid
from sqlmodel import Field, SQLModel

from hocso.core.timeutil import utcnow


class Certificate(SQLModel, table=True):
    """An achievement as issued. The row outlives its holder's account: erasure revokes it and removes the name."""

    __tablename__ = "certificate"
    __table_args__ = (UniqueConstraint("user_id", "subject", name="uq_certificate_user_subject"),)

    # The sequence number places the certificate in the revocation status lists.
    seq: int | None = Field(default=None, primary_key=True)
    # Unguessable: the verification page is public, so its address must not be enumerable.
    id: str = Field(sa_column=Column(String(40), nullable=False, unique=True))
    number: str = Field(sa_column=Column(String(32), nullable=False, unique=True))
    user_id: uuid.UUID | None = Field(
        default=None, sa_column=Column(Uuid, ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True, index=True)
    )
    # "module:<slug>" or "year:<yyyy>": what was achieved, once per person.
    subject: str = Field(max_length=80)
    kind: str = Field(max_length=10)
    module_slug: str | None = Field(default=None, max_length=64)
    year: int
    holder_name: str | None = Field(default=None, max_length=200)
    name_vi: str = Field(max_length=300)
    name_en: str = Field(max_length=300)
    achieved_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    issued_at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))
    revoked_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=True))
