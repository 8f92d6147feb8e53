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
import uuid
from collections import Counter, defaultdict
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from crowd import CrowdRun, Person, crowd  # noqa: E402
from load import PASSWORD, ROOT, Server, _fresh_pg_database, percentile  # noqa: E402

ALLOWED = {200, 201, 204, 400, 401, 403, 404, 409, 422, 429, 503}


async def setup_people(client: httpx.AsyncClient, n: int) -> list[Person]:
    """Registers and signs in n people, a few at a time."""
    sem = asyncio.Semaphore(8)

    async def one(i: int) -> Person:
        email = f"crowd.{i}.{uuid.uuid4().hex[:6]}@example.vn"
        async with sem:
            r = await client.post("/api/v1/auth/register", json={"email": email, "password": PASSWORD, "full_name": "Người Thử"})
            r.raise_for_status()
            r = await client.post("/api/v1/auth/login", data={"username": email, "password": PASSWORD})
            r.raise_for_status()
        return Person(email, PASSWORD, r.json()["access_token"])

    return list(await asyncio.gather(*(one(i) for i in range(n))))


async def lost_and_extra(url: str, people: list[Person]) -> tuple[int, int]:
    """Compares what each person's export says the server stored with what they sent."""
    lost = extra = 0
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        for person in people:
            export = (await client.get("/api/v1/me/export", headers={"Authorization": f"Bearer {person.token}"})).json()
            stored_events = {e["event_id"] for e in export["progress_events"]}
            stored_attempts = {a["event_id"] for a in export["attempts"]}
            lost += len(person.events - stored_events) + len(person.attempts - stored_attempts)
            extra += len(stored_events - person.events) + len(stored_attempts - person.attempts)
    return lost, extra


def summary(run: CrowdRun, people: list[Person], lost: int, extra: int) -> dict:
    """The figures printed and written for one configuration."""
    first: dict[str, list[float]] = defaultdict(list)  # the first answer's latency, per kind
    for answer in run.answers:
        if answer.first_try:
            first[answer.kind].append(answer.seconds)
    statuses = Counter(answer.status for answer in run.answers)
    every = [v for values in first.values() for v in values]
    return {
        "seconds": round(run.seconds, 1),
        "most_in_flight": run.most_in_flight,
        "p50_ms": round(percentile(every, 0.5) * 1000),
        "p99_ms": round(percentile(every, 0.99) * 1000),
        "max_ms": round(max(every) * 1000),
        "by_kind": {
            k: {"p50_ms": round(percentile(v, 0.5) * 1000), "p99_ms": round(percentile(v, 0.99) * 1000)}
            for k, v in sorted(first.items())
        },
        "write_stored_p99_ms": round(percentile(run.until_stored, 0.99) * 1000),
        "statuses": {str(k): v for k, v in sorted(statuses.items(), key=str)},
        "unanswered_or_500": sum(v for k, v in statuses.items() if k not in ALLOWED),
        "health_max_ms": round(max(h[0] for h in run.health) * 1000) if run.health else None,
        "health_failures": sum(1 for h in run.health if h[1] != 200 or h[0] > 5),
        "events_sent": sum(len(p.events) for p in people),
        "attempts_sent": sum(len(p.attempts) for p in people),
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
                        run = await crowd(server.url, people, size=args.crowd, rounds=args.rounds)
                        return summary(run, people, *await lost_and_extra(server.url, people))

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
