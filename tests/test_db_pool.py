"""The PostgreSQL pool hands out live connections without pinging each one first."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import text

from hocso.core.db import PING_AFTER_IDLE_SECONDS, make_engine, open_session


def test_a_connection_the_server_dropped_while_idle_is_replaced_before_anyone_uses_it(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has no server to drop a connection")
    engine = make_engine(database_url, connections=2)
    try:
        first, second = engine.connect(), engine.connect()
        dropped = first.execute(text("SELECT pg_backend_pid()")).scalar_one()
        first.close()  # back in the pool, next in line
        second.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": dropped})
        second.close()
        time.sleep(PING_AFTER_IDLE_SECONDS + 0.1)  # the dropped connection now sat idle long enough to be pinged
        for _ in range(3):
            with open_session(engine) as session:
                pid = session.execute(text("SELECT pg_backend_pid()")).scalar_one()
                assert pid != dropped
    finally:
        engine.dispose()
