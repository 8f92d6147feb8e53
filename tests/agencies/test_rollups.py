"""Stats come from rollups kept current on every change; they must equal a naive recount, always."""

from __future__ import annotations

import random
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event, text
from sqlmodel import Session, select

from hocso.accounts.models import User
from hocso.accounts.service import user_from_access_token
from hocso.agencies.models import (
    Agency,
    AgencyModuleRollup,
    AgencyRollup,
    AgencyRollupDelta,
    AgencyYearRollup,
    Requirement,
)
from hocso.agencies.tree import get_by_code
from hocso.content.service import sync_content
from hocso.core.config import Settings
from hocso.core.db import make_engine, open_session
from hocso.core.security import create_token
from hocso.core.timeutil import vietnam_today, vietnam_year
from hocso.flows import load_tree, move_person, submit_attempt
from hocso.learning.client_time import Receipt
from hocso.learning.models import ModuleProgress
from hocso.learning.schemas import AttemptIn
from hocso.privacy.service import erase
from hocso.stats import rollups
from hocso.stats.figures import agency_stats
from hocso.stats.trends import live_figures
from tests.agencies.conftest import TREE, make_user, two_module_content, user_id
from tests.conftest import PG_URL, fresh_database

RIGHT = {"q1": ["a"], "q2": ["a"], "q3": ["a"], "q4": ["a"], "q5": ["a"], "q6": ["a", "b"]}
CODES = [row["code"] for row in TREE]
MODULES = ["qr-basics", "qr-more"]
TODAY = vietnam_today()


def _rate(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def naive(session: Session, agency: Agency, year: int) -> dict:
    """Everything the stats say of an agency's subtree, recounted person by person from the base tables."""
    by_id = {a.id: a for a in session.exec(select(Agency)).all()}
    people = [
        u
        for u in session.exec(select(User).where(User.agency_id.is_not(None))).all()
        if by_id[u.agency_id].path.startswith(agency.path)
    ]
    reqs = session.exec(select(Requirement)).all()
    out = {"members": len(people), "goal_met": 0, "required_completed": 0, "required_total": 0, "overdue": 0}
    ever: dict[str, int] = {}
    in_year: dict[str, int] = {}
    for u in people:
        progress = {p.module_slug: p for p in session.exec(select(ModuleProgress).where(ModuleProgress.user_id == u.id))}
        if any(p.completed_year == year for p in progress.values()):
            out["goal_met"] += 1
        for slug, p in progress.items():
            if p.completed_at is not None:
                ever[slug] = ever.get(slug, 0) + 1
                in_year[slug] = in_year.get(slug, 0) + (p.completed_year == year)
        due: dict[str, date] = {}
        for r in reqs:
            if by_id[u.agency_id].path.startswith(by_id[r.agency_id].path):
                due[r.module_slug] = min(due.get(r.module_slug, r.due_date), r.due_date)
        for slug, d in due.items():
            done = slug in progress and progress[slug].completed_at is not None
            out["required_total"] += 1
            out["required_completed"] += done
            out["overdue"] += (not done) and d < TODAY
    out["goal_rate"] = _rate(out["goal_met"], out["members"])
    total = out["required_total"]
    out["required_rate"] = _rate(out["required_completed"], total) if total else None
    out["modules"] = {
        slug: (n, in_year[slug], _rate(n, out["members"])) for slug, n in ever.items()
    }  # completed ever, in the year, rate
    return out


FIGURES = ("members", "goal_met", "goal_rate", "required_completed", "required_total", "required_rate", "overdue")


def assert_stats_match(session: Session, year: int) -> None:
    """Every agency's figures, and each of its children's rows, equal the naive recount."""
    by_code = {a.code: a for a in session.exec(select(Agency)).all()}
    for agency in by_code.values():
        stats = agency_stats(session, agency=agency, year=year)
        expected = naive(session, agency, year)
        got = {name: getattr(stats, name) for name in FIGURES}
        got["modules"] = {m.slug: (m.completed, m.completed_in_year, m.rate) for m in stats.by_module if m.completed}
        assert got == expected, agency.code
        for child in stats.children:
            want = naive(session, by_code[child.code], year)
            assert {name: getattr(child, name) for name in FIGURES} == {name: want[name] for name in FIGURES}, (
                agency.code,
                child.code,
            )


operation = st.one_of(
    st.tuples(st.just("join"), st.sampled_from(CODES)),
    st.tuples(st.just("move"), st.integers(0, 30), st.sampled_from(CODES)),
    st.tuples(st.just("leave"), st.integers(0, 30)),
    st.tuples(st.just("delete"), st.integers(0, 30)),
    st.tuples(
        st.just("pass"),
        st.integers(0, 30),
        st.sampled_from(MODULES),
        st.sampled_from([2024, 2025, 2026]),
        st.integers(0, 300),
    ),
    st.tuples(st.just("require"), st.sampled_from(CODES), st.integers(-40, 40)),
    # The job runner folding some of the pending changes into the counters, between any two changes.
    st.tuples(st.just("fold"), st.integers(1, 40)),
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(ops=st.lists(operation, min_size=1, max_size=25))
def test_rollups_equal_a_naive_recount_after_any_sequence_of_changes(migrated_template, tmp_path, ops):
    with fresh_database(migrated_template, tmp_path) as url:
        engine = make_engine(url)
        try:
            with open_session(engine, write=True) as session:
                sync_content(session, two_module_content(tmp_path))
                load_tree(session, TREE)
                people: list[User] = []
                for op in ops:
                    apply(session, op, people)
                session.flush()
                for year in (2024, 2025, 2026):
                    assert_stats_match(session, year)
        finally:
            engine.dispose()


def apply(session: Session, op: tuple, people: list[User]) -> None:
    kind = op[0]
    if kind == "join":
        user = User(email=f"{uuid.uuid4().hex[:10]}@example.vn", full_name="Cán bộ")
        session.add(user)
        session.flush()
        move_person(session, user=user, agency=get_by_code(session, op[1]))
        people.append(user)
        return
    if kind == "require":
        agency = get_by_code(session, op[1])
        req = session.exec(select(Requirement).where(Requirement.agency_id == agency.id)).first()
        req = req or Requirement(agency_id=agency.id, module_slug="qr-basics", due_date=TODAY)
        req.due_date = TODAY + timedelta(days=op[2])  # past dates too: they make overdue
        session.add(req)
        session.flush()
        return
    if kind == "fold":
        rollups.fold(session, limit=op[1])
        return
    if not people:
        return
    user = people[op[1] % len(people)]
    if kind == "move":
        move_person(session, user=user, agency=get_by_code(session, op[2]))
    elif kind == "leave":
        move_person(session, user=user, agency=None)
    elif kind == "delete":
        erase(session, user=user)
        people.remove(user)
    elif kind == "pass":
        when = min(datetime(op[3], 1, 1, tzinfo=UTC) + timedelta(days=op[4]), datetime.now(UTC))
        # Received as it happened: completions land in 2024, 2025 and 2026, and an earlier one moves a year.
        data = AttemptIn(event_id=uuid.uuid4(), answers=RIGHT, occurred_at=when)
        submit_attempt(session, user=user, slug=op[2], data=data, lang="vi", receipt=Receipt(at=when))


def _passed(session: Session, user: User, slug: str, when: datetime) -> None:
    """Records a passed attempt made at when and received then."""
    data = AttemptIn(event_id=uuid.uuid4(), answers=RIGHT, occurred_at=when)
    submit_attempt(session, user=user, slug=slug, data=data, lang="vi", receipt=Receipt(at=when))


def _people(session: Session, code: str, n: int) -> list[User]:
    people: list[User] = []
    for _ in range(n):
        apply(session, ("join", code), people)
    return people


def _vn_stats(client, code: str, year: int) -> dict:
    from tests.conftest import auth_header, login

    r = client.get(f"/api/v1/agencies/{code}/stats", params={"year": year}, headers=auth_header(login(client, "root@example.vn")))
    assert r.status_code == 200, r.text
    return r.json()


def test_a_reshaped_tree_has_its_rollups_rebuilt_to_equal_a_recount(client, tree, tmp_path):
    # Several people per unit, in two years and two modules: a rebuild that counted units instead of people,
    # or dropped a year or a module, shows here.
    year = TODAY.year
    now = datetime.now(UTC)
    last_year = datetime(year - 1, 6, 1, 3, tzinfo=UTC)
    with open_session(tree, write=True) as session:
        sync_content(session, two_module_content(tmp_path))
        hk = _people(session, "HNI-HK", 4)
        bd = _people(session, "HNI-BD", 2)
        bt = _people(session, "HCM-BT", 1)
        _people(session, "HNI", 1)
        # One more in the commune has tried and failed: progress on record, nothing completed, no goal met.
        (tried,) = _people(session, "HNI-HK", 1)
        failed = AttemptIn(event_id=uuid.uuid4(), answers={**RIGHT, "q1": ["b"], "q2": ["b"]}, occurred_at=now)
        assert not submit_attempt(session, user=tried, slug="qr-basics", data=failed, lang="vi", receipt=Receipt(at=now)).passed
        for user, slug, when in [
            (hk[0], "qr-basics", now),
            (hk[0], "qr-more", now),
            (hk[1], "qr-basics", now),
            (hk[2], "qr-basics", last_year),
            (hk[3], "qr-more", last_year),
            (bd[0], "qr-more", now),
            (bt[0], "qr-basics", now),
        ]:
            _passed(session, user, slug, when)
        session.add(Requirement(agency_id=get_by_code(session, "HCM").id, module_slug="qr-basics", due_date=TODAY))
        session.commit()
    # The commune of four moves from Hà Nội to Hồ Chí Minh City: its people and progress move with it.
    with open_session(tree, write=True) as session:
        report = load_tree(session, [{"code": "HNI-HK", "name": "Phường Hoàn Kiếm", "parent_code": "HCM"}])
        assert report.reshaped
        session.commit()
    assert _pending(tree) == 0  # the rebuild alone, no change waiting to be added
    with open_session(tree) as session:
        assert_stats_match(session, year)
        assert_stats_match(session, year - 1)
    now_vn = {c["code"]: c for c in _vn_stats(client, "VN", year)["children"]}
    assert {code: (c["members"], c["goal_met"]) for code, c in now_vn.items()} == {"HCM": (6, 3), "HNI": (3, 1)}
    assert (now_vn["HCM"]["required_completed"], now_vn["HCM"]["required_total"]) == (4, 6)
    before = {c["code"]: c["goal_met"] for c in _vn_stats(client, "VN", year - 1)["children"]}
    assert before == {"HCM": 2, "HNI": 0}
    hcm = _vn_stats(client, "HCM", year)
    assert {m["slug"]: (m["completed"], m["completed_in_year"]) for m in hcm["by_module"]} == {
        "qr-basics": (4, 3),
        "qr-more": (2, 1),
    }


def test_a_completion_moved_within_its_year_counts_once_and_one_moved_to_another_year_counts_there(client, tree, tmp_path):
    # Phones sync late: an attempt made earlier than the completion on record becomes the completion. Within
    # the same year nothing changes; across a new year's eve the person's goal moves to the earlier year.
    with open_session(tree, write=True) as session:
        sync_content(session, two_module_content(tmp_path))
        (an,) = _people(session, "HNI-HK", 1)
        (binh,) = _people(session, "HCM-BT", 1)
        _passed(session, an, "qr-basics", datetime(2024, 9, 1, 3, tzinfo=UTC))
        _passed(session, an, "qr-basics", datetime(2024, 3, 1, 3, tzinfo=UTC))  # earlier, the same year
        _passed(session, an, "qr-more", datetime(2023, 5, 1, 3, tzinfo=UTC))  # another module, the year before
        _passed(session, binh, "qr-basics", datetime(2024, 2, 1, 3, tzinfo=UTC))
        _passed(session, binh, "qr-basics", datetime(2023, 12, 20, 3, tzinfo=UTC))  # earlier, the year before
        session.commit()
    goal = {year: {c["code"]: c["goal_met"] for c in _vn_stats(client, "VN", year)["children"]} for year in (2023, 2024)}
    assert goal == {2023: {"HCM": 1, "HNI": 1}, 2024: {"HCM": 0, "HNI": 1}}
    # Rates are of completions ever, over the members: both people have qr-basics, one of them qr-more.
    vn = _vn_stats(client, "VN", 2024)["by_module"]
    modules = {m["slug"]: (m["completed"], m["completed_in_year"], m["rate"]) for m in vn}
    assert modules == {"qr-basics": (2, 1, 1.0), "qr-more": (1, 0, 0.5)}
    with open_session(tree) as session:
        for year in (2023, 2024):
            assert_stats_match(session, year)
    rollups.fold_all_pending(tree)
    _folded_counters_equal_a_recount(tree, 2024)
    _folded_counters_equal_a_recount(tree, 2023)


def _completion(engine, email: str, slug: str, when: datetime, *, read_as: Settings | None = None):
    """Starts recording a passed attempt in its own transaction and returns the session, not yet committed.

    read_as (the app's settings) reads the person as the quiz endpoint does: from a token, their lock taken in
    the same read; otherwise submit_attempt takes the lock itself.
    """
    session = open_session(engine, write=True)
    uid = user_id(engine, email)
    if read_as is None:
        user = session.get(User, uid)
    else:
        token, _, _ = create_token(read_as, subject=str(uid), token_type="access", lifetime=timedelta(minutes=5))
        user, _ = user_from_access_token(session, read_as, token=token, lock=True)
    data = AttemptIn(event_id=uuid.uuid4(), answers=RIGHT, occurred_at=when)
    submit_attempt(
        session, user=user, slug=slug, data=data, lang="vi", receipt=Receipt(at=when), person_locked=read_as is not None
    )
    return session


def _started(work) -> tuple[threading.Thread, list[BaseException]]:
    """Starts work() on a thread of its own; what it raises is kept, for the test to assert on."""
    errors: list[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as exc:  # noqa: BLE001 - reported by the test thread
            errors.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    return thread, errors


@pytest.mark.parametrize("read", ["by submit_attempt", "as the endpoint reads the person"])
@pytest.mark.parametrize("second", ["another module", "a move to another province"])
def test_a_completion_and_another_change_to_the_same_person_at_once_keep_the_counts_right(tree, tmp_path, second, read, request):
    # Two phones sync at once, or an admin moves the person while their attempt is being stored.
    engine = tree
    read_as = request.getfixturevalue("settings") if read.startswith("as the endpoint") else None
    with open_session(engine, write=True) as session:
        sync_content(session, two_module_content(tmp_path))
        session.commit()
    make_user(engine, "hai.may@example.vn", member_of="HNI-HK")
    when = datetime.now(UTC) - timedelta(minutes=5)
    first = _completion(engine, "hai.may@example.vn", "qr-basics", when, read_as=read_as)

    def other_change() -> None:
        if second == "another module":
            _completion(engine, "hai.may@example.vn", "qr-more", when, read_as=read_as).commit()
        else:
            with open_session(engine, write=True) as session:
                user = session.get(User, user_id(engine, "hai.may@example.vn"))
                move_person(session, user=user, agency=get_by_code(session, "HCM-BT"))
                session.commit()

    thread, errors = _started(other_change)
    thread.join(timeout=0.5)  # the other change reaches the database while the first is still open
    first.commit()
    first.close()
    thread.join(timeout=30)
    assert not thread.is_alive() and not errors
    with open_session(engine) as session:
        assert_stats_match(session, vietnam_year(when))
        hni = agency_stats(session, agency=get_by_code(session, "HNI"), year=vietnam_year(when))
        assert hni.goal_met == (1 if second == "another module" else 0)


def test_moves_and_completions_of_many_people_at_once_all_succeed_and_keep_the_counts_right(tree, tmp_path):
    # An import moving staff between communes while those same people sync their quizzes from the field.
    engine = tree
    with open_session(engine, write=True) as session:
        sync_content(session, two_module_content(tmp_path))
        session.commit()
    emails = [f"can.bo.{i}@example.vn" for i in range(6)]
    for i, email in enumerate(emails):
        make_user(engine, email, member_of=["HNI-HK", "HNI-BD", "HCM-BT"][i % 3])
    rng = random.Random(11)
    work = [("move", e, code) for e in emails for code in rng.sample(["HNI-HK", "HNI-BD", "HCM-BT", "HNI", "HCM"], 4)]
    moments = [datetime.now(UTC) - timedelta(days=d) for d in (1, 400, 800)]
    work += [("pass", e, (slug, when)) for e in emails for slug in MODULES for when in rng.sample(moments, 2)]
    rng.shuffle(work)

    def do(item):
        kind, email, what = item
        with open_session(engine, write=True) as session:
            user = session.get(User, user_id(engine, email))
            if kind == "move":
                move_person(session, user=user, agency=get_by_code(session, what))
            else:
                slug, when = what
                data = AttemptIn(event_id=uuid.uuid4(), answers=RIGHT, occurred_at=when)
                submit_attempt(session, user=user, slug=slug, data=data, lang="vi", receipt=Receipt(at=when))
            session.commit()

    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(do, work))  # re-raises the first error, a deadlock included
    with open_session(engine) as session:
        for moment in moments:
            assert_stats_match(session, vietnam_year(moment))


def _civil_servants(engine, n: int, codes: list[str]) -> list[uuid.UUID]:
    """n people without progress spread over the agencies, committed."""
    with open_session(engine, write=True) as session:
        ids = []
        for i in range(n):
            user = User(email=f"cb.{i}.{uuid.uuid4().hex[:6]}@example.vn", full_name="Cán bộ")
            session.add(user)
            session.flush()
            move_person(session, user=user, agency=get_by_code(session, codes[i % len(codes)]))
            ids.append(user.id)
        session.commit()
    return ids


def _pass(engine, uid: uuid.UUID, slug: str, *, commit: bool = True) -> Session:
    session = open_session(engine, write=True)
    now = datetime.now(UTC)
    data = AttemptIn(event_id=uuid.uuid4(), answers=RIGHT, occurred_at=now)
    submit_attempt(session, user=session.get(User, uid), slug=slug, data=data, lang="vi", receipt=Receipt(at=now))
    if commit:
        session.commit()
        session.close()
    return session


def _pending(engine) -> int:
    with open_session(engine) as session:
        return len(session.exec(select(AgencyRollupDelta.id)).all())


def _folded_counters_equal_a_recount(engine, year: int) -> None:
    """With nothing pending, the counters alone (as the job runner left them) equal a rebuild from scratch."""
    assert _pending(engine) == 0
    with open_session(engine, write=True) as session:

        def counters():
            return (
                {r.agency_id: r.members for r in session.exec(select(AgencyRollup)) if r.members},
                {
                    r.agency_id: r.goal_met
                    for r in session.exec(select(AgencyYearRollup).where(AgencyYearRollup.year == year))
                    if r.goal_met
                },
                {
                    (r.agency_id, r.module_slug): r.completed
                    for r in session.exec(select(AgencyModuleRollup).where(AgencyModuleRollup.year == year))
                    if r.completed
                },
            )

        folded = counters()
        rollups.rebuild_all(session)
        assert folded == counters()
        session.rollback()


def test_first_completions_from_many_threads_while_two_runners_fold_equal_a_recount(tree, tmp_path):
    # A national peak: people everywhere pass at once while two serving processes' runners fold the changes.
    engine = tree
    with open_session(engine, write=True) as session:
        sync_content(session, two_module_content(tmp_path))
        session.commit()
    people = _civil_servants(engine, 48, ["HNI-HK", "HNI-BD", "HCM-BT", "HNI", "VN"])
    writers_done = threading.Event()
    folded: list[int] = []

    def runner() -> None:
        while not writers_done.is_set():
            with open_session(engine, write=True) as session:
                folded.append(rollups.fold(session, limit=7))
                session.commit()

    folders = [threading.Thread(target=runner) for _ in range(2)]
    for t in folders:
        t.start()
    try:
        with ThreadPoolExecutor(max_workers=16) as pool:
            # Each person's first completion of the year, then their second module (first of that module).
            list(pool.map(lambda item: _pass(engine, *item), [(u, m) for m in MODULES for u in people]))
    finally:
        writers_done.set()
        for t in folders:
            t.join()
    assert sum(folded) > 0  # the runners did fold while the writers wrote
    year = vietnam_year(datetime.now(UTC))
    with open_session(engine) as session:
        assert_stats_match(session, year)
        root = agency_stats(session, agency=get_by_code(session, "VN"), year=year)
        assert (root.members, root.goal_met) == (48, 48)
        assert {m.slug: m.completed for m in root.by_module if m.completed} == {"qr-basics": 48, "qr-more": 48}
    rollups.fold_all_pending(engine)
    _folded_counters_equal_a_recount(engine, year)


def test_stats_are_exact_before_the_changes_are_folded_and_after(tree, tmp_path):
    engine = tree
    people = _civil_servants(engine, 3, ["HNI-HK", "HCM-BT"])
    for uid in people:
        _pass(engine, uid, "qr-basics")
    year = vietnam_year(datetime.now(UTC))
    pending = _pending(engine)
    assert pending > 0  # what the stats show below comes partly from changes not folded yet
    with open_session(engine) as session:
        before = agency_stats(session, agency=get_by_code(session, "VN"), year=year)
        assert (before.members, before.goal_met) == (3, 3)
        assert_stats_match(session, year)
    assert rollups.fold_all_pending(engine) == pending  # the benchmarks report this figure
    with open_session(engine) as session:
        assert agency_stats(session, agency=get_by_code(session, "VN"), year=year) == before
        assert_stats_match(session, year)
    _folded_counters_equal_a_recount(engine, year)


def test_a_fold_cut_off_or_raced_by_another_runner_counts_each_change_once(tree, tmp_path):
    engine = tree
    people = _civil_servants(engine, 4, ["HNI-HK", "HNI-BD", "HCM-BT"])
    for uid in people:
        _pass(engine, uid, "qr-basics")
    year = vietnam_year(datetime.now(UTC))
    pending = _pending(engine)

    # A runner killed mid-fold: nothing of its work stays, every change is still pending, the stats unchanged.
    with open_session(engine, write=True) as session:
        assert rollups.fold(session) == pending
        session.rollback()
    assert _pending(engine) == pending

    # Then two runners at once: the first holds its fold open while the second tries.
    first = open_session(engine, write=True)
    assert rollups.fold(first) == pending
    second_took: list[int] = []

    def second_runner() -> None:
        with open_session(engine, write=True) as session:
            second_took.append(rollups.fold(session))
            session.commit()

    other = threading.Thread(target=second_runner)
    other.start()
    other.join(timeout=0.5)  # PostgreSQL: it skips the rows the first holds; SQLite: it waits for the writer
    first.commit()
    first.close()
    other.join(timeout=30)
    assert not other.is_alive() and second_took == [0]
    with open_session(engine) as session:
        assert_stats_match(session, year)
        assert agency_stats(session, agency=get_by_code(session, "VN"), year=year).goal_met == 4
    _folded_counters_equal_a_recount(engine, year)


@pytest.mark.skipif(not PG_URL, reason="SQLite has one writer at a time: every write waits for the open one")
def test_a_first_completion_does_not_wait_for_someone_elses_open_completion_elsewhere_in_the_country(tree, tmp_path):
    # One phone's slow sync in Hà Nội must not hold up a first completion in Hồ Chí Minh City: they share only
    # the national root, whose counters every first completion used to update and lock until commit.
    engine = tree
    hanoi, saigon = _civil_servants(engine, 2, ["HNI-HK", "HCM-BT"])
    open_one = _pass(engine, hanoi, "qr-basics", commit=False)
    done = threading.Event()

    def other() -> None:
        _pass(engine, saigon, "qr-basics")
        done.set()

    thread, errors = _started(other)
    try:
        finished_first = done.wait(timeout=20)
    finally:
        open_one.commit()
        open_one.close()
        thread.join(timeout=30)
    assert finished_first and not errors
    year = vietnam_year(datetime.now(UTC))
    with open_session(engine) as session:
        assert agency_stats(session, agency=get_by_code(session, "VN"), year=year).goal_met == 2


@pytest.mark.skipif(not PG_URL, reason="SQLite has one writer at a time: a rebuild cannot run beside an open completion")
def test_a_rebuild_racing_an_open_first_completion_counts_it_once(tree):
    # The tree is reshaped (every rollup recounted, pending changes dropped) while a phone's first completion is
    # being recorded. Were the completion to commit after the rebuild dropped the pending changes and before it
    # recounted, both its pending change and the recount would count it.
    engine = tree
    (person,) = _civil_servants(engine, 1, ["HNI-HK"])
    open_one = _pass(engine, person, "qr-basics", commit=False)  # its changes appended, not committed
    rebuild = open_session(engine, write=True)
    rebuild_pid = rebuild.execute(text("SELECT pg_backend_pid()")).scalar_one()
    dropped, committed = threading.Event(), threading.Event()

    def _after(_conn, _cursor, statement, *_args) -> None:
        if statement.lstrip().upper().startswith("DELETE FROM AGENCY_ROLLUP_DELTA"):
            dropped.set()
            committed.wait(timeout=20)  # the completion commits here, if the rebuild got this far without it

    event.listen(rebuild.connection(), "after_cursor_execute", _after)

    def rebuild_all() -> None:
        rollups.rebuild_all(rebuild)
        rebuild.commit()

    thread, errors = _started(rebuild_all)
    try:
        deadline = time.monotonic() + 20
        # The rebuild either waits for the open completion (its lock) or has dropped the pending changes.
        while not dropped.is_set() and not _waits_on_a_lock(engine, rebuild_pid) and time.monotonic() < deadline:
            time.sleep(0.02)
        open_one.commit()
    finally:
        open_one.close()
        committed.set()
        thread.join(timeout=30)
        rebuild.close()
    assert not errors and not thread.is_alive()
    year = vietnam_year(datetime.now(UTC))
    with open_session(engine) as session:
        assert_stats_match(session, year)
        assert agency_stats(session, agency=get_by_code(session, "VN"), year=year).goal_met == 1
    rollups.fold_all_pending(engine)
    _folded_counters_equal_a_recount(engine, year)
    with open_session(engine) as session:
        assert agency_stats(session, agency=get_by_code(session, "VN"), year=year).goal_met == 1


def _waits_on_a_lock(engine, pid: int) -> bool:
    with engine.connect() as conn:
        waiting = conn.execute(text("SELECT wait_event_type FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid})
        return waiting.scalar_one_or_none() == "Lock"


def test_moving_someone_who_only_failed_a_module_counts_no_completion_on_either_side(client, tree, tmp_path):
    # Lan failed qr-basics in Hoàn Kiếm, Minh passed it there; Lan moves to Bến Thành. Before the job runner folds
    # the move and after, one person has completed it: Minh, in Hà Nội.
    now = datetime.now(UTC)
    with open_session(tree, write=True) as session:
        sync_content(session, two_module_content(tmp_path))
        lan, minh = _people(session, "HNI-HK", 2)
        failed = AttemptIn(event_id=uuid.uuid4(), answers={**RIGHT, "q1": ["b"], "q2": ["b"]}, occurred_at=now)
        assert not submit_attempt(session, user=lan, slug="qr-basics", data=failed, lang="vi", receipt=Receipt(at=now)).passed
        _passed(session, minh, "qr-basics", now)
        session.commit()
    rollups.fold_all_pending(tree)
    with open_session(tree, write=True) as session:
        move_person(session, user=session.get(User, lan.id), agency=get_by_code(session, "HCM-BT"))
        session.commit()
    year = TODAY.year
    for folded in (False, True):
        if folded:
            rollups.fold_all_pending(tree)
        vn = _vn_stats(client, "VN", year)
        assert {m["slug"]: m["completed"] for m in vn["by_module"]} == {"qr-basics": 1, "qr-more": 0}, folded
        assert {c["code"]: (c["members"], c["goal_met"]) for c in vn["children"]} == {"HCM": (1, 0), "HNI": (1, 1)}, folded
        for code, completed in (("HNI", 1), ("HCM", 0)):
            by_module = _vn_stats(client, code, year)["by_module"]
            assert {m["slug"]: m["completed"] for m in by_module} == {"qr-basics": completed, "qr-more": 0}, (code, folded)
        with open_session(tree) as session:
            assert_stats_match(session, year)


def test_the_rankings_live_figures_are_each_units_own_for_the_year_asked_folded_or_not(tree, tmp_path):
    # Two passed in Hoàn Kiếm (one this year, one last year), one in Ba Đình this year; Hoàn Kiếm requires qr-basics.
    year = TODAY.year
    with open_session(tree, write=True) as session:
        hk = _people(session, "HNI-HK", 3)
        bd = _people(session, "HNI-BD", 2)
        _passed(session, hk[0], "qr-basics", datetime.now(UTC))
        _passed(session, hk[1], "qr-basics", datetime(year - 1, 6, 1, 3, tzinfo=UTC))
        _passed(session, bd[0], "qr-basics", datetime.now(UTC))
        session.add(Requirement(agency_id=get_by_code(session, "HNI-HK").id, module_slug="qr-basics", due_date=TODAY))
        session.commit()
    want = {
        year: {"HNI-HK": (3, 1, 2, 3), "HNI-BD": (2, 1, 0, 0)},
        year - 1: {"HNI-HK": (3, 1, 2, 3), "HNI-BD": (2, 0, 0, 0)},
    }
    for folded in (False, True):
        if folded:
            rollups.fold_all_pending(tree)
        with open_session(tree) as session:
            hni = get_by_code(session, "HNI")
            units = [get_by_code(session, code) for code in ("HNI-BD", "HNI-HK")]
            for y, figures in want.items():
                got = live_figures(session, within=hni, units=units, year=y)
                assert {u.code: got[u.id] for u in units} == figures, (y, folded)


def test_a_rebuild_writing_more_than_one_batch_of_counters_keeps_every_one(tree):
    # A national tree reshaped: the rebuild writes its counters 5,000 rows at a time. 1,700 people of Hoàn Kiếm, each
    # with qr-basics completed in a year of their own, make 5,100 goal counters and 5,100 module counters (three
    # agencies on the path), so the second batch starts at the 5,001st row.
    years = range(1000, 2700)
    now = datetime.now(UTC)
    with open_session(tree, write=True) as session:
        path = [get_by_code(session, code) for code in ("VN", "HNI", "HNI-HK")]
        people = [uuid.uuid4() for _ in years]
        session.execute(
            User.__table__.insert(),
            [
                {"id": uid, "full_name": "Cán bộ", "name_key": "can bo", "agency_id": path[-1].id, "created_at": now}
                for uid in people
            ],
        )
        session.execute(
            ModuleProgress.__table__.insert(),
            [
                {"user_id": uid, "module_slug": "qr-basics", "started_at": now, "completed_at": now, "completed_year": year}
                for uid, year in zip(people, years, strict=True)
            ],
        )
        rollups.rebuild_all(session)
        session.flush()
        goal = {(r.agency_id, r.year): r.goal_met for r in session.exec(select(AgencyYearRollup))}
        modules = {(r.agency_id, r.module_slug, r.year): r.completed for r in session.exec(select(AgencyModuleRollup))}
        members = {r.agency_id: r.members for r in session.exec(select(AgencyRollup))}
        assert goal == {(a.id, year): 1 for a in path for year in years}
        assert modules == {(a.id, "qr-basics", year): 1 for a in path for year in years}
        assert members == {a.id: len(people) for a in path}
        session.rollback()
