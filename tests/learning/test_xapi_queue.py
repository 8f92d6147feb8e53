"""What a lesson or an attempt queues for the LRS, read from the outbox in the same process as the app."""

from __future__ import annotations

import socket
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import delete
from sqlmodel import select

from hocso.accounts.models import User
from hocso.core.db import open_session
from hocso.xapi.models import XapiStatement
from hocso.xapi.statements import actor, statement_id
from tests.learning.conftest import signed_up_since
from tests.learning.test_two_people import HALF, RIGHT, attempt, lesson

MODULE = {"vi-VN": "Thanh toán QR cơ bản", "en-US": "QR payment basics"}


@pytest.fixture
def settings(settings):
    """An LRS nobody listens on: statements stay queued, where the tests read them."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return settings.model_copy(
        update={"xapi_endpoint": f"http://127.0.0.1:{port}/xAPI/", "public_url": "https://hocso.example.vn"}
    )


def test_a_lesson_and_a_passed_attempt_queue_their_statements_for_that_person_only(client, engine, clock, settings):
    lan = signed_up_since(client, engine, "lan@example.vn")
    binh = signed_up_since(client, engine, "binh@example.vn")
    read_at = clock.at - timedelta(days=1)
    lesson(client, lan, "scan", read_at)
    passed, failed = uuid.uuid4(), uuid.uuid4()
    assert attempt(client, lan, RIGHT, event_id=passed).json()["passed"]
    assert not attempt(client, binh, HALF, event_id=failed).json()["passed"]

    key = settings.signing_key()
    with open_session(engine) as session:
        people = {u.email: u.id for u in session.exec(select(User)).all()}
        rows = session.exec(select(XapiStatement)).all()
    mine = {str(r.id): r.statement for r in rows if r.user_id == people["lan@example.vn"]}
    theirs = {str(r.id): r.statement for r in rows if r.user_id == people["binh@example.vn"]}
    lan_actor = actor(key, "https://hocso.example.vn", people["lan@example.vn"])
    module = {
        "objectType": "Activity",
        "id": "https://hocso.example.vn/m/qr-basics",
        "definition": {"type": "http://adlnet.gov/expapi/activities/module", "name": MODULE},
    }

    # Lan: the lesson she read, her passed attempt and the module it completed; nothing of Binh's.
    assert len(mine) == 3
    read = [s for s in mine.values() if s["object"]["definition"]["type"].endswith("/lesson")]
    assert len(read) == 1
    assert read[0]["actor"] == lan_actor
    assert read[0]["verb"]["display"] == {"en-US": "completed"}
    assert read[0]["object"]["id"] == "https://hocso.example.vn/m/qr-basics/l/scan"
    assert read[0]["object"]["definition"]["name"] == {"vi-VN": "Quét mã", "en-US": "Scanning"}
    assert read[0]["context"]["contextActivities"]["parent"] == [module]
    assert read[0]["timestamp"] == read_at.isoformat(timespec="milliseconds").replace("+00:00", "Z")

    graded = mine[str(statement_id("attempt", passed))]
    assert graded["actor"] == lan_actor
    assert graded["verb"]["display"] == {"en-US": "passed"}
    assert graded["object"]["id"] == "https://hocso.example.vn/m/qr-basics/quiz"
    assert graded["object"]["definition"]["name"] == MODULE
    assert graded["result"] == {"score": {"scaled": 1.0, "raw": 6, "min": 0, "max": 6}, "success": True, "completion": True}
    completed = mine[str(statement_id("module", passed))]
    assert completed["object"] == module
    assert completed["timestamp"] == graded["timestamp"]

    # Binh: his failed attempt, graded 3 of 6, and no completion.
    assert list(theirs) == [str(statement_id("attempt", failed))]
    his = theirs[str(statement_id("attempt", failed))]
    assert his["actor"] == actor(key, "https://hocso.example.vn", people["binh@example.vn"])
    assert his["verb"]["display"] == {"en-US": "failed"}
    assert his["result"] == {"score": {"scaled": 0.5, "raw": 3, "min": 0, "max": 6}, "success": False, "completion": True}


def test_a_lesson_sent_again_and_a_retake_after_passing_queue_nothing_new_for_the_module(client, engine, clock):
    lan = signed_up_since(client, engine, "lan@example.vn")
    event = {
        "event_id": str(uuid.uuid4()),
        "type": "lesson_completed",
        "module": "qr-basics",
        "lesson": "check",
        "occurred_at": (clock.at - timedelta(hours=1)).isoformat(),
    }
    for _ in range(2):  # an offline batch replayed
        client.post("/api/v1/progress/events", json={"events": [event]}, headers=lan)
    first, retake = uuid.uuid4(), uuid.uuid4()
    assert attempt(client, lan, RIGHT, event_id=first).json()["passed"]
    assert attempt(client, lan, RIGHT, event_id=retake).json()["passed"]
    with open_session(engine) as session:
        ids = {str(i) for i in session.exec(select(XapiStatement.id)).all()}
    assert ids == {
        str(statement_id("lesson", uuid.UUID(event["event_id"]))),
        str(statement_id("attempt", first)),
        str(statement_id("module", first)),
        str(statement_id("attempt", retake)),
    }


def test_an_attempt_resent_after_its_statements_were_delivered_queues_nothing_again(client, engine, clock):
    lan = signed_up_since(client, engine, "lan@example.vn")
    binh = signed_up_since(client, engine, "binh@example.vn")
    sent = uuid.uuid4()
    first = attempt(client, lan, RIGHT, event_id=sent).json()
    assert first["passed"]
    with open_session(engine, write=True) as session:  # the LRS took them: the outbox lets them go
        session.execute(delete(XapiStatement))
        session.commit()
    # The phone did not hear back and sends the same attempt again, with other answers this time.
    again = attempt(client, lan, HALF, event_id=sent).json()
    assert again == first
    failed = uuid.uuid4()
    assert not attempt(client, binh, HALF, event_id=failed).json()["passed"]
    with open_session(engine) as session:
        assert [str(i) for i in session.exec(select(XapiStatement.id)).all()] == [str(statement_id("attempt", failed))]
