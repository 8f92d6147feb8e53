"""A person's own data: their profile with where they belong, the export of all of it, and erasure."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, col

from hocso.accounts import service as accounts
from hocso.accounts.models import ActivationCode, PasswordReset, RefreshToken, User
from hocso.accounts.schemas import AgencyRef, UserPublic, user_public
from hocso.agencies.erasure import forget_person
from hocso.agencies.scope import admin_scope
from hocso.agencies.tree import agency_of
from hocso.certificates.service import revoke_all_of as revoke_certificates
from hocso.flows import move_person
from hocso.learning.models import Attempt, ModuleProgress, ProgressEvent
from hocso.learning.service import learner_export
from hocso.xapi.service import forget_person as forget_xapi_statements


def profile(session: Session, *, user: User) -> UserPublic:
    """Returns the person as /me shows them: with the agency they belong to and the one they manage."""
    agency = agency_of(session, user)
    manages = admin_scope(session, user)
    return user_public(
        user,
        agency=AgencyRef(code=agency.code, name=agency.name) if agency else None,
        manages=AgencyRef(code=manages.code, name=manages.name) if manages else None,
    )


def export(session: Session, *, user: User) -> dict[str, Any]:
    """Returns all data held about the person, for their data-access request."""
    return {
        "profile": profile(session, user=user).model_dump(mode="json") | {"created_at": user.created_at.isoformat()},
        "sessions": accounts.sessions_of(session, user=user),
        **learner_export(session, user_id=user.id),
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
    for table in (ProgressEvent, Attempt, ModuleProgress, RefreshToken, PasswordReset):
        session.execute(delete(table).where(col(table.user_id) == user.id))
    session.delete(user)
    session.flush()
