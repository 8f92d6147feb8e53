"""Keeps the subtree counters current: every change to a member adds ±1 along its agency's path.

Writers never update a counter: they append the change as rows of agency_rollup_delta, one per agency on the
path, so first completions from everywhere do not queue on the national root's counters. The job runner folds
those rows into the counters every few seconds (`fold`), and every read adds the rows not folded yet to the
counters in the same statement, so the figures are exact at any moment.
"""

from __future__ import annotations

import time
import uuid
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import Engine, Integer, String, bindparam, delete, func, insert, literal, null, text, union_all
from sqlalchemy import cast as sql_cast
from sqlalchemy import select as core_select
from sqlmodel import Session, col, select

from hocso.accounts.models import User
from hocso.agencies.models import Agency, AgencyModuleRollup, AgencyRollup, AgencyRollupDelta, AgencyYearRollup
from hocso.agencies.tree import path_ids
from hocso.core import jobs
from hocso.core.config import Settings
from hocso.core.db import dialect_insert, open_session, table_of, write_session
from hocso.core.errors import NotAuthenticated
from hocso.learning.models import ModuleProgress


@lru_cache
def _upsert(dialect: str, model, keys: tuple[str, ...], column: str):
    """INSERT ... ON CONFLICT (keys) DO UPDATE SET column = column + excluded.column, built once.

    The rows go in as parameters, not in the statement, so SQLAlchemy compiles it once and reuses it: a
    statement with the values inlined was compiled anew on every completion, which cost more than running it.
    """
    table = table_of(model)
    stmt = dialect_insert(dialect, table)
    return stmt.on_conflict_do_update(index_elements=list(keys), set_={column: table.c[column] + stmt.excluded[column]})


def _add(session: Session, model, rows: list[dict], keys: list[str], column: str) -> None:
    """Adds rows[column] to the counters at keys, creating missing counters (one executemany).

    Rows go in key order, and every caller updates the tables in the order members, years, modules: two
    transactions then always lock shared counters (the root's above all) in the same order and cannot deadlock.
    """
    rows = sorted((r for r in rows if r[column]), key=lambda r: tuple(r[k] for k in keys))
    if not rows:
        return
    session.execute(_upsert(session.get_bind().dialect.name, model, tuple(keys), column), rows)


_DELTA = table_of(AgencyRollupDelta)
_APPEND = insert(_DELTA)
_DELTA_KEYS = {"year": None, "module_slug": None, "members": 0, "goal_met": 0, "completed": 0}


def _append(session: Session, rows: list[dict]) -> None:
    """Appends changes to the counters as delta rows: plain inserts, no row that other writers wait on."""
    rows = [{**_DELTA_KEYS, **r} for r in rows if r.get("members") or r.get("goal_met") or r.get("completed")]
    if rows:
        session.execute(_APPEND, rows)


def _years_with_goal(session: Session, user_id: uuid.UUID) -> dict[int, int]:
    rows = session.exec(
        select(ModuleProgress.completed_year, func.count())
        .where(col(ModuleProgress.user_id) == user_id, col(ModuleProgress.completed_year).is_not(None))
        .group_by(col(ModuleProgress.completed_year))
    ).all()
    return {year: n for year, n in rows if year is not None}


_USERS, _AGENCIES = table_of(User), table_of(Agency)
_LOCK_PERSON = select(_USERS.c.agency_id).where(_USERS.c.id == bindparam("user_id")).with_for_update(key_share=True)
_PATH_OF = select(_AGENCIES.c.path).where(_AGENCIES.c.id == bindparam("agency_id"))


def lock_person(session: Session, user_id: uuid.UUID) -> int | None:
    """Locks a person until commit and returns their agency's id as it now stands (None outside any).

    Whatever changes a person's progress or membership takes this lock first, so those changes happen one
    transaction at a time: two completions sent at once from two phones must not both find themselves the
    person's first of the year, nor may a completion land on the agency a concurrent move has just left.
    "First" means before inserting any row that refers to the person: that insert's foreign-key check holds a
    share lock on their row, and two transactions each holding one while waiting to lock it deadlock.
    FOR NO KEY UPDATE leaves such checks from other work (a sign-in storing its token) unblocked.
    SQLite has one writer at a time anyway and ignores FOR UPDATE. The quiz endpoint takes the same lock as it
    reads the signed-in person (accounts.service.user_from_access_token(lock=True)) instead of calling this.
    """
    found = session.execute(_LOCK_PERSON, {"user_id": user_id}).first()
    if found is None:  # the account was erased since this request signed in
        raise NotAuthenticated()
    return found.agency_id


def agency_path(session: Session, agency_id: int) -> str:
    """Returns an agency's path; call it after lock_person, in a statement of its own.

    A statement that waited for the lock sees the person's row as the other transaction left it, but any table
    it joins as it was before the wait: the path is read only once the lock is granted.
    """
    return session.execute(_PATH_OF, {"agency_id": agency_id}).scalar_one()


def membership_changed(session: Session, *, user_id: uuid.UUID, old_path: str | None, new_path: str | None) -> None:
    """Moves a person's counts from the agencies on old_path to those on new_path (None: no agency).

    One pass per table over both paths: ancestors the two paths share cancel out and are not touched.
    """
    delta: dict[int, int] = defaultdict(int)
    for path, sign in ((old_path, -1), (new_path, +1)):
        for a in path_ids(path) if path else []:
            delta[a] += sign
    years = _years_with_goal(session, user_id)
    completions = session.exec(
        select(ModuleProgress.module_slug, ModuleProgress.completed_year).where(
            col(ModuleProgress.user_id) == user_id, col(ModuleProgress.completed_year).is_not(None)
        )
    ).all()
    _append(
        session,
        [{"agency_id": a, "members": d} for a, d in delta.items()]
        + [{"agency_id": a, "year": y, "goal_met": d} for a, d in delta.items() for y in years]
        + [{"agency_id": a, "module_slug": m, "year": y, "completed": d} for a, d in delta.items() for m, y in completions],
    )


def members_joined(session: Session, joined: Mapping[str, int]) -> None:
    """Counts new people (no progress yet) into their agencies: agency path -> how many joined there."""
    delta: dict[int, int] = defaultdict(int)
    for path, n in joined.items():
        for a in path_ids(path):
            delta[a] += n
    _append(session, [{"agency_id": a, "members": d} for a, d in delta.items()])


def completion_changed(
    session: Session,
    *,
    agency_id: int,
    slug: str,
    old_year: int | None,
    new_year: int,
    years_before: Mapping[int, int],
    path: str | None = None,
) -> None:
    """Moves a member's completion of a module to new_year (from old_year, or from not completed).

    years_before counts the modules the person had completed in each year before this change, read while
    holding lock_person, so that whether this is their first new skill of a year needs no further query.
    path is the agency's path when the caller read it holding that lock too (else it is read here).
    """
    if old_year == new_year:
        return
    ids = path_ids(path if path is not None else agency_path(session, agency_id))
    # One row per agency and year: the goal and the module together (a row's goal_met counts for its year).
    first_of_year = not years_before.get(new_year)  # this completion is the person's first new skill of new_year
    rows = [{"agency_id": a, "year": new_year, "module_slug": slug, "goal_met": int(first_of_year), "completed": 1} for a in ids]
    if old_year is not None:
        lost_goal = years_before.get(old_year) == 1  # and old_year loses its only one
        rows += [
            {"agency_id": a, "year": old_year, "module_slug": slug, "goal_met": -int(lost_goal), "completed": -1} for a in ids
        ]
    _append(session, rows)


def recount_own(session: Session) -> tuple[dict[int, int], dict[tuple[int, int], int], dict[tuple[int, str, int], int]]:
    """Counts, straight from people and progress, each agency's own members, goal-met and completions."""
    members = dict(
        session.exec(
            select(col(User.agency_id), func.count()).where(col(User.agency_id).is_not(None)).group_by(col(User.agency_id))
        ).all()
    )
    per_user_year = (
        select(User.agency_id, ModuleProgress.user_id, ModuleProgress.completed_year)
        .join(User, col(User.id) == col(ModuleProgress.user_id))
        .where(col(User.agency_id).is_not(None), col(ModuleProgress.completed_year).is_not(None))
        .group_by(col(User.agency_id), col(ModuleProgress.user_id), col(ModuleProgress.completed_year))
        .subquery()
    )
    goal = {
        (a, y): n
        for a, y, n in session.exec(
            select(per_user_year.c.agency_id, per_user_year.c.completed_year, func.count()).group_by(
                per_user_year.c.agency_id, per_user_year.c.completed_year
            )
        ).all()
    }
    modules = {
        (a, m, y): n
        for a, m, y, n in session.exec(
            select(User.agency_id, ModuleProgress.module_slug, ModuleProgress.completed_year, func.count())
            .join(User, col(User.id) == col(ModuleProgress.user_id))
            .where(col(User.agency_id).is_not(None), col(ModuleProgress.completed_year).is_not(None))
            .group_by(col(User.agency_id), col(ModuleProgress.module_slug), col(ModuleProgress.completed_year))
        ).all()
    }
    # The queries leave out people without an agency and modules not completed: no key holds None.
    return cast(dict[int, int], members), goal, cast(dict[tuple[int, str, int], int], modules)


def subtree_sums(paths: Mapping[int, str], own: Mapping[Any, int]) -> dict[Any, int]:
    """Adds each agency's own count to itself and every agency above it; an agency not in paths is left out.

    A key is an agency id, or a tuple that starts with one ((agency id, year), say) and keeps the rest.
    """
    total: dict[Any, int] = defaultdict(int)
    for key, n in own.items():
        agency_id, rest = (key[0], key[1:]) if isinstance(key, tuple) else (key, None)
        if agency_id not in paths:
            continue
        for a in path_ids(paths[agency_id]):
            total[(a, *rest) if rest is not None else a] += n
    return dict(total)


def rebuild_all(session: Session) -> None:
    """Recomputes every rollup from people and progress (after the tree is reshaped); clears what was pending."""
    if session.get_bind().dialect.name == "postgresql":
        # Waits for writers with changes in flight and holds back new ones until commit: the recount then
        # includes exactly the changes whose delta rows are dropped here. (SQLite has one writer anyway.)
        session.execute(text("LOCK TABLE agency_rollup_delta IN SHARE MODE"))
    session.execute(delete(_DELTA))
    paths = dict(session.exec(select(Agency.id, Agency.path)).all())
    own_members, own_goal, own_modules = recount_own(session)
    members = subtree_sums(paths, own_members)
    goal = subtree_sums(paths, own_goal)
    modules = subtree_sums(paths, own_modules)
    for model in (AgencyRollup, AgencyYearRollup, AgencyModuleRollup):
        session.execute(delete(model))
    rows_m = [{"agency_id": a, "members": n} for a, n in members.items()]
    rows_g = [{"agency_id": a, "year": y, "goal_met": n} for (a, y), n in goal.items()]
    rows_c = [{"agency_id": a, "module_slug": m, "year": y, "completed": n} for (a, m, y), n in modules.items()]
    for model, rows in ((AgencyRollup, rows_m), (AgencyYearRollup, rows_g), (AgencyModuleRollup, rows_c)):
        for start in range(0, len(rows), 5000):
            session.execute(table_of(model).insert(), rows[start : start + 5000])
    session.flush()


# --- Reading: the counters plus what is not folded into them yet, in one statement (one snapshot) ---------

_R, _Y, _M = table_of(AgencyRollup), table_of(AgencyYearRollup), table_of(AgencyModuleRollup)


def _ids(name: str):
    return bindparam(name, expanding=True)


def _summed(*parts, keys: int):
    both = union_all(*parts).subquery()
    cols = list(both.c)
    return core_select(*cols[:keys], func.sum(cols[keys])).group_by(*cols[:keys])


def figure_arms(*, ids, ids_, slugs, slugs_, year, year_, agency, agency_):
    """The four counter reads (members, goal met, completed, one agency's modules), each counters plus deltas.

    ids/slugs are SQL for the agencies and modules wanted (expanding bind parameters, or a subquery when the
    caller computes them in the same statement); each argument is used once, its twin (ids_) in the delta arm.
    """
    members = _summed(
        select(_R.c.agency_id, _R.c.members).where(_R.c.agency_id.in_(ids)),
        select(_DELTA.c.agency_id, _DELTA.c.members).where(_DELTA.c.agency_id.in_(ids_), _DELTA.c.members != 0),
        keys=1,
    )
    goal = _summed(
        select(_Y.c.agency_id, _Y.c.goal_met).where(_Y.c.agency_id.in_(ids), _Y.c.year == year),
        select(_DELTA.c.agency_id, _DELTA.c.goal_met).where(
            _DELTA.c.agency_id.in_(ids_), _DELTA.c.year == year_, _DELTA.c.goal_met != 0
        ),
        keys=1,
    )
    completed = _summed(
        select(_M.c.agency_id, _M.c.module_slug, _M.c.year, _M.c.completed).where(
            _M.c.agency_id.in_(ids), _M.c.module_slug.in_(slugs)
        ),
        select(_DELTA.c.agency_id, _DELTA.c.module_slug, _DELTA.c.year, _DELTA.c.completed).where(
            _DELTA.c.agency_id.in_(ids_), _DELTA.c.module_slug.in_(slugs_), _DELTA.c.completed != 0
        ),
        keys=3,
    )
    own_modules = _summed(
        select(_M.c.module_slug, _M.c.year, _M.c.completed).where(_M.c.agency_id == agency),
        select(_DELTA.c.module_slug, _DELTA.c.year, _DELTA.c.completed).where(
            _DELTA.c.agency_id == agency_, _DELTA.c.module_slug.is_not(None), _DELTA.c.completed != 0
        ),
        keys=2,
    )
    return members, goal, completed, own_modules


_MEMBERS, _GOAL, _COMPLETED, _OWN_MODULES = figure_arms(
    ids=_ids("ids"),
    ids_=_ids("ids_"),
    slugs=_ids("slugs"),
    slugs_=_ids("slugs_"),
    year=bindparam("year"),
    year_=bindparam("year_"),
    agency=bindparam("id"),
    agency_=bindparam("id_"),
)

# Figures' kinds in a tagged read: every row is (kind, agency_id, module_slug, year, n).
MEMBERS, GOAL_MET, COMPLETED, OWN_MODULES = 10, 11, 12, 13


def _tagged(kind: int, stmt, *, agency: bool, slug: bool, year: bool):
    """One arm of a figures read: stmt's (agency_id?, module_slug?, year?, n) as (kind, agency_id, slug, year, n)."""
    sub = stmt.subquery()
    cols = iter(sub.c)
    return core_select(
        literal(kind).label("kind"),
        (next(cols) if agency else sql_cast(null(), Integer)).label("agency_id"),
        (next(cols) if slug else sql_cast(null(), String)).label("module_slug"),
        (next(cols) if year else sql_cast(null(), Integer)).label("year"),
        next(cols).label("n"),
    )


def tagged_figures(members, goal, completed, own_modules) -> list:
    """figure_arms' four reads as tagged arms of one UNION ALL (see Figures.add)."""
    return [
        _tagged(MEMBERS, members, agency=True, slug=False, year=False),
        _tagged(GOAL_MET, goal, agency=True, slug=False, year=False),
        _tagged(COMPLETED, completed, agency=True, slug=True, year=True),
        _tagged(OWN_MODULES, own_modules, agency=False, slug=True, year=True),
    ]


_FIGURES = union_all(*tagged_figures(_MEMBERS, _GOAL, _COMPLETED, _OWN_MODULES))


@dataclass
class Figures:
    """Subtree counters read in one statement (one snapshot): see figures_of."""

    members: dict[int, int] = field(default_factory=dict)
    goal_met: dict[int, int] = field(default_factory=dict)
    completed: dict[tuple[int, str], int] = field(default_factory=dict)
    own_modules: list[tuple[str, int, int]] = field(default_factory=list)

    def add(self, kind: int, agency_id: int, slug: str, year: int, n: int) -> None:
        """Takes one row of a tagged figures read."""
        if kind == MEMBERS:
            self.members[agency_id] = int(n)
        elif kind == GOAL_MET:
            self.goal_met[agency_id] = int(n)
        elif kind == COMPLETED:
            self.completed[(agency_id, slug)] = self.completed.get((agency_id, slug), 0) + int(n)
        else:
            self.own_modules.append((slug, year, int(n)))


def figures_of(session: Session, ids: set[int] | list[int], *, year: int, slugs: set[str], agency_id: int) -> Figures:
    """Members, goal met and completions (of slugs) for each of ids' subtrees, and agency_id's modules, in one round trip.

    A busy server answers each statement after a wait for the CPU: a page of stats that took seven of them
    took seven waits (hundreds of ms on a loaded machine), so the figures one page shows are read together.
    """
    ids, slugs_ = list(ids), sorted(slugs)
    out = Figures()
    params = {"ids": ids, "ids_": ids, "year": year, "year_": year, "slugs": slugs_, "slugs_": slugs_}
    for row in session.execute(_FIGURES, params | {"id": agency_id, "id_": agency_id}):
        out.add(*row)
    return out


def members_of(session: Session, ids: set[int] | list[int]) -> dict[int, int]:
    """Members in each agency's subtree."""
    ids = list(ids)
    return {a: int(n) for a, n in session.execute(_MEMBERS, {"ids": ids, "ids_": ids})}


# --- Folding the appended changes into the counters --------------------------------------------------------

FOLD_EVERY_SECONDS = 2.0
FOLD_BATCH = 20_000
_CLAIM = (
    delete(_DELTA)
    .where(_DELTA.c.id.in_(select(_DELTA.c.id).order_by(_DELTA.c.id).limit(bindparam("n")).with_for_update(skip_locked=True)))
    .returning(_DELTA.c.agency_id, _DELTA.c.year, _DELTA.c.module_slug, _DELTA.c.members, _DELTA.c.goal_met, _DELTA.c.completed)
)


def fold(session: Session, *, limit: int = FOLD_BATCH) -> int:
    """Moves up to limit pending delta rows into the counters; returns how many it took.

    Deleting the rows is what claims them, in the same transaction as adding them to the counters: two
    runners (processes) never fold the same row (PostgreSQL's SKIP LOCKED hands each its own rows, and a
    row deleted by a runner that committed is gone for the other), and a fold that fails or is cut off rolls
    back whole, its rows still pending. The counters are then written in key order, as _add explains.
    """
    members: dict[int, int] = defaultdict(int)
    goal: dict[tuple[int, int], int] = defaultdict(int)
    modules: dict[tuple[int, str, int], int] = defaultdict(int)
    taken = 0
    for agency_id, year, slug, m, g, c in session.execute(_CLAIM, {"n": limit}):
        taken += 1
        members[agency_id] += m
        if year is not None:
            goal[(agency_id, year)] += g
            if slug is not None:
                modules[(agency_id, slug, year)] += c
    _add(session, AgencyRollup, [{"agency_id": a, "members": n} for a, n in members.items()], ["agency_id"], "members")
    _add(
        session,
        AgencyYearRollup,
        [{"agency_id": a, "year": y, "goal_met": n} for (a, y), n in goal.items()],
        ["agency_id", "year"],
        "goal_met",
    )
    _add(
        session,
        AgencyModuleRollup,
        [{"agency_id": a, "module_slug": m, "year": y, "completed": n} for (a, m, y), n in modules.items()],
        ["agency_id", "module_slug", "year"],
        "completed",
    )
    return taken


_PENDING = select(literal(1)).select_from(_DELTA).limit(1)
_last_fold = 0.0


@jobs.sweeper
def fold_pending(engine: Engine, settings: Settings) -> bool:
    """The job runner's turn for the rollups: every few seconds, folds what writers have appended."""
    global _last_fold
    if time.monotonic() - _last_fold < FOLD_EVERY_SECONDS:
        return False
    with open_session(engine) as session:  # a read first: no write turn (SQLite's one writer) when idle
        pending = session.execute(_PENDING).first()
    if pending is None:
        _last_fold = time.monotonic()
        return False
    with write_session(engine) as session:
        taken = fold(session)
        session.commit()
    if taken < FOLD_BATCH:
        _last_fold = time.monotonic()
        return False
    return True  # more to fold: at once


def fold_all_pending(engine: Engine) -> int:
    """Folds everything pending, batch by batch (tests, benchmarks); returns how many rows it folded."""
    total = 0
    while True:
        with write_session(engine) as session:
            taken = fold(session)
            session.commit()
        total += taken
        if taken < FOLD_BATCH:
            return total
