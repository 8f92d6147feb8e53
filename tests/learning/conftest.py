"""A clock the tests set, and people whose accounts are older than the test: client time is judged against both."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import update

from hocso.accounts.models import User
from hocso.core.clock import get_now
from hocso.core.db import open_session
from tests.agencies.conftest import as_user, make_user, tree  # noqa: F401 - fixtures for tests with agencies
from tests.conftest import auth_header, login


class Clock:
    """The server's now as the app under test sees it; move it by setting `at`."""

    def __init__(self, at: datetime):
        self.at = at


@pytest.fixture
def clock(app) -> Clock:
    """Sets the server's clock (10:00 on 1 March 2026 in Vietnam unless a test moves it)."""
    clock = Clock(datetime(2026, 3, 1, 3, 0, tzinfo=UTC))
    app.dependency_overrides[get_now] = lambda: clock.at
    return clock


def signed_up_since(client, engine, email: str, since: datetime = datetime(2024, 1, 1, tzinfo=UTC), **kw) -> dict:
    """Makes a person whose account dates from `since`, signs them in and returns their auth header."""
    make_user(engine, email, **kw)
    with open_session(engine, write=True) as session:
        session.execute(update(User).where(User.email == email).values(created_at=since))
        session.commit()
    return auth_header(login(client, email))
