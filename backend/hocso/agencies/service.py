"""Agency rules: the tree, who may see which subtree, membership, requirements, stats and the audit trail."""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import ColumnElement, and_, bindparam, delete, func, or_, update
from sqlalchemy.orm.attributes import flag_modified
from sqlmodel import Session, col, select

from hocso.accounts.models import User
from hocso.agencies import rollups
from hocso.agencies.models import (
    Agency,
    AgencyInvitation,
    AuditEvent,
    Requirement,
)
from hocso.agencies.schemas import (
    AgencyOut,
    AgencyRef,
    AgencyStats,
    AuditEventOut,
    AuditPage,
    ChildFigure,
    ModuleFigure,
    RequirementOut,
)
from hocso.content.models import Module
from hocso.core.db import table_of
from hocso.core.errors import Invalid, NotFound
from hocso.core.timeutil import VIETNAM

# --- The tree -----------------------------------------------------------------------------------------------


def subtree_filter(path: str):
    """SQL condition for "agency lies in the subtree rooted at path": one range scan on the path index."""
    # Paths hold digits and "/", and "/" sorts just before "0": every path starting with "/1/7/" lies in
    # ["/1/7/", "/1/70").
    return and_(col(Agency.path) >= path, col(Agency.path) < path[:-1] + "0")


def in_subtree(path: str, root_path: str) -> bool:
    return path.startswith(root_path)


def get_by_code(session: Session, code: str) -> Agency | None:
    return session.exec(select(Agency).where(Agency.code == code)).first()


@dataclass
class TreeReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[str] = field(default_factory=list)


def read_tree_file(path: Path) -> list[dict[str, str]]:
    """Reads an agency tree from CSV (code,name,parent_code) or JSON (a list of such objects)."""
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() == ".json":
        data = json.loads(text)
        if not isinstance(data, list):
            raise ValueError("a JSON tree file is a list of {code, name, parent_code} objects")
        return [{k: ("" if v is None else str(v)) for k, v in row.items()} for row in data]
    delimiter = ";" if text.split("\n", 1)[0].count(";") > text.split("\n", 1)[0].count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    missing = {"code", "name", "parent_code"} - set(reader.fieldnames or [])
    if missing:
        raise ValueError(f"the header must be code,name,parent_code (missing: {', '.join(sorted(missing))})")
    return list(reader)


@dataclass
class _TreeRow:
    name: str
    parent: str | None  # the parent's code
    row: int  # line in the file, for problems


def load_tree(session: Session, rows: list[dict[str, str]]) -> TreeReport:
    """Creates or updates agencies from rows; idempotent. Rows may come in any order (parents after children)."""
    report = TreeReport()
    wanted: dict[str, _TreeRow] = {}
    for n, row in enumerate(rows, start=2):
        code = (row.get("code") or "").strip()
        name = " ".join((row.get("name") or "").split())
        parent = (row.get("parent_code") or "").strip() or None
        if not code or not name:
            report.problems.append(f"row {n}: code and name are required")
        elif code in wanted:
            report.problems.append(f"row {n}: code {code} appears twice")
        elif parent == code:
            report.problems.append(f"row {n}: {code} cannot be its own parent")
        else:
            wanted[code] = _TreeRow(name=name, parent=parent, row=n)
    if report.problems:
        return report

    existing = {a.code: a for a in session.exec(select(Agency)).all()}

    # Resolve parents and refuse cycles before writing anything.
    def parent_of(code: str) -> str | None:
        if code in wanted:
            return wanted[code].parent
        agency = existing.get(code)
        if agency is None or agency.parent_id is None:
            return None
        return next((a.code for a in existing.values() if a.id == agency.parent_id), None)

    for code, spec in wanted.items():
        if spec.parent and spec.parent not in wanted and spec.parent not in existing:
            report.problems.append(f"row {spec.row}: parent {spec.parent} is not in the file or the database")
        seen, cur = {code}, spec.parent
        while cur is not None:
            if cur in seen:
                report.problems.append(f"row {spec.row}: {code} would be inside its own subtree")
                break
            seen.add(cur)
            cur = parent_of(cur)
    if report.problems:
        return report

    reshaped = False
    depth_cache: dict[str, int] = {}

    def depth(code: str) -> int:
        if code not in depth_cache:
            p = parent_of(code)
            depth_cache[code] = 0 if p is None else depth(p) + 1
        return depth_cache[code]

    for code in sorted(wanted, key=depth):  # parents first
        spec = wanted[code]
        parent_agency = existing.get(spec.parent) if spec.parent else None
        agency = existing.get(code)
        if agency is None:
            agency = Agency(code=code, name=spec.name, parent_id=parent_agency.id if parent_agency else None, path="/")
            session.add(agency)
            session.flush()
            agency.path = f"{parent_agency.path if parent_agency else '/'}{agency.id}/"
            agency.depth = depth(code)
            existing[code] = agency
            report.created += 1
            continue
        new_parent_id = parent_agency.id if parent_agency else None
        if agency.name == spec.name and agency.parent_id == new_parent_id:
            report.unchanged += 1
            continue
        if agency.parent_id != new_parent_id:
            old_path = agency.path
            new_path = f"{parent_agency.path if parent_agency else '/'}{agency.id}/"
            for node in session.exec(select(Agency).where(subtree_filter(old_path))).all():
                node.path = new_path + node.path[len(old_path) :]
                node.depth = node.path.count("/") - 2
                session.add(node)
            agency.parent_id = new_parent_id
            reshaped = True
        agency.name = spec.name
        session.add(agency)
        report.updated += 1
    session.flush()
    if reshaped:
        rollups.rebuild_all(session)
    session.flush()
    return report


def agency_out(session: Session, agency: Agency) -> AgencyOut:
    parent = session.get(Agency, agency.parent_id) if agency.parent_id else None
    children = session.exec(select(Agency).where(Agency.parent_id == agency.id).order_by(Agency.code)).all()
    members = rollups.members_of(session, [agency.id]).get(agency.id, 0)
    return AgencyOut(
        code=agency.code,
        name=agency.name,
        parent_code=parent.code if parent else None,
        children=[AgencyRef(code=c.code, name=c.name) for c in children],
        members=members,
    )


# --- Who may see what: the one scoping helper --------------------------------------------------------------


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


def agency_of(session: Session, user: User) -> Agency | None:
    return session.get(Agency, user.agency_id) if user.agency_id else None


# --- Membership ---------------------------------------------------------------------------------------------


def set_membership(session: Session, *, user: User, agency: Agency | None) -> None:
    """Moves a person into an agency (or out of any), keeping every rollup on both paths right."""
    current = rollups.lock_person(session, user.id)
    if current == (agency.id if agency else None):
        return
    rollups.membership_changed(
        session,
        user_id=user.id,
        old_path=rollups.agency_path(session, current) if current is not None else None,
        new_path=agency.path if agency else None,
    )
    user.agency_id = agency.id if agency else None
    # Written even if it looks unchanged: `user` may have been read before the lock, and a move since then
    # would otherwise keep the row where that move put it while the counts say otherwise.
    flag_modified(user, "agency_id")
    roles = [r for r in user.role_list if r != "civil_servant"]
    user.roles = ",".join(roles + (["civil_servant"] if agency else []))
    session.add(user)
    session.flush()


def leave_before_erasure(session: Session, *, user: User) -> None:
    """Takes an account out of its agency's counts before the account is erased."""
    set_membership(session, user=user, agency=None)


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


# --- Requirements -------------------------------------------------------------------------------------------


def vietnam_today() -> date:
    return datetime.now(VIETNAM).date()


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
    where: ColumnElement[bool] = col(Requirement.agency_id).in_(rollups.path_ids(agency.path))
    if below:
        where = or_(where, subtree_filter(agency.path))
    rows = session.exec(
        select(Requirement, Agency).join(Agency, col(Agency.id) == col(Requirement.agency_id)).where(where)
    ).all()

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
    return {slug: due for slug, due in session.execute(_EARLIEST_DUE, {"ids": rollups.path_ids(path)})}


# --- Stats --------------------------------------------------------------------------------------------------


def _rate(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


@dataclass
class _Counters:
    members: dict[int, int]
    completed: dict[tuple[int, str], int]  # (agency id, module) -> completed ever


def _required_figures(
    target: Agency, reqs: Sequence[tuple[Requirement, Agency]], counters: _Counters, today: date
) -> tuple[int, int, int]:
    """Returns (completed, total, overdue) over person x required module for target's subtree.

    Requirements nest: one set on an ancestor covers the whole subtree; one set deeper covers only its own
    subtree. Each requiring node owns the region down to the next requiring nodes below it, and everyone in a
    region answers to the earliest due date on the way up. Counts come from the rollups by subtraction.
    """
    completed = total = overdue = 0
    by_module: dict[str, list[tuple[Requirement, Agency]]] = {}
    for req, owner in reqs:
        if in_subtree(target.path, owner.path) or in_subtree(owner.path, target.path):
            by_module.setdefault(req.module_slug, []).append((req, owner))
    for slug, items in by_module.items():
        above = [r.due_date for r, a in items if in_subtree(target.path, a.path)]
        own_due: dict[str, tuple[Agency, date]] = {}
        if above:
            own_due[target.path] = (target, min(above))
        for r, a in items:
            if a.path != target.path and in_subtree(a.path, target.path):
                own_due[a.path] = (a, r.due_date)
        # Sorted paths list every subtree contiguously after its root, so a stack finds each node's
        # nearest requiring ancestor in one pass.
        effective: dict[str, date] = {}
        below_members: dict[str, int] = {}
        below_done: dict[str, int] = {}
        stack: list[str] = []
        for path in sorted(own_due):
            agency, due = own_due[path]
            while stack and not in_subtree(path, stack[-1]):
                stack.pop()
            parent = stack[-1] if stack else None
            effective[path] = min(due, effective[parent]) if parent else due
            if parent:
                below_members[parent] = below_members.get(parent, 0) + counters.members.get(agency.id, 0)
                below_done[parent] = below_done.get(parent, 0) + counters.completed.get((agency.id, slug), 0)
            stack.append(path)
        for path, (agency, _) in own_due.items():
            members = counters.members.get(agency.id, 0) - below_members.get(path, 0)
            done = counters.completed.get((agency.id, slug), 0) - below_done.get(path, 0)
            completed += done
            total += members
            if effective[path] < today:
                overdue += members - done
    return completed, total, overdue


def agency_stats(session: Session, *, agency: Agency, year: int) -> AgencyStats:
    """Computes stats for the agency's whole subtree from the rollups: no scan over people or completions."""
    children = session.exec(select(Agency).where(Agency.parent_id == agency.id).order_by(Agency.code)).all()
    ancestor_ids = rollups.path_ids(agency.path)
    reqs = session.exec(
        select(Requirement, Agency)
        .join(Agency, col(Agency.id) == col(Requirement.agency_id))
        .where(or_(col(Requirement.agency_id).in_(ancestor_ids), subtree_filter(agency.path)))
    ).all()
    needed = {agency.id, *(c.id for c in children), *(a.id for _, a in reqs)}
    members = rollups.members_of(session, needed)
    goal = rollups.goal_met_of(session, needed, year)
    completed = rollups.completed_of(session, needed, {r.module_slug for r, _ in reqs})
    counters = _Counters(members, completed)
    today = vietnam_today()

    ever: dict[str, int] = {}
    this_year: dict[str, int] = {}
    for slug, y, n in rollups.modules_of(session, agency.id):
        ever[slug] = ever.get(slug, 0) + n
        if y == year:
            this_year[slug] = this_year.get(slug, 0) + n
    active = session.exec(select(col(Module.slug)).where(col(Module.active) == True).order_by(col(Module.area_slug), col(Module.position))).all()  # noqa: E712
    n_members = members.get(agency.id, 0)
    by_module = [
        ModuleFigure(slug=s, completed=ever.get(s, 0), completed_in_year=this_year.get(s, 0), rate=_rate(ever.get(s, 0), n_members))
        for s in list(active) + sorted(set(ever) - set(active))
    ]

    def figure(target: Agency) -> tuple[int, int, float, int, int, float | None, int]:
        m = members.get(target.id, 0)
        g = goal.get(target.id, 0)
        done, total, late = _required_figures(target, reqs, counters, today)
        return m, g, _rate(g, m), done, total, (_rate(done, total) if total else None), late

    m, g, grate, done, total, rrate, late = figure(agency)
    child_rows = []
    for child in children:
        cm, cg, cgrate, cdone, ctotal, crrate, clate = figure(child)
        child_rows.append(
            ChildFigure(
                code=child.code, name=child.name, members=cm, goal_met=cg, goal_rate=cgrate,
                required_completed=cdone, required_total=ctotal, required_rate=crrate, overdue=clate,
            )
        )
    return AgencyStats(
        agency=AgencyRef(code=agency.code, name=agency.name),
        year=year,
        members=m,
        goal_met=g,
        goal_rate=grate,
        required_completed=done,
        required_total=total,
        required_rate=rrate,
        overdue=late,
        by_module=by_module,
        children=child_rows,
    )


def _cell(value: Any) -> str:
    """Formats a CSV cell; text that Excel would run as a formula is neutralised with a leading quote."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def stats_csv(stats: AgencyStats, *, delimiter: str = ",") -> str:
    """Renders the agency and each child as CSV rows, UTF-8 with BOM and CRLF for Excel."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(
        ["code", "name", "row", "year", "members", "goal_met", "goal_rate", "required_completed",
         "required_total", "required_rate", "overdue"]
    )
    writer.writerow(
        [_cell(stats.agency.code), _cell(stats.agency.name), "total", stats.year, stats.members, stats.goal_met,
         stats.goal_rate, stats.required_completed, stats.required_total,
         "" if stats.required_rate is None else stats.required_rate, stats.overdue]
    )
    for c in stats.children:
        writer.writerow(
            [_cell(c.code), _cell(c.name), "child", stats.year, c.members, c.goal_met, c.goal_rate,
             c.required_completed, c.required_total, "" if c.required_rate is None else c.required_rate, c.overdue]
        )
    return "\ufeff" + out.getvalue()


def naive_stats(session: Session, *, agency: Agency, year: int) -> dict[str, int]:
    """Recounts members, goal-met and completions by scanning people and progress (tests and benchmarks)."""
    from hocso.learning.models import ModuleProgress

    in_tree = select(Agency.id).where(subtree_filter(agency.path))
    members = session.exec(select(func.count()).select_from(User).where(col(User.agency_id).in_(in_tree))).one()
    goal_met = session.exec(
        select(func.count(func.distinct(ModuleProgress.user_id)))
        .join(User, col(User.id) == col(ModuleProgress.user_id))
        .where(col(User.agency_id).in_(in_tree), col(ModuleProgress.completed_year) == year)
    ).one()
    per_module = dict(
        session.exec(
            select(ModuleProgress.module_slug, func.count())
            .join(User, col(User.id) == col(ModuleProgress.user_id))
            .where(col(User.agency_id).in_(in_tree), col(ModuleProgress.completed_at).is_not(None))
            .group_by(ModuleProgress.module_slug)
        ).all()
    )
    return {"members": members, "goal_met": goal_met, **{f"module:{k}": v for k, v in per_module.items()}}


# --- Audit trail --------------------------------------------------------------------------------------------


def record_audit(session: Session, *, actor: User | None, agency: Agency, action: str, detail: dict[str, Any]) -> None:
    """Writes one line of the audit trail for an administrator's action on an agency."""
    session.add(AuditEvent(actor_id=actor.id if actor else None, agency_id=agency.id, action=action, detail=detail))
    session.flush()


def audit_page(session: Session, *, agency: Agency, limit: int, before: int | None) -> AuditPage:
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
        label = f"{who.full_name} <{who.email or who.phone}>" if who else ("command line" if event.actor_id is None else "deleted account")
        events.append(
            AuditEventOut(
                id=event.id, at=event.at, agency=AgencyRef(code=where.code, name=where.name),
                actor=label, action=event.action, detail=event.detail,
            )
        )
    return AuditPage(events=events, next_before=rows[limit - 1][0].id if len(rows) > limit else None)
