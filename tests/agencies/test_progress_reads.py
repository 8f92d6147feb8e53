"""/me/progress reads the person, their summary rows and everything else in one more statement."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import event

from hocso.agencies.models import Requirement
from hocso.agencies.tree import get_by_code
from hocso.core.db import open_session
from hocso.core.timeutil import vietnam_today
from tests.agencies.conftest import staff
from tests.conftest import auth_header, login, register


def _require(engine, due_in_days: dict[str, int]) -> None:
    with open_session(engine, write=True) as session:
        for code, days in due_in_days.items():
            agency_id = get_by_code(session, code).id
            due = vietnam_today() + timedelta(days)
            session.add(Requirement(agency_id=agency_id, module_slug="qr-basics", due_date=due))
        session.commit()


def test_progress_is_three_statements_with_the_earliest_due_date_from_the_agencies_above(client, tree):
    # Each statement is a wait for the CPU on a loaded server (a round trip on PostgreSQL): the person, their
    # summary rows, and in one the lessons done and the due dates of every agency above the person's. The active
    # modules come from the process's copy of the catalogue, read again only when the content version changes
    # (checked every few seconds in production; the tests' apps check it at every request, so not here).
    client.app.state.content_answers.recheck_seconds = 3600
    _require(tree, {"VN": 30, "HNI": 10, "HNI-HK": 20})
    ward = staff(client, tree, "phuong@example.vn", "HNI-HK", "Cán bộ phường")
    south = staff(client, tree, "nam@example.vn", "HCM-BT", "Cán bộ phía nam")
    citizen = auth_header(login(client, register(client)["email"]))
    at = (datetime.now(UTC) - timedelta(minutes=5)).isoformat()
    events = [
        {"event_id": str(uuid.uuid4()), "type": "lesson_completed", "module": "qr-basics", "lesson": lesson, "occurred_at": at}
        for lesson in ("scan", "check", "scan")
    ]
    posted = client.post("/api/v1/progress/events", json={"events": events}, headers=ward)
    assert posted.status_code == 200 and posted.json()["accepted"] == 3, posted.json()

    client.get("/api/v1/me/progress", headers=ward)  # the catalogue's copy, made once
    sent: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        sent.append(statement)

    event.listen(tree, "before_cursor_execute", count)
    try:
        mine = client.get("/api/v1/me/progress", headers=ward).json()
    finally:
        event.remove(tree, "before_cursor_execute", count)
    assert len(sent) == 3, sent
    assert mine["required"] == [
        {
            "slug": "qr-basics",
            "due_date": (vietnam_today() + timedelta(10)).isoformat(),
            "status": "in_progress",
            "overdue": False,
        }
    ]
    assert [(m["slug"], m["lessons_done"], m["lessons_completed"]) for m in mine["modules"]] == [
        ("qr-basics", ["check", "scan"], 2)
    ]
    theirs = client.get("/api/v1/me/progress", headers=south).json()
    assert [(r["slug"], r["due_date"]) for r in theirs["required"]] == [
        ("qr-basics", (vietnam_today() + timedelta(30)).isoformat())
    ]
    assert client.get("/api/v1/me/progress", headers=citizen).json()["required"] == []
