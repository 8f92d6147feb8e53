"""What crosses the wire about certificates."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel


class CertificateOut(BaseModel):
    id: str
    number: str
    kind: Literal["module", "year"]
    module: str | None = None
    year: int
    name: str
    achieved_at: datetime
    issued_at: datetime
    verify_url: str
    pdf_url: str
    credential_url: str


class Achievement(BaseModel):
    name: str
    criteria: str


class Issuer(BaseModel):
    name: str
    url: str


class CertificatePublic(BaseModel):
    id: str
    number: str
    status: Literal["valid", "revoked"]
    kind: Literal["module", "year"]
    module: str | None
    year: int
    holder_name: str | None
    achievement: Achievement
    achieved_at: datetime
    issued_at: datetime
    issuer: Issuer
    verify_url: str
