"""Client time: a phone's clock is believed only within a window, a year's figures close, odd dates are 422."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from hocso.core.clock import get_now
from hocso.main import create_app
from tests.learning.conftest import signed_up_since

RIGHT = {"q1": ["a"], "q2": ["a"], "q3": ["a"], "q4": ["a"], "q5": ["a"], "q6": ["a", "b"]}


def attempt(client, headers, occurred_at, *, event_id=None, lang="vi"):
    body = {"event_id": str(event_id or uuid.uuid4()), "answers": RIGHT}
    if occurred_at is not None:
        body["occurred_at"] = occurred_at if isinstance(occurred_at, str) else occurred_at.isoformat()
    headers = {**headers, "Accept-Language": lang}
    return client.post("/api/v1/modules/qr-basics/attempts", json=body, headers=headers, params={"lang": lang})


def lesson(client, headers, occurred_at: str, *, lang="vi"):
    event = {
        "event_id": str(uuid.uuid4()),
        "type": "lesson_completed",
        "module": "qr-basics",
        "lesson": "scan",
        "occurred_at": occurred_at,
    }
    return client.post("/api/v1/progress/events", json={"events": [event]}, headers={**headers, "Accept-Language": lang})


def new_skills(client, headers, year: int) -> int:
    return client.get("/api/v1/me/progress", params={"year": year}, headers=headers).json()["goal"]["new_skills"]


def counted_at(client, headers) -> datetime:
    return datetime.fromisoformat(client.get("/api/v1/me/progress", headers=headers).json()["modules"][0]["completed_at"])


def test_a_2025_attempt_received_in_2026_counts_in_2026_for_the_person_and_their_agency(client, tree, as_user, clock):
    headers = signed_up_since(client, tree, "lan.hk@example.vn", member_of="HNI-HK")
    r = attempt(client, headers, "2025-06-01T09:00:00+07:00")
    assert r.status_code == 200 and r.json()["passed"] is True
    assert datetime.fromisoformat(r.json()["occurred_at"]) == clock.at
    assert new_skills(client, headers, 2025) == 0 and new_skills(client, headers, 2026) == 1
    admin = as_user("admin.hni@example.vn")
    for code in ("HNI", "HNI-HK"):
        stats = {y: client.get(f"/api/v1/agencies/{code}/stats", params={"year": y}, headers=admin).json() for y in (2025, 2026)}
        assert stats[2025]["goal_met"] == 0 and stats[2026]["goal_met"] == 1


def test_a_time_within_the_window_is_believed(client, engine, clock):
    headers = signed_up_since(client, engine, "an@example.vn")
    attempt(client, headers, clock.at - timedelta(days=29))
    assert counted_at(client, headers) == clock.at - timedelta(days=29)
    assert lesson(client, headers, (clock.at + timedelta(minutes=4)).isoformat()).json()["accepted"] == 1


def test_a_late_december_attempt_synced_in_january_counts_for_the_old_year(client, engine, clock):
    clock.at = datetime(2026, 1, 20, 3, 0, tzinfo=UTC)
    headers = signed_up_since(client, engine, "binh@example.vn")
    attempt(client, headers, "2025-12-28T20:00:00+07:00")
    assert new_skills(client, headers, 2025) == 1 and new_skills(client, headers, 2026) == 0


@pytest.mark.parametrize("received, counts_in", [("2026-01-31T23:59:00+07:00", 2025), ("2026-02-01T00:01:00+07:00", 2026)])
def test_a_year_closes_at_the_end_of_31_january_even_when_phones_are_believed_further_back(settings, engine, received, counts_in):
    # An operator may trust phones' clocks further back than 30 days; a closed year's figures still never change.
    app = create_app(settings.model_copy(update={"client_time_past_days": 120}), engine)
    app.dependency_overrides[get_now] = lambda: datetime.fromisoformat(received)
    with TestClient(app) as client:
        headers = signed_up_since(client, engine, "chi@example.vn")
        assert attempt(client, headers, "2025-12-20T10:00:00+07:00").status_code == 200
        assert new_skills(client, headers, 2025) == (counts_in == 2025)
        assert new_skills(client, headers, 2026) == (counts_in == 2026)
        expected = datetime.fromisoformat("2025-12-20T10:00:00+07:00" if counts_in == 2025 else received)
        assert counted_at(client, headers) == expected


@pytest.mark.parametrize(
    "phone_time",
    [
        "1970-01-01T00:00:00+00:00",  # a phone whose clock was reset
        "2023-03-01T10:00:00+07:00",  # three years behind
        "2026-03-03T10:00:00+07:00",  # two days ahead
        "2026-03-01T10:06:00+07:00",  # six minutes ahead
        "0001-01-01T00:00:00+00:00",
        "9999-12-31T23:59:59+00:00",
    ],
)
def test_a_phone_with_a_wrong_clock_counts_once_at_the_time_the_server_received_it(client, engine, clock, phone_time):
    headers = signed_up_since(client, engine, "dung@example.vn")
    event_id = uuid.uuid4()
    received = clock.at
    first = attempt(client, headers, phone_time, event_id=event_id)
    assert first.status_code == 200 and datetime.fromisoformat(first.json()["occurred_at"]) == received
    assert lesson(client, headers, phone_time).json()["accepted"] == 1
    clock.at += timedelta(hours=1)
    assert attempt(client, headers, phone_time, event_id=event_id).json() == first.json()  # a resend changes nothing
    assert counted_at(client, headers) == received
    assert new_skills(client, headers, 2026) == 1
    assert sum(new_skills(client, headers, y) for y in (2023, 2024, 2025)) == 0
    export = client.get("/api/v1/me/export", headers=headers).json()
    assert len(export["attempts"]) == 1
    assert datetime.fromisoformat(export["progress_events"][0]["occurred_at"]) == received
    # What the phone said is kept beside the time that counted and the time the server received it.
    for kept in (export["attempts"][0], export["progress_events"][0]):
        assert datetime.fromisoformat(kept["claimed_at"]) == datetime.fromisoformat(phone_time)
        assert datetime.fromisoformat(kept["received_at"]) == received
        assert kept["assisted"] is False


def test_a_time_before_the_account_existed_is_not_believed(client, engine, clock):
    headers = signed_up_since(client, engine, "giang@example.vn", since=clock.at - timedelta(days=2))
    attempt(client, headers, clock.at - timedelta(days=3))
    assert counted_at(client, headers) == clock.at


def test_an_attempt_without_a_time_counts_when_it_is_received(client, engine, clock):
    headers = signed_up_since(client, engine, "ha@example.vn")
    attempt(client, headers, None)
    assert counted_at(client, headers) == clock.at


@pytest.mark.parametrize("phone_time", ["0001-01-01T00:00:00+07:00", "9999-12-31T23:59:59-14:00"])
@pytest.mark.parametrize("lang, words", [("vi", "ngày giờ"), ("en", "date")])
def test_a_date_the_server_cannot_represent_is_refused_with_a_reason(client, learner, phone_time, lang, words):
    r = attempt(client, learner["headers"], phone_time, lang=lang)
    assert r.status_code == 422 and words in r.json()["detail"] and r.json()["detail"].startswith("occurred_at")
    r = lesson(client, learner["headers"], phone_time, lang=lang)
    assert r.status_code == 422 and words in r.json()["detail"] and r.json()["detail"].startswith("events[0].occurred_at")
    export = client.get("/api/v1/me/export", headers=learner["headers"]).json()
    assert export["attempts"] == [] and export["progress_events"] == []
