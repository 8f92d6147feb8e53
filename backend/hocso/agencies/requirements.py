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


# Read on every /me/progress of a civil servant: Core statements built once, no entities.
_PATH_OF = select(table_of(Agency).c.path).where(table_of(Agency).c.id == bindparam("agency_id"))
_EARLIEST_DUE = (
    select(table_of(Requirement).c.module_slug, func.min(table_of(Requirement).c.due_date))
    .where(table_of(Requirement).c.agency_id.in_(bindparam("ids", expanding=True)))
    .group_by(table_of(Requirement).c.module_slug)
)


def required_of_member(session: Session, *, agency_id: int) -> dict[str, date]:
    """Returns module slug -> earliest due date among everything required of a member of the agency."""
    path = session.execute(_PATH_OF, {"agency_id": agency_id}).scalar()
    if path is None:
        return {}
    return dict(session.execute(_EARLIEST_DUE, {"ids": path_ids(path)}).all())
