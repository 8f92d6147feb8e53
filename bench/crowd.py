"""A crowd of phones at once against a running server: mixed requests, refused writes sent again, /health watched.

bench/concurrency.py measures with it and tests/test_concurrency.py checks its smaller version; both then
compare what the server stored with what the people here sent.
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx

KINDS = ("bad_login", "good_login", "progress", "attempt", "module")
RIGHT = {"q1": ["a"], "q2": ["a"], "q3": ["a"], "q4": ["a"], "q5": ["a"], "q6": ["a", "b"]}
WRONG = {q: ["b"] for q in RIGHT}


@dataclass
class Person:
    """A signed-in phone, and the event ids of what it sent."""

    email: str
    password: str
    token: str
    events: set[str] = field(default_factory=set)
    attempts: set[str] = field(default_factory=set)


@dataclass
class Answer:
    """One try of a request: its kind, how long its answer took, the status (or the error), Retry-After."""

    kind: str
    seconds: float
    status: int | str
    retry_after: str | None
    first_try: bool


@dataclass
class CrowdRun:
    """Every answer of a crowd, the /health probes meanwhile, and how long each write took until stored."""

    answers: list[Answer] = field(default_factory=list)
    health: list[tuple[float, int | str]] = field(default_factory=list)
    until_stored: list[float] = field(default_factory=list)
    most_in_flight: int = 0
    seconds: float = 0.0


def _now() -> str:
    return datetime.now(UTC).isoformat()


class _Crowd:
    """Sends the requests of one crowd through one client, counting what is in flight."""

    def __init__(self, client: httpx.AsyncClient, people: list[Person], *, events_per_batch: int, longest_wait: int):
        self.client = client
        self.people = people
        self.events_per_batch = events_per_batch
        self.longest_wait = longest_wait
        self.run = CrowdRun()
        self.in_flight = 0

    async def send(self, kind: str, method: str, path: str, *, resend: bool = False, **kwargs) -> None:
        """Sends a request; a refused write (429, 503) is sent again after Retry-After, as the PWA's outbox does."""
        began = time.perf_counter()
        first_try = True
        while True:
            answer = await self._try(kind, method, path, first_try=first_try, **kwargs)
            first_try = False
            if not (resend and answer.status in (429, 503)):
                if resend:
                    self.run.until_stored.append(time.perf_counter() - began)
                return
            await asyncio.sleep(min(self.longest_wait, int(answer.retry_after or 1)) * random.uniform(0.5, 1.5))

    async def _try(self, kind: str, method: str, path: str, *, first_try: bool, **kwargs) -> Answer:
        start = time.perf_counter()
        self.in_flight += 1
        self.run.most_in_flight = max(self.run.most_in_flight, self.in_flight)
        retry_after = None
        headers = {**kwargs.pop("headers", {}), "Accept-Language": "en"}
        try:
            r = await self.client.request(method, path, headers=headers, **kwargs)
            status: int | str = r.status_code
            retry_after = r.headers.get("retry-after")
        except httpx.HTTPError as exc:
            status = type(exc).__name__
        finally:
            self.in_flight -= 1
        answer = Answer(kind, time.perf_counter() - start, status, retry_after, first_try)
        self.run.answers.append(answer)
        return answer

    def request(self, i: int) -> Awaitable[None]:
        """The i-th request of the crowd: the kinds take turns, the people too."""
        person = self.people[i % len(self.people)]
        kind = KINDS[i % len(KINDS)]
        return self._MAKERS[kind](self, i, person)

    def _bad_login(self, i: int, person: Person) -> Awaitable[None]:
        data = {"username": f"nobody{i}@example.vn", "password": "wrongpass1"}
        return self.send("bad_login", "POST", "/api/v1/auth/login", data=data)

    def _good_login(self, i: int, person: Person) -> Awaitable[None]:
        data = {"username": person.email, "password": person.password}
        return self.send("good_login", "POST", "/api/v1/auth/login", data=data)

    def _progress(self, i: int, person: Person) -> Awaitable[None]:
        events = [
            {
                "event_id": str(uuid.uuid4()),
                "type": "lesson_completed",
                "module": "qr-basics",
                "lesson": random.choice(["scan", "check"]),
                "occurred_at": _now(),
            }
            for _ in range(self.events_per_batch)
        ]
        person.events.update(e["event_id"] for e in events)
        auth = {"Authorization": f"Bearer {person.token}"}
        return self.send("progress", "POST", "/api/v1/progress/events", resend=True, json={"events": events}, headers=auth)

    def _attempt(self, i: int, person: Person) -> Awaitable[None]:
        event_id = str(uuid.uuid4())
        person.attempts.add(event_id)
        body = {"event_id": event_id, "answers": RIGHT if random.random() < 0.7 else WRONG, "occurred_at": _now()}
        auth = {"Authorization": f"Bearer {person.token}"}
        return self.send("attempt", "POST", "/api/v1/modules/qr-basics/attempts", resend=True, json=body, headers=auth)

    def _module(self, i: int, person: Person) -> Awaitable[None]:
        return self.send("module", "GET", "/api/v1/modules/qr-basics", params={"lang": random.choice(["vi", "en"])})

    _MAKERS: dict[str, Callable[[_Crowd, int, Person], Awaitable[None]]] = {
        "bad_login": _bad_login,
        "good_login": _good_login,
        "progress": _progress,
        "attempt": _attempt,
        "module": _module,
    }


async def _watch_health(url: str, health: list[tuple[float, int | str]], stop: asyncio.Event) -> None:
    """Probes /health every quarter second until stop, on a new connection each time as a load balancer would."""
    no_reuse = httpx.Limits(max_keepalive_connections=0)
    async with httpx.AsyncClient(base_url=url, timeout=5, limits=no_reuse) as own:
        while not stop.is_set():
            start = time.perf_counter()
            try:
                status: int | str = (await own.get("/api/v1/health")).status_code
            except httpx.HTTPError as exc:
                status = type(exc).__name__
            health.append((time.perf_counter() - start, status))
            await asyncio.sleep(0.25)


async def crowd(
    url: str, people: list[Person], *, size: int, rounds: int = 1, events_per_batch: int = 5, longest_wait: int = 10
) -> CrowdRun:
    """Sends size mixed requests at once, rounds times one after another, and probes /health meanwhile."""
    # A connection per request, as from as many phones: none reused after the server closed it.
    limits = httpx.Limits(max_connections=size + 20, max_keepalive_connections=0)
    timeout = httpx.Timeout(60, connect=60, pool=60)
    async with httpx.AsyncClient(base_url=url, timeout=timeout, limits=limits) as client:
        sender = _Crowd(client, people, events_per_batch=events_per_batch, longest_wait=longest_wait)
        stop = asyncio.Event()
        watcher = asyncio.create_task(_watch_health(url, sender.run.health, stop))
        started = time.perf_counter()
        for _ in range(rounds):
            await asyncio.gather(*(sender.request(i) for i in range(size)))
        sender.run.seconds = time.perf_counter() - started
        stop.set()
        await watcher
    return sender.run
