"""Throughput beside the framework's ceiling: Hocso's endpoints against a bare FastAPI app, same uvicorn, same run.

Starts the bare app (bench/bare_app.py) and `hocso serve` with the same uvicorn settings on free ports,
seeds Hocso (the modules in content/, the sample agency tree, learners who are civil servants there, an
agency admin of the root), then drives both with autocannon (npm, installed into bench/autocannon/ with
`npm ci`), alternating bare and Hocso per endpoint (A/B/A/B). Prints req/s, p50/p99 and the ratio to the
bare app per endpoint, for 1 and 2 workers, and the number of such boxes 400,000 learners need.

    .venv/bin/python bench/throughput.py                              # SQLite, 1 and 2 workers (~12 min)
    .venv/bin/python bench/throughput.py --seconds 4 --rounds 1       # a quicker look
    scripts/with-postgres .venv/bin/python bench/throughput.py --db postgres
    .venv/bin/python bench/throughput.py --workers 1 --only /me/progress --profile   # where the time goes (py-spy)
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CANNON_DIR = ROOT / "bench" / "autocannon"
PASSWORD = "throughput bench password 1"
ADMIN = "bench.admin@example.vn"
COMMUNES = ["T-HNI-X01", "T-HNI-X02", "T-HCM-X01", "T-HCM-X02", "T-DNG-X01", "T-HNI-VP"]

# 400,000 learners at once, each phone sending one request every 40 s.
LEARNERS, SECONDS_PER_REQUEST = 400_000, 40
# What those requests are, by share, for the per-box figure: mostly reading modules and syncing progress.
MIX = {
    "module list": 15,
    "module detail vi": 20,
    "module detail en": 5,
    "/me/progress": 15,
    "progress batch (10 events)": 25,
    "attempt": 15,
    "agency stats": 5,
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.time() + 90
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {log.read_text()[-2000:]}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"server did not start: {log.read_text()[-2000:]}")


class Process:
    """A server in its own process group, stopped at the end."""

    def __init__(self, argv: list[str], env: dict[str, str], log: Path, health: str):
        self.argv, self.env, self.log, self.health = argv, env, log, health
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> Process:
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(self.argv, env=self.env, cwd=ROOT, stdout=out, stderr=out, start_new_session=True)
        wait_until_up(self.health, self.proc, self.log)
        return self

    def __exit__(self, *exc) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def uvicorn_settings(port: int, workers: int) -> list[str]:
    """The settings `hocso serve` gives uvicorn (hocso/cli.py), for the bare app."""
    return [
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--proxy-headers",
        "--no-access-log",
        "--log-level",
        "info",
    ]


def ensure_autocannon() -> None:
    if not (CANNON_DIR / "node_modules" / "autocannon").is_dir():
        print("installing autocannon (npm ci, once) ...", flush=True)
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--silent"], cwd=CANNON_DIR, check=True)


def cannon(job: dict) -> dict:
    out = subprocess.run(["node", str(CANNON_DIR / "run.js"), json.dumps(job)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def seed(url: str, env: dict[str, str], learners: int) -> dict:
    """Registers learners, makes them civil servants of sample communes, signs everyone in, syncs some progress."""

    def cli(*args: str) -> None:
        subprocess.run([str(BIN / "hocso"), *args], env=env, cwd=ROOT, check=True, capture_output=True)

    cli("agencies", "load", str(ROOT / "data" / "sample-agencies.csv"))
    cli(
        "users",
        "create",
        "--email",
        ADMIN,
        "--password",
        PASSWORD,
        "--full-name",
        "Quản trị thử tải",
        "--role",
        "agency_admin",
        "--agency",
        "VN",
    )
    with httpx.Client(base_url=url, timeout=60) as client:

        def login(email: str) -> str:
            r = client.post("/api/v1/auth/login", data={"username": email, "password": PASSWORD})
            r.raise_for_status()
            return r.json()["access_token"]

        emails = [f"learner.{uuid.uuid4().hex[:10]}@example.vn" for _ in range(learners)]
        for email in emails:
            client.post(
                "/api/v1/auth/register", json={"email": email, "password": PASSWORD, "full_name": "Người Học Thử"}
            ).raise_for_status()
        admin = login(ADMIN)
        rows = "".join(f"Người Học Thử,{e},,{COMMUNES[i % len(COMMUNES)]}\n" for i, e in enumerate(emails))
        client.post(
            "/api/v1/agencies/VN/members/import",
            headers={"Authorization": f"Bearer {admin}"},
            files={"file": ("learners.csv", f"full_name,email,phone,agency_code\n{rows}".encode(), "text/csv")},
        ).raise_for_status()
        tokens = [login(e) for e in emails]
        # People who already had an account are invited, not moved: each accepts, and is then a civil servant
        # whose completions update the rollups of every agency on the path, and whose progress lists requirements.
        for token in tokens:
            headers = {"Authorization": f"Bearer {token}"}
            for invitation in client.get("/api/v1/me/invitations", headers=headers).json():
                client.post(f"/api/v1/me/invitations/{invitation['id']}/accept", headers=headers).raise_for_status()
            if client.get("/api/v1/me", headers=headers).json().get("agency") is None:
                raise SystemExit("a seeded learner did not become a civil servant")
        modules = client.get("/api/v1/modules").json()
        module = modules[0]["slug"]
        detail = client.get(f"/api/v1/modules/{module}").json()
        lessons = [lesson["id"] for lesson in detail["lessons"]]
        answers = right_answers(module)
        # A requirement for everyone, so each learner's progress names what is required of them and by when.
        client.post(
            "/api/v1/agencies/VN/requirements",
            headers={"Authorization": f"Bearer {admin}"},
            json={"module": module, "due_date": f"{datetime.now(UTC).year}-12-31"},
        ).raise_for_status()
        # Each learner has started: a few lessons and one passed attempt, so /me/progress has something to say.
        for token in tokens:
            headers = {"Authorization": f"Bearer {token}"}
            now = datetime.now(UTC).isoformat()
            events = [
                {
                    "event_id": str(uuid.uuid4()),
                    "type": "lesson_completed",
                    "module": module,
                    "lesson": lesson,
                    "occurred_at": now,
                }
                for lesson in lessons[:2]
            ]
            client.post("/api/v1/progress/events", json={"events": events}, headers=headers).raise_for_status()
            client.post(
                f"/api/v1/modules/{module}/attempts",
                headers=headers,
                json={"event_id": str(uuid.uuid4()), "answers": answers, "occurred_at": now},
            ).raise_for_status()
    return {"admin": admin, "tokens": tokens, "module": module, "lessons": lessons, "answers": answers}


def right_answers(slug: str) -> dict[str, list[str]]:
    from hocso.content.schema import scan_catalogue

    for area in scan_catalogue(ROOT / "content").areas:
        for doc in area.modules:
            if doc.slug == slug:
                quiz = doc.to_data()["quiz"]
                return {q["id"]: [c["id"] for c in q["choices"] if c["correct"]] for q in quiz["questions"]}
    raise SystemExit(f"module {slug} is not in content/")


def endpoints(seeded: dict) -> list[dict]:
    """What is measured: name, request, and the ratio to the bare app it should reach (None: no target)."""
    module, gz = seeded["module"], {"accept-encoding": "gzip"}
    return [
        {"name": "health", "path": "/api/v1/health", "target": 0.6},
        {"name": "module list", "path": "/api/v1/modules?lang=vi", "headers": gz, "target": 0.6},
        {"name": "module detail vi", "path": f"/api/v1/modules/{module}?lang=vi", "headers": gz, "target": 0.6},
        {"name": "module detail en", "path": f"/api/v1/modules/{module}?lang=en", "headers": gz, "target": 0.6},
        {"name": "/me/progress", "path": "/api/v1/me/progress", "tokens": seeded["tokens"], "target": 0.4},
        {"name": "agency stats", "path": "/api/v1/agencies/VN/stats", "tokens": [seeded["admin"]], "target": None},
        {
            "name": "progress batch (10 events)",
            "method": "POST",
            "path": "/api/v1/progress/events",
            "tokens": seeded["tokens"],
            "body": "progress",
            "module": module,
            "lessons": seeded["lessons"],
            "target": 0.25,
        },
        {
            "name": "attempt",
            "method": "POST",
            "path": f"/api/v1/modules/{module}/attempts",
            "tokens": seeded["tokens"],
            "body": "attempt",
            "answers": seeded["answers"],
            "target": 0.25,
        },
    ]


def check_once(url: str, ep: dict) -> None:
    """One request by hand before the load: the endpoint answers 200 (gzipped when asked), so the figures mean something."""
    headers = dict(ep.get("headers", {}))
    if ep.get("tokens"):
        headers["authorization"] = f"Bearer {ep['tokens'][0]}"
    with httpx.Client(base_url=url, timeout=30) as client:
        if ep.get("method") == "POST":
            return
        r = client.get(ep["path"], headers=headers)
        if r.status_code != 200:
            raise SystemExit(f"{ep['name']}: {r.status_code} {r.text[:300]}")
        if headers.get("accept-encoding") == "gzip" and r.headers.get("content-encoding") != "gzip":
            raise SystemExit(f"{ep['name']}: asked for gzip, got {r.headers.get('content-encoding')}")


def profiled(pid: int, seconds: int, out: Path) -> subprocess.Popen:
    """py-spy sampling the server (and its workers) while the CPU is held, as collapsed stacks in out."""
    py_spy = shutil.which("py-spy", path=str(BIN)) or shutil.which("py-spy")
    if py_spy is None:
        raise SystemExit("--profile needs py-spy: .venv/bin/pip install py-spy")
    return subprocess.Popen(
        [
            py_spy,
            "record",
            "--pid",
            str(pid),
            "--subprocesses",
            "--gil",
            "--nonblocking",
            "--format",
            "raw",
            "--rate",
            "250",
            "--duration",
            str(seconds),
            "--output",
            str(out),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def summarise_profile(path: Path, top: int = 14) -> list[tuple[str, float]]:
    """The frames holding the most samples (inclusive), as shares of all samples, from py-spy's collapsed stacks."""
    total, inclusive = 0, {}
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        n = int(count)
        total += n
        seen = set()
        for frame in stack.split(";"):
            name = (
                frame.split(" (")[0] + " (" + frame.split(" (")[-1].split(":")[0].rsplit("/", 1)[-1] + ")"
                if " (" in frame
                else frame
            )
            if name not in seen:
                seen.add(name)
                inclusive[name] = inclusive.get(name, 0) + n
    ranked = sorted(inclusive.items(), key=lambda kv: -kv[1])
    return [(name, n / total) for name, n in ranked[:top]] if total else []


def measure(
    bare_url: str,
    url: str,
    eps: list[dict],
    *,
    seconds: int,
    connections: int,
    rounds: int,
    bare_path: str,
    profile: tuple[int, Path] | None = None,
) -> list[dict]:
    rows = []
    for ep in eps:
        check_once(url, ep)
        bare, ours = [], []
        for _ in range(rounds):  # A/B/A/B: both see the same state of a machine shared with other work
            bare.append(cannon({"url": bare_url, "path": bare_path, "connections": connections, "duration": seconds}))
            job = {k: v for k, v in ep.items() if k not in ("name", "target")}
            spy = None
            if profile is not None:
                out = profile[1] / ("profile-" + "".join(c if c.isalnum() else "-" for c in ep["name"]) + ".txt")
                spy = profiled(profile[0], seconds, out)
            ours.append(cannon({**job, "url": url, "connections": connections, "duration": seconds}))
            if spy is not None:
                spy.wait()
                print(f"  profile of {ep['name']} ({out}):")
                for name, share in summarise_profile(out):
                    print(f"    {share:6.1%}  {name}")
        row = {
            "endpoint": ep["name"],
            "target": ep["target"],
            "bare_rps": sum(r["rps"] for r in bare) / rounds,
            "rps": sum(r["rps"] for r in ours) / rounds,
            "p50_ms": max(r["p50"] for r in ours),
            "p99_ms": max(r["p99"] for r in ours),
            "bare_p50_ms": max(r["p50"] for r in bare),
            "bare_p99_ms": max(r["p99"] for r in bare),
            "failed": sum(r["non2xx"] + r["errors"] + r["timeouts"] for r in ours),
            "status": [r["status"] for r in ours],
        }
        row["ratio"] = row["rps"] / row["bare_rps"] if row["bare_rps"] else 0.0
        rows.append(row)
        print_row(row)
    return rows


def print_header() -> None:
    print(
        f"{'endpoint':<28}{'bare req/s':>11}{'req/s':>9}{'p50 ms':>8}{'p99 ms':>8}{'ratio':>7}{'target':>8}  met  failed",
        flush=True,
    )


def print_row(r: dict) -> None:
    target = f"{r['target']:.2f}" if r["target"] is not None else "-"
    met = "-" if r["target"] is None else ("yes" if r["ratio"] >= r["target"] else "NO")
    print(
        f"{r['endpoint']:<28}{r['bare_rps']:>11.0f}{r['rps']:>9.0f}{r['p50_ms']:>8.0f}{r['p99_ms']:>8.0f}"
        f"{r['ratio']:>7.2f}{target:>8}  {met:<4} {r['failed']:>6}",
        flush=True,
    )


# PostgreSQL's own time per write transaction, measured by bench/agency_stats.py (recording a completion: 0.8 ms
# of server time, the rest being the client); reads here are a few index lookups, counted at a quarter of that.
PG_MS_PER_WRITE, PG_MS_PER_READ = 0.8, 0.2


def sizing(rows: list[dict], workers: int, pg_max_connections: int) -> dict:
    """Boxes for 400,000 concurrent learners, from this box's figures and the request mix above."""
    rps = {r["endpoint"]: r["rps"] for r in rows}
    total = sum(MIX.values())
    # Time per request of the mix: each kind costs 1/its rate of the box, weighted by its share.
    per_box = 1 / sum(share / total / rps[name] for name, share in MIX.items())
    demand = LEARNERS / SECONDS_PER_REQUEST
    boxes = math.ceil(demand / per_box)
    writes = demand * (MIX["progress batch (10 events)"] + MIX["attempt"]) / total
    # Module reads are answered from memory; every other request is one short transaction.
    reads = demand * (MIX["/me/progress"] + MIX["agency stats"]) / total
    from hocso.core.db import make_engine

    pool = make_engine("postgresql+psycopg://sizing@127.0.0.1/sizing").pool  # not connected: only its limits
    per_worker = pool.size() + pool._max_overflow
    return {
        "workers": workers,
        "mix_rps_per_box": per_box,
        "demand_rps": demand,
        "boxes": boxes,
        "writes_per_s": writes,
        "reads_per_s": reads,
        "events_per_s": demand * MIX["progress batch (10 events)"] / total * 10,
        "pg_cores_busy": (writes * PG_MS_PER_WRITE + reads * PG_MS_PER_READ) / 1000,
        "app_connections": boxes * workers * per_worker,
        "connections_per_worker": per_worker,
        "pg_max_connections": pg_max_connections,
    }


def print_sizing(s: dict, db: str) -> None:
    mix = ", ".join(f"{name} {share}%" for name, share in MIX.items())
    pooled = s["app_connections"] > s["pg_max_connections"]
    print(
        f"\nsizing from {db}, {s['workers']} worker(s) on this box (load generator on the same box):\n"
        f"  request mix: {mix}\n"
        f"  one box serves {s['mix_rps_per_box']:.0f} req/s of that mix\n"
        f"  {LEARNERS:,} learners, one request every {SECONDS_PER_REQUEST} s: {s['demand_rps']:,.0f} req/s "
        f"-> {s['boxes']} boxes like this one\n"
        f"  PostgreSQL: {s['writes_per_s']:,.0f} write transactions/s ({s['events_per_s']:,.0f} progress events/s "
        f"plus attempts) and {s['reads_per_s']:,.0f} read transactions/s; at {PG_MS_PER_WRITE} ms of server time "
        f"per write and {PG_MS_PER_READ} per read, {s['pg_cores_busy']:.1f} cores busy: a primary with "
        f"{max(8, 2 ** math.ceil(math.log2(max(1.0, s['pg_cores_busy'] * 2))))} cores (half idle for peaks, "
        f"autovacuum, replication)\n"
        f"  connections the app may open: {s['boxes']} boxes x {s['workers']} workers x "
        f"{s['connections_per_worker']} = {s['app_connections']:,} against max_connections "
        f"{s['pg_max_connections']}: "
        + (
            "more than PostgreSQL takes, so PgBouncer in transaction mode between them, with a server pool of "
            "about 2-4 x the primary's cores"
            if pooled
            else "within it, no pooler needed"
        ),
        flush=True,
    )


def fresh_pg_database(server_url: str) -> str:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    url = make_url(server_url).set(drivername="postgresql+psycopg")
    name = f"hocso_throughput_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def hocso_env(folder: Path, db: str, postgres: str | None) -> dict[str, str]:
    """The environment Hocso runs under here: a fresh database, the repository's content, production logging."""
    database_url = fresh_pg_database(postgres) if db == "postgres" else f"sqlite:///{folder / 'hocso.db'}"
    env = dict(
        os.environ,
        DATABASE_URL=database_url,
        HOCSO_DATA_DIR=str(folder),
        HOCSO_CONTENT_DIR=str(ROOT / "content"),
        HOCSO_ACCESS_TOKEN_MINUTES="60",
        HOCSO_SECRET_KEY="throughput-bench-" + "k" * 40,  # from the environment, as in production
        HOCSO_REGISTER_ATTEMPTS_PER_IP="1000000",
        HOCSO_REGISTER_ATTEMPTS_PER_IDENTIFIER="1000000",
        HOCSO_LOGIN_ATTEMPTS_PER_IP="1000000",
    )
    env.pop("HOCSO_LOG_LEVEL", None)  # the production default: one INFO line per request
    return env


def run_config(db: str, workers: int, args: argparse.Namespace) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        env = hocso_env(folder, db, args.postgres)
        bare_port, port = free_port(), free_port()
        bare_argv = [
            str(BIN / "uvicorn"),
            "--app-dir",
            str(ROOT / "bench"),
            "bare_app:app",
            *uvicorn_settings(bare_port, workers),
        ]
        hocso_argv = [str(BIN / "hocso"), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
        bare_url, url = f"http://127.0.0.1:{bare_port}", f"http://127.0.0.1:{port}"
        print(
            f"\n== {db}, {workers} worker(s): autocannon, {args.connections} connections, {args.seconds} s per run, "
            f"{args.rounds} round(s) A/B; bare app {args.bare_path}",
            flush=True,
        )
        with (
            Process(bare_argv, env, folder / "bare.log", f"{bare_url}{args.bare_path}"),
            Process(hocso_argv, env, folder / "hocso.log", f"{url}/api/v1/health") as server,
        ):
            seeded = seed(url, env, args.connections)
            print_header()
            profile = None
            if args.profile:
                profile = (server.proc.pid, ROOT / "bench" / "out")
                profile[1].mkdir(parents=True, exist_ok=True)
            rows = measure(
                bare_url,
                url,
                endpoints(seeded),
                seconds=args.seconds,
                connections=args.connections,
                rounds=args.rounds,
                bare_path=args.bare_path,
                profile=profile,
            )
        return {"db": db, "workers": workers, "rows": rows}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=8, help="length of one autocannon run")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=2, help="A/B pairs per endpoint")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("HOCSO_TEST_DATABASE_URL"),
        help="a PostgreSQL server URL (scripts/with-postgres sets it)",
    )
    parser.add_argument(
        "--bare-path",
        default="/json",
        choices=["/json-async", "/json"],
        help="the bare app's endpoint: async (the framework's ceiling) or a sync def",
    )
    parser.add_argument("--only", nargs="*", help="measure only these endpoints (names as printed)")
    parser.add_argument(
        "--pg-max-connections", type=int, default=100, help="PostgreSQL's max_connections for the sizing (its default: 100)"
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="sample Hocso with py-spy during its runs; print the top frames, stacks in bench/out/",
    )
    args = parser.parse_args()
    if args.db != "sqlite" and not args.postgres:
        raise SystemExit("--db postgres needs a server: run under scripts/with-postgres or pass --postgres URL")
    if shutil.which("node") is None:
        raise SystemExit("node is needed for autocannon (Node.js 20+, as for the PWA)")
    ensure_autocannon()
    global endpoints
    if args.only:
        every = endpoints
        endpoints = lambda seeded: [e for e in every(seeded) if e["name"] in args.only]  # noqa: E731

    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    results = [run_config(db, workers, args) for db in dbs for workers in args.workers]
    sizes = []
    for result in results:
        if not args.only:
            s = sizing(result["rows"], result["workers"], args.pg_max_connections)
            s["db"] = result["db"]
            sizes.append(s)
    if sizes:
        best = max(workers for workers in args.workers)
        for s in sizes:
            if s["workers"] == best:
                print_sizing(s, s["db"])
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "throughput.json").write_text(json.dumps({"results": results, "sizing": sizes}, indent=2))
    missed = [r for res in results for r in res["rows"] if r["target"] is not None and r["ratio"] < r["target"]]
    failed = [r for res in results for r in res["rows"] if r["failed"]]
    if failed:
        print(f"\nrequests that failed: {', '.join(r['endpoint'] for r in failed)}")
    return 1 if failed else (2 if missed else 0)


if __name__ == "__main__":
    sys.exit(main())
