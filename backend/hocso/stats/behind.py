"""Who is behind: the members of a subtree with a required module not done, overdue, or no new skill this year."""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Literal

from sqlalchemy import and_, exists, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from hocso.accounts.models import User
from hocso.agencies.models import Agency, Requirement
from hocso.agencies.tree import path_ids, subtree_filter
from hocso.certificates.models import Certificate
from hocso.core.errors import Invalid
from hocso.core.textfold import fold
from hocso.core.timeutil import vietnam_today
from hocso.learning.models import ModuleProgress

STATUSES = ("behind", "overdue", "goal_not_met")
RequiredState = Literal["completed", "overdue", "in_progress", "not_started"]


@dataclass
class RequiredItem:
    module: str
    due_date: date
    status: RequiredState


@dataclass
class HeldCertificate:
    id: str
    number: str
    kind: str
    module: str | None
    year: int


@dataclass
class Member:
    id: uuid.UUID
    full_name: str
    agency_code: str
    agency_name: str
    goal_met: bool
    required: list[RequiredItem]
    certificates: list[HeldCertificate]
    activated: bool = True  # has set a password (an imported person who has not is waiting for a code)


def encode_cursor(name_key: str, user_id: uuid.UUID) -> str:
    return base64.urlsafe_b64encode(json.dumps([name_key, user_id.hex]).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[str, uuid.UUID]:
    try:
        key, hex_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        return str(key), uuid.UUID(hex_id)
    except (binascii.Error, ValueError, TypeError):
        raise Invalid(
            "The cursor is not one this list gave out; start again without it.",
            "Con trỏ trang không hợp lệ; hãy tải lại danh sách từ đầu.",
        ) from None


def _status_condition(status: str | None, *, year: int, today: date):
    """SQL condition on User (joined to their Agency) for a status filter; None for everyone."""
    if status is None:
        return None
    if status == "goal_not_met":
        return ~exists(
            select(ModuleProgress.id)
            .where(ModuleProgress.user_id == User.id, ModuleProgress.completed_year == year)
            .correlate(User)
        )
    owner = aliased(Agency)
    # A requirement applies to a member when its agency lies on the member's agency's path.
    # Correlated by hand: two levels down, SQLAlchemy would otherwise add user_account to the FROM list.
    not_done = ~exists(
        select(ModuleProgress.id)
        .where(
            ModuleProgress.user_id == User.id,
            ModuleProgress.module_slug == Requirement.module_slug,
            col(ModuleProgress.completed_at).is_not(None),
        )
        .correlate_except(ModuleProgress)
    )
    conditions = [col(Agency.path).like(col(owner.path).concat("%")), not_done]
    if status == "overdue":
        # Past the earliest due date on the way up; a due date of today is not yet overdue.
        conditions.append(col(Requirement.due_date) < today)
    return exists(
        select(col(Requirement.id))
        .join(owner, col(owner.id) == col(Requirement.agency_id))
        .where(*conditions)
        .correlate(User, Agency)
    )


def _base(agency: Agency, *, status: str | None, year: int, q: str | None, today: date):
    stmt = (
        # sqlmodel's select() is typed for at most four columns.
        select(
            User.id,
            User.full_name,
            User.name_key,
            Agency.code,
            Agency.name,
            Agency.path,  # type: ignore[call-overload]
            col(User.password_hash).is_not(None),
        )
        .join(Agency, Agency.id == User.agency_id)
        .where(subtree_filter(agency.path))
    )
    condition = _status_condition(status, year=year, today=today)
    if condition is not None:
        stmt = stmt.where(condition)
    folded = fold(q or "")
    if folded:
        stmt = stmt.where(col(User.name_key).contains(folded, autoescape=True))
    return stmt


def member_ids(session: Session, agency: Agency, *, status: str | None, year: int, q: str | None) -> list[uuid.UUID]:
    """Every member of the subtree matching the filters (for reminders)."""
    stmt = _base(agency, status=status, year=year, q=q, today=vietnam_today()).with_only_columns(User.id)
    return list(session.execute(stmt).scalars().all())


def _requirements(session: Session, agency: Agency) -> list[tuple[str, date, str]]:
    """(module, due date, owner path) of every requirement on the agency's path or inside its subtree."""
    rows = session.exec(
        select(col(Requirement.module_slug), col(Requirement.due_date), col(Agency.path))
        .join(Agency, col(Agency.id) == col(Requirement.agency_id))
        .where(or_(col(Requirement.agency_id).in_(path_ids(agency.path)), subtree_filter(agency.path)))
    ).all()
    return [(m, d, p) for m, d, p in rows]


def _progress_of(
    session: Session, ids: list[uuid.UUID], *, year: int
) -> tuple[dict[uuid.UUID, dict[str, ModuleProgress]], set[uuid.UUID]]:
    """Each person's progress by module, and who among them completed something in year."""
    progress: dict[uuid.UUID, dict[str, ModuleProgress]] = {}
    goal: set[uuid.UUID] = set()
    if ids:
        for p in session.exec(select(ModuleProgress).where(col(ModuleProgress.user_id).in_(ids))).all():
            progress.setdefault(p.user_id, {})[p.module_slug] = p
            if p.completed_year == year:
                goal.add(p.user_id)
    return progress, goal


def _certificates_of(session: Session, ids: list[uuid.UUID]) -> dict[uuid.UUID | None, list[HeldCertificate]]:
    """Each person's valid certificates, in the order they were issued."""
    certificates: dict[uuid.UUID | None, list[HeldCertificate]] = {}
    if ids:
        # Valid ones only: a manager verifies what the person can show.
        for c in session.exec(
            select(Certificate)
            .where(col(Certificate.user_id).in_(ids), col(Certificate.revoked_at).is_(None))
            .order_by(col(Certificate.seq))
        ).all():
            certificates.setdefault(c.user_id, []).append(HeldCertificate(c.id, c.number, c.kind, c.module_slug, c.year))
    return certificates


def _due_at(path: str, reqs: list[tuple[str, date, str]]) -> dict[str, date]:
    """The earliest due date of each module required of a member of the agency at path."""
    due: dict[str, date] = {}
    for module, d, owner in reqs:
        if path.startswith(owner):
            due[module] = min(due.get(module, d), d)
    return due


def _required_items(due: dict[str, date], mine: dict[str, ModuleProgress], *, today: date) -> list[RequiredItem]:
    """Where a person stands on each module required of them, soonest due first."""
    required = []
    for module, d in sorted(due.items(), key=lambda item: (item[1], item[0])):
        row = mine.get(module)
        state: RequiredState
        if row is not None and row.completed_at is not None:
            state = "completed"
        elif d < today:
            state = "overdue"
        else:
            state = "in_progress" if row is not None else "not_started"
        required.append(RequiredItem(module=module, due_date=d, status=state))
    return required


def _describe(session: Session, root: Agency, rows, *, year: int, today: date) -> list[Member]:
    """Describes each member row: goal met in year, required modules' status, valid certificates, activated."""
    ids = [r[0] for r in rows]
    progress, goal = _progress_of(session, ids, year=year)
    certificates = _certificates_of(session, ids)
    reqs = _requirements(session, root)
    due_by_path: dict[str, dict[str, date]] = {}
    members = []
    for user_id, full_name, _key, code, name, path, activated in rows:
        if path not in due_by_path:
            due_by_path[path] = _due_at(path, reqs)
        required = _required_items(due_by_path[path], progress.get(user_id, {}), today=today)
        members.append(
            Member(user_id, full_name, code, name, user_id in goal, required, certificates.get(user_id, []), bool(activated))
        )
    return members


def members_page(
    session: Session, agency: Agency, *, status: str | None, year: int, q: str | None, cursor: str | None, limit: int
) -> tuple[list[Member], str | None]:
    """One page of the subtree's members in name order, and the cursor of the next page (keyset)."""
    today = vietnam_today()
    stmt = _base(agency, status=status, year=year, q=q, today=today)
    if cursor:
        key, after = decode_cursor(cursor)
        stmt = stmt.where(or_(col(User.name_key) > key, and_(col(User.name_key) == key, col(User.id) > after)))
    rows = session.exec(stmt.order_by(User.name_key, User.id).limit(limit + 1)).all()
    page = rows[:limit]
    next_cursor = encode_cursor(page[-1][2], page[-1][0]) if len(rows) > limit else None
    return _describe(session, agency, page, year=year, today=today), next_cursor


def all_members(session: Session, agency: Agency, *, status: str | None, year: int, q: str | None) -> Iterator[Member]:
    """Every matching member, a page at a time (for the CSV export)."""
    cursor = None
    while True:
        page, cursor = members_page(session, agency, status=status, year=year, q=q, cursor=cursor, limit=1000)
        yield from page
        if cursor is None:
            return
