"""Erasing one person, or exporting their data, touches their records only: never another person's."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from tests.agencies.conftest import make_user, user_id
from tests.agencies.test_import import upload
from tests.conftest import PASSWORD, auth_header, login
from tests.learning.conftest import signed_up_since

RIGHT = {"q1": ["a"], "q2": ["a"], "q3": ["a"], "q4": ["a"], "q5": ["a"], "q6": ["a", "b"]}
ADMIN = "admin.hni@example.vn"


def learn(client, headers) -> dict:
    """Two lessons and a passed quiz; returns the ids of what was sent."""
    lessons = [str(uuid.uuid4()), str(uuid.uuid4())]
    at = (datetime.now(UTC) - timedelta(minutes=5)).isoformat()
    events = [
        {"event_id": e, "type": "lesson_completed", "module": "qr-basics", "lesson": lesson, "occurred_at": at}
        for e, lesson in zip(lessons, ("scan", "check"), strict=True)
    ]
    assert client.post("/api/v1/progress/events", json={"events": events}, headers=headers).json()["accepted"] == 2
    attempt = str(uuid.uuid4())
    r = client.post("/api/v1/modules/qr-basics/attempts", json={"event_id": attempt, "answers": RIGHT}, headers=headers)
    assert r.json()["passed"], r.text
    return {"lessons": sorted(lessons), "attempts": [attempt]}


def export(client, headers) -> dict:
    r = client.get("/api/v1/me/export", headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


def test_erasing_one_person_leaves_everybody_elses_learning_sign_ins_codes_and_roles(client, tree, as_user):
    make_user(tree, "lan@example.vn", member_of="HNI-HK")
    make_user(tree, "binh@example.vn", member_of="HNI-BD")
    lan_tokens, binh_tokens = login(client, "lan@example.vn"), login(client, "binh@example.vn")
    lan, binh = auth_header(lan_tokens), auth_header(binh_tokens)
    learn(client, lan)
    binh_sent = learn(client, binh)
    # Bình also holds an admin's reset code, and Chi an activation code she has not used yet.
    reset = client.post(f"/api/v1/agencies/HNI/members/{user_id(tree, 'binh@example.vn')}/reset-code", headers=as_user(ADMIN))
    assert reset.status_code == 200, reset.text
    invited = upload(client, as_user(ADMIN), "full_name,email,phone,agency_code\nChi,chi@example.vn,,HNI-HK\n")
    chi_code = invited.json()["invitations"][0]["code"]
    assert client.get("/api/v1/agencies/HNI/stats", headers=as_user(ADMIN)).json()["members"] == 3

    assert client.delete("/api/v1/me", headers=lan).status_code == 204

    assert client.post("/api/v1/auth/refresh", json={"refresh_token": lan_tokens["refresh_token"]}).status_code == 401
    mine = export(client, binh)
    assert sorted(e["event_id"] for e in mine["progress_events"]) == binh_sent["lessons"]
    assert [a["event_id"] for a in mine["attempts"]] == binh_sent["attempts"]
    assert [(m["slug"], m["lessons_completed"], m["best_score"]) for m in mine["modules"]] == [("qr-basics", 2, 1.0)]
    status = client.get("/api/v1/me/progress", headers=binh).json()
    assert status["modules"][0]["status"] == "completed" and status["goal"]["met"] is True
    assert client.post("/api/v1/auth/refresh", json={"refresh_token": binh_tokens["refresh_token"]}).status_code == 200
    # The admin keeps their role, and the agency counts the people who are left.
    stats = client.get("/api/v1/agencies/HNI/stats", headers=as_user(ADMIN))
    assert stats.status_code == 200 and stats.json()["members"] == 2
    confirm = {"identifier": "binh@example.vn", "code": reset.json()["code"], "new_password": "chosen at the desk 9"}
    assert client.post("/api/v1/auth/password-reset/confirm", json=confirm).status_code == 204
    activate = {"identifier": "chi@example.vn", "code": chi_code, "password": "chi's own secret 7"}
    assert client.post("/api/v1/auth/activate", json=activate).status_code == 200


def test_an_export_holds_the_callers_data_only(client, tree):
    make_user(tree, "lan@example.vn", member_of="HNI-HK")
    make_user(tree, "binh@example.vn", member_of="HNI-BD")
    lan, binh = auth_header(login(client, "lan@example.vn")), auth_header(login(client, "binh@example.vn"))
    login(client, "lan@example.vn")  # a second device: two sign-ins
    lan_sent = learn(client, lan)
    learn(client, binh)

    mine = export(client, lan)
    assert mine["profile"]["email"] == "lan@example.vn"
    assert mine["profile"]["agency"]["code"] == "HNI-HK"
    assert sorted(e["event_id"] for e in mine["progress_events"]) == lan_sent["lessons"]
    assert [a["event_id"] for a in mine["attempts"]] == lan_sent["attempts"]
    assert [m["slug"] for m in mine["modules"]] == ["qr-basics"]
    assert len(mine["sessions"]) == 2
    assert mine["assistance"] == {"registered_by_helper": None, "assisted_sessions": []}
    assert PASSWORD not in str(mine)


def test_an_export_lists_lessons_and_attempts_in_the_order_they_happened(client, engine):
    lan = signed_up_since(client, engine, "lan@example.vn")  # an older account: its phone's times are believed
    now = datetime.now(UTC)
    # Synced newest first, as a phone that was offline may send them.
    for minutes, lesson in ((5, "check"), (30, "scan")):
        event = {
            "event_id": str(uuid.uuid4()),
            "type": "lesson_completed",
            "module": "qr-basics",
            "lesson": lesson,
            "occurred_at": (now - timedelta(minutes=minutes)).isoformat(),
        }
        assert client.post("/api/v1/progress/events", json={"events": [event]}, headers=lan).json()["accepted"] == 1
    for minutes, answers in ((2, RIGHT), (20, dict(RIGHT, q1=["b"], q2=["b"]))):
        body = {"event_id": str(uuid.uuid4()), "answers": answers, "occurred_at": (now - timedelta(minutes=minutes)).isoformat()}
        assert client.post("/api/v1/modules/qr-basics/attempts", json=body, headers=lan).status_code == 200
    mine = export(client, lan)
    assert [(e["type"], e["module"], e["lesson"]) for e in mine["progress_events"]] == [
        ("lesson_completed", "qr-basics", "scan"),
        ("lesson_completed", "qr-basics", "check"),
    ]
    assert [(a["module"], a["score"], a["passed"]) for a in mine["attempts"]] == [
        ("qr-basics", 0.6667, False),
        ("qr-basics", 1.0, True),
    ]


def test_an_export_says_when_each_persons_account_was_made(client, engine):
    lan = signed_up_since(client, engine, "lan@example.vn", since=datetime(2024, 3, 8, 2, 30, tzinfo=UTC))
    binh = signed_up_since(client, engine, "binh@example.vn", since=datetime(2025, 9, 2, 1, 0, tzinfo=UTC))
    made = {who: datetime.fromisoformat(export(client, h)["profile"]["created_at"]) for who, h in (("lan", lan), ("binh", binh))}
    assert made == {"lan": datetime(2024, 3, 8, 2, 30, tzinfo=UTC), "binh": datetime(2025, 9, 2, 1, 0, tzinfo=UTC)}
