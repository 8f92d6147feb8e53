"""Attempt limits counted in the database, so they hold across workers, restarts and machines.

Each limit is a counter row per (scope, key) over a fixed window that starts at the key's first attempt.
Counting is one atomic upsert that returns the new count, run in its own short transaction and committed
before the guarded work (a password check) starts: of 35 parallel wrong passwords for one person, only the
first `limit` get a check, and a failure still counts although the request's own transaction rolls back.

Sign-in-like actions (sign-in, activation, a reset code, a password change) count every attempt up front
and take it back when it succeeds. Two counters guard them:
- per identifier (the normalised email or phone): `per_identifier` failures, then 429 until the window ends;
  a success forgets that identifier's failures.
- per client address: an office behind one NAT address shares it, so it counts failures only (a success is
  taken back), and once `per_ip` failures are reached it still lets through an identifier with no other
  attempt in the window, the colleague who types their password right, up to a hard `per_ip_max` after which
  the address waits. A password sprayer behind that address then gets one guess per identifier, and at most
  `per_ip_max` in all.
"""

from __future__ import annotations

import random
import threading
import time
from collections import deque
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import Engine, Float, Index, bindparam, case, delete, update
from sqlmodel import Field, Session, SQLModel, col

from hocso.core.db import dialect_insert, open_session, table_of
from hocso.core.errors import RateLimited


class AttemptCounter(SQLModel, table=True):
    """Attempts of one kind by one key (an identifier, an address) in the current window."""

    __tablename__ = "attempt_counter"
    __table_args__ = (Index("ix_attempt_counter_window_start", "window_start"),)

    scope: str = Field(primary_key=True, max_length=32)
    key: str = Field(primary_key=True, max_length=255)
    # Seconds since the epoch: a number compares the same way on every database, unlike stored datetimes.
    window_start: float = Field(sa_type=Float)
    count: int = 0


_table = table_of(AttemptCounter)


@lru_cache
def _bump_statement(dialect: str):
    stale = _table.c.window_start <= bindparam("cutoff")
    stmt = dialect_insert(dialect, _table).values(
        scope=bindparam("scope"), key=bindparam("key"), window_start=bindparam("now"), count=1
    )
    return stmt.on_conflict_do_update(
        index_elements=["scope", "key"],
        set_={
            "count": case((stale, 1), else_=_table.c.count + 1),
            "window_start": case((stale, bindparam("now")), else_=_table.c.window_start),
        },
    ).returning(_table.c.count, _table.c.window_start)


def bump(session: Session, *, scope: str, key: str, window: int, now: float) -> tuple[int, float]:
    """Counts one attempt; returns (attempts in the window including this one, when the window started)."""
    stmt = _bump_statement(session.get_bind().dialect.name)
    row = session.execute(stmt, {"scope": scope, "key": key, "now": now, "cutoff": now - window}).one()
    return int(row[0]), float(row[1])


def _too_many(wait: float) -> RateLimited:
    seconds = max(1, int(wait) + 1)
    return RateLimited(
        f"Too many attempts. Try again in {seconds} seconds.", f"Thử quá nhiều lần. Vui lòng thử lại sau {seconds} giây.", seconds
    )


@dataclass(frozen=True)
class AttemptLimiter:
    """Limits a sign-in-like action per identifier and per address (see the module docstring)."""

    engine: Engine
    action: str
    per_identifier: int
    per_ip: int
    per_ip_max: int
    window: int

    def reserve(self, *, identifier: str, ip: str) -> None:
        """Counts an attempt before it is checked; raises RateLimited (nothing to check) when over a limit."""
        now = time.time()
        with open_session(self.engine, write=True) as session:
            id_count, id_start = bump(session, scope=f"{self.action}:id", key=identifier, window=self.window, now=now)
            ip_count, ip_start = bump(session, scope=f"{self.action}:ip", key=ip, window=self.window, now=now)
            if random.random() < 0.01:
                prune(session, scopes=[f"{self.action}:id", f"{self.action}:ip"], older_than=now - self.window)
            session.commit()
        if id_count > self.per_identifier:
            raise _too_many(id_start + self.window - now)
        if ip_count > self.per_ip and not (id_count == 1 and ip_count <= self.per_ip_max):
            raise _too_many(ip_start + self.window - now)

    def succeeded(self, session: Session, *, identifier: str, ip: str) -> None:
        """Takes back a successful attempt: the identifier's failures are forgotten, the address's count drops by one."""
        session.execute(
            delete(AttemptCounter).where(col(AttemptCounter.scope) == f"{self.action}:id", col(AttemptCounter.key) == identifier)
        )
        session.execute(
            update(AttemptCounter)
            .where(col(AttemptCounter.scope) == f"{self.action}:ip", col(AttemptCounter.key) == ip, col(AttemptCounter.count) > 0)
            .values(count=AttemptCounter.count - 1)
        )
        session.flush()


@dataclass(frozen=True)
class RequestLimiter:
    """Limits an action that counts whether or not it succeeds (registrations, reset codes sent)."""

    engine: Engine
    action: str
    per_identifier: int
    per_ip: int
    window: int

    def hit(self, *, identifiers: list[str], ip: str) -> None:
        """Counts a request for each identifier and the address; raises RateLimited when any is over its limit."""
        with open_session(self.engine, write=True) as session:
            waits = self._count(session, identifiers=identifiers, ip=ip)
            session.commit()
        if waits:
            raise _too_many(max(waits))

    def hit_within(self, session: Session, *, identifiers: list[str], ip: str) -> None:
        """Counts in the request's own transaction: only what the request went on to do (and committed) counts.

        For a request that already holds SQLite's write lock, where a second connection would wait for it.
        """
        waits = self._count(session, identifiers=identifiers, ip=ip)
        if waits:
            raise _too_many(max(waits))

    def _count(self, session: Session, *, identifiers: list[str], ip: str) -> list[float]:
        now = time.time()
        waits: list[float] = []
        count, start = bump(session, scope=f"{self.action}:ip", key=ip, window=self.window, now=now)
        if count > self.per_ip:
            waits.append(start + self.window - now)
        for identifier in dict.fromkeys(identifiers):
            count, start = bump(session, scope=f"{self.action}:id", key=identifier, window=self.window, now=now)
            if count > self.per_identifier:
                waits.append(start + self.window - now)
        if random.random() < 0.01:
            prune(session, scopes=[f"{self.action}:id", f"{self.action}:ip"], older_than=now - self.window)
        return waits


@dataclass(frozen=True)
class SessionLimiter:
    """Limits a check made inside the request's own transaction, such as a signed-in person's password change."""

    # Counted in that transaction (which already holds locks, so a second one could wait on it): parallel
    # checks take turns on the counter row, and a failure must be raised as an error that keeps its changes.

    action: str
    limit: int
    window: int

    def count(self, session: Session, *, key: str) -> None:
        now = time.time()
        count, start = bump(session, scope=f"{self.action}:id", key=key, window=self.window, now=now)
        if count > self.limit:
            raise _too_many(start + self.window - now)

    def succeeded(self, session: Session, *, key: str) -> None:
        session.execute(
            delete(AttemptCounter).where(col(AttemptCounter.scope) == f"{self.action}:id", col(AttemptCounter.key) == key)
        )
        session.flush()


def prune(session: Session, *, scopes: list[str], older_than: float) -> None:
    """Deletes counters whose window has ended, so a flood of distinct keys does not stay in the table."""
    session.execute(
        delete(AttemptCounter).where(col(AttemptCounter.scope).in_(scopes), col(AttemptCounter.window_start) <= older_than)
    )


class SlidingWindowLimiter:
    """Counts events per key over a window in this process only, for public reads such as certificate checks."""

    # A database write per public read would cost more than this limit protects.

    def __init__(self, limit: int, window_seconds: int):
        self.limit = limit
        self.window = window_seconds
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _prune(self, key: str, now: float) -> deque[float]:
        hits = self._hits.setdefault(key, deque())
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        return hits

    def retry_after(self, key: str) -> int:
        """Returns seconds until key may try again, or 0 when it may try now."""
        now = time.monotonic()
        with self._lock:
            hits = self._prune(key, now)
            if len(hits) < self.limit:
                if not hits:
                    self._hits.pop(key, None)
                return 0
            return int(hits[0] + self.window - now) + 1

    def hit(self, key: str) -> None:
        now = time.monotonic()
        with self._lock:
            self._prune(key, now).append(now)
            if len(self._hits) > 100_000:  # bound memory under a flood of distinct keys
                for stale in [k for k, v in self._hits.items() if not v or v[-1] <= now - self.window]:
                    del self._hits[stale]
