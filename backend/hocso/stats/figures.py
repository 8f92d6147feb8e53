"""An agency's figures over its subtree, read from the rollups, and the same as CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from hocso.accounts.models import AssistedSession
from hocso.agencies.models import Agency, Requirement
from hocso.agencies.schemas import AgencyOut, AgencyRef, AgencyStats, ChildFigure, ModuleFigure
from hocso.agencies.tree import in_subtree, path_ids, subtree_filter
from hocso.content.models import Module
from hocso.core.timeutil import vietnam_today
from hocso.learning.models import ModuleProgress
from hocso.stats import rollups


def _rate(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


@dataclass
class _Counters:
    members: dict[int, int]
    completed: dict[tuple[int, str], int]  # (agency id, module) -> completed ever


def _requiring_nodes(target: Agency, items: list[tuple[Requirement, Agency]]) -> dict[str, tuple[Agency, date]]:
    """Returns path -> (agency, due date) for target (the earliest due above it) and each requiring node below it."""
    own_due: dict[str, tuple[Agency, date]] = {}
    above = [r.due_date for r, a in items if in_subtree(target.path, a.path)]
    if above:
        own_due[target.path] = (target, min(above))
    for r, a in items:
        if a.path != target.path and in_subtree(a.path, target.path):
            own_due[a.path] = (a, r.due_date)
    return own_due


def _module_figures(slug: str, own_due: dict[str, tuple[Agency, date]], counters: _Counters, today: date) -> tuple[int, int, int]:
    """Returns (completed, total, overdue) of one required module over the regions of the requiring nodes."""
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
    completed = total = overdue = 0
    for path, (agency, _) in own_due.items():
        members = counters.members.get(agency.id, 0) - below_members.get(path, 0)
        done = counters.completed.get((agency.id, slug), 0) - below_done.get(path, 0)
        completed += done
        total += members
        if effective[path] < today:
            overdue += members - done
    return completed, total, overdue


def _required_figures(
    target: Agency, reqs: Sequence[tuple[Requirement, Agency]], counters: _Counters, today: date
) -> tuple[int, int, int]:
    """Returns (completed, total, overdue) over person x required module for target's subtree.

    Requirements nest: one set on an ancestor covers the whole subtree; one set deeper covers only its own
    subtree. Each requiring node owns the region down to the next requiring nodes below it, and everyone in a
    region answers to the earliest due date on the way up. Counts come from the rollups by subtraction.
    """
    by_module: dict[str, list[tuple[Requirement, Agency]]] = {}
    for req, owner in reqs:
        if in_subtree(target.path, owner.path) or in_subtree(owner.path, target.path):
            by_module.setdefault(req.module_slug, []).append((req, owner))
    completed = total = overdue = 0
    for slug, items in by_module.items():
        done, members, late = _module_figures(slug, _requiring_nodes(target, items), counters, today)
        completed, total, overdue = completed + done, total + members, overdue + late
    return completed, total, overdue


def agency_stats(session: Session, *, agency: Agency, year: int) -> AgencyStats:
    """Computes stats for the agency's whole subtree from the rollups: no scan over people or completions."""
    children = session.exec(select(Agency).where(Agency.parent_id == agency.id).order_by(Agency.code)).all()
    ancestor_ids = path_ids(agency.path)
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
    active = session.exec(
        select(col(Module.slug)).where(col(Module.active).is_(True)).order_by(col(Module.area_slug), col(Module.position))
    ).all()  # noqa: E712
    n_members = members.get(agency.id, 0)
    by_module = [
        ModuleFigure(
            slug=s, completed=ever.get(s, 0), completed_in_year=this_year.get(s, 0), rate=_rate(ever.get(s, 0), n_members)
        )
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
                code=child.code,
                name=child.name,
                members=cm,
                goal_met=cg,
                goal_rate=cgrate,
                required_completed=cdone,
                required_total=ctotal,
                required_rate=crrate,
                overdue=clate,
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
        assisted=assisted_completions(session, agency=agency, year=year),
    )


def assisted_completions(session: Session, *, agency: Agency, year: int) -> int:
    """Counts modules completed that year in assisted sessions held by helpers in the agency's subtree."""
    stmt = (
        select(func.count())
        .select_from(ModuleProgress)
        .join(AssistedSession, col(AssistedSession.id) == col(ModuleProgress.assisted_session_id))
        .join(Agency, col(Agency.id) == col(AssistedSession.agency_id))
        .where(col(ModuleProgress.completed_year) == year, subtree_filter(agency.path))
    )
    return session.exec(stmt).one()


def csv_cell(value: Any) -> str:
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
        [
            "code",
            "name",
            "row",
            "year",
            "members",
            "goal_met",
            "goal_rate",
            "required_completed",
            "required_total",
            "required_rate",
            "overdue",
        ]
    )
    writer.writerow(
        [
            csv_cell(stats.agency.code),
            csv_cell(stats.agency.name),
            "total",
            stats.year,
            stats.members,
            stats.goal_met,
            stats.goal_rate,
            stats.required_completed,
            stats.required_total,
            "" if stats.required_rate is None else stats.required_rate,
            stats.overdue,
        ]
    )
    for c in stats.children:
        writer.writerow(
            [
                csv_cell(c.code),
                csv_cell(c.name),
                "child",
                stats.year,
                c.members,
                c.goal_met,
                c.goal_rate,
                c.required_completed,
                c.required_total,
                "" if c.required_rate is None else c.required_rate,
                c.overdue,
            ]
        )
    return "\ufeff" + out.getvalue()


def agency_out(session: Session, agency: Agency) -> AgencyOut:
    """The agency, its parent and children, and how many people its subtree holds."""
    parent = session.get(Agency, agency.parent_id) if agency.parent_id else None
    children = session.exec(select(Agency).where(Agency.parent_id == agency.id).order_by(Agency.code)).all()
    return AgencyOut(
        code=agency.code,
        name=agency.name,
        parent_code=parent.code if parent else None,
        children=[AgencyRef(code=c.code, name=c.name) for c in children],
        members=rollups.members_of(session, [agency.id]).get(agency.id, 0),
    )
