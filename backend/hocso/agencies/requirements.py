"""Requirements: modules an agency requires of its whole subtree by a due date."""

from __future__ import annotations

from datetime import date
from typing import Literal

from sqlalchemy import ColumnElement, bindparam, func, or_
from sqlmodel import Session, col, select

from hocso.accounts.models import User
from hocso.agencies.models import Agency, Requirement
from hocso.agencies.schemas import AgencyRef, RequirementOut
from hocso.agencies.tree import in_subtree, path_ids, subtree_filter
from hocso.content.models import Module
from hocso.core.db import table_of
from hocso.core.errors import Invalid, NotFound
from hocso.core.timeutil import vietnam_today


def set_requirement(session: Session, *, agency: Agency, module_slug: str, due_date: date, by: User) -> tuple[Requirement, bool]:
    """Requires a module of the agency's whole subtree by due_date; returns (requirement, created)."""
    module = session.get(Module, module_slug)
    if module is None or not module.active:
        raise NotFound(f"There is no module '{module_slug}'.", f"Không có học phần '{module_slug}'.")
    if due_date < vietnam_today():
        raise Invalid(
            f"due_date {due_date.isoformat()} is in the past; choose a date from today on.",
            f"Hạn {due_date.isoformat()} đã qua; hãy chọn từ hôm nay trở đi.",
        )
    req = session.exec(
        select(Requirement).where(Requirement.agency_id == agency.id, Requirement.module_slug == module_slug)
    ).first()
    created = req is None
    if req is None:
        req = Requirement(agency_id=agency.id, module_slug=module_slug, due_date=due_date, created_by=by.id)
    req.due_date = due_date
    session.add(req)
    session.flush()
    return req, created


def remove_requirement(session: Session, *, agency: Agency, module_slug: str) -> None:
    req = session.exec(
        select(Requirement).where(Requirement.agency_id == agency.id, Requirement.module_slug == module_slug)
    ).first()
    if req is None:
        raise NotFound(
            f"{agency.code} does not require '{module_slug}' itself.", f"{agency.code} không tự đặt yêu cầu '{module_slug}'."
        )
    session.delete(req)
    session.flush()


def requirements_of(session: Session, agency: Agency, *, below: bool = False) -> list[RequirementOut]:
    """Lists what applies to the agency: its own requirements, those inherited from ancestors, and with below=True
    those that units inside its subtree set for themselves."""
    where: ColumnElement[bool] = col(Requirement.agency_id).in_(path_ids(agency.path))
    if below:
        where = or_(where, subtree_filter(agency.path))
    rows = session.exec(select(Requirement, Agency).join(Agency, col(Agency.id) == col(Requirement.agency_id)).where(where)).all()

    def origin(owner: Agency) -> Literal["own", "above", "below"]:
        return "own" if owner.id == agency.id else ("below" if in_subtree(owner.path, agency.path) else "above")

    return sorted(
        (
            RequirementOut(
                module=r.module_slug,
                due_date=r.due_date,
                agency=AgencyRef(code=a.code, name=a.name),
                inherited=origin(a) == "above",
                origin=origin(a),
            )
            for r, a in rows
        ),
        key=lambda r: (r.due_date, r.module, r.agency.code),
    )


# What is required of a member of the agency `member_agency_id`: each module's earliest due date among the
# requirements on the agency and those above it. Read on every /me/progress, inside learning's one statement
# (progress_summary), so built once; the database walks up the parents (a primary-key lookup per level).
_AG, _REQ = table_of(Agency), table_of(Requirement)
_UP = select(_AG.c.id, _AG.c.parent_id).where(_AG.c.id == bindparam("member_agency_id")).cte("member_path", recursive=True)
_UP = _UP.union(select(_AG.c.id, _AG.c.parent_id).where(_AG.c.id == _UP.c.parent_id))  # UNION: ends even on a cycle
EARLIEST_DUE = (
    select(_REQ.c.module_slug, func.min(_REQ.c.due_date).label("due_date"))
    .where(_REQ.c.agency_id.in_(select(_UP.c.id)))
    .group_by(_REQ.c.module_slug)
)
