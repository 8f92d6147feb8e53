"""HTTP endpoints for community digital team helpers: register citizens, assisted sessions, granting helpers."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, BackgroundTasks, Depends, Response, status
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from hocso.accounts import delivery
from hocso.accounts import service as accounts_service
from hocso.accounts.deps import ClientIP, CurrentUser, LimitsDep, SettingsDep, SmsDep
from hocso.accounts.schemas import AgencyRef
from hocso.agencies import assistance
from hocso.agencies.access import Action
from hocso.agencies.deps import HelpedAgency, scoped
from hocso.agencies.models import Agency
from hocso.core.db import SessionDep
from hocso.core.errors import bilingual_error, error_responses
from hocso.core.identifiers import IdentifierRefused, canonical_phone, masked, normalize_email

router = APIRouter(prefix="/agencies", tags=["helpers"])
consent_router = APIRouter(prefix="/assistance", tags=["helpers"])
GrantingAgency = Annotated[Agency, Depends(scoped(Action.grant_helper))]


class ConsentOut(BaseModel):
    version: str
    text: dict[str, str] = Field(description="The consent text in vi and en")


class CitizenIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    full_name: str = Field(min_length=1, max_length=200)
    phone: str | None = Field(default=None, max_length=32, description="Optional: many have no phone of their own")
    email: str | None = Field(default=None, max_length=254)
    consent: bool = Field(description="The citizen agreed to the consent text after hearing it")
    consent_version: str = Field(min_length=1, max_length=16, description="The version of the text they agreed to")

    @field_validator("email", "phone")
    @classmethod
    def _identifier(cls, v: str | None, info: ValidationInfo) -> str | None:
        """Normalised as at registration: emails NFKC and case-folded, phones E.164."""
        if not v:
            return None
        try:
            return normalize_email(v) if info.field_name == "email" else canonical_phone(v)
        except IdentifierRefused as exc:
            raise bilingual_error(exc.en, exc.vi) from None


class CitizenOut(BaseModel):
    id: uuid.UUID
    full_name: str
    phone: str | None
    email: str | None
    agency: AgencyRef
    consent_version: str
    consented_at: datetime


class CodeSent(BaseModel):
    registration_id: uuid.UUID
    channel: Literal["sms", "email"]
    sent_to: str = Field(description="The phone or email the code went to, partly hidden")
    expires_in: int = Field(description="Seconds the code stays valid")


class CodeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=1, max_length=32, description="The code the citizen received, spaces allowed")


class AssistedSessionOut(BaseModel):
    session_id: uuid.UUID
    access_token: str
    token_type: str = "bearer"
    expires_in: int
    assisted: bool = Field(default=True, description="Always true: this token is an assisted session's")
    citizen: CitizenOut


class HelperIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    identifier: str = Field(min_length=3, max_length=254, description="The email or phone of the helper's account")


class HelperOut(BaseModel):
    id: uuid.UUID
    full_name: str
    agency: AgencyRef
    granted_at: datetime


def _citizen_out(citizen, consent, agency: Agency) -> CitizenOut:
    return CitizenOut(
        id=citizen.id,
        full_name=citizen.full_name,
        phone=citizen.phone,
        email=citizen.email,
        agency=AgencyRef(code=agency.code, name=agency.name),
        consent_version=consent.consent_version,
        consented_at=consent.consented_at,
    )


@consent_router.get("/consent", response_model=ConsentOut, operation_id="get_assistance_consent", responses=error_responses())
def consent_text() -> ConsentOut:
    """The consent text a helper reads to a citizen before registering them, and its version."""
    return ConsentOut(version=assistance.CONSENT_VERSION, text=assistance.CONSENT_TEXT)


@router.post(
    "/{code}/citizens",
    response_model=CitizenOut | CodeSent,
    status_code=status.HTTP_201_CREATED,
    operation_id="register_assisted_citizen",
    responses={
        202: {"model": CodeSent, "description": "A code went to the phone or email given: confirm with it"},
        **error_responses(400, 401, 403, 404, 413, 422, 429),
    },
)
def register_citizen(
    agency: HelpedAgency,
    data: CitizenIn,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    limits: LimitsDep,
    ip: ClientIP,
    sms: SmsDep,
    background: BackgroundTasks,
    response: Response,
) -> CitizenOut | CodeSent:
    """Registers a citizen with their consent: at once without a phone or email, else once they read back a code."""
    assistance.check_consent(consent=data.consent, consent_version=data.consent_version)
    if not (data.phone or data.email):
        citizen, consent = assistance.register_citizen(
            session, helper=user, agency=agency, full_name=data.full_name, consent_version=data.consent_version
        )
        return _citizen_out(citizen, consent, agency)
    limits.citizen_code.hit_within(session, identifiers=[data.phone or data.email or ""], ip=ip)
    pending, message = assistance.start_registration(
        session,
        settings,
        helper=user,
        agency=agency,
        full_name=data.full_name,
        phone=data.phone,
        email=data.email,
        consent_version=data.consent_version,
        channels=delivery.channels(settings, sms),
    )
    background.add_task(delivery.deliver, settings, sms, [message])
    response.status_code = status.HTTP_202_ACCEPTED
    return CodeSent(
        registration_id=pending.id,
        channel="sms" if pending.channel == "sms" else "email",
        sent_to=masked(pending.contact),
        expires_in=assistance.REGISTRATION_CODE_MINUTES * 60,
    )


@router.post(
    "/{code}/citizens/registrations/{registration_id}/confirm",
    response_model=CitizenOut,
    status_code=status.HTTP_201_CREATED,
    operation_id="confirm_assisted_citizen",
    responses=error_responses(400, 401, 403, 404, 413, 422),
)
def confirm_citizen(
    agency: HelpedAgency, registration_id: uuid.UUID, data: CodeIn, user: CurrentUser, session: SessionDep, settings: SettingsDep
) -> CitizenOut:
    """Finishes a registration with the code the citizen received: their account is made, or theirs is linked."""
    citizen, consent, where = assistance.confirm_registration(
        session, settings, helper=user, agency=agency, registration_id=registration_id, code=data.code
    )
    return _citizen_out(citizen, consent, where)


@router.get(
    "/{code}/citizens",
    response_model=list[CitizenOut],
    operation_id="list_assisted_citizens",
    responses=error_responses(401, 403, 404),
)
def list_citizens(agency: HelpedAgency, user: CurrentUser, session: SessionDep) -> list[CitizenOut]:
    """Citizens registered in the subtree: a helper sees those they registered, a manager all of them."""
    return [_citizen_out(c, consent, where) for c, consent, where in assistance.citizens_of(session, caller=user, agency=agency)]


@router.post(
    "/{code}/citizens/{citizen_id}/assisted-sessions",
    response_model=AssistedSessionOut,
    status_code=status.HTTP_201_CREATED,
    operation_id="start_assisted_session",
    responses=error_responses(401, 403, 404),
)
def start_session(
    agency: HelpedAgency, citizen_id: uuid.UUID, user: CurrentUser, session: SessionDep, settings: SettingsDep
) -> AssistedSessionOut:
    """Signs a citizen in on this shared device for an assisted session (ended by signing out, or within the hour)."""
    citizen, consent, where = assistance.citizen_in_subtree(session, agency=agency, citizen_id=citizen_id)
    row, token = accounts_service.start_assisted_session(session, settings, citizen=citizen, helper=user, agency_id=where.id)
    assistance.session_started(session, helper=user, agency=where, citizen=citizen, assisted=row)
    return AssistedSessionOut(
        session_id=row.id,
        access_token=token,
        expires_in=accounts_service.ASSISTED_MINUTES * 60,
        citizen=_citizen_out(citizen, consent, where),
    )


@router.get(
    "/{code}/helpers",
    response_model=list[HelperOut],
    operation_id="list_agency_helpers",
    responses=error_responses(401, 403, 404),
)
def list_helpers(agency: GrantingAgency, session: SessionDep) -> list[HelperOut]:
    """The community digital team helpers of the subtree."""
    return [
        HelperOut(id=u.id, full_name=u.full_name, agency=AgencyRef(code=a.code, name=a.name), granted_at=t)
        for u, a, t in assistance.helpers_of(session, agency=agency)
    ]


@router.post(
    "/{code}/helpers",
    response_model=HelperOut,
    status_code=status.HTTP_201_CREATED,
    operation_id="grant_agency_helper",
    responses={200: {"model": HelperOut, "description": "Already a helper here"}, **error_responses(400, 401, 403, 404, 413)},
)
def grant_helper(agency: GrantingAgency, data: HelperIn, user: CurrentUser, session: SessionDep, response: Response) -> HelperOut:
    """Makes an account a helper of this unit (and its subtree); audit-logged."""
    identifier = accounts_service.sign_in_identifier(data.identifier)
    person, new = assistance.grant_helper(session, by=user, agency=agency, identifier=identifier)
    if not new:
        response.status_code = status.HTTP_200_OK
    return HelperOut(
        id=person.id,
        full_name=person.full_name,
        agency=AgencyRef(code=agency.code, name=agency.name),
        granted_at=next(
            t for u, a, t in assistance.helpers_of(session, agency=agency) if u.id == person.id and a.id == agency.id
        ),
    )
