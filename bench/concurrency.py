"""A crowd at once: hundreds of phones send mixed requests at the same moment to a real `hocso serve`.

Every request must be answered (2xx/4xx/429/503, never a 500, never a hang), /health must answer within 5 s
throughout, and what the server stored must equal the distinct events sent; writes refused with 503 are sent
again after Retry-After, as the PWA's outbox does. Prints, per configuration, the most requests in flight at
once, latency p50/p99 per kind of request, the answers by status, and lost/extra events.

    .venv/bin/python bench/concurrency.py                          # SQLite, 1 and 2 workers, 500 at once
    scripts/with-postgres .venv/bin/python bench/concurrency.py     # also PostgreSQL (HOCSO_TEST_DATABASE_URL)
    .venv/bin/python bench/concurrency.py --crowd 1000 --rounds 3
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import PASSWORD, RIGHT, ROOT, Server, _fresh_pg_database, percentile  # noqa: E402

KINDS = ["bad_login", "good_login", "progress", "attempt", "module"]
WRONG = {q: ["b"] for q in RIGHT}
ALLOWED = {200, 201, 204, 400, 401, 403, 404, 409, 422, 429, 503}


def _now() -> str:
    return datetime.now(UTC).isoformat()


async def setup_people(client: httpx.AsyncClient, n: int) -> list[dict]:
    """Registers and signs in n people, a few at a time."""
    sem = asyncio.Semaphore(8)

    async def one(i: int) -> dict:
        email = f"crowd.{i}.{uuid.uuid4().hex[:6]}@example.vn"
        async with sem:
            r = await client.post("/api/v1/auth/register", json={"email": email, "password": PASSWORD, "full_name": "Người Thử"})
            r.raise_for_status()
            r = await client.post("/api/v1/auth/login", data={"username": email, "password": PASSWORD})
            r.raise_for_status()
        return {
            "email": email,
            "headers": {"Authorization": f"Bearer {r.json()['access_token']}"},
            "events": set(),
            "attempts": set(),
        }

    return list(await asyncio.gather(*(one(i) for i in range(n))))


async def crowd(url: str, people: list[dict], size: int, rounds: int) -> dict:
    # A connection per request, as from as many phones: none reused after the server closed it.
    limits = httpx.Limits(max_connections=size + 20, max_keepalive_connections=0)
    timeout = httpx.Timeout(60, connect=60, pool=60)
    async with httpx.AsyncClient(base_url=url, timeout=timeout, limits=limits) as client:
        first: dict[str, list[float]] = defaultdict(list)  # the first answer's latency, per kind
        until_stored: list[float] = []  # a write's time from first send until the server took it
        statuses: Counter = Counter()
        health: list[tuple[float, int | str]] = []
        in_flight = most_in_flight = 0

        async def send(kind: str, method: str, path: str, resend: bool, **kwargs) -> None:
            nonlocal in_flight, most_in_flight
            began = time.perf_counter()
            tries = 0
            while True:
                start = time.perf_counter()
                in_flight += 1
                most_in_flight = max(most_in_flight, in_flight)
                retry_after = "1"
                try:
                    r = await client.request(method, path, **kwargs)
                    status: int | str = r.status_code
                    retry_after = r.headers.get("retry-after", "1")
                except httpx.HTTPError as exc:
                    status = type(exc).__name__
                finally:
                    in_flight -= 1
                statuses[status] += 1
                if tries == 0:
                    first[kind].append(time.perf_counter() - start)
                tries += 1
                if not (resend and status in (429, 503)):
                    if resend:
                        until_stored.append(time.perf_counter() - began)
                    return
                await asyncio.sleep(min(10, int(retry_after)) * random.uniform(0.5, 1.5))

        def request(i: int):
            person = people[i % len(people)]
            kind = KINDS[i % len(KINDS)]
            if kind == "bad_login":
                return send(
                    kind,
                    "POST",
                    "/api/v1/auth/login",
                    False,
                    data={"username": f"nobody{i}@example.vn", "password": "wrongpass1"},
                )
            if kind == "good_login":
                return send(kind, "POST", "/api/v1/auth/login", False, data={"username": person["email"], "password": PASSWORD})
            if kind == "progress":
                events = [
                    {
                        "event_id": str(uuid.uuid4()),
                        "type": "lesson_completed",
                        "module": "qr-basics",
                        "lesson": random.choice(["scan", "check"]),
                        "occurred_at": _now(),
                    }
                    for _ in range(5)
                ]
                person["events"].update(e["event_id"] for e in events)
                return send(kind, "POST", "/api/v1/progress/events", True, json={"events": events}, headers=person["headers"])
            if kind == "attempt":
                event_id = str(uuid.uuid4())
                person["attempts"].add(event_id)
                body = {"event_id": event_id, "answers": RIGHT if random.random() < 0.7 else WRONG, "occurred_at": _now()}
                return send(kind, "POST", "/api/v1/modules/qr-basics/attempts", True, json=body, headers=person["headers"])
            return send(kind, "GET", "/api/v1/modules/qr-basics", False, params={"lang": random.choice(["vi", "en"])})

        async def watch_health(stop: asyncio.Event) -> None:
            # A new connection each time, as a load balancer's probe makes: no reuse of one the server closed.
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

        stop = asyncio.Event()
        watcher = asyncio.create_task(watch_health(stop))
        started = time.perf_counter()
        for _ in range(rounds):
            await asyncio.gather(*(request(i) for i in range(size)))
        elapsed = time.perf_counter() - started
        stop.set()
        await watcher

    lost = extra = 0
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        for person in people:
            export = (await client.get("/api/v1/me/export", headers=person["headers"])).json()
            stored_events = {e["event_id"] for e in export["progress_events"]}
            stored_attempts = {a["event_id"] for a in export["attempts"]}
            lost += len(person["events"] - stored_events) + len(person["attempts"] - stored_attempts)
            extra += len(stored_events - person["events"]) + len(stored_attempts - person["attempts"])
    every = [v for values in first.values() for v in values]
    return {
        "seconds": round(elapsed, 1),
        "most_in_flight": most_in_flight,
        "p50_ms": round(percentile(every, 0.5) * 1000),
        "p99_ms": round(percentile(every, 0.99) * 1000),
        "max_ms": round(max(every) * 1000),
        "by_kind": {
            k: {"p50_ms": round(percentile(v, 0.5) * 1000), "p99_ms": round(percentile(v, 0.99) * 1000)}
            for k, v in sorted(first.items())
        },
        "write_stored_p99_ms": round(percentile(until_stored, 0.99) * 1000),
        "statuses": {str(k): v for k, v in sorted(statuses.items(), key=str)},
        "unanswered_or_500": sum(v for k, v in statuses.items() if k not in ALLOWED),
        "health_max_ms": round(max(h[0] for h in health) * 1000) if health else None,
        "health_failures": sum(1 for h in health if h[1] != 200 or h[0] > 5),
        "events_sent": sum(len(p["events"]) for p in people),
        "attempts_sent": sum(len(p["attempts"]) for p in people),
        "lost": lost,
        "extra": extra,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--crowd", type=int, default=500, help="requests sent at the same moment")
    parser.add_argument("--rounds", type=int, default=1, help="crowds sent one after another")
    parser.add_argument("--people", type=int, default=50)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--postgres", default=os.environ.get("HOCSO_TEST_DATABASE_URL"))
    parser.add_argument("--only", choices=["sqlite", "postgresql"], help="run one database only")
    args = parser.parse_args()
    random.seed(7)

    results = []
    engines = [("sqlite", None)] + ([("postgresql", args.postgres)] if args.postgres else [])
    engines = [e for e in engines if args.only in (None, e[0])]
    for engine, pg_url in engines:
        for workers in args.workers:
            with tempfile.TemporaryDirectory() as tmp:
                folder = Path(tmp)
                db_url = _fresh_pg_database(pg_url) if pg_url else f"sqlite:///{folder / 'crowd.db'}"
                print(f"== {engine}, {workers} worker(s): {args.crowd} requests at once x {args.rounds}", flush=True)
                with Server(db_url, workers, folder) as server:

                    async def go() -> dict:
                        async with httpx.AsyncClient(base_url=server.url, timeout=60) as client:
                            people = await setup_people(client, args.people)
                        return await crowd(server.url, people, args.crowd, args.rounds)

                    result = asyncio.run(go())
            result.update(engine=engine, workers=workers, crowd=args.crowd, rounds=args.rounds)
            results.append(result)
            print(
                f"  {result['seconds']} s; most in flight {result['most_in_flight']}; first answer p50 "
                f"{result['p50_ms']} ms, p99 {result['p99_ms']} ms, max {result['max_ms']} ms; a write stored "
                f"within {result['write_stored_p99_ms']} ms (p99, resends included)"
            )
            for kind, f in result["by_kind"].items():
                print(f"    {kind:<11} p50 {f['p50_ms']:>6} ms   p99 {f['p99_ms']:>6} ms")
            print(f"  answers {result['statuses']}; unanswered or 500: {result['unanswered_or_500']}")
            print(f"  /health slowest {result['health_max_ms']} ms, failed or over 5 s: {result['health_failures']}")
            print(
                f"  events sent {result['events_sent']}, attempts sent {result['attempts_sent']}; "
                f"lost {result['lost']}, extra {result['extra']}\n",
                flush=True,
            )
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "concurrency.json").write_text(json.dumps(results, indent=2))
    bad = any(r["lost"] or r["extra"] or r["unanswered_or_500"] or r["health_failures"] for r in results)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
