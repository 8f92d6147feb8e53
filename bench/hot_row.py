"""First completions from many writers at once, across a national tree: is there a hot row?

Builds a fresh database (the app's migrations and content/, the `full` preset's tree of bench/agency_data.py:
about 10,300 agencies; --people civil servants spread over it, none with any completion yet), then runs
rounds of --seconds each. In a round --writers concurrent writers (--processes processes x threads, each
thread with its own session) record first completions through `flows.submit_attempt` (what
POST /modules/{slug}/attempts runs), one transaction each, committed, never retried. Meanwhile the
coordinator reads the root's stats with `stats.figures.agency_stats` every --stats-every seconds, counts
the writers PostgreSQL shows waiting on a lock, and runs the app's job runner (--runners of them, as two
serving processes would), which folds the appended rollup changes every few seconds.

Modes, alternated A/B so that the machine's load falls on both alike:
  append    the app's code: writers append rollup changes (agency_rollup_delta), the runners fold them
  in-place  as before the fix: each writer adds 1 to every counter on the person's path, the root's included

Prints per round first completions/s, deadlocks, other errors, latency and the writers' CPU per completion,
the root's stats p50/p99 while writing, and whether the root's, a province's and a leaf's stats equal a
naive recount right after the round and after the runners' next fold. Writes bench/out/hot_row-<engine>.json;
exits 1 if any figure disagreed with the recount or any write failed.

    scripts/with-postgres .venv/bin/python bench/hot_row.py                    # PostgreSQL, 64 writers
    HOCSO_PG_DURABLE=1 scripts/with-postgres .venv/bin/python bench/hot_row.py  # with durable commits
    .venv/bin/python bench/hot_row.py --db sqlite --writers 8 --processes 2     # SQLite (one writer at a time)
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import random
import statistics
import sys
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from agency_data import (  # noqa: E402
    OUT,
    PRESETS,
    ROOT,
    Loader,
    Progress,
    build_tree,
    fresh_database,
    head_counts,
    insert_agencies,
    make_printable,
    resolve_db,
    right_answers,
    sorted_user_ids,
)


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))] if values else float("nan")


def build(url: str, kind: str, people: int, seed: int) -> None:
    """A fresh database: migrations, content, the full preset's tree, people without completions, rollups."""
    from hocso.content.service import sync_content
    from hocso.core.db import make_engine, open_session
    from hocso.core.migrate import upgrade
    from hocso.core.timeutil import utcnow
    from hocso.stats import rollups

    rng = random.Random(seed)
    fresh_database(url, kind)
    engine = make_engine(url)
    upgrade(engine)
    with open_session(engine, write=True) as session:
        sync_content(session, ROOT / "content")
        session.commit()
    engine.dispose()
    nodes = build_tree(PRESETS["full"], rng)
    counts = head_counts(nodes, people, rng)
    loader = Loader(url, kind)
    insert_agencies(loader, nodes)
    ids = sorted_user_ids(people, rng)
    agency_of = [n.id for n, c in zip(nodes, counts, strict=True) for _ in range(c)]
    rng.shuffle(agency_of)
    stamp = utcnow().strftime("%Y-%m-%d %H:%M:%S.%f") + ("" if kind == "sqlite" else "+00")
    progress = Progress("user_account", people)
    loader.insert(
        "user_account",
        ["id", "email", "full_name", "created_at", "agency_id"],
        ((uid, f"hot{i:07d}@bench.hocso.vn", "Cán bộ", stamp, agency_of[i]) for i, uid in enumerate(ids)),
        progress,
    )
    progress.finish()
    if kind != "sqlite":
        loader.conn.execute("VACUUM ANALYZE")
    loader.finish()  # SQLite back to WAL; PostgreSQL's id sequences past the loaded rows
    engine = make_engine(url)
    with open_session(engine, write=True) as session:
        rollups.rebuild_all(session)
        session.commit()
    engine.dispose()
    print(f"  built: {len(nodes):,} agencies, {people:,} civil servants", flush=True)


def update_in_place(session, *, agency_id, slug, old_year, new_year, years_before, path=None) -> None:
    """How completions changed the rollups before the fix: +1 on every counter of the path, in place."""
    from hocso.agencies.models import AgencyModuleRollup, AgencyYearRollup
    from hocso.agencies.tree import path_ids
    from hocso.stats.rollups import _add, agency_path

    if old_year == new_year:
        return
    ids = path_ids(agency_path(session, agency_id))
    goal_rows = []
    if not years_before.get(new_year):
        goal_rows += [{"agency_id": a, "year": new_year, "goal_met": 1} for a in ids]
    if old_year is not None and years_before.get(old_year) == 1:
        goal_rows += [{"agency_id": a, "year": old_year, "goal_met": -1} for a in ids]
    _add(session, AgencyYearRollup, goal_rows, ["agency_id", "year"], "goal_met")
    module_rows = [{"agency_id": a, "module_slug": slug, "year": new_year, "completed": 1} for a in ids]
    if old_year is not None:
        module_rows += [{"agency_id": a, "module_slug": slug, "year": old_year, "completed": -1} for a in ids]
    _add(session, AgencyModuleRollup, module_rows, ["agency_id", "module_slug", "year"], "completed")


def record_first_completion(engine, user_id: uuid.UUID, slug: str, answers: dict, *, only_rollups: bool, year: int) -> None:
    """Records one person's first completion of a module in a transaction of its own, committed."""
    from hocso.accounts.models import User
    from hocso.core.db import open_session
    from hocso.core.timeutil import utcnow
    from hocso.flows import submit_attempt
    from hocso.learning.client_time import Receipt
    from hocso.learning.schemas import AttemptIn
    from hocso.stats import rollups

    with open_session(engine, write=True) as session:
        if only_rollups:  # the person's lock and the rollup writes of a first completion, nothing else
            agency_id = rollups.lock_person(session, user_id)
            rollups.completion_changed(session, agency_id=agency_id, slug=slug, old_year=None, new_year=year, years_before={})
            session.commit()
            return
        body = AttemptIn(event_id=uuid.uuid4(), answers=answers, occurred_at=utcnow())
        result = submit_attempt(
            session, user=session.get(User, user_id), slug=slug, data=body, lang="vi", receipt=Receipt(at=utcnow())
        )
        session.commit()
    if not result.passed:
        raise RuntimeError(f"the attempt on {slug} did not pass")


def count_failure(out: dict, exc: Exception) -> None:
    """Counts a failed write in out: a deadlock as such, anything else as an error with a few samples kept."""
    code = getattr(getattr(exc, "orig", None), "sqlstate", None)
    if code == "40P01":
        out["deadlocks"] += 1
        return
    out["errors"] += 1
    if len(out["error_samples"]) < 3:
        out["error_samples"].append(f"{type(exc).__name__}: {str(exc)[:300]}")


def writer_process(
    url: str, mode: str, only_rollups: bool, threads: int, work: list[tuple[str, str]], answers: dict, ready, go, stop, results
) -> None:
    """Records first completions from `threads` threads, each with its own session, until told to stop."""
    os.environ.setdefault("HOCSO_LOG_LEVEL", "WARNING")
    from sqlmodel import select

    from hocso.stats import rollups

    if mode == "in-place":
        rollups.completion_changed = update_in_place
    from hocso.core.timeutil import current_vietnam_year

    year = current_vietnam_year()

    from hocso.accounts.models import User
    from hocso.core.db import make_engine, open_session

    engine = make_engine(url, connections=threads)
    with open_session(engine) as session:  # warm the pool, the statement caches and the content cache
        session.exec(select(User.id).limit(1)).all()
    lock = threading.Lock()
    queue = list(reversed(work))
    out = {"ok": 0, "deadlocks": 0, "errors": 0, "error_samples": [], "latencies_ms": []}

    def next_item():
        with lock:
            return queue.pop() if queue else None

    def run() -> None:
        while not stop.is_set():
            item = next_item()
            if item is None:
                return
            uid, slug = item
            start = time.perf_counter()
            try:
                record_first_completion(engine, uuid.UUID(uid), slug, answers[slug], only_rollups=only_rollups, year=year)
                ms = (time.perf_counter() - start) * 1000
                with lock:
                    out["ok"] += 1
                    out["latencies_ms"].append(ms)
            except Exception as exc:  # counted and reported, never retried
                with lock:
                    count_failure(out, exc)

    pool = [threading.Thread(target=run) for _ in range(threads)]
    ready.put(os.getpid())
    go.wait()
    cpu = time.process_time()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    out["cpu_s"] = time.process_time() - cpu
    engine.dispose()
    results.put(out)


def check_against_recount(
    engine, label: str, *, args, root_id: int, year: int, goal_before: int, ok: int, first_uid: str
) -> dict:
    """Root, a province and a leaf: stats against a naive recount (exact before and after the fold)."""
    from agency_stats import naive_stats
    from sqlalchemy import text
    from sqlmodel import select

    from hocso.accounts.models import User
    from hocso.agencies.models import Agency
    from hocso.core.db import open_session
    from hocso.stats.figures import agency_stats

    if args.only_rollups:  # no progress rows to recount: the root's goal count grew by exactly the writes
        with open_session(engine) as session:
            pending = session.execute(text("SELECT count(*) FROM agency_rollup_delta")).scalar_one()
            got = agency_stats(session, agency=session.get(Agency, root_id), year=year).goal_met
        print(
            f"    {label}, {pending:,} changes not folded yet: the root's goal count grew by {got - goal_before:,}, "
            f"writes committed {ok:,}",
            flush=True,
        )
        return {"pending_delta_rows": pending, "root": {"equal": got - goal_before == ok}}
    with open_session(engine) as session:
        province = session.exec(select(Agency).where(Agency.parent_id == root_id).order_by(Agency.code.desc())).first()
        leaf_of = session.exec(select(User.agency_id).where(User.id == uuid.UUID(first_uid))).one()
        pending = session.execute(text("SELECT count(*) FROM agency_rollup_delta")).scalar_one()
        out = {"pending_delta_rows": pending}
        for name, agency in (
            ("root", session.get(Agency, root_id)),
            ("province", province),
            ("leaf", session.get(Agency, leaf_of)),
        ):
            times = []
            for _ in range(5):
                start = time.perf_counter()
                stats = agency_stats(session, agency=agency, year=year)
                times.append((time.perf_counter() - start) * 1000)
            took = statistics.median(times)
            naive = naive_stats(session, agency=agency, year=year)
            got = {
                "members": stats.members,
                "goal_met": stats.goal_met,
                **{f"module:{m.slug}": m.completed for m in stats.by_module if m.completed},
            }
            out[name] = {"code": agency.code, "equal": got == naive, "goal_met": stats.goal_met, "stats_ms": round(took, 1)}
            if got != naive:
                out[name]["diff"] = {k: (got.get(k), naive.get(k)) for k in set(got) | set(naive) if got.get(k) != naive.get(k)}
    print(
        f"    {label}, {pending:,} changes not folded yet: "
        + ", ".join(
            f"{k} {v['code']} {'equal' if v['equal'] else 'DIFFERENT ' + str(v.get('diff'))}"
            f" ({v['goal_met']:,} met the goal; stats {v['stats_ms']} ms)"
            for k, v in out.items()
            if k != "pending_delta_rows"
        ),
        flush=True,
    )
    return out


def run_round(url: str, kind: str, mode: str, work: list, answers: dict, args, root_id: int, year: int) -> dict:
    """One timed run of the writers in a mode, with the root's stats read and lock waits sampled meanwhile."""
    from sqlalchemy import text

    from hocso.agencies.models import Agency
    from hocso.core.config import get_settings
    from hocso.core.db import make_engine, open_session
    from hocso.core.jobs import JobRunner
    from hocso.stats import rollups
    from hocso.stats.figures import agency_stats

    engine = make_engine(url, connections=4)
    per_process = [work[i :: args.processes] for i in range(args.processes)]
    threads = [args.writers // args.processes + (1 if i < args.writers % args.processes else 0) for i in range(args.processes)]
    ctx = mp.get_context("spawn")
    ready, results, go, stop = ctx.Queue(), ctx.Queue(), ctx.Event(), ctx.Event()
    procs = [
        ctx.Process(
            target=writer_process,
            args=(url, mode, args.only_rollups, threads[i], per_process[i], answers, ready, go, stop, results),
        )
        for i in range(args.processes)
        if threads[i]
    ]
    for p in procs:
        p.start()
    for _ in procs:
        ready.get(timeout=300)

    runners = [JobRunner(make_engine(url, connections=2), get_settings(), poll_seconds=1.0) for _ in range(args.runners)]
    for r in runners:
        r.start()
    stats_ms: list[float] = []
    waiting: list[int] = []
    reading = threading.Event()

    from hocso.core import db

    # As the stats endpoint reads once the caller's scope gave it the agency: a session of its own, autocommit
    # on PostgreSQL where the code has it (older code, run with PYTHONPATH for an A/B, opens a transaction).
    read_session = getattr(db, "one_statement_session", open_session)
    with open_session(engine) as session:
        root = session.get(Agency, root_id)

    def read_stats() -> None:
        while not reading.is_set():
            start = time.perf_counter()
            with read_session(engine) as session:
                agency_stats(session, agency=root, year=year)
            stats_ms.append((time.perf_counter() - start) * 1000)
            if kind == "postgresql":  # how many writers are queued on another transaction's lock right now
                with open_session(engine) as session:
                    waiting.append(
                        session.execute(text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")).scalar_one()
                    )
            reading.wait(args.stats_every)

    with open_session(engine) as session:
        goal_before = agency_stats(session, agency=session.get(Agency, root_id), year=year).goal_met
    reader = threading.Thread(target=read_stats)
    started = time.perf_counter()
    go.set()
    reader.start()
    time.sleep(args.seconds)
    stop.set()
    for r_ in runners:  # no fold from here on: the first check below reads changes not folded yet
        r_.stop()
        r_.engine.dispose()
    outs = [results.get(timeout=600) for _ in procs]
    elapsed = time.perf_counter() - started
    reading.set()
    reader.join()
    for p in procs:
        p.join()
    ok = sum(o["ok"] for o in outs)
    deadlocks = sum(o["deadlocks"] for o in outs)
    errors = sum(o["errors"] for o in outs)
    lat = [ms for o in outs for ms in o["latencies_ms"]]
    samples = [s for o in outs for s in o["error_samples"]][:3]

    result = {
        "mode": mode,
        "seconds": round(elapsed, 1),
        "first_completions": ok,
        "per_second": round(ok / elapsed, 1),
        "deadlocks": deadlocks,
        "errors": errors,
        "error_samples": samples,
        "write_ms": {"p50": round(percentile(lat, 0.5), 1), "p99": round(percentile(lat, 0.99), 1)},
        "root_stats_ms_during": {
            "n": len(stats_ms),
            "p50": round(percentile(stats_ms, 0.5), 1),
            "p99": round(percentile(stats_ms, 0.99), 1),
        },
        "writers_waiting_on_a_lock": round(statistics.mean(waiting), 1) if waiting else None,
        "writer_cpu_ms_each": round(sum(o["cpu_s"] for o in outs) * 1000 / max(ok, 1), 2),
    }
    r = result["root_stats_ms_during"]
    print(
        f"  [{mode}] first completions: {ok:,} in {elapsed:.1f} s = {ok / elapsed:,.0f}/s; deadlocks {deadlocks}; "
        f"other errors {errors}" + (f" e.g. {samples[0]}" if samples else ""),
        flush=True,
    )
    print(
        f"    one completion (submit_attempt + commit): p50 {result['write_ms']['p50']} ms, p99 "
        f"{result['write_ms']['p99']} ms; writers' CPU {result['writer_cpu_ms_each']} ms each; "
        f"writers waiting on a lock, on average: {result['writers_waiting_on_a_lock']}",
        flush=True,
    )
    print(f"    root stats while writing: {r['n']} reads, p50 {r['p50']} ms, p99 {r['p99']} ms", flush=True)
    checked = {"args": args, "root_id": root_id, "year": year, "goal_before": goal_before, "ok": ok, "first_uid": work[0][0]}
    result["recount_right_after"] = check_against_recount(engine, "right after, before any fold", **checked)
    start = time.perf_counter()
    folded = rollups.fold_all_pending(engine)
    took = time.perf_counter() - start
    result["fold"] = {"rows": folded, "seconds": round(took, 2), "rows_per_second": round(folded / max(took, 1e-9))}
    print(f"    folded {folded:,} changes in {took:.2f} s ({folded / max(took, 1e-9):,.0f} rows/s)", flush=True)
    result["recount_after_background"] = check_against_recount(engine, "after folding", **checked)
    engine.dispose()
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--db", default="postgres", help="postgres (default, under scripts/with-postgres), sqlite, a path or a URL"
    )
    parser.add_argument("--writers", type=int, default=64)
    parser.add_argument("--processes", type=int, default=8, help="writer processes; the writers are split over them as threads")
    parser.add_argument("--seconds", type=float, default=20, help="per round")
    parser.add_argument(
        "--modes",
        default="in-place,append,in-place,append",
        help="rounds, in order: append (the app's code) or in-place (counters updated by each writer, as before)",
    )
    parser.add_argument("--people", type=int, default=200_000)
    parser.add_argument("--stats-every", type=float, default=0.2, help="seconds between reads of the root's stats")
    parser.add_argument("--runners", type=int, default=2, help="job runners in the coordinator (background work)")
    parser.add_argument(
        "--only-rollups",
        action="store_true",
        help="writers do only the person's lock and a first completion's rollup writes (the database side)",
    )
    parser.add_argument("--reuse", action="store_true", help="keep the database of an earlier run (its people are used up)")
    parser.add_argument("--seed", type=int, default=20261201)
    args = parser.parse_args()

    from sqlalchemy import text
    from sqlmodel import select

    from hocso.accounts.models import User
    from hocso.agencies.models import Agency
    from hocso.core.db import make_engine, open_session
    from hocso.core.timeutil import current_vietnam_year
    from hocso.learning.models import ModuleProgress

    modes = args.modes.split(",")
    url, kind = resolve_db(args.db, "hotrow")
    print(
        f"== hot row: {args.writers} writers in {args.processes} processes, rounds {modes} of {args.seconds:.0f} s, "
        f"{kind}: {make_printable(url)}",
        flush=True,
    )
    if not args.reuse:
        build(url, kind, args.people, args.seed)
    engine = make_engine(url, connections=2)
    year = current_vietnam_year()
    rng = random.Random(args.seed)
    with open_session(engine) as session:
        answers = right_answers(session)
        done = set(session.exec(select(ModuleProgress.user_id).distinct()).all())
        people = [str(u) for u in session.exec(select(User.id).where(User.agency_id.is_not(None))).all() if u not in done]
        root_id = session.exec(select(Agency.id).where(Agency.parent_id.is_(None))).one()
        agencies_n = session.exec(select(Agency.id)).all()
        durable = session.execute(text("SHOW synchronous_commit")).scalar() if kind == "postgresql" else "sqlite"
    engine.dispose()
    rng.shuffle(people)
    slugs = sorted(answers)
    # Each a person's first completion, so of the year too: every rollup of the path is touched.
    work = [(uid, rng.choice(slugs)) for uid in people]
    print(
        f"  {len(agencies_n):,} agencies; {len(people):,} people without a completion to draw from; {len(slugs)} modules; "
        f"synchronous_commit={durable}",
        flush=True,
    )
    result: dict = {
        "engine": kind,
        "synchronous_commit": durable,
        "agencies": len(agencies_n),
        "writers": args.writers,
        "processes": args.processes,
        "load_average_before": os.getloadavg(),
        "rounds": [],
    }
    share = len(work) // len(modes)
    for i, mode in enumerate(modes):
        result["rounds"].append(run_round(url, kind, mode, work[i * share : (i + 1) * share], answers, args, root_id, year))
    result["load_average_after"] = os.getloadavg()

    by_mode: dict[str, list[float]] = {}
    for r in result["rounds"]:
        by_mode.setdefault(r["mode"], []).append(r["per_second"])
    summary = {m: statistics.median(v) for m, v in by_mode.items()}
    result["median_per_second"] = summary
    print(
        "\n  median first completions/s: "
        + ", ".join(f"{m} {v:,.0f}" for m, v in summary.items())
        + (
            f"; append / in-place = {summary['append'] / summary['in-place']:.1f}x"
            if summary.get("in-place") and "append" in summary
            else ""
        )
    )
    print(f"  load average before / after: {result['load_average_before'][0]:.1f} / {result['load_average_after'][0]:.1f}")
    OUT.mkdir(parents=True, exist_ok=True)
    out_file = OUT / f"hot_row-{kind}.json"
    out_file.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(f"wrote {out_file.relative_to(ROOT)}")
    exact = all(
        v["equal"]
        for r in result["rounds"]
        for c in ("recount_right_after", "recount_after_background")
        for k, v in r[c].items()
        if k != "pending_delta_rows"
    )
    return 0 if exact and not any(r["errors"] or r["deadlocks"] for r in result["rounds"]) else 1


if __name__ == "__main__":
    os.environ.setdefault("HOCSO_LOG_LEVEL", "WARNING")
    sys.exit(main())
