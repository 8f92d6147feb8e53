"""What crosses the wire for accounts."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from hocso.accounts.models import User
from hocso.core.errors import bilingual_error
from hocso.core.identifiers import IdentifierRefused, canonical_phone, normalize_email


def has_unprintable(text: str) -> bool:
    """True for text with control characters or lone surrogates, which no name needs and databases refuse."""
    return any(ord(c) < 32 or ord(c) == 127 or 0xD800 <= ord(c) <= 0xDFFF for c in text)


def _varied(password: str) -> str:
    if len(set(password)) < 4:
        raise bilingual_error(
            "choose a password with more different characters", "hãy chọn mật khẩu có nhiều ký tự khác nhau hơn"
        )
    return password


# Not stripped: a password's spaces are part of it.
NewPassword = Annotated[str, Field(min_length=8, max_length=128, description="At least 8 characters"), AfterValidator(_varied)]


class AgencyRef(BaseModel):
    code: str
    name: str


class RoleScope(BaseModel):
    kind: str = Field(description="agency_admin, helper, content_admin or sysadmin")
    agency: AgencyRef | None = Field(description="The agency whose subtree the role covers; null: system-wide")


class AssistedOut(BaseModel):
    session_id: uuid.UUID
    helper_name: str | None = Field(description="Who is helping (null once the helper's account is erased)")
    agency: AgencyRef | None
    expires_at: datetime


class UserPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    full_name: str
    email: str | None
    phone: str | None
    roles: list[str]
    agency: AgencyRef | None = None
    manages: AgencyRef | None = Field(
        default=None, description="For an agency admin: the root of the (first) subtree they manage"
    )
    scopes: list[RoleScope] = Field(default_factory=list, description="Every role held, with the subtree it covers")
    assisted: AssistedOut | None = Field(
        default=None, description="Set when signed in by a helper for an assisted session on a shared device"
    )


def clean_full_name(v: str) -> str:
    """Collapses a typed name's spaces; refuses an empty one or one with control characters."""
    name = " ".join(v.split())
    if not name:
        raise ValueError("enter your full name")
    if has_unprintable(name):
        raise ValueError("the full name contains control characters; type it again")
    return name


def user_public(
    user: User,
    *,
    roles: list[str] | None = None,
    agency: AgencyRef | None = None,
    manages: AgencyRef | None = None,
    scopes: list[RoleScope] | None = None,
) -> UserPublic:
    """The person as the API shows them; roles default to a new account's (learner and nothing else yet)."""
    return UserPublic(
        id=user.id,
        full_name=user.full_name,
        email=user.email,
        phone=user.phone,
        roles=roles if roles is not None else ["learner"],
        agency=agency,
        manages=manages,
        scopes=scopes or [],
    )


class RegisterIn(BaseModel):
    # Not str_strip_whitespace: a password's spaces are part of it.
    model_config = ConfigDict(extra="forbid")

    email: str | None = Field(default=None, max_length=254, json_schema_extra={"format": "email"})
    phone: str | None = Field(default=None, max_length=32, examples=["0912345678"])
    password: NewPassword
    full_name: str = Field(min_length=1, max_length=200)

    @field_validator("email")
    @classmethod
    def _email(cls, v: str | None) -> str | None:
        if not v:
            return None
        try:
            return normalize_email(v)
        except IdentifierRefused as exc:
            raise bilingual_error(exc.en, exc.vi) from None

    @field_validator("phone")
    @classmethod
    def _phone(cls, v: str | None) -> str | None:
        if v is None or v == "":
            return None
        try:
            return canonical_phone(v)
        except IdentifierRefused as exc:
            raise bilingual_error(exc.en, exc.vi) from None

    @field_validator("full_name")
    @classmethod
    def _full_name(cls, v: str) -> str:
        return clean_full_name(v)

    @model_validator(mode="after")
    def _one_identifier(self) -> RegisterIn:
        if not self.email and not self.phone:
            raise ValueError("give an email address or a phone number")
        return self


class ProfileUpdate(BaseModel):
    """What a person may change about themselves: their name as certificates and their agency show it."""

    model_config = ConfigDict(extra="forbid")

    full_name: str = Field(min_length=1, max_length=200)

    @field_validator("full_name")
    @classmethod
    def _full_name(cls, v: str) -> str:
        return clean_full_name(v)


class TokenPair(BaseModel):
    access_token: str
    refresh_token: str
    token_type: str = "bearer"
    expires_in: int = Field(description="Seconds until the access token expires")
    refresh_expires_in: int


class RefreshIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    refresh_token: str = Field(min_length=1, max_length=4096)


class PasswordChangeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    current_password: str = Field(min_length=1, max_length=128)
    new_password: NewPassword


class PasswordResetIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    identifier: str = Field(min_length=1, max_length=254, description="The email or phone the account signs in with")


class PasswordResetConfirmIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    identifier: str = Field(min_length=1, max_length=254)
    code: str = Field(min_length=4, max_length=32)
    new_password: NewPassword


class ResetCodeOut(BaseModel):
    code: str = Field(description="Give it to the person; they set a new password with it at /auth/password-reset/confirm")
    expires_at: datetime


class ResetRequested(BaseModel):
    message: str = Field(description="The same sentence whether or not an account has the identifier")


class ActivateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    identifier: str = Field(min_length=3, max_length=254, description="The email or phone the agency imported")
    code: str = Field(min_length=4, max_length=64)
    password: str = Field(min_length=8, max_length=128)
