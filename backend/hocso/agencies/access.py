"""Who may do what on which agency: scope checks over role rows, and granting them."""

from __future__ import annotations

import uuid
from enum import StrEnum

from sqlmodel import Session, col, select

from hocso.accounts import roles
from hocso.accounts.models import Role, RoleKind, User
from hocso.agencies.models import Agency
from hocso.core.errors import Forbidden, NotFound


class Action(StrEnum):
    """Something a person does on an agency (and so on its whole subtree)."""

    manage = "manage"  # stats, members, imports, requirements, reminders, audit, reset codes
    grant_helper = "grant_helper"  # make someone a helper of a unit of the subtree
    assist = "assist"  # register a citizen with their consent and sign them in for an assisted session


# What each kind of role on an agency allows there and below; a sysadmin may do everything everywhere.
ALLOWED: dict[RoleKind, frozenset[Action]] = {
    RoleKind.agency_admin: frozenset({Action.manage, Action.grant_helper, Action.assist}),
    RoleKind.helper: frozenset({Action.assist}),
}
# Kinds a person may grant on an agency, and the action that lets them.
GRANTABLE: dict[RoleKind, Action] = {RoleKind.helper: Action.grant_helper}

_REFUSED = {
    Action.manage: ("Only agency administrators can do this.", "Chỉ quản trị viên cơ quan mới làm được việc này."),
    Action.grant_helper: ("Only agency administrators can do this.", "Chỉ quản trị viên cơ quan mới làm được việc này."),
    Action.assist: (
        "Only community digital team helpers can do this.",
        "Chỉ thành viên tổ công nghệ số cộng đồng mới làm được việc này.",
    ),
}


def roles_of(session: Session, user_id: uuid.UUID) -> list[tuple[Role, Agency | None]]:
    """Lists a person's role rows with the agency each covers, oldest first."""
    rows = session.exec(
        select(Role, Agency)
        .join(Agency, col(Agency.id) == col(Role.agency_id), isouter=True)
        .where(col(Role.user_id) == user_id)
        .order_by(col(Role.granted_at), col(Role.id))
    ).all()
    return [(role, agency) for role, agency in rows]


def _tops(held: list[tuple[Role, Agency | None]], action: Action) -> list[Agency]:
    kinds = [kind for kind, actions in ALLOWED.items() if action in actions]
    return [agency for role, agency in held if agency is not None and role.kind in kinds]


def roots(session: Session, user: User, action: Action) -> list[Agency]:
    """The agencies at the top of the subtrees where the person may do this (sysadmins: not listed, everywhere)."""
    return _tops(roles_of(session, user.id), action)


def may(session: Session, *, user: User, action: Action, agency: Agency) -> bool:
    """Answers "may this person do this on this agency": a role on it or on an ancestor, or sysadmin."""
    if roles.is_sysadmin(session, user.id):
        return True
    return any(agency.path.startswith(root.path) for root in roots(session, user, action))


def may_somewhere(session: Session, *, user: User, action: Action) -> bool:
    return roles.is_sysadmin(session, user.id) or bool(roots(session, user, action))


def scoped_agency(session: Session, *, user: User, code: str, action: Action) -> Agency:
    """Returns the agency named by code if the person may do this there; 403 if nowhere, else 404 if not here."""
    # may_somewhere and may from one read of the person's roles: every agency page starts here, and each
    # statement is a wait for the CPU on a loaded server.
    held = roles_of(session, user.id)
    sysadmin = any(role.kind == RoleKind.sysadmin for role, _ in held)
    tops = _tops(held, action)
    if not sysadmin and not tops:
        # Said the same for every code, so it reveals nothing about which agencies exist.
        raise Forbidden(*_REFUSED[action])
    agency = session.exec(select(Agency).where(Agency.code == code)).first()
    if agency is not None and (sysadmin or any(agency.path.startswith(top.path) for top in tops)):
        return agency
    # The same answer for "no such agency" and "not yours": codes of other subtrees are not revealed.
    raise NotFound(f"There is no agency '{code}' that you manage.", f"Không có cơ quan '{code}' thuộc quyền quản lý của bạn.")


def grant(
    session: Session, *, user: User, kind: RoleKind, agency: Agency | None, by: uuid.UUID | None = None
) -> tuple[Role, bool]:
    """Gives a person a role (idempotent); returns the row and whether it is new."""
    stmt = select(Role).where(col(Role.user_id) == user.id, col(Role.kind) == kind)
    stmt = stmt.where(col(Role.agency_id) == agency.id) if agency is not None else stmt.where(col(Role.agency_id).is_(None))
    existing = session.exec(stmt).first()
    if existing is not None:
        return existing, False
    role = Role(user_id=user.id, agency_id=agency.id if agency else None, kind=kind, granted_by=by)
    session.add(role)
    session.flush()
    return role, True
