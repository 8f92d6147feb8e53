"""Where a completion's time goes on PostgreSQL: cProfile of 300 completions through flows.submit_attempt.

    HOCSO_PG_DURABLE=1 scripts/with-postgres sh -c '.venv/bin/python bench/agency_data.py --preset small --db postgres &&
                                                   .venv/bin/python bench/profile_completion.py'

Uses the `small` preset's database on the server in HOCSO_TEST_DATABASE_URL; prints the time and statements
per completion, then the 35 most expensive calls by cumulative time.
"""

from __future__ import annotations

import cProfile
import os
import pstats
import sys
import time
import uuid
from pathlib import Path

from sqlalchemy import event
from sqlalchemy import select as core_select

from hocso.accounts.models import User
from hocso.core.db import make_engine, open_session
from hocso.core.timeutil import utcnow
from hocso.learning.schemas import AttemptIn

sys.path.insert(0, str(Path(__file__).resolve().parent))
from agency_data import right_answers  # noqa: E402
from agency_stats import app_content_cache, complete_as_the_endpoint  # noqa: E402

WARM, TIMED = 50, 300


def main() -> None:
    base = os.environ["HOCSO_TEST_DATABASE_URL"].rsplit("/", 1)[0]
    engine = make_engine(base.replace("postgresql://", "postgresql+psycopg://") + "/hocso_agency_small")
    with open_session(engine) as session:
        right = right_answers(session)
        slugs = list(right)
        people = session.execute(core_select(User.id).where(User.agency_id.is_not(None)).limit(WARM + TIMED)).scalars().all()
    statements = [0]
    event.listen(engine, "before_cursor_execute", lambda *_: statements.__setitem__(0, statements[0] + 1))

    modules = app_content_cache(engine)

    def complete(uid: uuid.UUID, slug: str) -> None:
        body = AttemptIn(event_id=uuid.uuid4(), answers=right[slug], occurred_at=utcnow())
        complete_as_the_endpoint(engine, modules, uid, slug, body)

    for uid in people[:WARM]:
        complete(uid, slugs[-1])
    profile = cProfile.Profile()
    statements[0] = 0
    wall, cpu = time.perf_counter(), time.process_time()
    profile.enable()
    for uid in people[WARM:]:
        complete(uid, slugs[-2])
    profile.disable()
    n = len(people) - WARM
    wall_ms, cpu_ms = (time.perf_counter() - wall) / n * 1000, (time.process_time() - cpu) / n * 1000
    per = statements[0] / n
    print(f"{n} completions under cProfile: {wall_ms:.2f} ms wall and {cpu_ms:.2f} ms CPU each, {per:.1f} statements")
    pstats.Stats(profile).sort_stats("cumulative").print_stats(35)


if __name__ == "__main__":
    main()
