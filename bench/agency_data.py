"""Generates a large agency tree with civil servants and completions, for bench/agency_stats.py.

Builds a fresh database (SQLite file or PostgreSQL database), runs the app's migrations, loads the modules
from content/ (topped up with copies to reach the preset's module count), bulk-loads a Vietnam-like tree
(root -> ministries and provinces -> departments, communes -> units), civil servants and their completed
modules (module_progress rows with completed_at spread over recent years), a few requirements, and then
builds the rollups with the app's own `rollups.rebuild_all`.

    .venv/bin/python bench/agency_data.py --preset small                       # SQLite: bench/out/agency-small.db
    .venv/bin/python bench/agency_data.py --preset full --db /tmp/agency-full.db
    scripts/with-postgres .venv/bin/python bench/agency_data.py --preset small --db postgres

Presets: full (~10,000 agencies, 2,000,000 people, 20,000,000 completions), small (~1,000 / 100,000 /
1,000,000) and tiny (~80 / 5,000 / 50,000, a smoke run in seconds). `--db postgres` means database
hocso_agency_<preset> on the server in HOCSO_TEST_DATABASE_URL (which scripts/with-postgres sets); a
postgresql:// URL names the database to recreate. Same seed, same data.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import sqlite3
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"

PRESETS: dict[str, dict] = {
    # Vietnam since July 2025: 34 provinces and cities, ~3,300 communes and wards; ~30 ministries and
    # ministry-level bodies. Counts are drawn uniformly from each (low, high) range.
    "full": {
        "ministries": 30,
        "ministry_tree": [("Cục", "C", (8, 14), [("Phòng", "P", (2, 5), [("Tổ", "T", (0, 1), [])])])],
        "provinces": 34,
        "province_tree": [
            ("Sở", "S", (12, 18), [("Đơn vị", "U", (1, 3), [])]),
            ("Xã", "X", (70, 125), [("Bộ phận", "U", (0, 2), [])]),
        ],
        "people": 2_000_000,
        "completions": 20_000_000,
        "modules": 24,
    },
    "small": {
        "ministries": 10,
        "ministry_tree": [("Cục", "C", (3, 5), [("Phòng", "P", (1, 3), [("Tổ", "T", (0, 1), [])])])],
        "provinces": 10,
        "province_tree": [
            ("Sở", "S", (4, 6), [("Đơn vị", "U", (1, 2), [])]),
            ("Xã", "X", (30, 40), [("Bộ phận", "U", (0, 2), [])]),
        ],
        "people": 100_000,
        "completions": 1_000_000,
        "modules": 24,
    },
    "tiny": {
        "ministries": 3,
        "ministry_tree": [("Cục", "C", (2, 2), [("Phòng", "P", (1, 2), [("Tổ", "T", (0, 1), [])])])],
        "provinces": 4,
        "province_tree": [
            ("Sở", "S", (2, 2), [("Đơn vị", "U", (1, 1), [])]),
            ("Xã", "X", (4, 6), [("Bộ phận", "U", (0, 1), [])]),
        ],
        "people": 5_000,
        "completions": 50_000,
        "modules": 16,
    },
}

PROVINCES = [
    ("HCM", "Thành phố Hồ Chí Minh"),
    ("HNI", "Thành phố Hà Nội"),
    ("HPG", "Thành phố Hải Phòng"),
    ("DNG", "Thành phố Đà Nẵng"),
    ("CTO", "Thành phố Cần Thơ"),
    ("HUE", "Thành phố Huế"),
    ("THA", "Tỉnh Thanh Hóa"),
    ("NAN", "Tỉnh Nghệ An"),
    ("DNA", "Tỉnh Đồng Nai"),
    ("AGI", "Tỉnh An Giang"),
    ("BNI", "Tỉnh Bắc Ninh"),
    ("HYE", "Tỉnh Hưng Yên"),
    ("NBI", "Tỉnh Ninh Bình"),
    ("QNI", "Tỉnh Quảng Ninh"),
    ("PTH", "Tỉnh Phú Thọ"),
    ("TNG", "Tỉnh Thái Nguyên"),
    ("LCA", "Tỉnh Lào Cai"),
    ("TQU", "Tỉnh Tuyên Quang"),
    ("CBA", "Tỉnh Cao Bằng"),
    ("LSO", "Tỉnh Lạng Sơn"),
    ("SLA", "Tỉnh Sơn La"),
    ("DBI", "Tỉnh Điện Biên"),
    ("LCH", "Tỉnh Lai Châu"),
    ("HTI", "Tỉnh Hà Tĩnh"),
    ("QTR", "Tỉnh Quảng Trị"),
    ("QNG", "Tỉnh Quảng Ngãi"),
    ("GLA", "Tỉnh Gia Lai"),
    ("KHO", "Tỉnh Khánh Hòa"),
    ("LDO", "Tỉnh Lâm Đồng"),
    ("DLK", "Tỉnh Đắk Lắk"),
    ("TNI", "Tỉnh Tây Ninh"),
    ("VLO", "Tỉnh Vĩnh Long"),
    ("DTH", "Tỉnh Đồng Tháp"),
    ("CMA", "Tỉnh Cà Mau"),
]
# Relative head counts by kind of node (the HQ staff of a ministry, a commune's cán bộ, ...).
WEIGHT = {
    "root": 300,
    "ministry": 150,
    "Cục": 80,
    "Phòng": 40,
    "Tổ": 20,
    "province": 200,
    "Sở": 60,
    "Đơn vị": 30,
    "Xã": 25,
    "Bộ phận": 10,
}
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô"]
MIDDLE = ["Văn", "Thị", "Hữu", "Minh", "Thanh", "Đức", "Ngọc", "Quốc", "Thu", "Kim"]
GIVEN = [
    "An",
    "Bình",
    "Chi",
    "Dũng",
    "Giang",
    "Hà",
    "Hải",
    "Hạnh",
    "Hòa",
    "Hùng",
    "Lan",
    "Linh",
    "Long",
    "Mai",
    "Nam",
    "Nga",
    "Phúc",
    "Quân",
    "Sơn",
    "Tâm",
    "Thảo",
    "Trang",
    "Tuấn",
    "Vy",
    "Yến",
]
# Share of completions per year: more people learn each year. The current year gets the last share.
YEAR_SHARES = [0.06, 0.10, 0.15, 0.20, 0.24, 0.25]


# --- Where the database is ----------------------------------------------------------------------------------


def resolve_db(db: str, preset: str) -> tuple[str, str]:
    """Returns (SQLAlchemy URL, "sqlite" or "postgresql") for --db: sqlite, postgres, a path or a URL."""
    from sqlalchemy.engine import make_url

    if db in ("sqlite", ""):
        return f"sqlite:///{OUT / f'agency-{preset}.db'}", "sqlite"
    if db in ("postgres", "postgresql", "pg"):
        server = os.environ.get("HOCSO_TEST_DATABASE_URL")
        if not server:
            sys.exit("--db postgres needs HOCSO_TEST_DATABASE_URL (run under scripts/with-postgres)")
        url = make_url(server).set(drivername="postgresql+psycopg", database=f"hocso_agency_{preset}")
        return url.render_as_string(hide_password=False), "postgresql"
    if db.startswith("postgres"):
        url = make_url(db).set(drivername="postgresql+psycopg")
        return url.render_as_string(hide_password=False), "postgresql"
    if db.startswith("sqlite:"):
        return db, "sqlite"
    return f"sqlite:///{Path(db).resolve()}", "sqlite"


def sqlite_path(url: str) -> Path:
    from sqlalchemy.engine import make_url

    return Path(make_url(url).database)


def libpq_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def fresh_database(url: str, kind: str) -> None:
    """Removes the SQLite file or drops and recreates the PostgreSQL database."""
    if kind == "sqlite":
        path = sqlite_path(url)
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()


# --- Progress lines -----------------------------------------------------------------------------------------


class Progress:
    """Prints rows done, rows/s and the ETA about every two seconds."""

    def __init__(self, label: str, total: int):
        self.label, self.total, self.done = label, total, 0
        self.start = self.last = time.perf_counter()

    def add(self, n: int) -> None:
        self.done += n
        now = time.perf_counter()
        if now - self.last >= 2 or self.done >= self.total:
            self.last = now
            rate = self.done / max(now - self.start, 1e-9)
            eta = (self.total - self.done) / rate if rate else float("inf")
            print(f"  {self.label}: {self.done:>12,} / {self.total:,} rows  {rate:>10,.0f} rows/s  ETA {eta:5.0f} s", flush=True)

    def finish(self) -> float:
        took = time.perf_counter() - self.start
        print(f"  {self.label}: {self.done:,} rows in {took:.1f} s ({self.done / max(took, 1e-9):,.0f} rows/s)", flush=True)
        return took


def chunks(rows: Iterable, size: int) -> Iterator[list]:
    batch: list = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


# --- The data -----------------------------------------------------------------------------------------------


@dataclass
class Node:
    id: int
    code: str
    name: str
    parent_id: int | None
    path: str
    depth: int
    kind: str
    children: list[Node] = field(default_factory=list)


def build_tree(spec: dict, rng: random.Random) -> list[Node]:
    """Returns the agencies in depth-first order (ids 1, 2, ... in that order; parents before children)."""
    nodes: list[Node] = []

    def add(code: str, name: str, kind: str, parent: Node | None) -> Node:
        node_id = len(nodes) + 1
        path = f"{parent.path if parent else '/'}{node_id}/"
        node = Node(node_id, code, name, parent.id if parent else None, path, parent.depth + 1 if parent else 0, kind)
        nodes.append(node)
        if parent:
            parent.children.append(node)
        return node

    def grow(parent: Node, levels: list) -> None:
        for kind, letter, (low, high), below in levels:
            for i in range(1, rng.randint(low, high) + 1):
                child = add(f"{parent.code}-{letter}{i:02d}", f"{kind} {i} - {parent.name}", kind, parent)
                grow(child, below)

    root = add("VN", "Việt Nam", "root", None)
    for m in range(1, spec["ministries"] + 1):
        grow(add(f"B{m:02d}", f"Bộ/ngành số {m}", "ministry", root), spec["ministry_tree"])
    for code, name in PROVINCES[: spec["provinces"]]:
        grow(add(f"T-{code}", name, "province", root), spec["province_tree"])
    return nodes


def head_counts(nodes: list[Node], people: int, rng: random.Random) -> list[int]:
    """Splits `people` over the agencies by kind of node, with log-normal spread; sums exactly to people."""
    weights = [WEIGHT[n.kind] * rng.lognormvariate(0, 0.5) for n in nodes]
    total = sum(weights)
    counts = [int(people * w / total) for w in weights]
    for i in rng.sample(range(len(nodes)), people - sum(counts)):
        counts[i] += 1
    return counts


def sorted_user_ids(n: int, rng: random.Random) -> list[str]:
    """Random version-4 UUIDs as 32 hex digits, in sorted order (so every index on user_id fills in order)."""
    clear = ~((0xF000 << 64) | (0xC000 << 48))
    set_bits = (0x4000 << 64) | (0x8000 << 48)
    return [f"{v:032x}" for v in sorted((rng.getrandbits(128) & clear) | set_bits for _ in range(n))]


def moment_pool(rng: random.Random, now: datetime, size: int = 200_000) -> list[tuple[str, str, int]]:
    """(started_at, completed_at, Vietnam year of completed_at) triples spread over the last six years."""
    from hocso.core.timeutil import vietnam_year

    this_year = vietnam_year(now)
    years = list(range(this_year - len(YEAR_SHARES) + 1, this_year + 1))
    pool = []
    for year in rng.choices(years, YEAR_SHARES, k=size):
        start = datetime(year, 1, 1, tzinfo=UTC) - timedelta(hours=7)  # midnight in Vietnam
        end = min(datetime(year + 1, 1, 1, tzinfo=UTC) - timedelta(hours=7), now - timedelta(hours=1))
        done = start + timedelta(seconds=rng.uniform(0, (end - start).total_seconds()))
        done = done.replace(microsecond=rng.randrange(1_000_000))
        started = done - timedelta(days=rng.uniform(0, 30))
        fmt = "%Y-%m-%d %H:%M:%S.%f"
        pool.append((started.strftime(fmt), done.strftime(fmt), vietnam_year(done)))
    return pool


def binomial_weights(n: int, mean: float) -> list[float]:
    p = min(max(mean / n, 0.0), 1.0)
    return [math.comb(n, k) * p**k * (1 - p) ** (n - k) for k in range(n + 1)]


# --- Loading ------------------------------------------------------------------------------------------------


def active_modules(session) -> list:
    """Every active module with its current version, (Module, ModuleVersion) by slug."""
    from sqlmodel import col, select

    from hocso.content.models import Module, ModuleVersion

    return list(
        session.exec(
            select(Module, ModuleVersion)
            .join(ModuleVersion, col(ModuleVersion.id) == col(Module.current_version_id))
            .where(col(Module.active).is_(True))
            .order_by(col(Module.slug))
        ).all()
    )


def right_answers(session) -> dict[str, dict[str, list[str]]]:
    """The right choices of every question of every active module, by module slug and question id."""
    return {
        module.slug: {q["id"]: [c["id"] for c in q["choices"] if c["correct"]] for q in version.data["quiz"]["questions"]}
        for module, version in active_modules(session)
    }


def insert_agencies(loader: Loader, nodes: list[Node]) -> None:
    """Bulk-inserts the tree's agencies, with a progress line."""
    progress = Progress("agency", len(nodes))
    loader.insert(
        "agency",
        ["id", "code", "name", "parent_id", "path", "depth"],
        ((n.id, n.code, n.name, n.parent_id, n.path, n.depth) for n in nodes),
        progress,
    )
    progress.finish()


def load_modules(engine, content: Path, wanted: int) -> list[dict]:
    """Loads content/ with the app's loader, then adds copies of real modules until there are `wanted`."""
    from hocso.content.models import Module, ModuleVersion
    from hocso.content.service import sync_content
    from hocso.core.db import open_session

    with open_session(engine, write=True) as session:
        report = sync_content(session, content)
        session.commit()
        real = active_modules(session)
        if not real:
            raise SystemExit(f"no modules loaded from {content}: {report.problems[:3]}")
        for i in range(len(real), wanted):
            src_module, src = real[i % len(real)]
            clone = Module(
                slug=f"bench-copy-{i:02d}-{src_module.slug}"[:64], area_slug=src_module.area_slug, active=True, position=100 + i
            )
            session.add(clone)
            session.flush()
            version = ModuleVersion(
                module_slug=clone.slug,
                version=1,
                content_hash=src.content_hash,
                minutes=src.minutes,
                level=src.level,
                audience=src.audience,
                data=src.data,
            )
            session.add(version)
            session.flush()
            clone.current_version_id = version.id
            session.add(clone)
        session.commit()
        rows = active_modules(session)
        return [
            {"slug": m.slug, "version_id": v.id, "lessons": len(v.data["lessons"]), "copy": m.slug.startswith("bench-copy-")}
            for m, v in rows
        ]


class Loader:
    """Bulk inserts: executemany in big transactions on SQLite, COPY on PostgreSQL."""

    def __init__(self, url: str, kind: str):
        self.kind = kind
        if kind == "sqlite":
            self.conn = sqlite3.connect(sqlite_path(url), isolation_level=None)
            for pragma in (
                "journal_mode=MEMORY",
                "synchronous=OFF",
                "foreign_keys=OFF",
                "cache_size=-2000000",
                "temp_store=MEMORY",
            ):
                self.conn.execute(f"PRAGMA {pragma}")
        else:
            import psycopg

            self.conn = psycopg.connect(libpq_url(url), autocommit=True)
            self.conn.execute("SET synchronous_commit = off")
            try:  # skips foreign-key triggers while loading (needs a superuser); the data is consistent by construction
                self.conn.execute("SET session_replication_role = replica")
            except psycopg.Error:
                pass

    def insert(self, table: str, columns: list[str], rows: Iterable[tuple], progress: Progress, batch: int = 250_000) -> None:
        blocks = (
            (
                len(part),
                part,
                "" if self.kind == "sqlite" else "".join("\t".join(_pg_text(v) for v in row) + "\n" for row in part),
            )
            for part in chunks(rows, batch)
        )
        self.insert_lines(table, columns, blocks, progress)

    def insert_lines(
        self, table: str, columns: list[str], blocks: Iterable[tuple[int, list[tuple], str]], progress: Progress
    ) -> None:
        """Like insert, for rows made in blocks: (row count, rows for SQLite, COPY text for PostgreSQL)."""
        if self.kind == "sqlite":
            sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
            self.conn.execute("BEGIN")
            pending = 0
            for n, rows, _ in blocks:
                self.conn.executemany(sql, rows)
                pending += n
                progress.add(n)
                if pending >= 1_000_000:
                    self.conn.execute("COMMIT")
                    self.conn.execute("BEGIN")
                    pending = 0
            self.conn.execute("COMMIT")
            return
        with self.conn.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for n, _, text in blocks:
                copy.write(text)
                progress.add(n)

    def finish(self) -> None:
        if self.kind == "sqlite":
            self.conn.execute("PRAGMA journal_mode=WAL")
        else:
            for table in ("agency", "module_progress"):
                self.conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        self.conn.close()


def analyze_and_count(url: str, kind: str) -> dict[str, int]:
    """Refreshes the planner's statistics (and on SQLite folds the WAL back in); returns row counts."""
    tables = ("agency", "user_account", "module_progress", "agency_rollup", "agency_year_rollup", "agency_module_rollup")
    if kind == "sqlite":
        conn = sqlite3.connect(sqlite_path(url), isolation_level=None)
        conn.execute("ANALYZE")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    else:
        import psycopg

        conn = psycopg.connect(libpq_url(url), autocommit=True)
        conn.execute("VACUUM ANALYZE")
    counts = {table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in tables}
    conn.close()
    return counts


def _pg_text(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    return str(value)


def completion_blocks(
    user_ids: list, per_person: list[int], pool: list, mod_cells: list[tuple], *, kind: str, rng: random.Random
) -> Iterator[tuple[int, list[tuple], str]]:
    """module_progress rows in blocks of about 50,000: each person's k distinct modules, each completed at a
    moment drawn from pool; tuples for SQLite, COPY lines for PostgreSQL."""
    n_mod = len(mod_cells)
    scores = ["0.8", "0.8333", "0.9", "1.0"]
    rows: list[tuple] = []
    lines: list[str] = []
    for uid, k in zip(user_ids, per_person, strict=True):
        if not k:
            continue
        for mi, (started_at, done_at, year) in zip(sorted(rng.sample(range(n_mod), k)), rng.choices(pool, k=k), strict=True):
            slug, lessons, version_id = mod_cells[mi]
            score = scores[mi & 3]
            if kind == "sqlite":
                rows.append((uid, slug, started_at, lessons, float(score), done_at, year, version_id))
            else:
                lines.append(f"{uid}\t{slug}\t{started_at}+00\t{lessons}\t{score}\t{done_at}+00\t{year}\t{version_id}\n")
        if len(rows) + len(lines) >= 50_000:
            yield len(rows) + len(lines), rows, "".join(lines)
            rows, lines = [], []
    if rows or lines:
        yield len(rows) + len(lines), rows, "".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--preset", choices=sorted(PRESETS), default="small")
    parser.add_argument("--db", default="sqlite", help="sqlite (default), postgres, a SQLite path, or a postgresql:// URL")
    parser.add_argument("--content", type=Path, default=ROOT / "content")
    parser.add_argument("--seed", type=int, default=20261124)
    args = parser.parse_args()

    from sqlalchemy import event

    from hocso.core.db import make_engine, open_session
    from hocso.core.migrate import upgrade
    from hocso.core.timeutil import utcnow, vietnam_today
    from hocso.stats import rollups

    spec = PRESETS[args.preset]
    url, kind = resolve_db(args.db, args.preset)
    rng = random.Random(args.seed)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    print(f"== agency data, preset {args.preset}, {kind}: {make_printable(url)}", flush=True)

    t = time.perf_counter()
    fresh_database(url, kind)
    engine = make_engine(url)
    upgrade(engine)
    modules = load_modules(engine, args.content, spec["modules"])
    engine.dispose()
    timings["migrate_and_modules_s"] = time.perf_counter() - t
    print(f"  migrated; {len(modules)} modules ({sum(m['copy'] for m in modules)} of them copies of real ones)", flush=True)

    nodes = build_tree(spec, rng)
    counts = head_counts(nodes, spec["people"], rng)
    depth_counts: dict[int, int] = {}
    for n in nodes:
        depth_counts[n.depth] = depth_counts.get(n.depth, 0) + 1
    print(f"  tree: {len(nodes):,} agencies, by depth {dict(sorted(depth_counts.items()))}", flush=True)

    loader = Loader(url, kind)
    now = utcnow()
    stamp = now.strftime("%Y-%m-%d %H:%M:%S.%f")
    tz = "" if kind == "sqlite" else "+00"

    t = time.perf_counter()
    insert_agencies(loader, nodes)

    # People: uuid order is random with respect to agencies, as with uuid4 keys in real life.
    user_ids = sorted_user_ids(spec["people"], rng)
    agency_of = [n.id for n, c in zip(nodes, counts, strict=True) for _ in range(c)]
    rng.shuffle(agency_of)
    names = [f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}" for _ in range(5000)]
    progress = Progress("user_account", len(user_ids))
    loader.insert(
        "user_account",
        ["id", "email", "full_name", "created_at", "agency_id"],
        ((uid, f"cb{i:07d}@bench.hocso.vn", names[i % 5000], stamp + tz, agency_of[i]) for i, uid in enumerate(user_ids)),
        progress,
    )
    timings["people_s"] = progress.finish()

    # Completions: each person completed k distinct modules, k binomial with the preset's mean.
    pool = moment_pool(rng, now)
    n_mod = len(modules)
    per_person = rng.choices(range(n_mod + 1), binomial_weights(n_mod, spec["completions"] / spec["people"]), k=len(user_ids))
    expected = sum(per_person)
    mod_cells = [(m["slug"], m["lessons"], m["version_id"]) for m in modules]

    progress = Progress("module_progress", expected)
    loader.insert_lines(
        "module_progress",
        [
            "user_id",
            "module_slug",
            "started_at",
            "lessons_completed",
            "best_score",
            "completed_at",
            "completed_year",
            "completed_version_id",
        ],
        completion_blocks(user_ids, per_person, pool, mod_cells, kind=kind, rng=rng),
        progress,
    )
    timings["completions_s"] = progress.finish()

    # A few requirements, so that stats also work out required/overdue figures: one overdue on the root,
    # one on a big province, one on a ministry and some on communes.
    by_code = {n.code: n for n in nodes}
    today = vietnam_today()
    reqs = [
        (by_code["VN"].id, modules[0]["slug"], today - timedelta(days=30)),
        (by_code["T-HCM"].id, modules[1]["slug"], today + timedelta(days=60)),
        (by_code["B01"].id, modules[2]["slug"], today + timedelta(days=90)),
    ]
    communes = [n for n in nodes if n.kind == "Xã"]
    reqs += [
        (c.id, modules[3]["slug"], today + timedelta(days=rng.randint(-20, 120)))
        for c in rng.sample(communes, min(20, len(communes)))
    ]
    progress = Progress("requirement", len(reqs))
    loader.insert(
        "requirement",
        ["agency_id", "module_slug", "due_date", "created_at"],
        ((a, s, d.isoformat(), stamp + tz) for a, s, d in reqs),
        progress,
    )
    progress.finish()
    loader.finish()
    timings["bulk_load_s"] = time.perf_counter() - t

    # Rollups, with the app's own code (the generator gives SQLite a bigger cache than the app's default).
    print("  building rollups with hocso.stats.rollups.rebuild_all ...", flush=True)
    engine = make_engine(url)
    if kind == "sqlite":

        @event.listens_for(engine, "connect")
        def _big_cache(dbapi_conn, _record):
            dbapi_conn.execute("PRAGMA cache_size=-2000000")
            dbapi_conn.execute("PRAGMA temp_store=MEMORY")

    t = time.perf_counter()
    with open_session(engine, write=True) as session:
        rollups.rebuild_all(session)
        session.commit()
    timings["rebuild_all_s"] = time.perf_counter() - t
    print(f"  rollups built in {timings['rebuild_all_s']:.1f} s", flush=True)

    engine.dispose()
    t = time.perf_counter()
    counts_db = analyze_and_count(url, kind)
    timings["analyze_s"] = time.perf_counter() - t
    timings["total_s"] = time.perf_counter() - started
    print(f"  analyzed in {timings['analyze_s']:.1f} s; rows: {counts_db}", flush=True)
    print(f"== done in {timings['total_s']:.0f} s", flush=True)

    OUT.mkdir(parents=True, exist_ok=True)
    meta = {
        "preset": args.preset,
        "engine": kind,
        "seed": args.seed,
        "agencies_by_depth": depth_counts,
        "modules": len(modules),
        "rows": counts_db,
        "timings_s": {k: round(v, 1) for k, v in timings.items()},
    }
    (OUT / f"agency_data-{kind}-{args.preset}.json").write_text(json.dumps(meta, indent=2))
    return 0


def make_printable(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


if __name__ == "__main__":
    sys.exit(main())
