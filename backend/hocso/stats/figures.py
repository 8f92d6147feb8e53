"""An agency's figures over its subtree, read from the rollups, and the same as CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import CompoundSelect, Date, Integer, String, and_, bindparam, cast, func, literal, null, or_, union_all
from sqlalchemy import select as core_select
from sqlmodel import Session, select

from hocso.accounts.models import AssistedSession
from hocso.agencies.models import Agency, Requirement
from hocso.agencies.schemas import AgencyOut, AgencyRef, AgencyStats, ChildFigure, ModuleFigure
from hocso.agencies.tree import in_subtree, path_ids, subtree_range
from hocso.content.models import Module
from hocso.core.db import table_of
from hocso.core.timeutil import vietnam_today
from hocso.learning.models import ModuleProgress
from hocso.stats import rollups


def _rate(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


class _Node(NamedTuple):
    """An agency as the figures need it (from the structure statement or the ORM)."""

    id: int
    code: str
    name: str
    path: str


class _Req(NamedTuple):
    module_slug: str
    due_date: date


_AgencyLike = Agency | _Node
_ReqLike = Requirement | _Req


@dataclass
class _Counters:
    members: dict[int, int]
    completed: dict[tuple[int, str], int]  # (agency id, module) -> completed ever


def _requiring_nodes(target: _AgencyLike, items: list[tuple[_ReqLike, _AgencyLike]]) -> dict[str, tuple[_AgencyLike, date]]:
    """Returns path -> (agency, due date) for target (the earliest due above it) and each requiring node below it."""
    own_due: dict[str, tuple[_AgencyLike, date]] = {}
    above = [r.due_date for r, a in items if in_subtree(target.path, a.path)]
    if above:
        own_due[target.path] = (target, min(above))
    for r, a in items:
        if a.path != target.path and in_subtree(a.path, target.path):
            own_due[a.path] = (a, r.due_date)
    return own_due


def _module_figures(
    slug: str, own_due: dict[str, tuple[_AgencyLike, date]], counters: _Counters, today: date
) -> tuple[int, int, int]:
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
    target: _AgencyLike, reqs: Sequence[tuple[_ReqLike, _AgencyLike]], counters: _Counters, today: date
) -> tuple[int, int, int]:
    """Returns (completed, total, overdue) over person x required module for target's subtree.

    Requirements nest: one set on an ancestor covers the whole subtree; one set deeper covers only its own
    subtree. Each requiring node owns the region down to the next requiring nodes below it, and everyone in a
    region answers to the earliest due date on the way up. Counts come from the rollups by subtraction.
    """
    by_module: dict[str, list[tuple[_ReqLike, _AgencyLike]]] = {}
    for req, owner in reqs:
        if in_subtree(target.path, owner.path) or in_subtree(owner.path, target.path):
            by_module.setdefault(req.module_slug, []).append((req, owner))
    completed = total = overdue = 0
    for slug, items in by_module.items():
        done, members, late = _module_figures(slug, _requiring_nodes(target, items), counters, today)
        completed, total, overdue = completed + done, total + members, overdue + late
    return completed, total, overdue


_AG, _RQ, _MOD = table_of(Agency), table_of(Requirement), table_of(Module)
_PROGRESS, _ASSISTED = table_of(ModuleProgress), table_of(AssistedSession)
_NONE_S, _NONE_D, _NONE_I = cast(null(), String), cast(null(), Date), cast(null(), Integer)

# A stats page in one statement, so one snapshot and one round trip: a loaded server answers every statement
# after a wait for the CPU. The structure (the children by code, the requirements on the way up and in the
# subtree with their agencies, the active modules in catalogue order, the assisted completions of the year),
# and the counters of exactly the agencies and modules that structure names, computed here rather than sent.
_CHILDREN = core_select(_AG.c.id, _AG.c.code, _AG.c.name, _AG.c.path).where(_AG.c.parent_id == bindparam("id")).cte("children")
_REQS = (
    core_select(_AG.c.id, _AG.c.code, _AG.c.name, _AG.c.path, _RQ.c.module_slug, _RQ.c.due_date)
    .join(_AG, _AG.c.id == _RQ.c.agency_id)
    .where(
        or_(
            _RQ.c.agency_id.in_(bindparam("ancestors", expanding=True)),
            and_(_AG.c.path >= bindparam("lo"), _AG.c.path < bindparam("hi")),
        )
    )
    .cte("reqs")
)
_NEEDED = union_all(
    core_select(_AG.c.id).where(_AG.c.id == bindparam("id_")), core_select(_CHILDREN.c.id), core_select(_REQS.c.id)
).cte("needed")


def _needed_ids():
    return core_select(_NEEDED.c.id)


def _required_slugs():
    return core_select(_REQS.c.module_slug)


def _counters(arm):
    """A tagged counters arm (kind, agency_id, slug, year, n) in the page statement's columns."""
    sub = arm.subquery()
    return core_select(sub.c.kind, sub.c.n, sub.c.agency_id, _NONE_S, _NONE_S, _NONE_S, sub.c.module_slug, _NONE_D, sub.c.year)


_PAGE: CompoundSelect[Any] = union_all(
    # (kind, ord or count, agency id, code, name, path, module, due date, year)
    core_select(
        literal(0).label("kind"),
        func.row_number().over(order_by=_CHILDREN.c.code).label("n"),
        _CHILDREN.c.id,
        _CHILDREN.c.code,
        _CHILDREN.c.name,
        _CHILDREN.c.path,
        _NONE_S,
        _NONE_D,
        _NONE_I,
    ),
    core_select(
        literal(1),
        literal(0),
        _REQS.c.id,
        _REQS.c.code,
        _REQS.c.name,
        _REQS.c.path,
        _REQS.c.module_slug,
        _REQS.c.due_date,
        _NONE_I,
    ),
    core_select(
        literal(2),
        func.row_number().over(order_by=(_MOD.c.area_slug, _MOD.c.position)),
        _NONE_I,
        _NONE_S,
        _NONE_S,
        _NONE_S,
        _MOD.c.slug,
        _NONE_D,
        _NONE_I,
    ).where(_MOD.c.active == True),  # noqa: E712
    # Modules completed that year in assisted sessions held by helpers in the subtree.
    core_select(literal(3), func.count(), _NONE_I, _NONE_S, _NONE_S, _NONE_S, _NONE_S, _NONE_D, _NONE_I)
    .select_from(_PROGRESS)
    .join(_ASSISTED, _ASSISTED.c.id == _PROGRESS.c.assisted_session_id)
    .join(_AG, _AG.c.id == _ASSISTED.c.agency_id)
    .where(_PROGRESS.c.completed_year == bindparam("year"), _AG.c.path >= bindparam("lo_"), _AG.c.path < bindparam("hi_")),
    *[
        _counters(arm)
        for arm in rollups.tagged_figures(
            *rollups.figure_arms(
                ids=_needed_ids(),
                ids_=_needed_ids(),
                slugs=_required_slugs(),
                slugs_=_required_slugs(),
                year=bindparam("year_m"),
                year_=bindparam("year_d"),
                agency=bindparam("id_m"),
                agency_=bindparam("id_d"),
            )
        )
    ],
)


@dataclass
class _Page:
    children: list[_Node]
    reqs: list[tuple[_Req, _Node]]
    active: list[str]
    assisted: int
    read: rollups.Figures


def _page(session: Session, agency: Agency, year: int) -> _Page:
    """Reads everything agency_stats shows in one statement."""
    children: list[tuple[int, _Node]] = []
    reqs: list[tuple[_Req, _Node]] = []
    active: list[tuple[int, str]] = []
    assisted = 0
    read = rollups.Figures()
    lo, hi = subtree_range(agency.path)
    a = agency.id
    params = {"id": a, "id_": a, "id_m": a, "id_d": a, "ancestors": path_ids(agency.path), "lo": lo, "hi": hi}
    params |= {"lo_": lo, "hi_": hi, "year": year, "year_m": year, "year_d": year}
    for kind, n, a_id, code, name, path, slug, due, y in session.execute(_PAGE, params):
        if kind == 0:
            children.append((n, _Node(a_id, code, name, path)))
        elif kind == 1:
            reqs.append((_Req(slug, due), _Node(a_id, code, name, path)))
        elif kind == 2:
            active.append((n, slug))
        elif kind == 3:
            assisted = int(n)
        else:
            read.add(kind, a_id, slug, y, n)
    return _Page([c for _, c in sorted(children)], reqs, [m for _, m in sorted(active)], assisted, read)


@dataclass
class UnitFigures:
    """A unit's figures over its subtree: members, goal met, and person x required module completed, due and late."""

    members: int
    goal_met: int
    required_completed: int
    required_total: int
    overdue: int

    @property
    def goal_rate(self) -> float:
        return _rate(self.goal_met, self.members)

    @property
    def required_rate(self) -> float | None:
        return _rate(self.required_completed, self.required_total) if self.required_total else None


def unit_figures(
    units: Sequence[_AgencyLike], *, reqs: Sequence[tuple[_ReqLike, _AgencyLike]], read: rollups.Figures, today: date
) -> dict[int, UnitFigures]:
    """Each unit's figures from rollups read for the units and the agencies of reqs (the requirements around them)."""
    counters = _Counters(read.members, read.completed)
    out = {}
    for unit in units:
        done, total, late = _required_figures(unit, reqs, counters, today)
        out[unit.id] = UnitFigures(read.members.get(unit.id, 0), read.goal_met.get(unit.id, 0), done, total, late)
    return out


def agency_stats(session: Session, *, agency: Agency, year: int) -> AgencyStats:
    """Computes stats for the agency's whole subtree from the rollups: no scan over people or completions."""
    assert agency.id is not None  # read from the database
    page = _page(session, agency, year)
    children, reqs, active, assisted, read = page.children, page.reqs, page.active, page.assisted, page.read
    target = _Node(agency.id, agency.code, agency.name, agency.path)
    figures = unit_figures([target, *children], reqs=reqs, read=read, today=vietnam_today())

    ever: dict[str, int] = {}
    this_year: dict[str, int] = {}
    for slug, y, n in read.own_modules:
        ever[slug] = ever.get(slug, 0) + n
        if y == year:
            this_year[slug] = this_year.get(slug, 0) + n
    n_members = figures[agency.id].members
    by_module = [
        ModuleFigure(
            slug=s, completed=ever.get(s, 0), completed_in_year=this_year.get(s, 0), rate=_rate(ever.get(s, 0), n_members)
        )
        for s in list(active) + sorted(set(ever) - set(active))
    ]

    own = figures[agency.id]
    child_rows = [ChildFigure(code=child.code, name=child.name, **_figure_fields(figures[child.id])) for child in children]
    return AgencyStats(
        agency=AgencyRef(code=agency.code, name=agency.name),
        year=year,
        **_figure_fields(own),
        by_module=by_module,
        children=child_rows,
        assisted=assisted,
    )


def _figure_fields(figures: UnitFigures) -> dict[str, Any]:
    """A unit's figures as the fields AgencyStats and ChildFigure share."""
    return {
        "members": figures.members,
        "goal_met": figures.goal_met,
        "goal_rate": figures.goal_rate,
        "required_completed": figures.required_completed,
        "required_total": figures.required_total,
        "required_rate": figures.required_rate,
        "overdue": figures.overdue,
    }


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
