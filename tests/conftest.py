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
from fastapi import routing as fastapi_routing
from fastapi.testclient import TestClient
from hypothesis import Phase
from hypothesis import settings as hypothesis_settings
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from hocso.content.service import sync_content
from hocso.core.config import Settings
from hocso.core.db import make_engine, open_session
from hocso.core.migrate import upgrade
from hocso.core.security import CHEAP_HASHING_VARIABLE
from hocso.main import create_app

FIXTURE_CONTENT = Path(__file__).parent / "fixtures" / "content"
PASSWORD = "correct horse battery"

# Argon2 at its floor for this run and every server it starts (core/security.py; tests/accounts/
# test_password_hashing.py holds the production cost): thousands of sign-ups and sign-ins at ~30 ms each were
# minutes of CPU. Read at the first hash, so setting it here, after the imports, is in time.
os.environ.setdefault(CHEAP_HASHING_VARIABLE, "1")


def _analyse_each_route_once() -> None:
    """Shares FastAPI's analysis of an endpoint (its dependencies and response model) between the apps of a run.

    FastAPI builds an app's routes lazily, at the first request that passes them, and each test's app built all
    of them again: ~150 ms of CPU a test, more than most tests' own requests. What is shared depends only on the
    endpoint function and its declared dependencies, never on the app (dependency overrides are looked up per
    request), so every app still runs its own routes. With a FastAPI whose private names differ, nothing is shared.
    """
    build = getattr(fastapi_routing, "_build_dependant_with_parameterless_dependencies", None)
    create_field = getattr(fastapi_routing, "create_model_field", None)
    if build is None or create_field is None:
        return
    dependants: dict[tuple, tuple] = {}
    fields: dict[tuple, object] = {}

    def shared_build(*, path, call, dependencies):
        # The dependencies are kept with the result, so their ids in the key are never reused by others.
        key = (path, call, tuple(id(d) for d in dependencies))
        if key not in dependants:
            dependants[key] = (build(path=path, call=call, dependencies=dependencies), list(dependencies))
        return dependants[key][0]

    def shared_field(name, type_, *args, **kwargs):
        if args or set(kwargs) - {"mode"}:
            return create_field(name, type_, *args, **kwargs)
        key = (name, type_, kwargs.get("mode"))
        try:
            if key not in fields:
                fields[key] = create_field(name, type_, **kwargs)
        except TypeError:  # an unhashable annotation: analysed every time, as before
            return create_field(name, type_, **kwargs)
        return fields[key]

    fastapi_routing._build_dependant_with_parameterless_dependencies = shared_build
    fastapi_routing.create_model_field = shared_field


_analyse_each_route_once()


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


def load_fixture_content(url: str) -> None:
    """Loads the fixture content into the database at url, as `hocso serve` would."""
    engine = make_engine(url)
    with open_session(engine, write=True) as session:
        sync_content(session, FIXTURE_CONTENT)
        session.commit()
    engine.dispose()


def _pg_clone(template: str, name: str) -> str:
    """Creates database name as a copy of template on the test server; returns its URL."""
    url, admin = _pg_admin()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def _pg_drop(name: str) -> None:
    _, admin = _pg_admin()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


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


@pytest.fixture(scope="session")
def content_template(migrated_template, tmp_path_factory) -> Iterator[str]:
    """The migrated template with the fixture content loaded, once: what the `engine` fixture's tests copy."""
    if PG_URL:
        name = f"hocso_content_template_{os.getpid()}"
        _pg_drop(name)
        url = _pg_clone(make_url(migrated_template).database, name)
        load_fixture_content(url)
        yield url
        _pg_drop(name)
        return
    path = tmp_path_factory.mktemp("content-template") / "template.db"
    shutil.copy(make_url(migrated_template).database, path)
    load_fixture_content(f"sqlite:///{path}")
    yield f"sqlite:///{path}"


@contextmanager
def fresh_database(template_url: str, folder: Path) -> Iterator[str]:
    """Yields the URL of a new database copied from the migrated template, dropped afterwards."""
    if PG_URL:
        name = f"hocso_test_{uuid.uuid4().hex[:12]}"
        try:
            yield _pg_clone(make_url(template_url).database, name)
        finally:
            _pg_drop(name)
        return
    db = folder / f"hocso-{uuid.uuid4().hex[:8]}.db"
    shutil.copy(make_url(template_url).database, db)
    yield f"sqlite:///{db}"


def _replace_database(database_url: str, template_url: str) -> None:
    """Makes the (unused) database at database_url a fresh copy of template_url again."""
    if PG_URL:
        name = make_url(database_url).database
        _pg_drop(name)
        _pg_clone(make_url(template_url).database, name)
        return
    shutil.copy(make_url(template_url).database, make_url(database_url).database)


# The test databases copied from content_template, which need no content load of their own.
_HOLD_FIXTURE_CONTENT: set[str] = set()


@pytest.fixture
def database_url(request, tmp_path, migrated_template) -> Iterator[str]:
    # A test on the `engine` fixture starts from the template that already holds the fixture content (loading
    # it cost every test ~40 ms); any other one, a migration test say, from the bare migrated template.
    with_content = "engine" in request.fixturenames
    template = request.getfixturevalue("content_template") if with_content else migrated_template
    with fresh_database(template, tmp_path) as url:
        if with_content:
            _HOLD_FIXTURE_CONTENT.add(url)
        yield url
        _HOLD_FIXTURE_CONTENT.discard(url)


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
def engine(settings, migrated_template):
    """The test's database with settings.content_dir loaded, as a server's first start would load it."""
    url = settings.database_url or ""
    if url in _HOLD_FIXTURE_CONTENT and settings.content_dir != FIXTURE_CONTENT:
        # A file's own `settings` with other content: it starts from the bare migrated template instead.
        _replace_database(url, migrated_template)
    engine = make_engine(settings.sqlalchemy_url)
    # Over the fixture content already loaded this only finds the content's hash unchanged, but it still opens
    # the engine's first connection before the app starts, as a server's start does (some tests count on it).
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


def pytest_collection_modifyitems(config, items):
    """HOCSO_TEST_SHARD=k/n keeps every n-th test file from the k-th (scripts/run-tests runs halves at once)."""
    shard = os.environ.get("HOCSO_TEST_SHARD")
    if not shard:
        return
    k, n = (int(part) for part in shard.split("/"))
    files = sorted({item.path for item in items})
    mine = {path for i, path in enumerate(files) if i % n == k}
    config.hook.pytest_deselected(items=[item for item in items if item.path not in mine])
    items[:] = [item for item in items if item.path in mine]
