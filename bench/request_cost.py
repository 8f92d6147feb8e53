"""CPU time and SQL statements per request, in process: what each endpoint costs the app itself.

The machine these benchmarks run on is shared, so wall-clock rates swing with other work; CPU time spent in
the process per request barely does. This seeds a database the way bench/throughput.py does (a real `hocso
serve`, then stopped), builds the app in this process over it, and calls it directly over ASGI (no sockets,
no HTTP parsing), `--concurrency` requests at a time, as the event loop of one worker would see them. For each
endpoint it prints the CPU time per request (all threads of the process), the statements sent to the
database per request (counted with a SQLAlchemy event listener), and the same CPU figure for the bare
FastAPI app of bench/bare_app.py. `--profile` adds cProfile's top functions per endpoint.

    .venv/bin/python bench/request_cost.py
    .venv/bin/python bench/request_cost.py --only "/me/progress" attempt --profile
    scripts/with-postgres .venv/bin/python bench/request_cost.py --db postgres
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import io
import json
import os
import pstats
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import throughput  # noqa: E402  (the seeding and endpoints are throughput.py's, so both measure the same)


class Profiler:
    """yappi on every thread, CPU clock (the time a thread waits is not counted), else cProfile on this one."""

    def __init__(self):
        try:
            import yappi
        except ImportError:
            yappi = None
        self.yappi = yappi
        if yappi:
            yappi.clear_stats()
            yappi.set_clock_type("cpu")
        else:
            self.profile = cProfile.Profile()

    def enable(self) -> None:
        if self.yappi:
            self.yappi.start(builtins=False)
        else:
            self.profile.enable()

    def disable(self) -> None:
        if self.yappi:
            self.yappi.stop()
        else:
            self.profile.disable()

    def report(self, requests: int, top: int = 40) -> str:
        if not self.yappi:
            text = io.StringIO()
            pstats.Stats(self.profile, stream=text).sort_stats("cumulative").print_stats(top)
            return text.getvalue()
        stats = self.yappi.get_func_stats()
        total = sum(t.ttot for t in self.yappi.get_thread_stats())
        lines = [
            f"  yappi, CPU clock, all threads: {total / requests * 1e6:.0f} µs per request profiled",
            f"  {'incl µs/req':>12}{'self µs/req':>12}{'calls/req':>10}  function",
        ]
        for f in sorted(stats, key=lambda f: -(f.tsub if os.environ.get("BY_SELF") else f.ttot))[:top]:
            where = f"{Path(f.module).parent.name}/{Path(f.module).name}:{f.lineno}"
            lines.append(
                f"  {f.ttot / requests * 1e6:>12.1f}{f.tsub / requests * 1e6:>12.1f}"
                f"{f.ncall / requests:>10.1f}  {f.name} ({where})"
            )
        return "\n".join(lines)


class GcClock:
    """Time spent in the garbage collector and full collections made, from gc.callbacks."""

    def __init__(self):
        self.seconds, self.full, self._start = 0.0, 0, 0.0
        gc.callbacks.append(self._on)

    def _on(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._start = time.thread_time()
        else:
            self.seconds += time.thread_time() - self._start
            self.full += info["generation"] == 2


GC = GcClock()


class Call:
    """One ASGI request to an app, as uvicorn would make it, collecting the answer."""

    def __init__(self, method: str, path: str, headers: dict[str, str], body: bytes = b""):
        path, _, query = path.partition("?")
        self.scope = {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": query.encode(),
            "root_path": "",
            "server": ("127.0.0.1", 8000),
            "client": ("127.0.0.1", 50000),
            "headers": [
                (k.lower().encode(), v.encode())
                for k, v in {"host": "127.0.0.1:8000", **headers, "content-length": str(len(body))}.items()
            ],
        }
        self.body = body
        self.status = 0

    async def run(self, app) -> int:
        sent = False

        async def receive():
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": self.body, "more_body": False}
            await asyncio.sleep(3600)
            return {"type": "http.disconnect"}

        async def send(message):
            if message["type"] == "http.response.start":
                self.status = message["status"]

        await app(dict(self.scope), receive, send)
        return self.status


def request_of(ep: dict, n: int) -> Call:
    """The n-th request of an endpoint, with fresh UUIDs for writes, as bench/autocannon/run.js makes them."""
    headers = dict(ep.get("headers", {}))
    if ep.get("tokens"):
        headers["authorization"] = f"Bearer {ep['tokens'][n % len(ep['tokens'])]}"
    body = b""
    now = datetime.now(UTC).isoformat()
    if ep.get("body") == "progress":
        lessons = ep["lessons"]
        events = [
            {
                "event_id": str(uuid.uuid4()),
                "type": "lesson_completed",
                "module": ep["module"],
                "lesson": lessons[i % len(lessons)],
                "occurred_at": now,
            }
            for i in range(10)
        ]
        body = json.dumps({"events": events}).encode()
    elif ep.get("body") == "attempt":
        body = json.dumps({"event_id": str(uuid.uuid4()), "answers": ep["answers"], "occurred_at": now}).encode()
    if body:
        headers["content-type"] = "application/json"
    return Call(ep.get("method", "GET"), ep["path"], headers, body)


async def drive(app, calls: list[Call], concurrency: int) -> None:
    queue = iter(calls)

    async def lane():
        for call in queue:
            status = await call.run(app)
            if not 200 <= status < 300:
                raise SystemExit(f"{call.scope['method']} {call.scope['path']}: {status}")

    await asyncio.gather(*(lane() for _ in range(concurrency)))


async def cost(app, make, *, requests: int, concurrency: int, statements: list[int] | None = None, profile: bool = False) -> dict:
    """CPU µs and wall µs per request over `requests` calls (after a warm-up), statements per request, a profile."""
    await drive(app, [make(i) for i in range(concurrency * 2)], concurrency)  # warm: pools, caches, first builds
    calls = [make(i) for i in range(requests)]
    before = statements[0] if statements is not None else 0
    profiler = Profiler() if profile else None
    gc.collect()
    gc_seconds, gc_full = GC.seconds, GC.full
    cpu, wall = time.process_time(), time.perf_counter()
    if profiler:
        profiler.enable()
    await drive(app, calls, concurrency)
    if profiler:
        profiler.disable()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    out = {
        "cpu_us": cpu / requests * 1e6,
        "wall_us": wall / requests * 1e6,
        "gc_us": (GC.seconds - gc_seconds) / requests * 1e6,
        "gc_full": GC.full - gc_full,
        "statements": (statements[0] - before) / requests if statements is not None else None,
    }
    if profiler:
        out["profile"] = profiler.report(requests)
    return out


async def run(args: argparse.Namespace, env: dict[str, str], seeded: dict) -> list[dict]:
    from sqlalchemy import event

    os.environ.update(env)
    from bare_app import app as bare

    from hocso.core.config import get_settings
    from hocso.main import create_app

    get_settings.cache_clear()
    app = create_app()
    counted = [0]

    def count(*_args) -> None:
        counted[0] += 1

    event.listen(app.state.engine, "before_cursor_execute", count)
    shown: list[str] = []

    def show(_conn, _cursor, statement, *_args) -> None:
        shown.append(" ".join(statement.split())[:110])

    rows = []
    async with app.router.lifespan_context(app):
        bare_cost = await cost(bare, lambda _n: Call("GET", "/json", {}), requests=args.requests, concurrency=args.concurrency)
        print(
            f"{'endpoint':<28}{'CPU µs/req':>11}{'bare µs':>9}{'× bare':>8}{'SQL/req':>9}{'GC µs':>7}"
            f"{'full GCs':>9}{'wall µs':>9}",
            flush=True,
        )
        for ep in throughput.endpoints(seeded):
            if args.only and ep["name"] not in args.only:
                continue
            requests = args.requests if ep.get("method") != "POST" else max(args.requests // 4, args.concurrency)
            ours = await cost(
                app,
                lambda n, ep=ep: request_of(ep, n),
                requests=requests,
                concurrency=args.concurrency,
                statements=counted,
                profile=args.profile,
            )
            row = {
                "endpoint": ep["name"],
                "cpu_us": ours["cpu_us"],
                "bare_cpu_us": bare_cost["cpu_us"],
                "statements": ours["statements"],
                "wall_us": ours["wall_us"],
                "gc_us": ours["gc_us"],
                "gc_full": ours["gc_full"],
                "requests": requests,
            }
            rows.append(row)
            if args.statements:
                event.listen(app.state.engine, "before_cursor_execute", show)
                await drive(app, [request_of(ep, 0)], 1)
                event.remove(app.state.engine, "before_cursor_execute", show)
                row["statement_list"] = shown[:]
            print(
                f"{ep['name']:<28}{row['cpu_us']:>11.0f}{row['bare_cpu_us']:>9.0f}"
                f"{row['cpu_us'] / row['bare_cpu_us']:>8.1f}{row['statements']:>9.1f}{row['gc_us']:>7.0f}"
                f"{row['gc_full']:>9}{row['wall_us']:>9.0f}",
                flush=True,
            )
            if args.statements:
                print("".join(f"    {line}\n" for line in shown), end="")
                shown.clear()
            if args.profile:
                print(ours["profile"])
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=2000, help="requests per endpoint (a quarter for writes)")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--postgres", default=os.environ.get("HOCSO_TEST_DATABASE_URL"))
    parser.add_argument("--only", nargs="*", help="only these endpoints (names as printed)")
    parser.add_argument("--profile", action="store_true", help="print the top functions per endpoint (yappi if installed)")
    parser.add_argument("--statements", action="store_true", help="list the SQL statements of one request per endpoint")
    args = parser.parse_args()
    if args.db == "postgres" and not args.postgres:
        raise SystemExit("--db postgres needs a server: run under scripts/with-postgres or pass --postgres URL")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        env = throughput.hocso_env(folder, args.db, args.postgres)
        port = throughput.free_port()
        argv = [str(throughput.BIN / "hocso"), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"]
        url = f"http://127.0.0.1:{port}"
        print(f"seeding a {args.db} database through `hocso serve` ...", flush=True)
        with throughput.Process(argv, env, folder / "hocso.log", f"{url}/api/v1/health"):
            seeded = throughput.seed(url, env, 32)
        print(f"in process, {args.concurrency} requests at a time, CPU of all the process's threads per request:")
        rows = asyncio.run(run(args, env, seeded))
    out = throughput.ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "request_cost.json").write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
