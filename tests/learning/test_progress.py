"""Offline progress: batches replayed, reordered and split still count once; the year is Vietnam's."""

from __future__ import annotations

import random
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hocso.core.timeutil import vietnam_year
from tests.conftest import auth_header, login, register
from tests.learning.conftest import signed_up_since

RIGHT = {"q1": ["a"], "q2": ["a"], "q3": ["a"], "q4": ["a"], "q5": ["a"], "q6": ["a", "b"]}


def lesson_event(lesson: str, occurred_at: datetime | None = None, **overrides) -> dict:
    event = {
        "event_id": str(uuid.uuid4()),
        "type": "lesson_completed",
        "module": "qr-basics",
        "lesson": lesson,
        "occurred_at": (occurred_at or datetime.now(UTC) - timedelta(minutes=5)).isoformat(),
    }
    event.update(overrides)
    return event


def post_events(client, headers, events):
    return client.post("/api/v1/progress/events", json={"events": events}, headers=headers)


def new_learner(client) -> dict:
    body = register(client)
    return auth_header(login(client, body["email"]))


def test_a_replayed_offline_batch_counts_once(client, learner):
    batch = [lesson_event("scan"), lesson_event("check")]
    assert post_events(client, learner["headers"], batch).json() == {"accepted": 2, "duplicates": 0, "rejected": []}
    assert post_events(client, learner["headers"], batch).json() == {"accepted": 0, "duplicates": 2, "rejected": []}
    assert post_events(client, learner["headers"], batch[::-1] + batch).json()["accepted"] == 0
    export = client.get("/api/v1/me/export", headers=learner["headers"]).json()
    assert len(export["progress_events"]) == 2
    assert client.get("/api/v1/me/progress", headers=learner["headers"]).json()["modules"][0]["lessons_completed"] == 2


def test_the_same_event_twice_in_one_batch_is_one_event(client, learner):
    event = lesson_event("scan")
    assert post_events(client, learner["headers"], [event, event]).json() == {"accepted": 1, "duplicates": 1, "rejected": []}


def test_events_that_can_never_be_stored_are_listed_and_the_rest_are_kept(client, learner):
    good = lesson_event("scan")
    unknown_module = lesson_event("scan", module="no-such-module")
    unknown_lesson = lesson_event("chapter-9")
    r = post_events(client, learner["headers"], [unknown_module, good, unknown_lesson])
    assert r.status_code == 200
    body = r.json()
    assert body["accepted"] == 1 and body["duplicates"] == 0
    reasons = {x["event_id"]: x["reason"] for x in body["rejected"]}
    assert reasons == {
        unknown_module["event_id"]: "unknown module 'no-such-module'",
        unknown_lesson["event_id"]: "module 'qr-basics' has no lesson 'chapter-9'",
    }


def test_malformed_batches_are_refused_whole_with_a_reason(client, learner):
    cases = [
        {"events": [lesson_event("scan", occurred_at=None) | {"occurred_at": "2026-05-01T10:00:00"}]},  # no offset
        {"events": [lesson_event("scan") | {"type": "module_liked"}]},
        {"events": [lesson_event("scan") | {"event_id": "123"}]},
        {"events": [lesson_event("scan") for _ in range(501)]},
        {"events": "all of them"},
        {},
    ]
    for body in cases:
        r = client.post("/api/v1/progress/events", json=body, headers=learner["headers"])
        assert r.status_code == 422, body
        assert isinstance(r.json()["detail"], str) and r.json()["detail"]
    assert client.get("/api/v1/me/export", headers=learner["headers"]).json()["progress_events"] == []


def test_the_batch_limit_is_the_setting_and_a_longer_batch_is_refused_whole_in_the_callers_language(app, client, learner):
    app.state.settings.max_events_per_batch = 3
    four = {"events": [lesson_event("scan") for _ in range(4)]}
    r = client.post("/api/v1/progress/events", json=four, headers=learner["headers"] | {"Accept-Language": "en"})
    assert r.status_code == 422 and r.json()["detail"] == "A batch holds at most 3 events; send the rest in another batch."
    vi = client.post("/api/v1/progress/events", json=four, headers=learner["headers"])
    assert vi.status_code == 422 and vi.json()["detail"] == "Mỗi lần gửi tối đa 3 sự kiện; hãy gửi phần còn lại ở lần sau."
    assert client.get("/api/v1/me/export", headers=learner["headers"]).json()["progress_events"] == []
    three = {"events": four["events"][:3]}
    assert client.post("/api/v1/progress/events", json=three, headers=learner["headers"]).json()["accepted"] == 3


def test_another_persons_event_id_does_not_touch_their_progress(client, learner):
    event = lesson_event("scan")
    post_events(client, learner["headers"], [event])
    other = new_learner(client)
    assert post_events(client, other, [event]).json()["accepted"] == 0
    assert client.get("/api/v1/me/export", headers=other).json()["progress_events"] == []


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    picks=st.lists(st.sampled_from(["scan", "check"]), min_size=1, max_size=8),
    copies=st.integers(min_value=1, max_value=3),
    seed=st.integers(min_value=0, max_value=10_000),
    batch_size=st.integers(min_value=1, max_value=5),
)
def test_any_order_split_and_number_of_resends_gives_the_same_progress(client, picks, copies, seed, batch_size):
    headers = new_learner(client)
    base = datetime.now(UTC)  # a phone's time is believed from when the account was made
    events = [lesson_event(lesson, base + timedelta(microseconds=i)) for i, lesson in enumerate(picks)]
    sent = events * copies
    random.Random(seed).shuffle(sent)
    accepted = duplicates = 0
    for start in range(0, len(sent), batch_size):
        body = post_events(client, headers, sent[start : start + batch_size]).json()
        accepted, duplicates = accepted + body["accepted"], duplicates + body["duplicates"]
    assert accepted == len(events)
    assert duplicates == len(sent) - len(events)
    export = client.get("/api/v1/me/export", headers=headers).json()
    assert sorted(e["event_id"] for e in export["progress_events"]) == sorted(e["event_id"] for e in events)
    status = client.get("/api/v1/me/progress", headers=headers).json()["modules"][0]
    assert status["lessons_completed"] == len(set(picks))
    assert status["lessons_done"] == sorted(set(picks))
    started = min(e["started_at"] for e in export["modules"])
    assert datetime.fromisoformat(started) == base


def test_a_module_completed_at_2330_on_31_december_in_vietnam_counts_for_that_year(client, engine, clock):
    clock.at = datetime(2026, 1, 5, 3, 0, tzinfo=UTC)  # synced a few days later, while 2025 is still open
    headers = signed_up_since(client, engine, "lan.giao.thua@example.vn")
    new_years_eve = "2025-12-31T23:30:00+07:00"  # 16:30 UTC: still 2025 in Vietnam
    r = client.post(
        "/api/v1/modules/qr-basics/attempts",
        json={"event_id": str(uuid.uuid4()), "answers": RIGHT, "occurred_at": new_years_eve},
        headers=headers,
    )
    assert r.json()["passed"] is True
    y2025 = client.get("/api/v1/me/progress", params={"year": 2025}, headers=headers).json()
    y2026 = client.get("/api/v1/me/progress", params={"year": 2026}, headers=headers).json()
    assert y2025["goal"] == {"target": 1, "new_skills": 1, "met": True}
    assert y2026["goal"]["new_skills"] == 0
    assert {"year": 2025, "new_skills": 1} in y2025["history"]


def test_a_module_completed_just_after_midnight_in_vietnam_counts_for_the_new_year(client, engine, clock):
    clock.at = datetime(2026, 1, 5, 3, 0, tzinfo=UTC)
    headers = signed_up_since(client, engine, "nam.moi@example.vn")
    just_after = "2025-12-31T17:10:00+00:00"  # 00:10 on 1 January 2026 in Vietnam
    client.post(
        "/api/v1/modules/qr-basics/attempts",
        json={"event_id": str(uuid.uuid4()), "answers": RIGHT, "occurred_at": just_after},
        headers=headers,
    )
    assert client.get("/api/v1/me/progress", params={"year": 2025}, headers=headers).json()["goal"]["new_skills"] == 0
    assert client.get("/api/v1/me/progress", params={"year": 2026}, headers=headers).json()["goal"]["met"] is True


def test_vietnam_year_turns_at_midnight_vietnam_time():
    assert vietnam_year(datetime(2025, 12, 31, 16, 59, 59, tzinfo=UTC)) == 2025
    assert vietnam_year(datetime(2025, 12, 31, 17, 0, 0, tzinfo=UTC)) == 2026


def test_a_module_counts_as_new_only_in_the_year_it_was_first_completed(client, engine, clock):
    clock.at = datetime(2026, 1, 20, 3, 0, tzinfo=UTC)
    headers = signed_up_since(client, engine, "hai.lan@example.vn")
    for when in ("2025-12-28T09:00:00+07:00", "2026-01-10T09:00:00+07:00"):
        client.post(
            "/api/v1/modules/qr-basics/attempts",
            json={"event_id": str(uuid.uuid4()), "answers": RIGHT, "occurred_at": when},
            headers=headers,
        )
    history = client.get("/api/v1/me/progress", headers=headers).json()["history"]
    # Newest year first, this year shown even with nothing new in it.
    assert history == [{"year": 2026, "new_skills": 0}, {"year": 2025, "new_skills": 1}]


def test_progress_year_must_be_a_sensible_year(client, learner):
    assert client.get("/api/v1/me/progress", params={"year": 1800}, headers=learner["headers"]).status_code == 422
    assert client.get("/api/v1/me/progress", params={"year": "last"}, headers=learner["headers"]).status_code == 422


def test_text_a_database_cannot_hold_is_refused_as_bad_input(client, learner):
    import json

    for module in ("qr\x00basics", "QR Basics", "qr-basics\udb34"):
        body = json.dumps({"events": [lesson_event("scan", module=module)]})  # a lone surrogate goes as an escape
        r = client.post(
            "/api/v1/progress/events", content=body, headers={**learner["headers"], "Content-Type": "application/json"}
        )
        assert r.status_code == 422, module
    r = client.post(
        "/api/v1/auth/register",
        json={"email": "nul@example.vn", "password": "correct horse 1", "full_name": "A\x00B"},
        headers={"Accept-Language": "en"},
    )
    assert r.status_code == 422 and "control characters" in r.json()["detail"]


def test_a_persons_batches_and_attempts_sent_at_once_from_several_phones_all_succeed_once(client, learner):
    batches = [[lesson_event(random.choice(["scan", "check"])) for _ in range(3)] for _ in range(12)]
    attempts = [{"event_id": str(uuid.uuid4()), "answers": RIGHT} for _ in range(6)]
    # Each batch twice (a phone resending after a lost answer) and each attempt twice, all in flight together.
    sends = [("batch", b) for b in batches] * 2 + [("attempt", a) for a in attempts] * 2
    random.Random(3).shuffle(sends)

    def send(item):
        kind, body = item
        if kind == "batch":
            return post_events(client, learner["headers"], body).status_code
        return client.post("/api/v1/modules/qr-basics/attempts", json=body, headers=learner["headers"]).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(send, sends))
    assert statuses == [200] * len(sends)
    export = client.get("/api/v1/me/export", headers=learner["headers"]).json()
    assert sorted(e["event_id"] for e in export["progress_events"]) == sorted(e["event_id"] for b in batches for e in b)
    assert sorted(a["event_id"] for a in export["attempts"]) == sorted(a["event_id"] for a in attempts)
    module = client.get("/api/v1/me/progress", headers=learner["headers"]).json()["modules"][0]
    assert module["lessons_completed"] == 2 and module["status"] == "completed"


def test_progress_is_of_the_servers_current_year_in_vietnam(client, engine, clock):
    headers = signed_up_since(client, engine, "tet@example.vn")
    clock.at = datetime(2025, 6, 1, 3, 0, tzinfo=UTC)
    mid_2025 = client.get("/api/v1/me/progress", headers=headers).json()
    assert (mid_2025["year"], mid_2025["history"]) == (2025, [{"year": 2025, "new_skills": 0}])
    clock.at = datetime(2025, 12, 31, 17, 30, tzinfo=UTC)  # 00:30 on 1 January 2026 in Vietnam
    new_year = client.get("/api/v1/me/progress", headers=headers).json()
    assert (new_year["year"], new_year["history"]) == (2026, [{"year": 2026, "new_skills": 0}])
