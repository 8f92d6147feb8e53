"""Lagging units: child units ranked from the lowest rate, each with a 12-month trend from monthly snapshots."""

from __future__ import annotations

import time
import uuid
from datetime import datetime, timedelta

import pytest
from sqlmodel import select

from hocso.accounts.models import User
from hocso.agencies.models import AgencyMonth, Requirement
from hocso.agencies.tree import get_by_code
from hocso.core import jobs
from hocso.core.db import open_session
from hocso.core.timeutil import VIETNAM, vietnam_today
from hocso.learning.models import ModuleProgress
from hocso.stats import rollups, trends
from tests.agencies.conftest import RIGHT

ADMIN = "admin.hni@example.vn"


def ranking(client, as_user, code="HNI", **params):
    r = client.get(f"/api/v1/agencies/{code}/ranking", params=params, headers=as_user(ADMIN))
    assert r.status_code == 200, r.text
    return r.json()


def months_back(n: int) -> datetime:
    """The 15th of the month n months before this one, at noon in Vietnam."""
    month = trends.current_month()
    for _ in range(n):
        month = trends.previous_month(month)
    return datetime(month.year, month.month, 15, 12, tzinfo=VIETNAM)


def run_jobs(engine, settings) -> None:
    """Runs the queued jobs here, and waits for any the app's own runner thread claimed first."""
    runner = jobs.JobRunner(engine, settings)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        while runner.run_once():
            pass
        with open_session(engine) as session:
            if not session.exec(select(jobs.Job).where(jobs.Job.status.in_(("queued", "running")))).first():
                return
        time.sleep(0.1)
    raise AssertionError("jobs still waiting after 60 s")


def test_the_lowest_unit_comes_first_and_this_months_point_is_live(client, as_user, people):
    assert all(p["rate"] is None for u in ranking(client, as_user)["items"] for p in u["trend"][:-1])  # none counted yet
    body = ranking(client, as_user)
    assert [u["code"] for u in body["items"]] == ["HNI-HK", "HNI-BD"]
    assert [u["rate"] for u in body["items"]] == [0.0, 0.5]
    stats = client.get("/api/v1/agencies/HNI/stats", headers=as_user(ADMIN)).json()
    by_code = {c["code"]: c for c in stats["children"]}
    for unit in body["items"]:
        assert unit["rate"] == by_code[unit["code"]]["goal_rate"]
        assert unit["members"] == by_code[unit["code"]]["members"] == 2
        assert len(unit["trend"]) == 12
        assert unit["trend"][-1] == {"month": trends.current_month().strftime("%Y-%m"), "rate": unit["rate"]}


def test_past_months_are_backfilled_from_when_people_completed(client, as_user, people, tree, settings):
    done_at = months_back(3)
    with open_session(tree, write=True) as session:
        an = session.exec(select(User).where(User.email == "an@example.vn")).one()
        progress = session.exec(select(ModuleProgress).where(ModuleProgress.user_id == an.id)).one()
        progress.completed_at, progress.completed_year = done_at, done_at.year
        session.add(progress)
        rollups.rebuild_all(session)
        session.commit()
    with open_session(tree, write=True) as session:
        queued = trends.queue_missing(session)
        session.commit()
    assert len(queued) == trends.BACKFILL_MONTHS
    with open_session(tree, write=True) as session:
        assert trends.queue_missing(session) == []  # queued once, not again while the jobs wait
    run_jobs(tree, settings)
    with open_session(tree) as session:
        assert trends.missing_months(session) == []
        assert not trends.queue_missing(session)

    trend = {p["month"]: p["rate"] for p in ranking(client, as_user)["items"][1]["trend"]}
    done_month = done_at.strftime("%Y-%m")
    this_year = trends.current_month().year
    for month, rate in trend.items():
        year = int(month[:4])
        counted = month >= done_month and year == done_at.year
        expected = 0.5 if counted else 0.0
        assert rate == expected, (month, trend)
    assert this_year >= done_at.year


def test_ranking_by_required_rate_leaves_units_without_requirements_last(client, as_user, people, tree):
    with open_session(tree, write=True) as session:
        session.add(
            Requirement(
                agency_id=get_by_code(session, "HNI-BD").id,
                module_slug="qr-basics",
                due_date=vietnam_today() + timedelta(days=30),
            )
        )
        session.commit()
    items = ranking(client, as_user, by="required_rate")["items"]
    assert [(u["code"], u["rate"]) for u in items] == [("HNI-BD", 0.5), ("HNI-HK", None)]


def test_units_at_a_depth_span_the_whole_subtree(client, as_user, people):
    r = client.get("/api/v1/agencies/VN/ranking", params={"depth": 2}, headers=as_user("root@example.vn"))
    assert r.status_code == 200, r.text
    assert [u["code"] for u in r.json()["items"]] == ["HCM-BT", "HNI-HK", "HNI-BD"]  # ties by code
    assert r.json()["total"] == 3
    assert ranking(client, as_user, depth=3)["items"] == []


def test_a_snapshot_counts_what_was_done_by_the_months_end_in_vietnam(client, people, tree):
    """23:30 on the month's last day in Vietnam counts for it; 00:30 on the next day does not (UTC is then 17:30)."""
    r = client.post(
        "/api/v1/modules/qr-basics/attempts",
        json={"event_id": str(uuid.uuid4()), "answers": RIGHT},
        headers=people["dao@example.vn"],
    )
    assert r.json()["passed"]
    month = trends.previous_month(trends.current_month())
    nxt = trends.next_month(month)
    ends = datetime(nxt.year, nxt.month, 1, tzinfo=VIETNAM)  # midnight in Vietnam, 17:00 UTC the day before
    with open_session(tree, write=True) as session:
        for email, at in (("an@example.vn", ends - timedelta(minutes=30)), ("dao@example.vn", ends + timedelta(minutes=30))):
            user = session.exec(select(User).where(User.email == email)).one()
            progress = session.exec(select(ModuleProgress).where(ModuleProgress.user_id == user.id)).one()
            progress.completed_at, progress.completed_year = at, at.astimezone(VIETNAM).year
            session.add(progress)
        trends.take_snapshot(session, month)
        trends.take_snapshot(session, trends.previous_month(month))
        session.commit()
    with open_session(tree) as session:
        ids = {code: get_by_code(session, code).id for code in ("HNI-BD", "HNI-HK")}
        rows = {(r.agency_id, r.month): r.goal_met for r in session.exec(select(AgencyMonth)).all()}
    assert rows[(ids["HNI-BD"], month)] == 1 and rows[(ids["HNI-HK"], month)] == 0
    assert rows[(ids["HNI-BD"], trends.previous_month(month))] == 0


@pytest.mark.parametrize("who,code", [("admin.hcm@example.vn", "HNI"), ("admin.hk@example.vn", "HNI")])
def test_another_units_admin_gets_404(client, as_user, people, who, code):
    r = client.get(f"/api/v1/agencies/{code}/ranking", headers=as_user(who))
    assert r.status_code == 404


def test_a_learner_cannot_see_the_ranking(client, people):
    r = client.get("/api/v1/agencies/HNI/ranking", headers=people["an@example.vn"])
    assert r.status_code in (403, 404)


def test_bad_parameters_are_refused_with_a_reason(client, as_user, people):
    for params in ({"by": "speed"}, {"depth": 0}, {"depth": 99}):
        r = client.get("/api/v1/agencies/HNI/ranking", params=params, headers=as_user(ADMIN))
        assert r.status_code == 422 and r.json()["detail"], params


def test_the_runner_counts_the_months_that_ended_by_itself(client, tree, people, settings):
    on = settings.model_copy(update={"month_snapshots": True})
    trends._last_check = None
    assert trends.snapshot_months(tree, on)  # queues the backfill
    assert not trends.snapshot_months(tree, on)  # and looks again only minutes later
    run_jobs(tree, on)
    with open_session(tree) as session:
        assert trends.missing_months(session) == []
        assert session.exec(select(AgencyMonth)).first() is not None
