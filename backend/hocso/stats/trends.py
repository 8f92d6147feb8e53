"""Lagging units: a snapshot of every agency's figures at the end of each month, and the ranking built on it.

A month's snapshot is counted once from people and completions as they stood when the month ended in Vietnam,
so months before the first run are backfilled the same way. Membership has no history: a month's members are
the people in the agency when the snapshot was taken, which for a backfill means today.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, insert
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from hocso.accounts.models import User
from hocso.agencies.models import Agency, AgencyMonth, Requirement
from hocso.agencies.tree import path_ids, subtree_filter
from hocso.core import jobs
from hocso.core.config import Settings
from hocso.core.db import open_session, table_of, write_session
from hocso.core.timeutil import VIETNAM, utcnow
from hocso.learning.models import ModuleProgress
from hocso.stats import rollups
from hocso.stats.figures import _Counters, _rate, _required_figures, unit_figures

log = logging.getLogger("hocso.trends")

MONTHS = 12
BACKFILL_MONTHS = 24  # how far back a first run counts, so last year's trend shows at once
CHECK_EVERY = timedelta(minutes=10)
JOB_KIND = "agency_month"


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def previous_month(month: date) -> date:
    return date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)


def month_ends_at(month: date) -> datetime:
    """The moment a month ends in Vietnam (the first instant of the next month there)."""
    nxt = next_month(month)
    return datetime(nxt.year, nxt.month, 1, tzinfo=VIETNAM)


def current_month(now: datetime | None = None) -> date:
    return month_start((now or utcnow()).astimezone(VIETNAM).date())


# --- Taking a month's snapshot ------------------------------------------------------------------------------


def take_snapshot(session: Session, month: date) -> int:
    """Counts every agency's figures as the month ended and stores them (replacing a previous count)."""
    ends = month_ends_at(month)
    year = month.year
    agencies = session.exec(select(Agency)).all()
    paths = {a.id: a.path for a in agencies}
    own_members = dict(
        session.exec(
            select(col(User.agency_id), func.count()).where(col(User.agency_id).is_not(None)).group_by(col(User.agency_id))
        ).all()
    )
    done = (col(ModuleProgress.completed_at).is_not(None), col(ModuleProgress.completed_at) < ends)
    people_with_goal = (
        select(User.agency_id, ModuleProgress.user_id)
        .join(User, col(User.id) == col(ModuleProgress.user_id))
        .where(col(User.agency_id).is_not(None), col(ModuleProgress.completed_year) == year, *done)
        .group_by(col(User.agency_id), col(ModuleProgress.user_id))
        .subquery()
    )
    own_goal = dict(session.exec(select(people_with_goal.c.agency_id, func.count()).group_by(people_with_goal.c.agency_id)).all())
    own_completed = {
        (a, slug): n
        for a, slug, n in session.exec(
            select(User.agency_id, ModuleProgress.module_slug, func.count())
            .join(User, col(User.id) == col(ModuleProgress.user_id))
            .where(col(User.agency_id).is_not(None), *done)
            .group_by(col(User.agency_id), col(ModuleProgress.module_slug))
        ).all()
    }
    reqs = session.exec(
        select(Requirement, Agency)
        .join(Agency, col(Agency.id) == col(Requirement.agency_id))
        .where(col(Requirement.created_at) < ends)
    ).all()
    members = rollups.subtree_sums(paths, own_members)
    goal = rollups.subtree_sums(paths, own_goal)
    counters = _Counters(members, rollups.subtree_sums(paths, own_completed))
    last_day = next_month(month) - timedelta(days=1)
    rows = []
    for agency in agencies:
        completed, total, _ = _required_figures(agency, reqs, counters, last_day)
        rows.append(
            {
                "agency_id": agency.id,
                "month": month,
                "members": members.get(agency.id, 0),
                "goal_met": goal.get(agency.id, 0),
                "required_completed": completed,
                "required_total": total,
                "taken_at": utcnow(),
            }
        )
    table = table_of(AgencyMonth)
    session.execute(table.delete().where(table.c.month == month))
    for start in range(0, len(rows), 5000):
        session.execute(insert(table), rows[start : start + 5000])
    session.flush()
    return len(rows)


@jobs.handler(JOB_KIND)
def snapshot_job(ctx: jobs.JobContext) -> dict:
    """Runs one month's snapshot as a background job."""
    month = date.fromisoformat(ctx.payload["month"])
    with ctx.write() as session:
        n = take_snapshot(session, month)
        ctx.finish(session, result={"month": month.isoformat(), "agencies": n})
        session.commit()
    return {"month": month.isoformat(), "agencies": n}


def missing_months(session: Session, *, now: datetime | None = None, back: int = BACKFILL_MONTHS) -> list[date]:
    """Finished months within `back` that have no snapshot yet and are not queued, oldest first."""
    month = current_month(now)
    wanted = []
    for _ in range(back):
        month = previous_month(month)
        wanted.append(month)
    have = set(session.exec(select(col(AgencyMonth.month)).where(col(AgencyMonth.month).in_(wanted)).distinct()).all())
    queued = {
        p["month"]
        for (p,) in session.execute(
            select(jobs.Job.payload).where(jobs.Job.kind == JOB_KIND, col(jobs.Job.status).in_(("queued", "running")))
        ).all()
    }
    return sorted(m for m in wanted if m not in have and m.isoformat() not in queued)


def queue_missing(session: Session, *, now: datetime | None = None) -> list[date]:
    """Queues a snapshot job for each finished month without one (months before any agency existed are skipped)."""
    if session.exec(select(func.count()).select_from(Agency)).one() == 0:
        return []
    months = missing_months(session, now=now)
    for m in months:
        jobs.enqueue(session, kind=JOB_KIND, payload={"month": m.isoformat()})
    return months


_last_check: datetime | None = None


@jobs.sweeper
def snapshot_months(engine: Engine, settings: Settings) -> bool:
    """The job runner's turn for trends: every few minutes, queues the months that ended without a snapshot.

    Two processes may both queue a month; the second snapshot replaces the first with the same figures.
    """
    global _last_check
    if not settings.month_snapshots:
        return False
    if _last_check is not None and utcnow() - _last_check < CHECK_EVERY:
        return False
    _last_check = utcnow()
    with open_session(engine) as session:
        if not missing_months(session):
            return False
    with write_session(engine) as session:
        queued = queue_missing(session)
        session.commit()
    if queued:
        log.info("queued month snapshots for %s", ", ".join(m.isoformat() for m in queued))
    return bool(queued)


# --- The ranking ----------------------------------------------------------------------------------------------


@dataclass
class Point:
    month: date
    rate: float | None


@dataclass
class Ranked:
    agency: Agency
    members: int
    rate: float | None
    trend: list[Point]


def units_at(session: Session, agency: Agency, depth: int) -> list[Agency]:
    """The agency's descendants `depth` levels below it (1: its children)."""
    return list(
        session.exec(
            select(Agency).where(subtree_filter(agency.path), Agency.depth == agency.depth + depth).order_by(Agency.code)
        ).all()
    )


def live_figures(session: Session, *, within: Agency, units: list[Agency], year: int) -> dict[int, tuple[int, int, int, int]]:
    """Each unit's (members, goal_met, required_completed, required_total) as of now, from the rollups."""
    if not units:
        return {}
    reqs = session.exec(
        select(Requirement, Agency)
        .join(Agency, col(Agency.id) == col(Requirement.agency_id))
        .where(col(Requirement.agency_id).in_(path_ids(within.path)) | subtree_filter(within.path))
    ).all()
    needed = {u.id for u in units} | {a.id for _, a in reqs}
    assert within.id is not None  # read from the database
    read = rollups.figures_of(session, needed, year=year, slugs={r.module_slug for r, _ in reqs}, agency_id=within.id)
    figures = unit_figures(units, reqs=reqs, read=read, today=utcnow().astimezone(VIETNAM).date())
    return {u: (f.members, f.goal_met, f.required_completed, f.required_total) for u, f in figures.items()}


def _rate_of(by: str, members: int, goal_met: int, required_completed: int, required_total: int) -> float | None:
    if by == "required_rate":
        return _rate(required_completed, required_total) if required_total else None
    return _rate(goal_met, members)


def ranking(session: Session, *, agency: Agency, year: int, by: str, depth: int, now: datetime | None = None) -> list[Ranked]:
    """The units `depth` levels below the agency from the lowest rate, each with its rate at the end of 12 months.

    For this year the months end with the current one (its point is live); for a past year, with December.
    """
    units = units_at(session, agency, depth)
    this_month = current_month(now)
    last = this_month if year >= this_month.year else date(year, 12, 1)
    months = [last]
    while len(months) < MONTHS:
        months.insert(0, previous_month(months[0]))
    stored: dict[tuple[int, date], AgencyMonth] = {}
    if units:
        for snap in session.exec(
            select(AgencyMonth).where(col(AgencyMonth.agency_id).in_([u.id for u in units]), col(AgencyMonth.month).in_(months))
        ).all():
            stored[(snap.agency_id, snap.month)] = snap
    live = live_figures(session, within=agency, units=units, year=this_month.year) if this_month in months else {}
    result = []
    for u in units:
        trend = []
        for m in months:
            if m == this_month:
                figures = live.get(u.id)
            else:
                kept = stored.get((u.id, m))
                figures = (kept.members, kept.goal_met, kept.required_completed, kept.required_total) if kept else None
            trend.append(Point(m, _rate_of(by, *figures) if figures else None))
        members = live[u.id][0] if u.id in live else (stored[(u.id, last)].members if (u.id, last) in stored else 0)
        result.append(Ranked(agency=u, members=members, rate=trend[-1].rate, trend=trend))
    # Lowest first; units without a figure (nothing required of them) go last.
    result.sort(key=lambda r: (r.rate is None, r.rate if r.rate is not None else 0.0, r.agency.code))
    return result
