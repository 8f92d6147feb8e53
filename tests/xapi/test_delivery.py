"""The xAPI outbox reaches a real LRS: once per statement, resends harmless, outages ridden out."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import httpx

from hocso.core.db import open_session
from hocso.xapi import service, statements
from tests.xapi.conftest import PASSWORD, USER

TITLES = {"vi": "Thanh toán QR cơ bản", "en": "QR payment basics"}


def lesson_statement(settings, user_id, event_id):
    return statements.lesson_completed(
        key=settings.signing_key(), base_url=settings.base_url, user_id=user_id, event_id=event_id, slug="qr-basics",
        module_titles=TITLES, lesson="scan", lesson_titles={"vi": "Quét mã", "en": "Scan"},
        occurred_at=datetime(2026, 11, 30, 8, 15, tzinfo=UTC),
    )


def configure(settings, lrs):
    settings.xapi_endpoint, settings.xapi_username, settings.xapi_password = lrs.endpoint, USER, PASSWORD


def test_queued_statements_reach_the_lrs_once_even_when_queued_and_sent_twice(settings, engine, lrs):
    configure(settings, lrs)
    person = uuid.uuid4()
    events = [uuid.uuid4() for _ in range(3)]
    with open_session(engine, write=True) as session:
        service.enqueue(session, user_id=person, statements=[lesson_statement(settings, person, e) for e in events])
        # The same event stored again (an offline batch resent) queues nothing new.
        service.enqueue(session, user_id=person, statements=[lesson_statement(settings, person, events[0])])
        session.commit()
    with httpx.Client() as client:
        assert service.drain(engine, settings, client).sent == 3
        # A statement the LRS has (sent, then the server died before it noted so) goes again: the LRS keeps one.
        with open_session(engine, write=True) as session:
            service.enqueue(session, user_id=person, statements=[lesson_statement(settings, person, events[1])])
            session.commit()
        assert service.drain(engine, settings, client).sent == 1
    stored = lrs.stored()
    assert sorted(s["id"] for s in stored) == sorted(str(statements.statement_id("lesson", e)) for e in events)
    lrs.validate(stored)
    with open_session(engine) as session:
        assert service.pending(session) == 0


def test_an_unreachable_lrs_leaves_statements_queued_with_a_back_off(settings, engine, lrs):
    configure(settings, lrs)
    person = uuid.uuid4()
    lrs.stop()
    with open_session(engine, write=True) as session:
        service.enqueue(session, user_id=person, statements=[lesson_statement(settings, person, uuid.uuid4())])
        session.commit()
    with httpx.Client() as client:
        outcome = service.deliver_once(engine, settings, client)
        assert outcome.failed == 1 and outcome.sent == 0
        assert service.deliver_once(engine, settings, client).sent == 0  # not due yet: backing off
    with open_session(engine) as session:
        assert service.pending(session) == 1
    assert lrs.stored() == []


def test_a_statement_the_lrs_refuses_does_not_hold_up_the_others(settings, engine, lrs):
    configure(settings, lrs)
    person = uuid.uuid4()
    good, clash = uuid.uuid4(), uuid.uuid4()
    first = lesson_statement(settings, person, clash)
    with httpx.Client() as client:
        # The LRS already holds a different statement under the id Hocso will use.
        other = {**first, "timestamp": "2020-01-01T00:00:00.000Z"}
        r = client.post(lrs.endpoint + "statements", json=[other], auth=(USER, PASSWORD))
        assert r.status_code == 200
        with open_session(engine, write=True) as session:
            service.enqueue(session, user_id=person, statements=[first, lesson_statement(settings, person, good)])
            session.commit()
        outcome = service.deliver_once(engine, settings, client)
    assert outcome.sent == 1 and outcome.parked == 1
    assert str(statements.statement_id("lesson", good)) in {s["id"] for s in lrs.stored()}
