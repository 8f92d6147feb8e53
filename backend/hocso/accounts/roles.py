"""A person's role rows as accounts know them: the names `/me` lists and whether any role is held."""

from __future__ import annotations

import uuid

from sqlalchemy import exists
from sqlmodel import Session, col, select

from hocso.accounts.models import Role, RoleKind, User


def held(session: Session, user_id: uuid.UUID) -> list[Role]:
    """A person's role rows, oldest first."""
    return list(session.exec(select(Role).where(col(Role.user_id) == user_id).order_by(col(Role.granted_at), col(Role.id))).all())


def role_names(session: Session, user: User) -> list[str]:
    """The names `/me` lists: learner for everyone, civil_servant for an agency's member, then each kind held."""
    names = ["learner", *(["civil_servant"] if user.agency_id is not None else [])]
    names += [role.kind.value for role in held(session, user.id)]
    return list(dict.fromkeys(names))


def holds_any_role(session: Session, user_id: uuid.UUID) -> bool:
    """True for anyone with a role row: an import or a sub-agency's admin never changes such an account."""
    return bool(session.exec(select(exists().where(col(Role.user_id) == user_id))).one())


def is_sysadmin(session: Session, user_id: uuid.UUID) -> bool:
    return bool(session.exec(select(exists().where(col(Role.user_id) == user_id, col(Role.kind) == RoleKind.sysadmin))).one())
