"""Times agency stats and recording completions against a database made by bench/agency_data.py.

For the root, the largest province and a leaf: the app's `stats.figures.agency_stats` (from the rollups)
and `naive_stats` below (a recount scanning people and progress) beside it, warm, median and p95
over repeats. Then records completions through `flows.submit_attempt` (the quiz endpoint's service
path, which keeps the rollups current), one transaction each, by different people; and the database size.
Prints a table and writes bench/out/agency_stats-<engine>-<preset>.json.

    .venv/bin/python bench/agency_stats.py --preset small
    scripts/with-postgres sh -c '.venv/bin/python bench/agency_data.py --preset small --db postgres &&
                                 .venv/bin/python bench/agency_stats.py --preset small --db postgres'

Recording completions changes the database (each run adds --completions completions for the current year).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from agency_data import OUT, PRESETS, make_printable, resolve_db, right_answers, sqlite_path  # noqa: E402


def app_content_cache(engine):
    """The app's content cache as the quiz endpoint passes it: the module's current version kept in memory."""
    from hocso.content.cache import ContentAnswers
    from hocso.core.config import Settings

    return ContentAnswers(engine, recheck_seconds=Settings.model_fields["content_recheck_seconds"].default)


def complete_as_the_endpoint(engine, modules, uid: uuid.UUID, slug: str, body):
    """Records one quiz attempt in its own committed transaction, the person read as the endpoint reads them."""
    from hocso import flows
    from hocso.accounts.models import User
    from hocso.core.db import open_session
    from hocso.core.timeutil import utcnow
    from hocso.learning.client_time import Receipt

    with open_session(engine, write=True) as session:
        # With their lock taken in the same statement, as the quiz endpoint does.
        user = session.get(User, uid, with_for_update={"key_share": True})
        out = flows.submit_attempt(
            session,
            user=user,
            slug=slug,
            data=body,
            lang="vi",
            receipt=Receipt(at=utcnow()),
            person_locked=True,
            modules=modules,
        )
        session.commit()
        return out


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def figures(ms: list[float]) -> dict:
    return {
        "n": len(ms),
        "median_ms": round(statistics.median(ms), 2),
        "p95_ms": round(percentile(ms, 0.95), 2),
        "min_ms": round(min(ms), 2),
        "max_ms": round(max(ms), 2),
    }


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn()
    return (time.perf_counter() - start) * 1000, result


def naive_stats(session, *, agency, year: int) -> dict[str, int]:
    """Recounts members, goal-met and completions by scanning people and progress, as if there were no rollups."""
    from sqlalchemy import func
    from sqlmodel import select

    from hocso.accounts.models import User
    from hocso.agencies.models import Agency
    from hocso.agencies.tree import subtree_filter
    from hocso.learning.models import ModuleProgress

    in_tree = select(Agency.id).where(subtree_filter(agency.path))
    members = session.exec(select(func.count()).select_from(User).where(User.agency_id.in_(in_tree))).one()
    goal_met = session.exec(
        select(func.count(func.distinct(ModuleProgress.user_id)))
        .join(User, User.id == ModuleProgress.user_id)
        .where(User.agency_id.in_(in_tree), ModuleProgress.completed_year == year)
    ).one()
    per_module = dict(
        session.exec(
            select(ModuleProgress.module_slug, func.count())
            .join(User, User.id == ModuleProgress.user_id)
            .where(User.agency_id.in_(in_tree), ModuleProgress.completed_at.is_not(None))
            .group_by(ModuleProgress.module_slug)
        ).all()
    )
    return {"members": members, "goal_met": goal_met, **{f"module:{k}": v for k, v in per_module.items()}}


def pick_targets(session) -> dict:
    """The root, the province with most members, and the deepest leaf with most members in that province."""
    from sqlmodel import select

    from hocso.agencies.models import Agency, AgencyRollup
    from hocso.agencies.tree import subtree_filter

    root = session.exec(select(Agency).where(Agency.parent_id.is_(None)).order_by(Agency.id)).first()
    province = session.exec(
        select(Agency)
        .join(AgencyRollup, AgencyRollup.agency_id == Agency.id)
        .where(Agency.parent_id == root.id, Agency.code.startswith("T-"))
        .order_by(AgencyRollup.members.desc())
    ).first()
    parents = select(Agency.parent_id).where(Agency.parent_id.is_not(None))
    leaf = session.exec(
        select(Agency)
        .join(AgencyRollup, AgencyRollup.agency_id == Agency.id)
        .where(subtree_filter(province.path), Agency.id.not_in(parents))
        .order_by(Agency.depth.desc(), AgencyRollup.members.desc())
    ).first()
    return {"root": root, "province": province, "leaf": leaf}


def agrees_with_recount(stats, naive: dict) -> bool:
    """The app's stats and the naive recount agree: members, goal met this year, completions per module ever."""
    got = {
        "members": stats.members,
        "goal_met": stats.goal_met,
        **{f"module:{m.slug}": m.completed for m in stats.by_module if m.completed},
    }
    return got == naive


def database_size(engine, url: str, kind: str) -> dict:
    from sqlalchemy import text

    if kind == "sqlite":
        path = sqlite_path(url)
        total = sum(Path(f"{path}{s}").stat().st_size for s in ("", "-wal") if Path(f"{path}{s}").exists())
        out = {"total_bytes": total}
        try:
            with engine.connect() as conn:
                rows = conn.execute(text("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name")).all()
        except Exception:  # dbstat is not compiled into every SQLite
            return out
    else:
        with engine.connect() as conn:
            out = {"total_bytes": conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one()}
            rows = conn.execute(
                text(
                    "SELECT c.relname, pg_relation_size(c.oid) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'i')"
                )
            ).all()
    tables = {"agency_rollup", "agency_year_rollup", "agency_module_rollup"}
    # Index names start with ix_<table>, <table>_pkey or sqlite_autoindex_<table>.
    rollup = sum(n for name, n in rows if any(t in name for t in tables))
    progress = sum(n for name, n in rows if "module_progress" in name)
    out.update(rollups_bytes=int(rollup), module_progress_bytes=int(progress))
    return out


def mb(n: int) -> str:
    return f"{n / 1e6:,.0f} MB" if n >= 1e7 else f"{n / 1e6:,.1f} MB"


def time_stats(engine, targets: dict, *, year: int, args: argparse.Namespace) -> dict:
    """Times the app's stats and the naive recount for each target, checks they agree and prints a row each."""
    from hocso.agencies.models import Agency
    from hocso.core.db import open_session
    from hocso.stats.figures import agency_stats

    out: dict = {}

    def run_stats(agency_id: int):
        with open_session(engine) as session:
            return agency_stats(session, agency=session.get(Agency, agency_id), year=year)

    def run_naive(agency_id: int):
        with open_session(engine) as session:
            return naive_stats(session, agency=session.get(Agency, agency_id), year=year)

    header = (
        f"{'stats for':<34}{'members':>10}{'rollups median':>16}{'p95':>9}{'naive median':>15}{'p95':>10}{'naive/rollups':>15}"
    )
    print(header, flush=True)
    for label, (agency_id, code, name, depth) in targets.items():
        run_stats(agency_id)  # warm-up: caches, plans, pages
        fast = [timed(lambda a=agency_id: run_stats(a)) for _ in range(args.repeats)]
        stats = fast[-1][1]
        first_ms, naive = timed(lambda a=agency_id: run_naive(a))  # this first run warms the pages up
        naive_ms = []
        if first_ms / 1000 < args.naive_slow_s:
            naive_ms = [timed(lambda a=agency_id: run_naive(a))[0] for _ in range(args.naive_repeats)]
        capped = not naive_ms
        if capped:
            naive_ms = [first_ms]
        if not agrees_with_recount(stats, naive):
            raise SystemExit(f"stats for {code} disagree with the naive recount {naive}")
        f, n = figures([ms for ms, _ in fast]), figures(naive_ms)
        ratio = n["median_ms"] / f["median_ms"]
        out[label] = {
            "code": code,
            "name": name,
            "depth": depth,
            "members": stats.members,
            "goal_met": stats.goal_met,
            "children": len(stats.children),
            "rollups": f,
            "naive": {**n, "capped_at_one_run": capped},
            "naive_over_rollups": round(ratio, 1),
        }
        tag = f"{label} {code} (depth {depth})"
        print(
            f"{tag:<34}{stats.members:>10,}{f['median_ms']:>13.2f} ms{f['p95_ms']:>9.2f}{n['median_ms']:>12.1f} ms"
            f"{n['p95_ms']:>10.1f}{ratio:>14,.0f}x" + ("  (naive run once: slow)" if capped else ""),
            flush=True,
        )

    return out


def plan_completions(engine, rng: random.Random, n: int) -> tuple[dict, list[tuple[uuid.UUID, str]], list[tuple[uuid.UUID, str]]]:
    """The right answers per module, n random civil servants each with a module they have not completed, and as
    many new citizens outside any agency each with a module (the baseline: no rollup to update)."""
    from sqlmodel import select

    from hocso.accounts.models import User
    from hocso.core.db import open_session
    from hocso.learning.models import ModuleProgress

    with open_session(engine) as session:
        right = right_answers(session)
        top = session.exec(select(User.id).order_by(User.id.desc()).limit(1)).one()
        people: list[uuid.UUID] = []
        seen: set[uuid.UUID] = set()
        while len(people) < n:
            # A random point in the key space, then the next civil servant after it: random people, index only.
            start = uuid.UUID(int=rng.getrandbits(128) % top.int)
            uid = session.exec(
                select(User.id).where(User.id >= start, User.agency_id.is_not(None)).order_by(User.id).limit(1)
            ).first()
            if uid is not None and uid not in seen:
                seen.add(uid)
                people.append(uid)
        plan = []
        for uid in people:
            done = set(
                session.exec(
                    select(ModuleProgress.module_slug).where(
                        ModuleProgress.user_id == uid, ModuleProgress.completed_at.is_not(None)
                    )
                ).all()
            )
            todo = sorted(set(right) - done)
            if todo:
                plan.append((uid, rng.choice(todo)))
    # The same path for citizens outside any agency, where there is no rollup to update: the baseline.
    with open_session(engine, write=True) as session:
        citizens = [
            User(email=f"citizen.{uuid.uuid4().hex[:12]}@bench.hocso.vn", full_name="Người dân") for _ in range(len(plan))
        ]
        session.add_all(citizens)
        session.commit()
        baseline_plan = [(u.id, rng.choice(sorted(right))) for u in citizens]

    return right, plan, baseline_plan


def time_completions(engine, right: dict, plan: list, baseline_plan: list) -> dict:
    """Records each planned completion as the quiz endpoint would, timed, alternating civil servants and citizens."""
    from sqlalchemy import event

    from hocso.core.timeutil import utcnow
    from hocso.learning.schemas import AttemptIn
    from hocso.stats import rollups

    rollup_ms: list[float] = []
    real_completion_changed = rollups.completion_changed

    def counted_completion_changed(*a, **kw):
        start = time.perf_counter()
        try:
            return real_completion_changed(*a, **kw)
        finally:
            rollup_ms.append((time.perf_counter() - start) * 1000)

    statements = {"civil_servant": 0, "citizen": 0}
    current = ["civil_servant"]

    def count_statement(*_a):
        statements[current[0]] += 1

    modules = app_content_cache(engine)

    def record(uid: uuid.UUID, slug: str) -> float:
        body = AttemptIn(event_id=uuid.uuid4(), answers=right[slug], occurred_at=utcnow())
        ms, out = timed(lambda: complete_as_the_endpoint(engine, modules, uid, slug, body))
        if not out.passed:
            raise SystemExit(f"attempt on {slug} did not pass: {out.score}")
        return ms

    rollups.completion_changed = counted_completion_changed
    event.listen(engine, "before_cursor_execute", count_statement)
    record_ms: list[float] = []
    baseline_ms: list[float] = []
    try:
        # Alternating, so that checkpoints and caches fall on both alike.
        for (uid, slug), (cid, cslug) in zip(plan, baseline_plan, strict=True):
            current[0] = "civil_servant"
            record_ms.append(record(uid, slug))
            current[0] = "citizen"
            baseline_ms.append(record(cid, cslug))
    finally:
        rollups.completion_changed = real_completion_changed
        event.remove(engine, "before_cursor_execute", count_statement)
    rec, part, base = figures(record_ms), figures(rollup_ms), figures(baseline_ms)
    per = {k: round(v / max(len(record_ms), 1), 1) for k, v in statements.items()}
    return {
        **rec,
        "statements_each": per["civil_servant"],
        "rollup_update": part,
        "citizen_without_rollups": {**base, "statements_each": per["citizen"]},
    }


def check_recount(engine, plan: list, *, year: int) -> None:
    """Stops the run unless the leaf of the last people to complete agrees with a recount."""
    from hocso.accounts.models import User
    from hocso.agencies.models import Agency
    from hocso.core.db import open_session
    from hocso.stats.figures import agency_stats

    with open_session(engine) as session:
        for uid, _ in plan[-5:]:
            agency = session.get(Agency, session.get(User, uid).agency_id)
            stats = agency_stats(session, agency=agency, year=year)
            naive = naive_stats(session, agency=agency, year=year)
            if not agrees_with_recount(stats, naive):
                raise SystemExit(f"after recording, stats for {agency.code} disagree with a recount")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--preset", choices=sorted(PRESETS), default="small")
    parser.add_argument("--db", default="sqlite", help="sqlite (default), postgres, a SQLite path, or a postgresql:// URL")
    parser.add_argument("--repeats", type=int, default=50, help="timed runs of the stats function per agency")
    parser.add_argument("--naive-repeats", type=int, default=10, help="timed runs of the naive recount (capped at 1 when slow)")
    parser.add_argument("--naive-slow-s", type=float, default=5.0, help="a naive run slower than this is not repeated")
    parser.add_argument("--completions", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    from hocso.core.db import make_engine, open_session
    from hocso.core.timeutil import current_vietnam_year

    url, kind = resolve_db(args.db, args.preset)
    if kind == "sqlite" and not sqlite_path(url).exists():
        sys.exit(f"{sqlite_path(url)} does not exist; run bench/agency_data.py --preset {args.preset} first")
    engine = make_engine(url)  # the app's engine, with the app's settings (SQLite: WAL, synchronous=NORMAL)
    rng = random.Random(args.seed)
    year = current_vietnam_year()
    print(f"== agency stats, preset {args.preset}, {kind}: {make_printable(url)}; year {year}", flush=True)

    with open_session(engine) as session:
        targets = {k: (a.id, a.code, a.name, a.depth) for k, a in pick_targets(session).items()}
    result: dict = {"preset": args.preset, "engine": kind, "year": year, "stats": {}, "python": sys.version.split()[0]}
    meta_file = OUT / f"agency_data-{kind}-{args.preset}.json"
    if meta_file.exists():
        result["data"] = json.loads(meta_file.read_text())

    result["stats"] = time_stats(engine, targets, year=year, args=args)

    # Completions: different civil servants each pass a module they have not completed, as the quiz endpoint
    # would record it: one write transaction per completion, rollups updated inside it.
    right, plan, baseline_plan = plan_completions(engine, rng, args.completions)
    result["record_completion"] = rec = time_completions(engine, right, plan, baseline_plan)
    part, base = rec["rollup_update"], rec["citizen_without_rollups"]
    print(f"\nrecord one completion (submit_attempt + commit, one transaction each), {rec['n']} different people:")
    print(
        f"  civil servant, rollups kept current   median {rec['median_ms']:6.2f} ms  p95 {rec['p95_ms']:6.2f} ms  "
        f"{rec['statements_each']} SQL statements"
    )
    print(f"    of which rollups.completion_changed median {part['median_ms']:6.2f} ms  p95 {part['p95_ms']:6.2f} ms")
    print(
        f"  citizen in no agency (no rollups)     median {base['median_ms']:6.2f} ms  p95 {base['p95_ms']:6.2f} ms  "
        f"{base['statements_each']} SQL statements"
    )

    # The rollups stayed right: the leaf of the last people to complete agrees with a recount.
    check_recount(engine, plan, year=year)

    size = database_size(engine, url, kind)
    result["database"] = size
    extra = (
        f" (module_progress {mb(size['module_progress_bytes'])}, rollups {mb(size['rollups_bytes'])})"
        if "rollups_bytes" in size
        else ""
    )
    print(f"database size: {mb(size['total_bytes'])}{extra}")
    engine.dispose()

    OUT.mkdir(parents=True, exist_ok=True)
    out_file = OUT / f"agency_stats-{kind}-{args.preset}.json"
    out_file.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(f"wrote {out_file.relative_to(OUT.parent.parent)}")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("HOCSO_LOG_LEVEL", "WARNING")
    sys.exit(main())
