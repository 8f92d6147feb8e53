"""Work that outlives a request: one durable job table and one runner thread per serving process.

A job is queued in the request's transaction, claimed by a conditional UPDATE (so two processes never run the
same job), and reports progress from its own short transactions. A job whose runner died (no heartbeat for
STALE_AFTER) is queued again; handlers checkpoint their progress so a rerun continues where it stopped.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import JSON, Column, Index, LargeBinary, String, Uuid, and_, delete, update
from sqlalchemy.engine import Engine
from sqlmodel import Field, Session, SQLModel, col, select

from hocso.core.config import Settings
from hocso.core.db import open_session, write_session
from hocso.core.timeutil import utcnow

log = logging.getLogger("hocso.jobs")

STALE_AFTER = timedelta(minutes=5)
MAX_ATTEMPTS = 3
KEEP_FINISHED = timedelta(days=7)
STATUSES = ("queued", "running", "done", "failed")


class Job(SQLModel, table=True):
    """One unit of background work: what to do (kind, payload), where it stands, and what came of it."""

    __tablename__ = "job"
    __table_args__ = (Index("ix_job_status_run_after", "status", "run_after"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    kind: str = Field(sa_column=Column(String(40), nullable=False))
    status: str = Field(default="queued", sa_column=Column(String(16), nullable=False))
    payload: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # Input too large or too personal for the payload (an uploaded file); dropped when the job ends.
    data: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    progress_done: int = 0
    progress_total: int = 0
    result: dict | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    error: str | None = Field(default=None, max_length=500)
    attempts: int = 0
    run_after: datetime = Field(default_factory=utcnow)
    heartbeat_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None
    # No foreign key: the job's record outlives an erased account, like the audit trail.
    created_by: uuid.UUID | None = Field(default=None, sa_column=Column(Uuid, nullable=True))


class JobFailed(Exception):
    """Raised by a handler when retrying cannot help; the message is shown to whoever polls the job."""


@dataclass
class JobContext:
    """What a handler sees: its job as claimed, and the means to write progress with its own transactions."""

    engine: Engine
    settings: Settings
    job_id: uuid.UUID
    kind: str
    payload: dict
    data: bytes | None
    progress_done: int
    result: dict | None
    created_by: uuid.UUID | None
    on_progress: Callable[[int, int], None] | None = None
    finished: bool = field(default=False)

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A write transaction of the job's own; the handler commits it after a checkpoint."""
        with write_session(self.engine) as session:
            yield session

    def checkpoint(self, session: Session, *, done: int, total: int, result: dict | None) -> None:
        """Records progress in the handler's transaction, so the work and the count commit together."""
        session.execute(
            update(Job)
            .where(col(Job.id) == self.job_id)
            .values(progress_done=done, progress_total=total, result=result, heartbeat_at=utcnow())
        )
        self.progress_done, self.result = done, result
        if self.on_progress:
            self.on_progress(done, total)

    def finish(self, session: Session, *, result: dict | None) -> None:
        """Marks the job done in the handler's transaction (with its last writes)."""
        session.execute(
            update(Job)
            .where(col(Job.id) == self.job_id)
            .values(status="done", result=result, data=None, finished_at=utcnow(), heartbeat_at=utcnow())
        )
        self.result, self.finished = result, True


Handler = Callable[[JobContext], dict | None]
HANDLERS: dict[str, Handler] = {}
# Work the runner does between jobs: draining an outbox of its own (xAPI statements). A sweeper returns True
# when it did something, so the runner looks again at once rather than after its poll interval.
Sweeper = Callable[[Engine, Settings], bool]
SWEEPERS: list[Sweeper] = []


def sweeper(fn: Sweeper) -> Sweeper:
    """Registers work the runner does whenever no job is waiting."""
    SWEEPERS.append(fn)
    return fn


def handler(kind: str) -> Callable[[Handler], Handler]:
    """Registers the function that runs jobs of a kind."""

    def register(fn: Handler) -> Handler:
        HANDLERS[kind] = fn
        return fn

    return register


def enqueue(
    session: Session,
    *,
    kind: str,
    payload: dict,
    data: bytes | None = None,
    total: int = 0,
    created_by: uuid.UUID | None = None,
    status: str = "queued",
) -> Job:
    """Adds a job in the caller's transaction: it runs only once that commits."""
    job = Job(kind=kind, payload=payload, data=data, progress_total=total, created_by=created_by, status=status)
    if status == "running":
        job.attempts, job.heartbeat_at = 1, utcnow()
    session.add(job)
    session.flush()
    return job


def requeue_stale(session: Session) -> int:
    """Queues again the jobs whose runner stopped sending heartbeats; gives up on those tried too often."""
    cutoff = utcnow() - STALE_AFTER
    stale = and_(col(Job.status) == "running", col(Job.heartbeat_at) < cutoff)
    failed = session.exec(
        update(Job)
        .where(stale, col(Job.attempts) >= MAX_ATTEMPTS)
        .values(status="failed", error="stopped too many times", data=None, finished_at=utcnow())
    ).rowcount
    queued = session.exec(update(Job).where(stale, col(Job.attempts) < MAX_ATTEMPTS).values(status="queued")).rowcount
    return failed + queued


def claim_next(session: Session, kinds: set[str]) -> Job | None:
    """Claims the oldest runnable job; a conditional UPDATE decides between runners racing for it."""
    candidates = session.exec(
        select(Job.id)
        .where(col(Job.status) == "queued", col(Job.run_after) <= utcnow(), col(Job.kind).in_(kinds))
        .order_by(col(Job.created_at))
        .limit(5)
    ).all()
    for job_id in candidates:
        won = session.exec(
            update(Job)
            .where(col(Job.id) == job_id, col(Job.status) == "queued")
            .values(status="running", attempts=Job.attempts + 1, heartbeat_at=utcnow())
        ).rowcount
        if won == 1:
            return session.get(Job, job_id)
    return None


def purge_finished(session: Session) -> None:
    """Deletes jobs finished more than KEEP_FINISHED ago: their results can hold one-time codes."""
    session.execute(delete(Job).where(col(Job.finished_at).is_not(None), col(Job.finished_at) < utcnow() - KEEP_FINISHED))


def run_claimed(
    engine: Engine,
    settings: Settings,
    job: Job,
    *,
    on_progress: Callable[[int, int], None] | None = None,
    retry: bool = True,
) -> None:
    """Runs a claimed job to its end: done, failed, or queued again with a back-off."""
    ctx = JobContext(
        engine=engine,
        settings=settings,
        job_id=job.id,
        kind=job.kind,
        payload=job.payload,
        data=job.data,
        progress_done=job.progress_done,
        result=job.result,
        created_by=job.created_by,
        on_progress=on_progress,
    )
    try:
        result = HANDLERS[job.kind](ctx)
    except JobFailed as exc:
        _end(engine, job.id, status="failed", error=str(exc)[:500])
        return
    except Exception:  # a bug or an outage: retry later, then give up
        log.exception("job %s (%s) failed", job.id, job.kind)
        if job.attempts >= MAX_ATTEMPTS or not retry:
            _end(engine, job.id, status="failed", error="the job failed; see the server log")
        else:
            with write_session(engine) as session:
                session.execute(
                    update(Job)
                    .where(col(Job.id) == job.id)
                    .values(status="queued", run_after=utcnow() + timedelta(seconds=30 * 2**job.attempts))
                )
                session.commit()
        return
    if not ctx.finished:
        with write_session(engine) as session:
            ctx.finish(session, result=result)
            session.commit()


def _end(engine: Engine, job_id: uuid.UUID, *, status: str, error: str) -> None:
    with write_session(engine) as session:
        session.execute(
            update(Job).where(col(Job.id) == job_id).values(status=status, error=error, data=None, finished_at=utcnow())
        )
        session.commit()


class JobRunner:
    """The serving process's one background thread: claims queued jobs from the table and runs them."""

    def __init__(self, engine: Engine, settings: Settings, *, poll_seconds: float = 1.0):
        self.engine, self.settings, self.poll_seconds = engine, settings, poll_seconds
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_sweep = datetime.min.replace(tzinfo=utcnow().tzinfo)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="hocso-jobs", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def wake(self) -> None:
        """Looks for work now rather than at the next poll (after a job was queued in this process)."""
        self._wake.set()

    def run_once(self) -> bool:
        """Claims and runs one job; returns False when there was nothing to do."""
        if utcnow() - self._last_sweep > timedelta(minutes=1):
            with write_session(self.engine) as session:
                requeue_stale(session)
                purge_finished(session)
                session.commit()
            self._last_sweep = utcnow()
        # Polling reads; only a runnable job is worth a write transaction (on SQLite, the one writer's turn).
        with open_session(self.engine) as session:
            runnable = session.exec(select(Job.id).where(Job.status == "queued", Job.run_after <= utcnow()).limit(1)).first()
        job = None
        if runnable:
            with write_session(self.engine) as session:
                job = claim_next(session, set(HANDLERS))
                session.commit()
        if job is None:
            return self._sweep()
        run_claimed(self.engine, self.settings, job)
        return True

    def _sweep(self) -> bool:
        busy = False
        for fn in SWEEPERS:
            try:
                busy = fn(self.engine, self.settings) or busy
            except Exception:  # one failing sweeper must not stop jobs or the others
                log.exception("sweeper %s", getattr(fn, "__name__", fn))
        return busy

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                busy = self.run_once()
            except Exception:  # the database may be briefly away; the loop must outlive that
                log.exception("job runner")
                busy = False
            if not busy:
                self._wake.wait(self.poll_seconds)
                self._wake.clear()
