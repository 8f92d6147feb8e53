"""The whole citizen journey through HTTP: sign up, learn, pass, and see this year's goal met."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime

from sqlalchemy import event, exc

from hocso.core.db import HEALTH_FRESH_SECONDS
from tests.conftest import PASSWORD, auth_header, login

QR_ANSWERS = {"q1": ["a"], "q2": ["a"], "q3": ["a"], "q4": ["a"], "q5": ["a"], "q6": ["a", "b"]}


def test_citizen_signs_up_learns_a_module_and_meets_this_years_goal(client):
    r = client.post(
        "/api/v1/auth/register",
        json={"phone": "091 234 5678", "password": PASSWORD, "full_name": "  Trần   Văn Minh "},
    )
    assert r.status_code == 201
    assert r.json()["phone"] == "+84912345678"
    assert r.json()["full_name"] == "Trần Văn Minh"

    tokens = login(client, "+84 912 345 678")
    headers = auth_header(tokens)
    me = client.get("/api/v1/me", headers=headers).json()
    assert me["roles"] == ["learner"] and me["agency"] is None

    before = client.get("/api/v1/me/progress", headers=headers).json()
    assert before["goal"] == {"target": 1, "new_skills": 0, "met": False}
    assert [m["status"] for m in before["modules"]] == ["not_started"]

    areas = client.get("/api/v1/areas", params={"lang": "en"}).json()
    assert [a["slug"] for a in areas] == ["e-payment", "personal-data-protection"]
    assert areas[0]["title"] == "E-payment"
    modules = client.get("/api/v1/modules", params={"area": "e-payment"}).json()
    assert [m["slug"] for m in modules] == ["qr-basics"]
    module = client.get("/api/v1/modules/qr-basics").json()
    assert module["title"] == "Thanh toán QR cơ bản"
    assert [lesson["id"] for lesson in module["lessons"]] == ["scan", "check"]

    now = datetime.now(UTC).isoformat()
    events = [
        {
            "event_id": str(uuid.uuid4()),
            "type": "lesson_completed",
            "module": "qr-basics",
            "lesson": lesson["id"],
            "occurred_at": now,
        }
        for lesson in module["lessons"]
    ]
    assert client.post("/api/v1/progress/events", json={"events": events}, headers=headers).json() == {
        "accepted": 2,
        "duplicates": 0,
        "rejected": [],
    }
    middle = client.get("/api/v1/me/progress", headers=headers).json()
    assert middle["modules"][0]["status"] == "in_progress"
    assert middle["modules"][0]["lessons_completed"] == 2

    result = client.post(
        "/api/v1/modules/qr-basics/attempts", json={"event_id": str(uuid.uuid4()), "answers": QR_ANSWERS}, headers=headers
    ).json()
    assert result["passed"] is True and result["module_completed"] is True and result["score"] == 1.0

    after = client.get("/api/v1/me/progress", headers=headers).json()
    assert after["goal"] == {"target": 1, "new_skills": 1, "met": True}
    assert after["modules"][0]["status"] == "completed"
    assert after["history"][0] == {"year": after["year"], "new_skills": 1}

    export = client.get("/api/v1/me/export", headers=headers).json()
    assert export["profile"]["phone"] == "+84912345678"
    assert len(export["progress_events"]) == 2 and len(export["attempts"]) == 1
    assert export["attempts"][0]["answers"] == QR_ANSWERS

    assert client.delete("/api/v1/me", headers=headers).status_code == 204
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    gone = client.post("/api/v1/auth/login", data={"username": "0912345678", "password": PASSWORD})
    assert gone.status_code == 401


def test_health_answers_ok_when_the_database_answers(client):
    assert client.get("/api/v1/health").json() == {"status": "ok"}


def test_health_says_503_once_the_database_stops_answering(client, engine):
    assert client.get("/api/v1/health").status_code == 200
    down = []

    @event.listens_for(engine, "do_connect")
    def refuse(*_args):
        if down:
            raise engine.dialect.loaded_dbapi.OperationalError("the database is down")

    # A connection the job runner had out while the pool was emptied comes back to it afterwards; a database that
    # is down breaks that one too, so the pool drops it and tries a new one, which is refused.
    @event.listens_for(engine, "checkout")
    def broken(*_args):
        if down:
            raise exc.DisconnectionError("the database is down")

    down.append(True)
    engine.pool.dispose()
    time.sleep(HEALTH_FRESH_SECONDS)  # an earlier answer vouches for the database this long, no longer
    r = client.get("/api/v1/health")
    assert r.status_code == 503 and r.headers["retry-after"], r.text
    down.clear()
    assert client.get("/api/v1/health").status_code == 200
