"""The audit trail: one line per administrator's action on an agency, and the trail a page at a time."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from hocso.accounts.models import User
from hocso.agencies.models import Agency, AuditEvent
from hocso.agencies.schemas import AgencyRef, AuditEventOut, AuditPage, ImportResult
from hocso.agencies.tree import subtree_filter


def record(session: Session, *, actor: User | None, agency: Agency, action: str, detail: dict[str, Any]) -> None:
    """Writes one line of the audit trail for an administrator's action on an agency."""
    session.add(AuditEvent(actor_id=actor.id if actor else None, agency_id=agency.id, action=action, detail=detail))
    session.flush()


def members_imported(session: Session, *, actor: User | None, agency: Agency, result: ImportResult) -> None:
    """Records a finished staff import: counts only, never a file name or a person's data."""
    detail: dict[str, Any] = {
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "invited": result.invited,
        "rejected": len(result.rejected) - result.invited,
    }
    if actor is None:
        detail["via"] = "command line"
    record(session, actor=actor, agency=agency, action="members_imported", detail=detail)


def page(session: Session, *, agency: Agency, limit: int, before: int | None) -> AuditPage:
    """Lists audit events on the agency's subtree, newest first, a page at a time."""
    stmt = (
        select(AuditEvent, Agency)
        .join(Agency, col(Agency.id) == col(AuditEvent.agency_id))
        .where(subtree_filter(agency.path))
        .order_by(col(AuditEvent.id).desc())
        .limit(limit + 1)
    )
    if before is not None:
        stmt = stmt.where(col(AuditEvent.id) < before)
    rows = session.exec(stmt).all()
    actors = {
        u.id: u for u in session.exec(select(User).where(col(User.id).in_({e.actor_id for e, _ in rows if e.actor_id}))).all()
    }
    events = []
    for event, where in rows[:limit]:
        who = actors.get(event.actor_id) if event.actor_id else None
        label = (
            f"{who.full_name} <{who.email or who.phone}>"
            if who
            else ("command line" if event.actor_id is None else "deleted account")
        )
        events.append(
            AuditEventOut(
                id=event.id,
                at=event.at,
                agency=AgencyRef(code=where.code, name=where.name),
                actor=label,
                action=event.action,
                detail=event.detail,
            )
        )
    return AuditPage(events=events, next_before=rows[limit - 1][0].id if len(rows) > limit else None)
