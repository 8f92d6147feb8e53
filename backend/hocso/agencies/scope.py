"""A member of an agency's subtree, for the endpoints that act on one person (scope checks are in access.py)."""

from __future__ import annotations

import uuid

from sqlmodel import Session

from hocso.accounts import roles
from hocso.accounts.models import User
from hocso.agencies.models import Agency
from hocso.agencies.tree import in_subtree
from hocso.core.errors import NotFound


def member_in_subtree(session: Session, *, agency: Agency, user_id: uuid.UUID) -> tuple[User, Agency]:
    """Returns a member of the agency's subtree and the agency they belong to, or 404."""
    # Anyone holding an administrator role is not such a member here, so a sub-agency's admin cannot reach a
    # superior's account through it.
    member = session.get(User, user_id)
    where = session.get(Agency, member.agency_id) if member is not None and member.agency_id else None
    if member is None or where is None or not in_subtree(where.path, agency.path) or roles.holds_any_role(session, member.id):
        raise NotFound("There is no such member in this agency.", "Không có thành viên này trong cơ quan.")
    return member, where
