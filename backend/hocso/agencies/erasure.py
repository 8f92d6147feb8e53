"""What outlives an erased person in the agencies' records: their id is replaced by ERASED."""

from __future__ import annotations

import uuid

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from hocso.accounts.models import User
from hocso.agencies.models import AgencyInvitation, AuditEvent, Requirement

# Stands in for an erased person wherever a record of what they did outlives them (shown as "deleted account").
ERASED = uuid.UUID(int=0)


def forget_person(session: Session, *, user: User) -> None:
    """Removes an erased person's id from the records that outlive them: audit trail, invitations, jobs."""
    from hocso.core.jobs import Job

    session.execute(delete(AgencyInvitation).where(col(AgencyInvitation.user_id) == user.id))
    session.execute(update(AgencyInvitation).where(col(AgencyInvitation.created_by) == user.id).values(created_by=ERASED))
    session.execute(update(AuditEvent).where(col(AuditEvent.actor_id) == user.id).values(actor_id=ERASED))
    session.execute(update(Requirement).where(col(Requirement.created_by) == user.id).values(created_by=ERASED))
    for job in session.exec(select(Job).where(Job.created_by == user.id)).all():
        # A queued import started by this person then fails its "still allowed" check rather than run unowned.
        job.created_by = ERASED
        job.payload = {**job.payload, "caller_id": str(ERASED)} if "caller_id" in job.payload else job.payload
        session.add(job)
    session.flush()
