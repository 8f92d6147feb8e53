"""Staff import at size against a real `hocso serve`: rows per second, and /health's latency while it runs.

For each size, uploads a CSV of new civil servants spread over the sample tree's Hà Nội communes (a large file
becomes a job that is polled until done) while another thread asks /health every 50 ms. Prints the import's
time and rows/s and /health's p50/p99/max before and during the import; writes bench/out/import_latency-<db>.json.

    .venv/bin/python bench/import_latency.py                                  # SQLite: 5,000 and 50,000 rows
    scripts/with-postgres .venv/bin/python bench/import_latency.py --db postgres
    .venv/bin/python bench/import_latency.py --rows 1000 5000
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load import PASSWORD, ROOT, Server, percentile  # noqa: E402

OUT = ROOT / "bench" / "out"


def database_url(db: str, folder: Path) -> str:
    if db == "sqlite":
        return f"sqlite:///{folder / 'hocso.db'}"
    import os

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    base = os.environ.get("HOCSO_TEST_DATABASE_URL")
    if not base:
        raise SystemExit("--db postgres needs HOCSO_TEST_DATABASE_URL (run under scripts/with-postgres)")
    url = make_url(base).set(drivername="postgresql+psycopg")
    name = f"hocso_import_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def hanoi_codes() -> list[str]:
    lines = (ROOT / "data" / "sample-agencies.csv").read_text(encoding="utf-8").splitlines()[1:]
    return [line.split(",")[0] for line in lines if line.startswith("T-HNI-")]


class HealthProbe(threading.Thread):
    """Asks /health every 50 ms and keeps each answer's latency in ms (a timeout counts as 10,000)."""

    def __init__(self, url: str):
        super().__init__(daemon=True)
        self.url, self.ms, self.at, self.stop = url, [], [], threading.Event()
        self.t0 = time.perf_counter()

    def run(self) -> None:
        with httpx.Client(timeout=10) as client:
            while not self.stop.is_set():
                start = time.perf_counter()
                self.at.append(start - self.t0)
                try:
                    client.get(f"{self.url}/api/v1/health").raise_for_status()
                    self.ms.append((time.perf_counter() - start) * 1000)
                except httpx.HTTPError:
                    self.ms.append(10_000.0)
                time.sleep(0.05)


def probe(url: str, seconds: float) -> list[float]:
    p = HealthProbe(url)
    p.start()
    time.sleep(seconds)
    p.stop.set()
    p.join()
    return p.ms


def run_import(url: str, headers: dict, rows: int, codes: list[str]) -> dict:
    tag = uuid.uuid4().hex[:6]
    body = "full_name,email,phone,agency_code\n" + "".join(
        f"Nguyễn Văn Thử {i},thu.{tag}.{i}@example.vn,,{codes[i % len(codes)]}\n" for i in range(rows)
    )
    health = HealthProbe(url)
    health.start()
    start = time.perf_counter()
    with httpx.Client(timeout=600) as client:
        r = client.post(
            f"{url}/api/v1/agencies/T-HNI/members/import",
            headers=headers,
            files={"file": ("staff.csv", body.encode(), "text/csv")},
        )
        r.raise_for_status()
        mode, result = "inline", r.json()
        if r.status_code == 202:
            mode = "job"
            while (job := client.get(url + r.json()["status_url"], headers=headers).json())["status"] not in ("done", "failed"):
                time.sleep(0.25)
            if job["status"] != "done":
                raise RuntimeError(f"import failed: {job['error']}")
            result = job["result"]
    seconds = time.perf_counter() - start
    health.stop.set()
    health.join()
    assert result["created"] == rows, result["created"]
    slowest = sorted(zip(health.ms, health.at, strict=True), reverse=True)[:3]
    return {
        "rows": rows,
        "mode": mode,
        "seconds": round(seconds, 2),
        "rows_per_s": round(rows / seconds),
        "health": summary(health.ms),
        "slowest_at_s": [[round(ms), round(at, 1)] for ms, at in slowest],
    }


def summary(ms: list[float]) -> dict:
    return {
        "n": len(ms),
        "p50_ms": round(percentile(ms, 0.5), 1),
        "p99_ms": round(percentile(ms, 0.99), 1),
        "max_ms": round(max(ms), 1) if ms else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[5_000, 50_000])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, Server(database_url(args.db, Path(tmp)), args.workers, Path(tmp)) as server:
        token = httpx.post(
            f"{server.url}/api/v1/auth/login", data={"username": "load.admin@example.vn", "password": PASSWORD}
        ).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        idle = summary(probe(server.url, 3))
        runs = [run_import(server.url, headers, n, hanoi_codes()) for n in args.rows]
    print(f"{args.db}, {args.workers} worker(s); /health idle: p50 {idle['p50_ms']} ms, p99 {idle['p99_ms']} ms")
    print(f"{'rows':>7} {'mode':>6} {'seconds':>8} {'rows/s':>7} {'health n':>9} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7}")
    for r in runs:
        h = r["health"]
        print(
            f"{r['rows']:>7} {r['mode']:>6} {r['seconds']:>8} {r['rows_per_s']:>7} {h['n']:>9} {h['p50_ms']:>7} "
            f"{h['p99_ms']:>7} {h['max_ms']:>7}   slowest (ms @ s): {r['slowest_at_s']}"
        )
    OUT.mkdir(exist_ok=True)
    out = OUT / f"import_latency-{args.db}.json"
    out.write_text(json.dumps({"db": args.db, "workers": args.workers, "idle_health": idle, "runs": runs}, indent=2))
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
