"""A person's own data: their profile with where they belong, the export of all of it, and erasure."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from hocso.accounts import roles
from hocso.accounts import service as accounts
from hocso.accounts.models import (
    ActivationCode,
    AssistedSession,
    CitizenConsent,
    CitizenRegistration,
    PasswordReset,
    RefreshToken,
    Role,
    RoleKind,
    User,
)
from hocso.accounts.schemas import AgencyRef, AssistedOut, RoleScope, UserPublic, user_public
from hocso.agencies import access
from hocso.agencies.assistance import CONSENT_TEXT, CONSENT_VERSION
from hocso.agencies.erasure import forget_person
from hocso.agencies.models import Agency
from hocso.agencies.tree import agency_of
from hocso.certificates.service import revoke_all_of as revoke_certificates
from hocso.flows import move_person
from hocso.learning.models import Attempt, ModuleProgress, ProgressEvent
from hocso.learning.service import learner_export
from hocso.xapi.service import forget_person as forget_xapi_statements


def profile(session: Session, *, user: User, assisted: AssistedSession | None = None) -> UserPublic:
    """Returns the person as /me shows them: their agency, every role with the subtree it covers, and the
    assisted session this is, if a helper signed them in."""
    agency = agency_of(session, user)
    held = access.roles_of(session, user.id)
    manages = next((a for r, a in held if r.kind == RoleKind.agency_admin and a is not None), None)
    out = user_public(
        user,
        roles=roles.role_names(session, user),
        agency=AgencyRef(code=agency.code, name=agency.name) if agency else None,
        manages=AgencyRef(code=manages.code, name=manages.name) if manages else None,
        scopes=[RoleScope(kind=r.kind.value, agency=AgencyRef(code=a.code, name=a.name) if a else None) for r, a in held],
    )
    if assisted is not None:
        helper = session.get(User, assisted.helper_id) if assisted.helper_id else None
        where = session.get(Agency, assisted.agency_id)
        out.assisted = AssistedOut(
            session_id=assisted.id,
            helper_name=helper.full_name if helper else None,
            agency=AgencyRef(code=where.code, name=where.name) if where else None,
            expires_at=assisted.expires_at,
        )
    return out


def assistance_export(session: Session, *, user_id: uuid.UUID) -> dict:
    """A citizen's assistance records, for their data-access request: their consent and each assisted session."""
    consent = session.get(CitizenConsent, user_id)
    sessions = session.exec(
        select(AssistedSession, Agency)
        .join(Agency, col(Agency.id) == col(AssistedSession.agency_id))
        .where(col(AssistedSession.citizen_id) == user_id)
        .order_by(col(AssistedSession.started_at))
    ).all()
    helpers = {
        u.id: u.full_name
        for u in session.exec(
            select(User).where(
                col(User.id).in_(
                    {s.helper_id for s, _ in sessions if s.helper_id}
                    | ({consent.helper_id} if consent and consent.helper_id else set())
                )
            )
        ).all()
    }
    where = session.get(Agency, consent.agency_id) if consent else None
    return {
        "registered_by_helper": None
        if consent is None
        else {
            "agency": {"code": where.code, "name": where.name} if where else None,
            "helper": helpers.get(consent.helper_id) if consent.helper_id else None,
            "consent_version": consent.consent_version,
            "consent_text": CONSENT_TEXT if consent.consent_version == CONSENT_VERSION else None,
            "consented_at": consent.consented_at,
        },
        "assisted_sessions": [
            {
                "id": str(s.id),
                "agency": {"code": a.code, "name": a.name},
                "helper": helpers.get(s.helper_id) if s.helper_id else None,
                "started_at": s.started_at,
                "expires_at": s.expires_at,
                "ended_at": s.ended_at,
            }
            for s, a in sessions
        ],
    }


def export(session: Session, *, user: User) -> dict[str, Any]:
    """Returns all data held about the person, for their data-access request."""
    return {
        "profile": profile(session, user=user).model_dump(mode="json") | {"created_at": user.created_at.isoformat()},
        "sessions": accounts.sessions_of(session, user=user),
        **learner_export(session, user_id=user.id),
        "assistance": assistance_export(session, user_id=user.id),
    }


def erase(session: Session, *, user: User) -> None:
    """Erases the person: their row and everything tied to it (tokens, events, attempts, progress)."""
    move_person(session, user=user, agency=None)  # the agency's counts drop before the progress is gone
    revoke_certificates(session, user_id=user.id)  # verifiers see "revoked" and no name from now on
    forget_xapi_statements(session, user_id=user.id)  # nothing more about them leaves for the LRS
    # Explicit deletes rather than relying on ON DELETE CASCADE alone, so SQLite files made without
    # foreign-key enforcement are cleaned too.
    session.execute(delete(ActivationCode).where(col(ActivationCode.user_id) == user.id))
    forget_person(session, user=user)
    session.execute(update(Role).where(col(Role.granted_by) == user.id).values(granted_by=None))
    # A helper's erasure leaves the citizens they registered and helped theirs, without the helper's name.
    session.execute(update(CitizenConsent).where(col(CitizenConsent.helper_id) == user.id).values(helper_id=None))
    session.execute(update(AssistedSession).where(col(AssistedSession.helper_id) == user.id).values(helper_id=None))
    # Registrations the helper left unconfirmed hold other people's phones and emails: they go.
    session.execute(delete(CitizenRegistration).where(col(CitizenRegistration.helper_id) == user.id))
    session.execute(delete(CitizenConsent).where(col(CitizenConsent.user_id) == user.id))
    session.execute(delete(AssistedSession).where(col(AssistedSession.citizen_id) == user.id))
    for table in (ProgressEvent, Attempt, ModuleProgress, RefreshToken, PasswordReset, Role):
        session.execute(delete(table).where(col(table.user_id) == user.id))
    session.delete(user)
    session.flush()
