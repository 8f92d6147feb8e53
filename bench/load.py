"""Load test: many simulated phones against a real `hocso serve` on loopback, then a count of what arrived.

Runs each configuration for a bounded time: SQLite and (given a URL) PostgreSQL, with 1 and 2 worker
processes. Prints throughput and p50/p95/p99 latency per operation, and checks that the server stored exactly
the distinct events the clients sent (replays included on purpose).

    .venv/bin/python bench/load.py                          # SQLite, 1 and 2 workers
    scripts/with-postgres .venv/bin/python bench/load.py     # also PostgreSQL (HOCSO_TEST_DATABASE_URL)
    .venv/bin/python bench/load.py --seconds 30 --users 200 --concurrency 64
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
HOCSO = str(Path(sys.executable).parent / "hocso")
PASSWORD = "load test password 1"
OPS = [("list_modules", 30), ("get_module", 25), ("progress_batch", 20), ("attempt", 15), ("stats", 10)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))] if values else float("nan")


class Server:
    """`hocso serve` in a subprocess with its own data folder and database."""

    def __init__(self, database_url: str, workers: int, folder: Path):
        self.port = free_port()
        self.env = dict(
            os.environ,
            DATABASE_URL=database_url,
            HOCSO_DATA_DIR=str(folder),
            HOCSO_CONTENT_DIR=str(ROOT / "tests" / "fixtures" / "content"),
            HOCSO_LOG_LEVEL="WARNING",
            HOCSO_REGISTER_ATTEMPTS_PER_IP="1000000",
            HOCSO_LOGIN_ATTEMPTS_PER_IP="1000000",
        )
        self.workers = workers
        self.proc: subprocess.Popen | None = None

    def cli(self, *args: str) -> None:
        subprocess.run([HOCSO, *args], env=self.env, check=True, capture_output=True, cwd=ROOT)

    def __enter__(self) -> Server:
        self.cli("migrate")
        self.cli("agencies", "load", str(ROOT / "data" / "sample-agencies.csv"))
        self.cli(
            "users",
            "create",
            "--email",
            "load.admin@example.vn",
            "--password",
            PASSWORD,
            "--full-name",
            "Load Admin",
            "--role",
            "agency_admin",
            "--agency",
            "VN",
        )
        self.proc = subprocess.Popen(
            [HOCSO, "serve", "--port", str(self.port), "--workers", str(self.workers)],
            env=self.env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if httpx.get(f"{self.url}/api/v1/health", timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                time.sleep(0.2)
        raise RuntimeError("server did not start")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *exc) -> None:
        if self.proc:
            self.proc.terminate()
            self.proc.wait(timeout=20)


async def setup_users(client: httpx.AsyncClient, n: int) -> list[dict]:
    """Registers n people, makes them civil servants of sample communes, and signs them in."""
    emails = [f"load.{uuid.uuid4().hex[:10]}@example.vn" for _ in range(n)]
    sem = asyncio.Semaphore(16)

    async def register(email: str) -> None:
        async with sem:
            r = await client.post(
                "/api/v1/auth/register", json={"email": email, "password": PASSWORD, "full_name": "Người Dùng Thử"}
            )
            r.raise_for_status()

    await asyncio.gather(*(register(e) for e in emails))
    admin = await login(client, "load.admin@example.vn")
    communes = ["T-HNI-X01", "T-HNI-X02", "T-HCM-X01", "T-HCM-X02", "T-DNG-X01", "T-HNI-VP"]
    rows = "\n".join(f"Người Dùng Thử,{e},,{random.choice(communes)}" for e in emails)
    r = await client.post(
        "/api/v1/agencies/VN/members/import",
        files={"file": ("load.csv", f"full_name,email,phone,agency_code\n{rows}\n".encode(), "text/csv")},
        headers=admin,
    )
    r.raise_for_status()
    if r.status_code == 202:  # a large file is imported by a job
        while (await client.get(r.json()["status_url"], headers=admin)).json()["status"] not in ("done", "failed"):
            await asyncio.sleep(0.5)
    users = []
    for email in emails:
        async with sem:
            headers = await login(client, email)
            # People who registered themselves are invited by the import; they join by accepting.
            for invitation in (await client.get("/api/v1/me/invitations", headers=headers)).json():
                (await client.post(f"/api/v1/me/invitations/{invitation['id']}/accept", headers=headers)).raise_for_status()
            users.append({"email": email, "headers": headers, "events": set(), "attempts": set()})
    return users


async def login(client: httpx.AsyncClient, email: str) -> dict:
    r = await client.post("/api/v1/auth/login", data={"username": email, "password": PASSWORD})
    r.raise_for_status()
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


RIGHT = {"q1": ["a"], "q2": ["a"], "q3": ["a"], "q4": ["a"], "q5": ["a"], "q6": ["a", "b"]}


async def one_op(client: httpx.AsyncClient, op: str, user: dict, admin: dict, sent_batches: list) -> int:
    if op == "list_modules":
        return (await client.get("/api/v1/modules", params={"lang": random.choice(["vi", "en"])})).status_code
    if op == "get_module":
        return (await client.get("/api/v1/modules/qr-basics")).status_code
    if op == "stats":
        return (await client.get("/api/v1/agencies/VN/stats", headers=admin)).status_code
    if op == "attempt":
        event_id = str(uuid.uuid4())
        user["attempts"].add(event_id)
        answers = RIGHT if random.random() < 0.7 else {"q1": ["b"]}
        body = {"event_id": event_id, "answers": answers, "occurred_at": datetime.now(UTC).isoformat()}
        return (await client.post("/api/v1/modules/qr-basics/attempts", json=body, headers=user["headers"])).status_code
    # progress_batch: a fresh batch, or (one time in four) a batch this phone already sent, as after a lost answer
    if sent_batches and random.random() < 0.25:
        owner, events = random.choice(sent_batches)
        return (await client.post("/api/v1/progress/events", json={"events": events}, headers=owner["headers"])).status_code
    events = [
        {
            "event_id": str(uuid.uuid4()),
            "type": "lesson_completed",
            "module": "qr-basics",
            "lesson": random.choice(["scan", "check"]),
            "occurred_at": datetime.now(UTC).isoformat(),
        }
        for _ in range(5)
    ]
    r = await client.post("/api/v1/progress/events", json={"events": events}, headers=user["headers"])
    if r.status_code == 200:
        user["events"].update(e["event_id"] for e in events)
        sent_batches.append((user, events))
    return r.status_code


async def run(url: str, users_n: int, concurrency: int, seconds: float) -> dict:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, timeout=30, limits=limits) as client:
        users = await setup_users(client, users_n)
        admin = await login(client, "load.admin@example.vn")
        latencies: dict[str, list[float]] = defaultdict(list)
        errors: dict[str, int] = defaultdict(int)
        sent_batches: list = []
        names, weights = zip(*OPS, strict=True)
        stop_at = time.perf_counter() + seconds

        async def vu() -> None:
            while time.perf_counter() < stop_at:
                op = random.choices(names, weights)[0]
                start = time.perf_counter()
                try:
                    status = await one_op(client, op, random.choice(users), admin, sent_batches)
                except httpx.TransportError:
                    status = 0
                latencies[op].append((time.perf_counter() - start) * 1000)
                if status >= 400 or status == 0:
                    errors[op] += 1

        started = time.perf_counter()
        await asyncio.gather(*(vu() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started

        # What the server holds must be exactly what the phones sent, replays counted once.
        lost = extra = 0
        for user in users:
            export = (await client.get("/api/v1/me/export", headers=user["headers"])).json()
            stored_events = {e["event_id"] for e in export["progress_events"]}
            stored_attempts = {a["event_id"] for a in export["attempts"]}
            lost += len(user["events"] - stored_events) + len(user["attempts"] - stored_attempts)
            extra += len(stored_events - user["events"]) + len(stored_attempts - user["attempts"])
        return {
            "seconds": round(elapsed, 1),
            "ops": {
                op: {
                    "count": len(v),
                    "per_s": round(len(v) / elapsed, 1),
                    "p50_ms": round(percentile(v, 0.5), 1),
                    "p95_ms": round(percentile(v, 0.95), 1),
                    "p99_ms": round(percentile(v, 0.99), 1),
                    "errors": errors[op],
                }
                for op, v in sorted(latencies.items())
            },
            "total_per_s": round(sum(len(v) for v in latencies.values()) / elapsed, 1),
            "events_sent": sum(len(u["events"]) for u in users),
            "attempts_sent": sum(len(u["attempts"]) for u in users),
            "lost": lost,
            "unexpected": extra,
        }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--postgres", default=os.environ.get("HOCSO_TEST_DATABASE_URL"))
    args = parser.parse_args()
    random.seed(7)

    results = []
    engines = [("sqlite", None)] + ([("postgresql", args.postgres)] if args.postgres else [])
    for engine, pg_url in engines:
        for workers in args.workers:
            with tempfile.TemporaryDirectory() as tmp:
                folder = Path(tmp)
                if pg_url:
                    db_url = _fresh_pg_database(pg_url)
                else:
                    db_url = f"sqlite:///{folder / 'load.db'}"
                print(
                    f"== {engine}, {workers} worker(s): {args.users} users, {args.concurrency} concurrent, {args.seconds:.0f} s",
                    flush=True,
                )
                with Server(db_url, workers, folder) as server:
                    result = asyncio.run(run(server.url, args.users, args.concurrency, args.seconds))
                result.update(engine=engine, workers=workers)
                results.append(result)
                print(f"{'operation':<16}{'count':>8}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}")
                for op, f in result["ops"].items():
                    print(
                        f"{op:<16}{f['count']:>8}{f['per_s']:>9}{f['p50_ms']:>9}{f['p95_ms']:>9}{f['p99_ms']:>9}{f['errors']:>8}"
                    )
                print(
                    f"total {result['total_per_s']} req/s; events sent {result['events_sent']}, attempts sent "
                    f"{result['attempts_sent']}; lost {result['lost']}, unexpected {result['unexpected']}\n",
                    flush=True,
                )
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "load.json").write_text(json.dumps(results, indent=2))
    return 1 if any(r["lost"] or r["unexpected"] for r in results) else 0


def _fresh_pg_database(server_url: str) -> str:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    url = make_url(server_url).set(drivername="postgresql+psycopg")
    name = f"hocso_load_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


if __name__ == "__main__":
    sys.exit(main())
