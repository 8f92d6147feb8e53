"""An agency's stats are read in one statement: one snapshot, and on PostgreSQL no transaction around it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event
from sqlmodel import select

from hocso.agencies.models import Agency, Requirement
from hocso.agencies.tree import get_by_code
from hocso.core.db import one_statement_session, open_session
from hocso.core.timeutil import vietnam_today, vietnam_year
from hocso.stats.figures import agency_stats
from tests.agencies.test_rollups import _civil_servants, _pass, _pending, assert_stats_match
from tests.conftest import PG_URL


def _statements(engine, read) -> tuple[list[tuple[str, object]], object]:
    """Runs read() and returns the SQL statements it sent, each with its parameters, and its result."""
    sent: list[tuple[str, object]] = []

    def count(_conn, _cursor, statement, parameters, *_args) -> None:
        sent.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", count)
    try:
        result = read()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return sent, result


def _with_requirements_and_pending_changes(engine) -> int:
    """Requirements above and below, completions not folded yet; returns the year."""
    with open_session(engine, write=True) as session:
        for code, days in (("VN", 30), ("HNI", -3), ("HNI-HK", 10)):
            session.add(
                Requirement(
                    agency_id=get_by_code(session, code).id, module_slug="qr-basics", due_date=vietnam_today() + timedelta(days)
                )
            )
        session.commit()
    for uid in _civil_servants(engine, 5, ["HNI-HK", "HNI-BD", "HCM-BT", "HNI"])[:3]:
        _pass(engine, uid, "qr-basics")
    assert _pending(engine) > 0
    return vietnam_year(datetime.now(UTC))


def test_an_agencys_stats_page_is_one_statement_whose_figures_equal_a_recount(tree):
    # Structure and counters in one statement cannot see two states of the database: a fold or a new
    # requirement committed between two reads would have shown a page no moment ever had.
    year = _with_requirements_and_pending_changes(tree)
    with open_session(tree) as session:
        agencies = session.exec(select(Agency)).all()
    for agency in agencies:
        with one_statement_session(tree) as session:
            sent, stats = _statements(
                tree, lambda session=session, agency=agency: agency_stats(session, agency=agency, year=year)
            )
        assert len(sent) == 1, (agency.code, sent)
        assert stats.members >= 0
    with open_session(tree) as session:
        assert_stats_match(session, year)
        hni = agency_stats(session, agency=get_by_code(session, "HNI"), year=year)
        assert (hni.members, hni.goal_met, hni.required_completed, hni.required_total) == (4, 2, 2, 4)
        assert hni.overdue == 2  # HNI's own due date passed three days ago for the two who have not passed


@pytest.mark.skipif(not PG_URL, reason="SQLite is in process: a transaction costs no round trip there and stays")
def test_a_one_statement_read_on_postgresql_opens_no_transaction(tree):
    # BEGIN and ROLLBACK are two more round trips, each a wait for the CPU on a loaded server.
    year = _with_requirements_and_pending_changes(tree)
    with open_session(tree) as session:
        root = get_by_code(session, "VN")
        in_transaction = agency_stats(session, agency=root, year=year)
        assert session.connection().connection.driver_connection.info.transaction_status != 0  # psycopg: IDLE is 0
    with one_statement_session(tree) as session:
        assert agency_stats(session, agency=root, year=year) == in_transaction
        assert session.connection().connection.driver_connection.info.transaction_status == 0
    with open_session(tree) as session:  # the pooled connection is back to transactions for everyone else
        session.exec(select(Agency.id)).first()
        assert session.connection().connection.driver_connection.info.transaction_status != 0


@pytest.mark.skipif(not PG_URL, reason="SQLite is in process: a transaction costs no round trip there and stays")
def test_the_stats_endpoint_on_postgresql_sends_each_statement_outside_a_transaction(client, tree, as_user):
    year = _with_requirements_and_pending_changes(tree)
    states: list[int] = []

    def seen(conn, _cursor, _statement, *_args) -> None:
        states.append(conn.connection.driver_connection.info.transaction_status)

    headers = as_user("root@example.vn")
    event.listen(tree, "before_cursor_execute", seen)
    try:
        answer = client.get("/api/v1/agencies/VN/stats", headers=headers)
    finally:
        event.remove(tree, "before_cursor_execute", seen)
    assert answer.status_code == 200
    assert len(states) >= 3 and set(states) == {0}  # psycopg: 0 is IDLE, in a transaction it would be 2
    with open_session(tree) as session:
        assert answer.json()["members"] == agency_stats(session, agency=get_by_code(session, "VN"), year=year).members


@pytest.mark.skipif(bool(PG_URL), reason="SQLite's planner; PostgreSQL keeps the share of NULLs in its statistics")
def test_the_stats_page_finds_assisted_completions_by_index_not_by_reading_every_completion(tree):
    # At national scale nearly every completion has no assisted session. Once ANALYZE has counted that, a full
    # index of assisted_session_id looked useless to SQLite, which then read all 20,000,000 completions for one
    # page (2-3 s instead of milliseconds).
    with open_session(tree, write=True) as session:
        conn = session.connection()
        conn.exec_driver_sql(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000) "
            "INSERT INTO user_account (id, full_name, created_at) SELECT printf('%032x', i), 'x', CURRENT_TIMESTAMP FROM n"
        )
        conn.exec_driver_sql(
            "INSERT INTO module_progress (user_id, module_slug, started_at, lessons_completed, completed_at, completed_year) "
            "SELECT id, 'qr-basics', CURRENT_TIMESTAMP, 1, CURRENT_TIMESTAMP, 2026 FROM user_account WHERE full_name = 'x'"
        )
        conn.exec_driver_sql("ANALYZE")
        session.commit()
    with open_session(tree) as session:
        hni = get_by_code(session, "HNI")
        ((page, parameters),), _ = _statements(tree, lambda: agency_stats(session, agency=hni, year=2026))
        plan = [row[3] for row in session.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + page, parameters)]
    assert [step for step in plan if "module_progress" in step] != [], plan
    assert not [step for step in plan if step.startswith("SCAN module_progress")], plan
