"""The database engine, SQLite pragmas and the per-request session that owns the transaction."""

from __future__ import annotations

import os
import threading
import time
import weakref
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AsyncExitStack, asynccontextmanager, contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Annotated, TypeVar

import anyio
import anyio.to_thread
from fastapi import Depends, Request
from sqlalchemy import Engine, Table, event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DisconnectionError
from sqlmodel import Session, SQLModel, create_engine

from hocso.core.errors import DatabaseBusy, HocsoError

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
T = TypeVar("T")
# How long an answer from the database vouches for it to /health.
HEALTH_FRESH_SECONDS = 1.0
# A pooled PostgreSQL connection used less than this ago is handed out without a ping first.
PING_AFTER_IDLE_SECONDS = 1.0


def make_engine(url: str, *, connections: int = 8, wait_seconds: float = 10) -> Engine:
    """Creates an engine; for SQLite turns on WAL, foreign keys and explicit BEGIN handling.

    The pool holds `connections` for requests (see DatabaseGate) and one for /health; its overflow covers a
    second short session per request (the attempt counters) and work outside requests, so a request that got
    its turn never waits for the pool.
    """
    pool = {"pool_size": connections + 1, "max_overflow": connections + 4, "pool_timeout": wait_seconds}
    if not url.startswith("sqlite"):
        engine = create_engine(url, **pool)
        _ping_when_idle(engine)
        return engine

    # Last in, first out: the connection handed out is the one used last, whose page cache is still warm (each
    # SQLite connection keeps its own); first in, first out went round every pooled connection in turn.
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": wait_seconds}, pool_use_lifo=True, **pool)
    _private_file(engine.url.database)
    busy_ms = int(wait_seconds * 1000)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # pragma: no cover - exercised by every test
        # Take transaction control away from the sqlite3 module so SQLAlchemy's BEGIN is the real one.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        # Erased people's rows are overwritten with zeros, not left readable in free pages of the file.
        cur.execute("PRAGMA secure_delete=ON")
        # Another process's writer (a second worker, the command line) is waited for this long, then 503.
        cur.execute(f"PRAGMA busy_timeout={busy_ms}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        # A write transaction takes the write lock up front (BEGIN IMMEDIATE): a deferred one that reads
        # first and writes later can fail with SQLITE_BUSY instead of waiting its turn under WAL.
        if conn.get_execution_options().get("sqlite_begin") == "IMMEDIATE":
            conn.exec_driver_sql("BEGIN IMMEDIATE")  # may wait for the writer: its error is SQLAlchemy's, so 503
        else:
            # Takes no lock, so it cannot fail: sent straight to the driver, without a statement's machinery.
            conn.connection.driver_connection.execute("BEGIN DEFERRED")

    return engine


def _ping_when_idle(engine: Engine, idle_seconds: float = PING_AFTER_IDLE_SECONDS) -> None:
    """Pings a pooled connection before handing it out only when it sat unused for idle_seconds.

    pool_pre_ping pinged before every checkout: one more round trip per request, which a busy server answers
    after a wait for the CPU. A connection that answered within the last second is taken on trust; one the
    server dropped while it sat idle longer (a restart, an idle timeout) is replaced before anyone uses it.
    """

    @event.listens_for(engine, "checkin")
    def _checkin(_dbapi_conn, record) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checkout(dbapi_conn, record, _proxy) -> None:
        since = record.info.pop("idle_since", None)
        if since is None or time.monotonic() - since < idle_seconds:
            return
        try:
            alive = engine.dialect.do_ping(dbapi_conn)
        except Exception as exc:
            raise DisconnectionError() from exc  # the pool throws this connection away and checks out another
        if not alive:
            raise DisconnectionError()


def _private_file(database: str | None) -> None:
    """Creates the SQLite file readable by its owner only (its folder too, when made here), before SQLite does.

    SQLite gives the -wal and -shm files the database file's mode, so they stay private as well.
    """
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    if not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True)
    # Never open and close an existing database file here: closing any descriptor of a file drops every POSIX
    # lock this process holds on it, SQLite's included, and another process closing its last connection would
    # then delete the WAL that this process's connections are still writing to (their writes would vanish).
    if not path.exists():
        try:
            os.close(os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600))
        except FileExistsError:
            pass
    if path.stat().st_mode & 0o077:
        try:
            path.chmod(0o600)  # a file made by an earlier version, world-readable
        except PermissionError:
            pass


_immediate: weakref.WeakKeyDictionary[Engine, Engine] = weakref.WeakKeyDictionary()


def open_session(engine: Engine, *, write: bool = False) -> Session:
    if write and engine.dialect.name == "sqlite":
        # One option-carrying engine per engine, made once: making it per session copies its event dispatch.
        bind = _immediate.get(engine)
        if bind is None:
            bind = _immediate.setdefault(engine, engine.execution_options(sqlite_begin="IMMEDIATE"))
    else:
        bind = engine
    return Session(bind=bind, expire_on_commit=False)


_autocommit: weakref.WeakKeyDictionary[Engine, Engine] = weakref.WeakKeyDictionary()


def one_statement_session(engine: Engine) -> Session:
    """A session for a read made of a single statement, which is its own snapshot: no transaction around it.

    On PostgreSQL the connection is in autocommit, so the read is one round trip instead of three (BEGIN, the
    statement, ROLLBACK), each of which a loaded server answers after a wait for the CPU. A second statement in
    such a session would see a later snapshot than the first: only what reads everything it shows in one
    statement uses it. On SQLite, in process, a deferred transaction costs no round trip and stays.
    """
    if engine.dialect.name == "sqlite":
        return open_session(engine)
    bind = _autocommit.get(engine)
    if bind is None:
        bind = _autocommit.setdefault(engine, engine.execution_options(isolation_level="AUTOCOMMIT"))
    return Session(bind=bind, expire_on_commit=False)


class DatabaseGate:
    """Who may use the database now, per engine and process: a request waits its turn in the event loop.

    Waiting happens here, on AnyIO primitives, never in a worker thread: threads that blocked on a lock or on
    the pool could take every thread of AnyIO's pool while the holder needed one to finish, and the server
    froze. At most `connections` requests hold a connection (fewer than the pool has), SQLite's writes take
    turns (it has one writer), and whoever waits longer than `wait_seconds` gets 503 with Retry-After.
    Commit and close run on threads of their own, so finishing never waits behind the requests that wait.
    """

    def __init__(self, engine: Engine, *, connections: int, wait_seconds: float):
        self.engine = engine
        self.wait_seconds = wait_seconds
        self._slots = anyio.Semaphore(connections)
        self._writer = anyio.Lock() if engine.dialect.name == "sqlite" else None
        self._file_lock = _file_writer_lock(engine) if self._writer is not None else None
        self._finishers = anyio.CapacityLimiter(connections)
        self._health = anyio.CapacityLimiter(1)
        self._answered_at = float("-inf")  # when the database last answered (time.monotonic)

    @asynccontextmanager
    async def turn(self, *, write: bool) -> AsyncIterator[None]:
        """Waits (boundedly) for a connection, and on SQLite for a write also for the writer's turn."""
        if not write and self._slots.value:
            # A read with a connection free: nobody is queued (a release hands over to a waiter first), and a
            # deadline for a wait that will not happen cost more than the rest of the gate.
            self._slots.acquire_nowait()
            try:
                yield
            finally:
                self._slots.release()
            return
        async with AsyncExitStack() as stack:
            try:
                with anyio.fail_after(self.wait_seconds):
                    # The writer's turn first: writers queued on it must not sit on connections readers need.
                    if write and self._writer is not None and self._file_lock is not None:
                        await stack.enter_async_context(self._writer)
                        await self._take_file_lock(self._file_lock)
                        stack.callback(self._file_lock.release)
                    await stack.enter_async_context(self._slots)
            except TimeoutError:
                raise DatabaseBusy() from None
            yield

    async def _take_file_lock(self, lock: threading.Lock) -> None:
        """Waits for background writers of this process (the job runner), which hold the file's writer lock.

        Only the request at the head of the writers' queue waits here, polling in the event loop rather than
        blocking a worker thread; background transactions are short, so the head waits little.
        """
        while not lock.acquire(blocking=False):
            await anyio.sleep(0.002)

    async def finish(self, session: Session, *, commit: bool) -> None:
        """Commits or rolls back, then closes, on a thread of its own; a cancelled request still finishes."""

        def _finish() -> None:
            try:
                if commit:
                    session.commit()
                else:
                    session.rollback()
            finally:
                session.close()

        with anyio.CancelScope(shield=True):
            await anyio.to_thread.run_sync(_finish, limiter=self._finishers)
        if commit:
            self._answered_at = time.monotonic()

    async def run(self, work: Callable[[Session], T], *, write: bool) -> T:
        """Runs work(session) and the commit once it is this request's turn; returns its result.

        get_session's way takes three hops to the thread pool per request (the signed-in person's lookup, the
        endpoint, the commit) and a sync endpoint's answer is validated on a fourth; under load each hop waits
        for the OS to run the thread. This takes one, and a read on SQLite none: it runs on the event loop.
        sqlite3 lets go of the GIL around every call into SQLite, so on a worker thread each statement and
        row handed the GIL to the busy event loop and back, two thread switches that cost such a read 2-3x its
        own CPU (bench/README.md, "Fourth pass"); and a read in WAL mode takes no lock, so it never waits
        there. A write still runs on a thread: it may wait for another process's writer, and its commit may
        checkpoint the WAL to disk. Outcomes are get_session's: committed before the answer, a HocsoError
        keeps its changes only when it says so, anything else rolls back.
        """
        async with self.turn(write=write):
            session = open_session(self.engine, write=write)
            if not write and self._writer is not None:  # a read, on SQLite
                result = _in_transaction(work, session)
            else:
                with anyio.CancelScope(shield=True):  # a cancelled request still finishes what it started
                    result = await anyio.to_thread.run_sync(_in_transaction, work, session)
        self._answered_at = time.monotonic()
        return result

    async def ping(self, timeout: float = 3) -> None:
        """Raises DatabaseBusy unless the database answered within the last second or answers within timeout.

        A commit that went through counts as an answer, so under load /health costs no query; when the
        database stops answering, /health says so within HEALTH_FRESH_SECONDS.
        """
        if time.monotonic() - self._answered_at < HEALTH_FRESH_SECONDS:
            return

        def _ping() -> None:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))

        try:
            with anyio.fail_after(timeout):
                # Abandoned on timeout: a stuck connection attempt must not hold up the answer.
                await anyio.to_thread.run_sync(_ping, limiter=self._health, abandon_on_cancel=True)
        except TimeoutError:
            raise DatabaseBusy() from None
        self._answered_at = time.monotonic()


def _in_transaction(work: Callable[[Session], T], session: Session) -> T:
    """work(session), then commit; a HocsoError commits only if it keeps its changes, anything else rolls back."""
    try:
        try:
            result = work(session)
        except HocsoError as exc:
            if exc.keep_changes:
                session.commit()
            else:
                session.rollback()
            raise
        except BaseException:
            session.rollback()
            raise
        session.commit()
        return result
    finally:
        session.close()


_sqlite_writers: dict[int, threading.Lock] = {}


def _file_writer_lock(engine: Engine) -> threading.Lock:
    """This process's writer lock for a SQLite file: taken by requests (via their gate) and background work."""
    return _sqlite_writers.setdefault(id(engine), threading.Lock())


@contextmanager
def write_session(engine: Engine) -> Iterator[Session]:
    """A write session outside any request (background jobs, the CLI), queued like a request's writes.

    It blocks its own thread, never one of AnyIO's: run it from a thread of its own (the job runner's).
    """
    if engine.dialect.name != "sqlite":
        with open_session(engine, write=True) as session:
            yield session
        return
    with _file_writer_lock(engine), open_session(engine, write=True) as session:
        yield session


_gates: weakref.WeakKeyDictionary[Engine, DatabaseGate] = weakref.WeakKeyDictionary()


def gate_for(engine: Engine, *, connections: int, wait_seconds: float) -> DatabaseGate:
    """The engine's gate in this process, shared by every app over that engine (the writer's turn is per file)."""
    if engine not in _gates:
        _gates[engine] = DatabaseGate(engine, connections=connections, wait_seconds=wait_seconds)
    return _gates[engine]


# A GET that also writes (an export recorded in the audit trail) says so with `openapi_extra=WRITES_ON_GET`. On
# SQLite a read transaction that writes later cannot wait for the writer: once another write has committed since
# it began, its first write fails at once with "database is locked". Such a GET takes the writer's turn up front.
WRITES_ON_GET = {"x-writes": True}


# A GET whose statements each stand alone says so with `openapi_extra=AUTOCOMMIT_READ`: the checks of who asks
# (each a fact on its own) and then everything it shows in one statement. On PostgreSQL it runs without a
# transaction (one_statement_session): no BEGIN and COMMIT round trips, each a wait for the CPU under load.
AUTOCOMMIT_READ = {"x-autocommit-read": True}


def _route_says(request: Request, key: str) -> bool:
    extra = getattr(request.scope.get("route"), "openapi_extra", None)
    return bool(extra and extra.get(key))


def _writes_on_get(request: Request) -> bool:
    return _route_says(request, "x-writes")


async def get_session(request: Request) -> AsyncIterator[Session]:
    """Yields the request's session once it is its turn, and commits before the answer: services only flush."""
    gate: DatabaseGate = request.app.state.db_gate
    write = request.method in WRITE_METHODS or _writes_on_get(request)
    async with gate.turn(write=write):
        if not write and _route_says(request, "x-autocommit-read"):
            session = one_statement_session(gate.engine)
        else:
            session = open_session(gate.engine, write=write)
        try:
            yield session
        except HocsoError as exc:
            await gate.finish(session, commit=exc.keep_changes)
            raise
        except BaseException:
            await gate.finish(session, commit=False)
            raise
        await gate.finish(session, commit=True)


# scope="function": the commit happens before the response is sent, so a client never sees success for
# something that failed to commit.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def table_of(model: type[SQLModel]) -> Table:
    """A table model's Core table, for statements on the hot path that skip the ORM."""
    # SQLModel sets __table__ on every table=True class but does not declare it for type checkers.
    return model.__table__  # type: ignore[attr-defined]


def dialect_insert(dialect: str, table):
    """INSERT for the dialect in use: PostgreSQL's and SQLite's both offer ON CONFLICT."""
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


@lru_cache
def _insert_ignoring(dialect: str, table, conflict_cols: tuple[str, ...]):
    """INSERT ... ON CONFLICT (conflict_cols) DO NOTHING RETURNING conflict_cols, built once per table.

    The rows go in as parameters rather than inlined into the statement, so SQLAlchemy compiles it once and
    reuses it: compiling an inlined statement anew on every call cost more than running it.
    """
    stmt = dialect_insert(dialect, table)
    return stmt.on_conflict_do_nothing(index_elements=list(conflict_cols)).returning(*[table.c[c] for c in conflict_cols])


def insert_ignoring_conflicts(session: Session, table, rows: list[dict], conflict_cols: list[str]) -> list:
    """Inserts rows, skipping those that clash on conflict_cols; returns the conflict keys actually inserted."""
    if not rows:
        return []
    stmt = _insert_ignoring(session.get_bind().dialect.name, table, tuple(conflict_cols))
    result = session.execute(stmt, rows)
    return [tuple(r) if len(conflict_cols) > 1 else r[0] for r in result]
