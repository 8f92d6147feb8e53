"""A crowd at once against a real `hocso serve`: every request is answered, /health stays up, nothing is lost.

The smaller sibling of bench/concurrency.py; runs on SQLite and, with HOCSO_TEST_DATABASE_URL, PostgreSQL.
"""

from __future__ import annotations

import asyncio
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy import create_engine, text

from bench.crowd import Person, crowd
from hocso.core.db import make_engine
from hocso.core.security import CHEAP_HASHING_VARIABLE, password_context
from tests.agencies.conftest import make_user
from tests.conftest import PASSWORD
from tests.served import prepare, serve

CROWD = 120  # more than the 40 threads AnyIO lends to sync endpoints: the old code froze at about 45
ANSWERED = {200, 201, 204, 400, 401, 403, 404, 409, 422, 429, 503}
LEARNERS = 12


def _stored(database_url: str) -> tuple[set[str], set[str]]:
    engine = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as conn:
        events = {str(uuid.UUID(str(r[0]))) for r in conn.execute(text("SELECT event_id FROM progress_event"))}
        attempts = {str(uuid.UUID(str(r[0]))) for r in conn.execute(text("SELECT event_id FROM attempt"))}
    engine.dispose()
    return events, attempts


@pytest.mark.parametrize(
    "workers, tight",
    [(1, False), (2, False), (2, True)],
    ids=["1 worker", "2 workers", "2 workers, one connection each, 0.2 s wait"],
)
def test_a_crowd_at_once_is_answered_and_nothing_is_lost(database_url, tmp_path, workers, tight):
    prepare(database_url)
    app_engine = make_engine(database_url)
    # Passwords at the production cost here, not the test runs' floor (tests/conftest.py): the crowd's sign-ins
    # hashing beside the event loop are part of the load /health must stay up under.
    strong = password_context({}).hash(PASSWORD)
    for n in range(LEARNERS):
        make_user(app_engine, f"learner{n}@example.vn", stored_hash=strong)
    app_engine.dispose()
    env = {
        CHEAP_HASHING_VARIABLE: "0",
        "HOCSO_LOGIN_ATTEMPTS_PER_IP": "100000",
        "HOCSO_LOGIN_ATTEMPTS_PER_IP_MAX": "100000",
        "HOCSO_LOGIN_ATTEMPTS_PER_IDENTIFIER": "100000",
    }
    if tight:  # a saturated database: most requests must be turned away quickly, none left hanging
        env |= {"HOCSO_DB_CONNECTIONS": "1", "HOCSO_DB_WAIT_SECONDS": "0.2"}
    with serve(tmp_path, database_url, workers=workers, env=env) as server:
        people = []
        for n in range(LEARNERS):
            email = f"learner{n}@example.vn"
            r = httpx.post(f"{server.url}/api/v1/auth/login", data={"username": email, "password": PASSWORD})
            assert r.status_code == 200, r.text
            people.append(Person(email, PASSWORD, r.json()["access_token"]))
        # Sends CROWD mixed requests at once and polls /health meanwhile; resends refused writes like a phone.
        everyone = crowd(server.url, people, size=CROWD, events_per_batch=3, longest_wait=5)
        try:
            # A hard bound: the code this replaces froze here for good.
            # On a thread of its own: the browser tests' Playwright keeps an event loop running on this one.
            with ThreadPoolExecutor(1) as thread:
                result = thread.submit(asyncio.run, asyncio.wait_for(everyone, timeout=150)).result()
        except TimeoutError:
            pytest.fail(f"the server stopped answering a crowd of {CROWD} requests ({workers} worker(s))")
        log = server.output()

    slow = [a for a in result.answers if a.seconds > 60 or a.status not in ANSWERED]
    assert not slow, f"unanswered, failed or over 60 s: {slow[:10]}\n{log[-3000:]}"
    busy = [a for a in result.answers if a.status == 503]
    assert all(a.retry_after for a in busy), "a 503 without Retry-After"
    if tight:
        assert busy and max(a.seconds for a in busy) < 30, "a saturated server made people wait instead of saying so"
    # A load balancer takes a server out after failed checks in a row (AWS's ALB after 2 at least, Kubernetes after
    # 3 by default), not after one: one slow answer while 120 connections arrive at once on a loaded machine is what
    # a single probe may see; two in a row, or a server still failing at the end, would take it out of service.
    failed = [seconds > 5 or status != 200 for seconds, status in result.health]
    assert len(failed) >= 3, f"/health was probed only {len(failed)} times"
    in_a_row = any(one and next_one for one, next_one in zip(failed, failed[1:], strict=False))
    assert not in_a_row and not failed[-1], f"/health was slow or down twice in a row, or at the end: {result.health}"
    events, attempts = _stored(database_url)
    sent_events = set().union(*(p.events for p in people))
    sent_attempts = set().union(*(p.attempts for p in people))
    assert events == sent_events, f"lost {len(sent_events - events)}, extra {len(events - sent_events)}"
    assert attempts == sent_attempts, f"lost {len(sent_attempts - attempts)}, extra {len(attempts - sent_attempts)}"
