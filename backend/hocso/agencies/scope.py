"""Who may see what: the one scoping helper every agency endpoint goes through."""

from __future__ import annotations

import uuid

from sqlmodel import Session

from hocso.accounts.models import User
from hocso.agencies.models import Agency
from hocso.agencies.tree import get_by_code, in_subtree
from hocso.core.errors import NotFound


def admin_scope(session: Session, user: User) -> Agency | None:
    """Returns the root of the subtree the person manages, or None (sysadmins see every tree)."""
    if "agency_admin" in user.role_list and user.admin_agency_id is not None:
        return session.get(Agency, user.admin_agency_id)
    return None


def visible_agency(session: Session, *, user: User, code: str) -> Agency:
    """Returns the agency if the person manages it or an ancestor (or is a sysadmin); otherwise 404."""
    agency = get_by_code(session, code)
    if agency is not None:
        if "sysadmin" in user.role_list:
            return agency
        scope = admin_scope(session, user)
        if scope is not None and in_subtree(agency.path, scope.path):
            return agency
    # The same answer for "no such agency" and "not yours": codes of other subtrees are not revealed.
    raise NotFound(f"There is no agency '{code}' that you manage.", f"Không có cơ quan '{code}' thuộc quyền quản lý của bạn.")


def member_in_subtree(session: Session, *, agency: Agency, user_id: uuid.UUID) -> tuple[User, Agency]:
    """Returns a member of the agency's subtree and the agency they belong to, or 404."""
    # Anyone holding an administrator role is not such a member here, so a sub-agency's admin cannot reach a
    # superior's account through it.
    member = session.get(User, user_id)
    where = session.get(Agency, member.agency_id) if member is not None and member.agency_id else None
    if (
        member is None
        or where is None
        or not in_subtree(where.path, agency.path)
        or {"agency_admin", "content_admin", "sysadmin"} & set(member.role_list)
    ):
        raise NotFound("There is no such member in this agency.", "Không có thành viên này trong cơ quan.")
    return member, where
