"""A learner's journey reaches a real LRS exactly once: offline replays, a dead LRS and a killed server included."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

from hocso.xapi.statements import statement_id
from tests.certificates.test_certificates import RIGHT, WRONG
from tests.conftest import FIXTURE_CONTENT, PASSWORD
from tests.xapi.conftest import PASSWORD as LRS_PASSWORD
from tests.xapi.conftest import USER as LRS_USER


class Served:
    """`hocso serve` on loopback, sending to the LRS; stopped with SIGKILL to play a crash."""

    def __init__(self, tmp_path: Path, database_url: str, lrs_endpoint: str):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.tmp_path = tmp_path
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "HOCSO_ENVIRONMENT": "test",
            "HOCSO_DATA_DIR": str(tmp_path),
            "HOCSO_CONTENT_DIR": str(FIXTURE_CONTENT),
            "HOCSO_FRONTEND_DIR": str(tmp_path / "no-frontend"),
            "HOCSO_SECRET_KEY": "xapi-" + "k" * 40,
            "HOCSO_PUBLIC_URL": "https://hocso.example.vn",
            "HOCSO_XAPI_ENDPOINT": lrs_endpoint,
            "HOCSO_XAPI_USERNAME": LRS_USER,
            "HOCSO_XAPI_PASSWORD": LRS_PASSWORD,
        }
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        log = open(self.tmp_path / "server.log", "ab")
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "hocso"),
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--workers",
                "1",
            ],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=self.tmp_path,
        )
        for _ in range(300):
            try:
                if httpx.get(f"{self.url}/api/v1/health", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.05)
        self.kill()
        pytest.fail("hocso serve did not start: " + (self.tmp_path / "server.log").read_text(errors="replace"))

    def kill(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)
            self.process = None

    def post(self, path: str, token: str, body: dict) -> dict:
        r = httpx.post(f"{self.url}/api/v1{path}", json=body, headers={"Authorization": f"Bearer {token}"}, timeout=10)
        assert r.status_code == 200, r.text
        return r.json()


def pending(database_url: str) -> int:
    engine = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://"))
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM xapi_outbox")).scalar_one()
    finally:
        engine.dispose()


def wait_until_sent(database_url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while pending(database_url):
        assert time.monotonic() < deadline, f"{pending(database_url)} statement(s) still queued"
        time.sleep(0.25)


@pytest.fixture
def served(lrs, database_url, tmp_path):
    server = Served(tmp_path, database_url, lrs.endpoint)
    yield server
    server.kill()  # also when the test failed half-way


def test_a_journey_with_offline_replays_and_a_server_killed_mid_delivery_reaches_the_lrs_exactly_once(lrs, served, database_url):
    server = served
    server.start()
    httpx.post(f"{server.url}/api/v1/auth/register", json={"email": "lan@example.vn", "password": PASSWORD, "full_name": "Lan"})
    token = httpx.post(f"{server.url}/api/v1/auth/login", data={"username": "lan@example.vn", "password": PASSWORD}).json()[
        "access_token"
    ]
    # The account is older than the offline learning: a phone's time is believed back to when the account was made.
    engine = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as conn:
        conn.execute(text("UPDATE user_account SET created_at = :t"), {"t": datetime.now(UTC) - timedelta(days=7)})
    engine.dispose()

    # Read on the bus yesterday, offline; the phone sends the batch twice.
    yesterday = (datetime.now(UTC) - timedelta(days=1)).replace(microsecond=0)
    lessons = [
        {
            "event_id": str(uuid.uuid4()),
            "type": "lesson_completed",
            "module": "qr-basics",
            "lesson": lesson,
            "occurred_at": (yesterday + timedelta(minutes=i)).isoformat(),
        }
        for i, lesson in enumerate(["scan", "check"])
    ]
    assert server.post("/progress/events", token, {"events": lessons})["accepted"] == 2
    assert server.post("/progress/events", token, {"events": lessons})["duplicates"] == 2
    failed = {"event_id": str(uuid.uuid4()), "answers": WRONG, "occurred_at": (yesterday + timedelta(minutes=5)).isoformat()}
    passed = {"event_id": str(uuid.uuid4()), "answers": RIGHT, "occurred_at": (yesterday + timedelta(minutes=9)).isoformat()}
    for attempt in (failed, passed, passed):  # the pass is resent: same event, same statements
        server.post("/modules/qr-basics/attempts", token, attempt)
    wait_until_sent(database_url)

    # The LRS goes away; learning goes on; the server dies with statements still queued; both come back.
    lrs.stop()
    later = {
        "event_id": str(uuid.uuid4()),
        "type": "lesson_completed",
        "module": "qr-basics",
        "lesson": "scan",
        "occurred_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
    }
    server.post("/progress/events", token, {"events": [later]})
    time.sleep(1.5)  # the runner tries, fails, backs off
    assert pending(database_url) == 1
    server.kill()
    lrs.start()
    server.start()
    server.post("/progress/events", token, {"events": [later]})  # the phone resends after the restart too
    wait_until_sent(database_url)
    server.kill()

    stored = lrs.stored()
    ids = Counter(s["id"] for s in stored)
    expected = (
        [statement_id("lesson", uuid.UUID(e["event_id"])) for e in [*lessons, later]]
        + [statement_id("attempt", uuid.UUID(a["event_id"])) for a in (failed, passed)]
        + [statement_id("module", uuid.UUID(passed["event_id"]))]
    )
    assert ids == Counter(str(i) for i in expected)  # each once, nothing else
    lrs.validate(stored)
    by_id = {s["id"]: s for s in stored}
    attempt = by_id[str(statement_id("attempt", uuid.UUID(passed["event_id"])))]
    assert attempt["verb"]["id"] == "http://adlnet.gov/expapi/verbs/passed"
    assert attempt["result"]["success"] is True and attempt["result"]["score"]["scaled"] == 1.0
    assert by_id[str(statement_id("attempt", uuid.UUID(failed["event_id"])))]["verb"]["id"].endswith("/failed")
    lesson = by_id[str(statement_id("lesson", uuid.UUID(lessons[0]["event_id"])))]
    # When it happened on the phone, not when it arrived; the person as an opaque account, never their email.
    assert datetime.fromisoformat(lesson["timestamp"].replace("Z", "+00:00")) == yesterday
    assert lesson["object"]["id"] == "https://hocso.example.vn/m/qr-basics/l/scan"
    assert lesson["actor"]["account"]["homePage"] == "https://hocso.example.vn"
    assert all("lan@example.vn" not in str(s) and "mbox" not in s["actor"] for s in stored)
