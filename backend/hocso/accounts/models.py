"""Tables for people, their refresh tokens, reset codes and the one-time code an import hands out."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, Column, Enum, ForeignKey, Integer, String, UniqueConstraint, Uuid, event, false
from sqlmodel import Field, SQLModel

from hocso.core.textfold import fold
from hocso.core.timeutil import utcnow


class RoleKind(StrEnum):
    """What a role row lets its holder do; on an agency it covers that agency's whole subtree."""

    sysadmin = "sysadmin"
    content_admin = "content_admin"
    agency_admin = "agency_admin"
    helper = "helper"


# Names a person can have in `/me`'s roles: learner (everyone) and civil_servant (a member of an agency) are
# derived, never stored; the rest are role rows.
ROLES = ("learner", "civil_servant", *RoleKind)


class User(SQLModel, table=True):
    __tablename__ = "user_account"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    email: str | None = Field(default=None, sa_column=Column(String(254), unique=True, index=True))
    # E.164 form, e.g. +84912345678.
    phone: str | None = Field(default=None, sa_column=Column(String(16), unique=True, index=True))
    full_name: str = Field(max_length=200)
    # full_name folded for search and sorting (see core.textfold), kept in step by the listener below.
    name_key: str = Field(default="", sa_column=Column(String(200), nullable=False, server_default="", index=True))
    password_hash: str | None = Field(default=None, max_length=255)
    # The agency a civil servant belongs to (their stats count there and in every ancestor).
    agency_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("agency.id"), nullable=True, index=True))
    # True when an agency's staff import made the account: only then may an import of that agency's subtree
    # change it (its name, its agency within the subtree). Everyone else gets an invitation instead.
    created_by_import: bool = Field(default=False, sa_column=Column(Boolean, nullable=False, server_default=false()))
    created_at: datetime = Field(default_factory=utcnow)
    # Goes up when the password changes or the person signs out everywhere; access tokens carry the value
    # they were issued under, so older ones are refused (a counter, unlike a time, has no same-second tie).
    token_version: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))


@event.listens_for(User, "before_insert")
@event.listens_for(User, "before_update")
def _fold_name(_mapper, _connection, user: User) -> None:
    user.name_key = fold(user.full_name or "")[:200]


class Role(SQLModel, table=True):
    """One role a person holds: system-wide (no agency) or on an agency and everything below it."""

    __tablename__ = "role"
    __table_args__ = (UniqueConstraint("user_id", "agency_id", "kind", name="uq_role_user_agency_kind"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: uuid.UUID = Field(
        sa_column=Column(Uuid, ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    agency_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("agency.id", ondelete="CASCADE"), nullable=True, index=True)
    )
    kind: RoleKind = Field(sa_column=Column(Enum(RoleKind, native_enum=False, length=20), nullable=False))
    # Who granted it (None: the command line or the migration that turned the old role names into rows).
    granted_by: uuid.UUID | None = Field(
        default=None, sa_column=Column(Uuid, ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True)
    )
    granted_at: datetime = Field(default_factory=utcnow)


class RefreshToken(SQLModel, table=True):
    """One issued refresh token; a family is one sign-in's chain of rotations."""

    __tablename__ = "refresh_token"

    jti: str = Field(primary_key=True, max_length=64)
    family_id: str = Field(index=True, max_length=64)
    user_id: uuid.UUID = Field(
        sa_column=Column(Uuid, ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    issued_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    used_at: datetime | None = None
    revoked_at: datetime | None = None
    # When the family's first token was issued: a chain of rotations ends a fixed time after its sign-in.
    family_started_at: datetime | None = None


class PasswordReset(SQLModel, table=True):
    """The one pending password-reset code of a person, kept as a keyed hash."""

    __tablename__ = "password_reset"

    user_id: uuid.UUID = Field(sa_column=Column(Uuid, ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True))
    code_hash: str = Field(max_length=80)
    expires_at: datetime
    # Wrong codes tried; at the settings' limit the code stops working.
    tries: int = 0
    # "email", "sms" or "agency": how the code reached the person.
    sent_by: str = Field(max_length=16)
    created_at: datetime = Field(default_factory=utcnow)


class ActivationCode(SQLModel, table=True):
    """A one-time code with which an imported civil servant sets their password and first signs in."""

    __tablename__ = "invitation"

    user_id: uuid.UUID = Field(sa_column=Column(Uuid, ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True))
    code_hash: str = Field(max_length=255)
    expires_at: datetime
    created_at: datetime = Field(default_factory=utcnow)


class CitizenConsent(SQLModel, table=True):
    """A citizen a community digital team helper registered, with the consent they gave (which text, when, to whom)."""

    __tablename__ = "citizen_consent"

    user_id: uuid.UUID = Field(sa_column=Column(Uuid, ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True))
    # The commune (or unit) the helper registered them in.
    agency_id: int = Field(sa_column=Column(Integer, ForeignKey("agency.id", ondelete="CASCADE"), nullable=False, index=True))
    helper_id: uuid.UUID | None = Field(
        default=None, sa_column=Column(Uuid, ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True, index=True)
    )
    consent_version: str = Field(max_length=16)
    consented_at: datetime = Field(default_factory=utcnow)


class CitizenRegistration(SQLModel, table=True):
    """A helper's registration of a citizen with a phone or email, waiting for the code sent there.

    Nothing is said about whether the phone or email already has an account until the code comes back: the
    person beside the helper proves they hold it, and only then is their account created or linked.
    """

    __tablename__ = "citizen_registration"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    agency_id: int = Field(sa_column=Column(Integer, ForeignKey("agency.id", ondelete="CASCADE"), nullable=False))
    helper_id: uuid.UUID = Field(
        sa_column=Column(Uuid, ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    full_name: str = Field(max_length=200)
    channel: str = Field(max_length=8)  # "sms" or "email": where the code went
    contact: str = Field(max_length=254)
    consent_version: str = Field(max_length=16)
    code_hash: str = Field(max_length=128)
    tries: int = 0
    expires_at: datetime


class AssistedSession(SQLModel, table=True):
    """A helper signing a citizen in on a shared device: short-lived, marked, ended by signing out."""

    __tablename__ = "assisted_session"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    citizen_id: uuid.UUID = Field(
        sa_column=Column(Uuid, ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    helper_id: uuid.UUID | None = Field(
        default=None, sa_column=Column(Uuid, ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True)
    )
    agency_id: int = Field(sa_column=Column(Integer, ForeignKey("agency.id", ondelete="CASCADE"), nullable=False, index=True))
    started_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    ended_at: datetime | None = None
