"""The SQLite file when things go wrong or get erased: full or locked answers 503 and stores nothing, erased
rows are not left readable in the file, and the file and its folder are private."""

from __future__ import annotations

import os
import sqlite3
import stat
import time
import uuid
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, text
from sqlalchemy.engine import make_url

from hocso.cli import main as hocso_main
from hocso.core.config import Settings
from hocso.core.db import make_engine
from hocso.main import create_app
from tests.conftest import PG_URL, register

pytestmark = pytest.mark.skipif(bool(PG_URL), reason="SQLite's file; PostgreSQL manages its own storage")


def _batch(n: int) -> dict:
    now = datetime.now(UTC).isoformat()
    return {
        "events": [
            {
                "event_id": str(uuid.uuid4()),
                "type": "lesson_completed",
                "module": "qr-basics",
                "lesson": "scan",
                "occurred_at": now,
            }
            for _ in range(n)
        ]
    }


def _events_stored(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM progress_event")).scalar_one()


def test_a_full_disk_answers_503_with_retry_after_and_stores_nothing(client, learner, engine):
    with engine.connect() as conn:
        pages = conn.execute(text("PRAGMA page_count")).scalar_one()

    # The file may not grow by a page from now on: what SQLite reports when the disk is full.
    @event.listens_for(engine, "connect")
    def _no_room(dbapi_conn, _record):
        dbapi_conn.execute(f"PRAGMA max_page_count={pages}")

    engine.dispose()
    r = client.post("/api/v1/progress/events", json=_batch(400), headers=learner["headers"])
    assert r.status_code == 503, r.text
    assert int(r.headers["retry-after"]) >= 1
    assert "chưa lưu gì" in r.json()["detail"]
    r = client.post("/api/v1/progress/events", json=_batch(400), headers={**learner["headers"], "Accept-Language": "en"})
    assert r.status_code == 503 and "nothing was saved" in r.json()["detail"]
    assert client.get("/api/v1/health").status_code == 200  # reading still works
    event.remove(engine, "connect", _no_room)
    engine.dispose()
    assert _events_stored(engine) == 0
    assert client.post("/api/v1/progress/events", json=_batch(400), headers=learner["headers"]).status_code == 200


def test_a_write_lock_held_past_the_wait_answers_503_not_a_hang(settings, engine, learner):
    quick = settings.model_copy(update={"db_wait_seconds": 0.3})
    quick_engine = make_engine(settings.sqlalchemy_url, wait_seconds=0.3)
    holder = sqlite3.connect(make_url(settings.sqlalchemy_url).database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process writing, e.g. `hocso users import`
    try:
        with TestClient(create_app(quick, quick_engine)) as client:
            start = time.monotonic()
            r = client.post("/api/v1/progress/events", json=_batch(3), headers=learner["headers"])
            assert r.status_code == 503 and r.headers["retry-after"]
            assert time.monotonic() - start < 5
    finally:
        holder.rollback()
        holder.close()
        quick_engine.dispose()


def test_progress_reads_while_another_process_writes_without_waiting_for_it(settings, engine, learner):
    # On SQLite /me/progress runs on the event loop itself: were it to wait for the writer's lock there, it
    # would get 503 after the wait (or stall every request of the worker), not its answer.
    quick = settings.model_copy(update={"db_wait_seconds": 0.3})
    quick_engine = make_engine(settings.sqlalchemy_url, wait_seconds=0.3)
    holder = sqlite3.connect(make_url(settings.sqlalchemy_url).database, isolation_level=None)
    try:
        with TestClient(create_app(quick, quick_engine)) as client:
            assert client.post("/api/v1/progress/events", json=_batch(1), headers=learner["headers"]).status_code == 200
            holder.execute("BEGIN IMMEDIATE")  # another process writing, not committed yet
            holder.execute("DELETE FROM progress_event")
            holder.execute("DELETE FROM module_progress")
            r = client.get("/api/v1/me/progress", headers=learner["headers"])
            assert r.status_code == 200, r.text
            qr = next(m for m in r.json()["modules"] if m["slug"] == "qr-basics")
            assert qr["status"] == "in_progress" and qr["lessons_done"] == ["scan"]  # what was committed
    finally:
        holder.rollback()
        holder.close()
        quick_engine.dispose()


def _checkpointed(engine) -> bytes:
    """The database file's bytes once everything in the WAL is written into it."""
    with engine.connect() as conn:
        conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    return open(make_url(str(engine.url)).database, "rb").read()


def test_an_erased_account_leaves_no_readable_trace_in_the_database_file(client, engine):
    # Debian builds SQLite with secure_delete on; other builds (and Python wheels elsewhere) leave it off.
    # Start each connection as such a build would, so the app's own setting is what is tested.
    @event.listens_for(engine, "connect", insert=True)
    def _build_default_off(dbapi_conn, _record):
        dbapi_conn.execute("PRAGMA secure_delete=OFF")

    engine.dispose()
    marker = f"erase.me.{uuid.uuid4().hex[:10]}@example.vn"
    body = register(client, email=marker, full_name="Người Cần Xoá Dấu Vết")
    assert "Người Cần Xoá Dấu Vết".encode() in _checkpointed(engine)
    r = client.post("/api/v1/auth/login", data={"username": marker, "password": body["password"]})
    headers = {"Authorization": f"Bearer {r.json()['access_token']}"}
    assert client.delete("/api/v1/me", headers=headers).status_code == 204
    raw = _checkpointed(engine)
    # The name lived only in the account's row. (The email also keys the registration counter, which keeps it
    # for its hour-long window whether or not the account still exists.)
    assert "Người Cần Xoá Dấu Vết".encode() not in raw


def test_the_database_file_and_its_folder_are_private(tmp_path, monkeypatch):
    data = tmp_path / "fresh" / "var"
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("HOCSO_DATA_DIR", str(data))
    monkeypatch.setenv("HOCSO_SECRET_KEY", "s" * 40)
    old = os.umask(0o022)  # the common default, which would make both readable by everyone
    try:
        assert hocso_main(["migrate"], settings=Settings()) == 0  # the settings an operator's environment gives
    finally:
        os.umask(old)
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    for name in ("hocso.db", "hocso.db-wal", "hocso.db-shm"):
        if (data / name).exists():
            assert stat.S_IMODE((data / name).stat().st_mode) == 0o600, name
    assert (data / "hocso.db").exists()
