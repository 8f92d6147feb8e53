"""The xAPI outbox: statements queued in the transaction that stores their event, sent to the LRS later.

Delivery is at least once: a statement leaves the outbox only after the LRS answered for it, and a resend is
the same statement byte for byte (it was built once, from the stored event), which an LRS takes as a no-op.
"""

from __future__ import annotations

import logging
import random
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import delete, select, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from hocso.core import jobs
from hocso.core.config import Settings
from hocso.core.db import insert_ignoring_conflicts, open_session, table_of
from hocso.core.timeutil import utcnow
from hocso.xapi.models import XapiStatement

log = logging.getLogger("hocso.xapi")

_OUTBOX = table_of(XapiStatement)
# While one sender has statements in flight, nobody else takes them (they would only be sent twice).
LEASE = timedelta(seconds=60)
MAX_BACKOFF = timedelta(hours=1)
# A statement the LRS refuses for what it is (400, or 409: it holds a different one with that id) waits this
# long before another try, so one bad statement does not hold up the rest.
PARKED = timedelta(days=1)


def enqueue(session: Session, *, user_id: uuid.UUID, statements: list[dict[str, Any]]) -> None:
    """Queues statements in the caller's transaction; a statement already queued stays as it was."""
    rows = [
        {
            "id": uuid.UUID(s["id"]),
            "user_id": user_id,
            "statement": s,
            "created_at": utcnow(),
            "attempts": 0,
            "next_try_at": utcnow(),
        }
        for s in statements
    ]
    insert_ignoring_conflicts(session, _OUTBOX, rows, ["id"])


def forget_person(session: Session, *, user_id: uuid.UUID) -> None:
    """Drops a person's unsent statements, when their account is erased."""
    session.execute(delete(XapiStatement).where(col(XapiStatement.user_id) == user_id))


def pending(session: Session) -> int:
    from sqlalchemy import func

    return session.execute(select(func.count()).select_from(_OUTBOX)).scalar_one()


@dataclass
class Delivery:
    sent: int = 0
    failed: int = 0
    parked: int = 0


def _backoff(attempts: int) -> timedelta:
    seconds = min(MAX_BACKOFF.total_seconds(), 2 ** min(attempts, 20))
    return timedelta(seconds=seconds * random.uniform(0.8, 1.2))


def _lease(engine: Engine, batch: int) -> list[tuple[uuid.UUID, dict, int]]:
    now = utcnow()
    with open_session(engine, write=True) as session:
        candidates = (
            session.execute(select(_OUTBOX.c.id).where(_OUTBOX.c.next_try_at <= now).order_by(_OUTBOX.c.created_at).limit(batch))
            .scalars()
            .all()
        )
        if not candidates:
            return []
        # Conditional on the row still being due, so two senders racing for it cannot both take it.
        taken = session.execute(
            update(_OUTBOX)
            .where(_OUTBOX.c.id.in_(candidates), _OUTBOX.c.next_try_at <= now)
            .values(next_try_at=now + LEASE)
            .returning(_OUTBOX.c.id, _OUTBOX.c.statement, _OUTBOX.c.attempts)
        ).all()
        session.commit()
    order = {c: i for i, c in enumerate(candidates)}
    return sorted(((r.id, r.statement, r.attempts) for r in taken), key=lambda r: order[r[0]])


def _settle(
    engine: Engine, *, sent: list[uuid.UUID], retry: list[tuple[uuid.UUID, int]], parked: list[uuid.UUID], error: str | None
) -> None:
    with open_session(engine, write=True) as session:
        if sent:
            session.execute(delete(XapiStatement).where(col(XapiStatement.id).in_(sent)))
        for statement_id, attempts in retry:
            session.execute(
                update(_OUTBOX)
                .where(_OUTBOX.c.id == statement_id)
                .values(attempts=attempts + 1, next_try_at=utcnow() + _backoff(attempts + 1), last_error=(error or "")[:300])
            )
        if parked:
            session.execute(
                update(_OUTBOX)
                .where(_OUTBOX.c.id.in_(parked))
                .values(attempts=_OUTBOX.c.attempts + 1, next_try_at=utcnow() + PARKED, last_error=(error or "")[:300])
            )
        session.commit()


def _post(client: httpx.Client, settings: Settings, statements: list[dict]) -> httpx.Response:
    assert settings.xapi_endpoint, "statements are delivered only when an LRS is configured"
    return client.post(
        settings.xapi_endpoint.rstrip("/") + "/statements",
        json=statements,
        auth=(settings.xapi_username or "", settings.xapi_password or ""),
        headers={"X-Experience-API-Version": "1.0.3"},
        timeout=settings.xapi_timeout_seconds,
    )


def deliver_once(engine: Engine, settings: Settings, client: httpx.Client, *, batch: int = 100) -> Delivery:
    """Sends one batch of due statements; returns what became of them."""
    leased = _lease(engine, batch)
    outcome = Delivery()
    if not leased:
        return outcome
    try:
        response = _post(client, settings, [s for _, s, _ in leased])
    except httpx.HTTPError as exc:
        _settle(engine, sent=[], retry=[(i, a) for i, _, a in leased], parked=[], error=f"{type(exc).__name__}: {exc}")
        outcome.failed = len(leased)
        return outcome
    if response.status_code in (200, 204):
        _settle(engine, sent=[i for i, _, _ in leased], retry=[], parked=[], error=None)
        outcome.sent = len(leased)
    elif response.status_code in (400, 409) and len(leased) > 1:
        # One statement spoils the batch: send them one by one to find it and deliver the rest.
        for item in leased:
            single = _deliver_single(client, settings, engine, item)
            outcome.sent += single == "sent"
            outcome.parked += single == "parked"
            outcome.failed += single == "failed"
    elif response.status_code in (400, 409):
        _settle(engine, sent=[], retry=[], parked=[leased[0][0]], error=f"LRS {response.status_code}: {response.text[:200]}")
        outcome.parked = 1
    else:
        _settle(engine, sent=[], retry=[(i, a) for i, _, a in leased], parked=[], error=f"LRS {response.status_code}")
        outcome.failed = len(leased)
    if outcome.parked:
        log.warning("xAPI: the LRS refused %d statement(s); they wait %s before another try", outcome.parked, PARKED)
    return outcome


def _deliver_single(client: httpx.Client, settings: Settings, engine: Engine, item: tuple[uuid.UUID, dict, int]) -> str:
    statement_id, statement, attempts = item
    try:
        response = _post(client, settings, [statement])
    except httpx.HTTPError as exc:
        _settle(engine, sent=[], retry=[(statement_id, attempts)], parked=[], error=str(exc))
        return "failed"
    if response.status_code in (200, 204):
        _settle(engine, sent=[statement_id], retry=[], parked=[], error=None)
        return "sent"
    if response.status_code in (400, 409):
        _settle(engine, sent=[], retry=[], parked=[statement_id], error=f"LRS {response.status_code}: {response.text[:200]}")
        return "parked"
    _settle(engine, sent=[], retry=[(statement_id, attempts)], parked=[], error=f"LRS {response.status_code}")
    return "failed"


def drain(engine: Engine, settings: Settings, client: httpx.Client) -> Delivery:
    """Sends batches until nothing is due or a batch fails."""
    total = Delivery()
    while True:
        outcome = deliver_once(engine, settings, client)
        total.sent += outcome.sent
        total.failed += outcome.failed
        total.parked += outcome.parked
        if outcome.sent == 0 or outcome.failed:
            return total


_client: httpx.Client | None = None


@jobs.sweeper
def deliver(engine: Engine, settings: Settings) -> bool:
    """The job runner's turn for xAPI: sends one batch of due statements when an LRS is configured."""
    global _client
    if not settings.xapi_endpoint:
        return False
    with open_session(engine) as session:
        due = session.execute(select(_OUTBOX.c.id).where(_OUTBOX.c.next_try_at <= utcnow()).limit(1)).first()
    if due is None:
        return False
    if _client is None:
        _client = httpx.Client()
    outcome = deliver_once(engine, settings, _client)
    return outcome.sent > 0 and not outcome.failed
