"""The database engine, SQLite pragmas and the per-request session that owns the transaction."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, create_engine

from hocso.core.config import get_settings
from hocso.core.errors import HocsoError

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def make_engine(url: str) -> Engine:
    """Creates an engine; for SQLite turns on WAL, foreign keys and explicit BEGIN handling."""
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)

    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # pragma: no cover - exercised by every test
        # Take transaction control away from the sqlite3 module so SQLAlchemy's BEGIN is the real one.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        # A write transaction takes the write lock up front (BEGIN IMMEDIATE): a deferred one that reads
        # first and writes later can fail with SQLITE_BUSY instead of waiting its turn under WAL.
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


@lru_cache
def get_engine() -> Engine:
    return make_engine(get_settings().sqlalchemy_url)


def open_session(engine: Engine, *, write: bool = False) -> Session:
    bind = engine.execution_options(sqlite_begin="IMMEDIATE") if write and engine.dialect.name == "sqlite" else engine
    return Session(bind=bind, expire_on_commit=False)


_sqlite_writers: dict[int, threading.Lock] = {}


@contextmanager
def _one_writer_at_a_time(engine: Engine, write: bool) -> Iterator[None]:
    """On SQLite, lets this process's write transactions queue on a lock rather than poll the busy timeout.

    SQLite takes one writer at a time anyway; waiting threads that poll sleep in growing steps and wake late,
    which made the slowest writes under load several times slower than queueing here.
    """
    if not write or engine.dialect.name != "sqlite":
        yield
        return
    lock = _sqlite_writers.setdefault(id(engine), threading.Lock())
    with lock:
        yield


@contextmanager
def write_session(engine: Engine) -> Iterator[Session]:
    """A write session outside any request (background jobs, the CLI), queued like a request's writes."""
    with _one_writer_at_a_time(engine, True), open_session(engine, write=True) as session:
        yield session


def get_session(request: Request) -> Iterator[Session]:
    """Yields the request's session and commits at the end: services only flush."""
    engine = request.app.state.engine
    write = request.method in WRITE_METHODS
    with _one_writer_at_a_time(engine, write), open_session(engine, write=write) as session:
        try:
            yield session
            session.commit()
        except HocsoError as exc:
            if exc.keep_changes:
                session.commit()
            else:
                session.rollback()
            raise
        except BaseException:
            session.rollback()
            raise


# scope="function": the commit happens before the response is sent, so a client never sees success for
# something that failed to commit.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


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
