"""Each test gets a fresh, migrated database with the fixture content loaded.

SQLite by default (a copy of a migrated file per test). With HOCSO_TEST_DATABASE_URL pointing at a
PostgreSQL server (any database on it, e.g. postgresql://postgres@127.0.0.1:55432/postgres), each test gets
its own database cloned from a migrated template instead.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import Phase
from hypothesis import settings as hypothesis_settings
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from hocso.content.service import sync_content
from hocso.core.config import Settings
from hocso.core.db import make_engine, open_session
from hocso.core.migrate import upgrade
from hocso.main import create_app

FIXTURE_CONTENT = Path(__file__).parent / "fixtures" / "content"
PASSWORD = "correct horse battery"


PG_URL = os.environ.get("HOCSO_TEST_DATABASE_URL")

# Hypothesis draws the same examples on every run (seeded from each test's name): a failure on main shows up
# again when anyone reruns it, and CI is not red one run in fifty for a reason nobody can reproduce. Exploring
# new examples is a deliberate act: HYPOTHESIS_PROFILE=explore. `make mutation` uses `mutation`, which also
# forgets earlier failures (no example database), so a mutant's verdict depends only on the code and the tests.
hypothesis_settings.register_profile("repeatable", derandomize=True)
hypothesis_settings.register_profile("explore", derandomize=False)
# No shrinking under mutation: a mutant fails the test or not, and shrinking a failure (a fresh database per
# example) only makes the report shorter, at minutes per mutant.
hypothesis_settings.register_profile(
    "mutation", derandomize=True, database=None, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate]
)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))


def _pg_admin():
    url = make_url(PG_URL).set(drivername="postgresql+psycopg")
    return url, create_engine(url, isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory) -> str:
    """A database migrated once; each test starts from a copy of it. Returns its URL."""
    if PG_URL:
        url, admin = _pg_admin()
        name = f"hocso_template_{os.getpid()}"
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        template_url = url.set(database=name).render_as_string(hide_password=False)
        engine = make_engine(template_url)
        upgrade(engine)
        engine.dispose()
        yield template_url
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
        return
    if os.environ.get("HOCSO_TEST_SQLITE_TEMPLATE"):
        # `make mutation` migrates one template for its thousands of short pytest runs; tests only ever copy it.
        yield f"sqlite:///{os.environ['HOCSO_TEST_SQLITE_TEMPLATE']}"
        return
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    yield f"sqlite:///{path}"


@contextmanager
def fresh_database(template_url: str, folder: Path) -> Iterator[str]:
    """Yields the URL of a new database copied from the migrated template, dropped afterwards."""
    if PG_URL:
        url, admin = _pg_admin()
        template = make_url(template_url).database
        name = f"hocso_test_{uuid.uuid4().hex[:12]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
        try:
            yield url.set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
        return
    db = folder / f"hocso-{uuid.uuid4().hex[:8]}.db"
    shutil.copy(make_url(template_url).database, db)
    yield f"sqlite:///{db}"


@pytest.fixture
def database_url(tmp_path, migrated_template) -> Iterator[str]:
    with fresh_database(migrated_template, tmp_path) as url:
        yield url


@pytest.fixture
def settings(tmp_path, database_url) -> Settings:
    return Settings(
        environment="test",
        data_dir=tmp_path,
        content_dir=FIXTURE_CONTENT,
        frontend_dir=tmp_path / "no-frontend",
        database_url=database_url,
        secret_key="test-secret-" + "x" * 40,
        # Tests register many people from one address; the registration limit has its own test.
        register_attempts_per_ip=10_000,
        # Content reloaded by a test is read at once (tests/content/test_caching.py covers the default delay).
        content_recheck_seconds=0,
        # Month snapshots would queue jobs behind every test's back; tests/agencies/test_ranking.py runs them.
        month_snapshots=False,
    )


@pytest.fixture
def engine(settings):
    engine = make_engine(settings.sqlalchemy_url)
    with open_session(engine, write=True) as session:
        sync_content(session, settings.content_dir)
        session.commit()
    yield engine
    engine.dispose()


@pytest.fixture
def app(settings, engine):
    return create_app(settings, engine)


@pytest.fixture
def client(app) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


def register(client: TestClient, **fields) -> dict:
    body = {"password": PASSWORD, "full_name": "Nguyễn Thị Lan", **fields}
    if "email" not in body and "phone" not in body:
        body["email"] = f"lan.{uuid.uuid4().hex[:8]}@example.vn"
    r = client.post("/api/v1/auth/register", json=body)
    assert r.status_code == 201, r.text
    return body


def login(client: TestClient, username: str, password: str = PASSWORD) -> dict:
    r = client.post("/api/v1/auth/login", data={"username": username, "password": password})
    assert r.status_code == 200, r.text
    return r.json()


@pytest.fixture
def learner(client) -> dict:
    """A signed-up citizen: their identifier, tokens and auth header."""
    body = register(client)
    tokens = login(client, body["email"])
    return {**body, **tokens, "headers": {"Authorization": f"Bearer {tokens['access_token']}"}}


def auth_header(tokens: dict) -> dict:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


def pytest_report_header(config):
    return f"database: {'PostgreSQL ' + make_url(PG_URL).render_as_string() if PG_URL else 'SQLite file per test'}"
