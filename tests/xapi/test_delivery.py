"""The xAPI outbox reaches a real LRS: once per statement, resends harmless, outages ridden out."""

from __future__ import annotations

import socket
import uuid
from datetime import UTC, datetime

import httpx

from hocso.core.db import open_session
from hocso.xapi import service, statements
from tests.xapi.conftest import PASSWORD, USER

TITLES = {"vi": "Thanh toán QR cơ bản", "en": "QR payment basics"}


def lesson_statement(settings, user_id, event_id):
    return statements.lesson_completed(
        key=settings.signing_key(),
        base_url=settings.base_url,
        user_id=user_id,
        event_id=event_id,
        slug="qr-basics",
        module_titles=TITLES,
        lesson="scan",
        lesson_titles={"vi": "Quét mã", "en": "Scan"},
        occurred_at=datetime(2026, 11, 30, 8, 15, tzinfo=UTC),
    )


def configure(settings, lrs):
    settings.xapi_endpoint, settings.xapi_username, settings.xapi_password = lrs.endpoint, USER, PASSWORD


def mine(lrs, ids) -> list[dict]:
    wanted = {str(i) for i in ids}
    return [s for s in lrs.stored() if s["id"] in wanted]


def test_queued_statements_reach_the_lrs_once_even_when_queued_and_sent_twice(settings, engine, shared_lrs):
    lrs = shared_lrs
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
    ids = [statements.statement_id("lesson", e) for e in events]
    stored = mine(lrs, ids)
    assert sorted(s["id"] for s in stored) == sorted(str(i) for i in ids)  # each exactly once
    lrs.validate(stored)
    with open_session(engine) as session:
        assert service.pending(session) == 0


def test_an_unreachable_lrs_leaves_statements_queued_with_a_back_off(settings, engine, shared_lrs):
    lrs = shared_lrs
    configure(settings, lrs)
    with socket.socket() as s:  # a port nobody listens on: the LRS is down
        s.bind(("127.0.0.1", 0))
        settings.xapi_endpoint = f"http://127.0.0.1:{s.getsockname()[1]}/xAPI/"
    person, event = uuid.uuid4(), uuid.uuid4()
    with open_session(engine, write=True) as session:
        service.enqueue(session, user_id=person, statements=[lesson_statement(settings, person, event)])
        session.commit()
    with httpx.Client() as client:
        outcome = service.deliver_once(engine, settings, client)
        assert outcome.failed == 1 and outcome.sent == 0
        assert service.deliver_once(engine, settings, client).sent == 0  # not due yet: backing off
    with open_session(engine) as session:
        assert service.pending(session) == 1
    assert mine(lrs, [statements.statement_id("lesson", event)]) == []


def test_a_statement_the_lrs_refuses_does_not_hold_up_the_others(settings, engine, shared_lrs):
    lrs = shared_lrs
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
    assert len(mine(lrs, [statements.statement_id("lesson", good)])) == 1
