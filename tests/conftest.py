"""Each test gets a fresh database file with real migrations and the fixture content loaded."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from hocso.content.service import sync_content
from hocso.core.config import Settings
from hocso.core.db import make_engine, open_session
from hocso.core.migrate import upgrade
from hocso.main import create_app

FIXTURE_CONTENT = Path(__file__).parent / "fixtures" / "content"
PASSWORD = "correct horse battery"


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory) -> Path:
    """A database file migrated once; each test starts from a copy of it."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture
def settings(tmp_path, migrated_template) -> Settings:
    db = tmp_path / "hocso.db"
    shutil.copy(migrated_template, db)
    return Settings(
        environment="test",
        data_dir=tmp_path,
        content_dir=FIXTURE_CONTENT,
        frontend_dir=tmp_path / "no-frontend",
        database_url=f"sqlite:///{db}",
        secret_key="test-secret-" + "x" * 40,
        # Tests register many people from one address; the registration limit has its own test.
        register_attempts_per_ip=10_000,
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
