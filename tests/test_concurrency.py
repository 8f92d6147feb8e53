"""A crowd at once against a real `hocso serve`: every request is answered, /health stays up, nothing is lost.

The smaller sibling of bench/concurrency.py; runs on SQLite and, with HOCSO_TEST_DATABASE_URL, PostgreSQL.
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import create_engine, text

from hocso.core.db import make_engine
from tests.agencies.conftest import make_user
from tests.conftest import PASSWORD
from tests.served import prepare, serve

CROWD = 120  # more than the 40 threads AnyIO lends to sync endpoints: the old code froze at about 45
ANSWERED = {200, 201, 204, 400, 401, 403, 404, 409, 422, 429, 503}
RIGHT = {"q1": ["a"], "q2": ["a"], "q3": ["a"], "q4": ["a"], "q5": ["a"], "q6": ["a", "b"]}
WRONG = {q: ["b"] for q in RIGHT}
LEARNERS = 12


def _now() -> str:
    return datetime.now(UTC).isoformat()


async def _crowd(url: str, tokens: list[str]) -> dict:
    """Sends CROWD mixed requests at once and polls /health meanwhile; resends refused writes like a phone."""
    # A connection per request, as from as many phones: none reused after the server closed it.
    limits = httpx.Limits(max_connections=CROWD + 10, max_keepalive_connections=0)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:
        sent_events: set[str] = set()
        sent_attempts: set[str] = set()
        answers: list[tuple[str, float, int | str, str | None]] = []
        health: list[tuple[float, int | str]] = []

        async def send(kind: str, method: str, path: str, *, headers: dict | None = None, resend: bool = False, **kwargs) -> None:
            headers = headers or {}
            while True:
                start = time.monotonic()
                retry_after = None
                try:
                    r = await client.request(method, path, headers={**headers, "Accept-Language": "en"}, **kwargs)
                    status: int | str = r.status_code
                    retry_after = r.headers.get("retry-after")
                except httpx.HTTPError as exc:
                    status = type(exc).__name__
                answers.append((kind, time.monotonic() - start, status, retry_after))
                # A phone keeps what the server refused for now and sends it again later.
                if not (resend and status in (429, 503)):
                    return
                await asyncio.sleep(min(5, int(retry_after or 1)) * random.uniform(0.2, 1))

        def request(i: int):
            token = tokens[i % len(tokens)]
            auth = {"Authorization": f"Bearer {token}"}
            kind = ("bad_login", "good_login", "progress", "attempt", "module")[i % 5]
            if kind == "bad_login":
                data = {"username": f"nobody{i}@example.vn", "password": "wrongpass1"}
                return send(kind, "POST", "/api/v1/auth/login", data=data)
            if kind == "good_login":
                data = {"username": f"learner{i % LEARNERS}@example.vn", "password": PASSWORD}
                return send(kind, "POST", "/api/v1/auth/login", data=data)
            if kind == "progress":
                events = [
                    {
                        "event_id": str(uuid.uuid4()),
                        "type": "lesson_completed",
                        "module": "qr-basics",
                        "lesson": random.choice(["scan", "check"]),
                        "occurred_at": _now(),
                    }
                    for _ in range(3)
                ]
                sent_events.update(e["event_id"] for e in events)
                return send(kind, "POST", "/api/v1/progress/events", json={"events": events}, headers=auth, resend=True)
            if kind == "attempt":
                event_id = str(uuid.uuid4())
                sent_attempts.add(event_id)
                body = {"event_id": event_id, "answers": RIGHT if i % 2 else WRONG, "occurred_at": _now()}
                return send(kind, "POST", "/api/v1/modules/qr-basics/attempts", json=body, headers=auth, resend=True)
            return send(kind, "GET", "/api/v1/modules/qr-basics", params={"lang": random.choice(["vi", "en"])})

        async def watch_health(stop: asyncio.Event) -> None:
            # A new connection each time, as a load balancer's probe makes: no reuse of one the server closed.
            no_reuse = httpx.Limits(max_keepalive_connections=0)
            async with httpx.AsyncClient(base_url=url, timeout=5, limits=no_reuse) as own:
                while not stop.is_set():
                    start = time.monotonic()
                    try:
                        status: int | str = (await own.get("/api/v1/health")).status_code
                    except httpx.HTTPError as exc:
                        status = type(exc).__name__
                    health.append((time.monotonic() - start, status))
                    await asyncio.sleep(0.25)

        stop = asyncio.Event()
        watcher = asyncio.create_task(watch_health(stop))
        await asyncio.gather(*(request(i) for i in range(CROWD)))
        stop.set()
        await watcher
        return {"answers": answers, "health": health, "events": sent_events, "attempts": sent_attempts}


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
    for n in range(LEARNERS):
        make_user(app_engine, f"learner{n}@example.vn")
    app_engine.dispose()
    env = {
        "HOCSO_LOGIN_ATTEMPTS_PER_IP": "100000",
        "HOCSO_LOGIN_ATTEMPTS_PER_IP_MAX": "100000",
        "HOCSO_LOGIN_ATTEMPTS_PER_IDENTIFIER": "100000",
    }
    if tight:  # a saturated database: most requests must be turned away quickly, none left hanging
        env |= {"HOCSO_DB_CONNECTIONS": "1", "HOCSO_DB_WAIT_SECONDS": "0.2"}
    with serve(tmp_path, database_url, workers=workers, env=env) as server:
        tokens = []
        for n in range(LEARNERS):
            r = httpx.post(f"{server.url}/api/v1/auth/login", data={"username": f"learner{n}@example.vn", "password": PASSWORD})
            assert r.status_code == 200, r.text
            tokens.append(r.json()["access_token"])
        try:
            # A hard bound: the code this replaces froze here for good.
            # On a thread of its own: the browser tests' Playwright keeps an event loop running on this one.
            with ThreadPoolExecutor(1) as thread:
                result = thread.submit(asyncio.run, asyncio.wait_for(_crowd(server.url, tokens), timeout=150)).result()
        except TimeoutError:
            pytest.fail(f"the server stopped answering a crowd of {CROWD} requests ({workers} worker(s))")
        log = server.output()

    slow = [a for a in result["answers"] if a[1] > 60 or a[2] not in ANSWERED]
    assert not slow, f"unanswered, failed or over 60 s: {slow[:10]}\n{log[-3000:]}"
    busy = [a for a in result["answers"] if a[2] == 503]
    assert all(a[3] for a in busy), "a 503 without Retry-After"
    if tight:
        assert busy and max(a[1] for a in busy) < 30, "a saturated server made people wait instead of saying so"
    late = [h for h in result["health"] if h[0] > 5 or h[1] != 200]
    assert result["health"] and not late, f"/health was slow or down: {late[:10]}"
    events, attempts = _stored(database_url)
    assert events == result["events"], f"lost {len(result['events'] - events)}, extra {len(events - result['events'])}"
    assert attempts == result["attempts"], (
        f"lost {len(result['attempts'] - attempts)}, extra {len(attempts - result['attempts'])}"
    )
