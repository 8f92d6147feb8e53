"""Browser tests: Playwright drives Debian's Chromium (/usr/bin/chromium) against a real `hocso serve`
process serving the built PWA (frontend/dist) over a fresh SQLite database."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from bench.frontend_budget import CHROMIUM, CHROMIUM_ARGS
from hocso.content.service import sync_content
from hocso.core.db import make_engine, open_session
from hocso.flows import load_tree
from tests.agencies.conftest import TREE, make_user
from tests.conftest import FIXTURE_CONTENT, PASSWORD, fresh_database

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "frontend" / "dist"

pytestmark = pytest.mark.e2e


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    if not (DIST / "index.html").exists():
        pytest.fail("frontend/dist is missing: build the PWA first (make test does: cd frontend && npm run build)")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/ensure-chromium (make test does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


class Server:
    """A `hocso serve` process on loopback, with its database for checks from the test."""

    def __init__(self, url: str, database_url: str, process: subprocess.Popen):
        self.url, self.database_url, self.process = url, database_url, process

    def api(self, method: str, path: str, token: str | None = None, **kwargs) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.request(method, f"{self.url}/api/v1{path}", headers=headers, timeout=10, **kwargs)

    def token(self, username: str, password: str = PASSWORD) -> str:
        r = self.api("POST", "/auth/login", data={"username": username, "password": password})
        assert r.status_code == 200, r.text
        return r.json()["access_token"]


@contextmanager
def serve(migrated_template: str, tmp_path: Path, content_dir: Path, extra_env: dict[str, str] | None = None) -> Iterator[Server]:
    """Runs `hocso serve` over a fresh database holding `content_dir`, the small agency tree and its people;
    `extra_env` adds settings (a mail server, say)."""
    if os.environ.get("HOCSO_TEST_DATABASE_URL"):
        pytest.skip("browser tests run on SQLite only; the API tests cover PostgreSQL")
    with fresh_database(migrated_template, tmp_path) as database_url:
        engine = make_engine(database_url)
        with open_session(engine, write=True) as session:
            sync_content(session, content_dir)
            load_tree(session, TREE)
            session.commit()
        make_user(engine, "admin.hni@example.vn", roles=["agency_admin"], admin_of="HNI")
        make_user(engine, "admin.hcm@example.vn", roles=["agency_admin"], admin_of="HCM")
        make_user(engine, "staff.hk@example.vn", member_of="HNI-HK")
        make_user(engine, "staff.bt@example.vn", member_of="HCM-BT")
        engine.dispose()
        content = tmp_path / "content"
        shutil.copytree(content_dir, content)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "HOCSO_ENVIRONMENT": "test",
            "HOCSO_DATA_DIR": str(tmp_path),
            "HOCSO_CONTENT_DIR": str(content),
            "HOCSO_FRONTEND_DIR": str(DIST),
            "HOCSO_SECRET_KEY": "e2e-" + "k" * 40,
            "HOCSO_REGISTER_ATTEMPTS_PER_IP": "1000",
            "HOCSO_PUBLIC_URL": f"http://127.0.0.1:{port}",
            **(extra_env or {}),
        }
        log = open(tmp_path / "server.log", "wb")
        process = subprocess.Popen(
            # One worker, and no second migration or content load: the database above is ready (a worker each
            # and setup again would cost every browser test seconds).
            [
                str(Path(sys.executable).parent / "hocso"),
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                "1",
                "--no-setup",
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=tmp_path,
        )
        url = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                if httpx.get(f"{url}/api/v1/health").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.05)
        else:
            process.kill()
            pytest.fail("the server did not start: " + (tmp_path / "server.log").read_text(errors="replace"))
        yield Server(url, database_url, process)
        process.terminate()
        process.wait(timeout=10)
        log.close()


@pytest.fixture
def server(migrated_template, tmp_path):
    """A fresh server per test: fixture content, the small agency tree, an admin of HNI and of HCM."""
    with serve(migrated_template, tmp_path, FIXTURE_CONTENT) as running:
        yield running


@pytest.fixture(scope="module")
def module_server(migrated_template, tmp_path_factory):
    """One server for every test of a file whose tests each sign up people of their own or only read: starting a
    server costs seconds. A file opts in by defining `server` as this; a test that changes what another test of
    the file reads (a password, an agency's requirements) keeps `server`, a fresh one per test."""
    with serve(migrated_template, tmp_path_factory.mktemp("server"), FIXTURE_CONTENT) as running:
        yield running


@pytest.fixture(scope="session")
def real_server(migrated_template, tmp_path_factory):
    """One server with the real catalogue (content/) for the whole run, for checks that must hold on every module;
    its tests only read the catalogue and sign up people of their own."""
    with serve(migrated_template, tmp_path_factory.mktemp("real-server"), ROOT / "content") as running:
        yield running


# Collects what the Content-Security-Policy refused, page by page.
CSP_WATCH = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation',
  (e) => window.__cspViolations.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline')));
"""


def phone_context(browser, server):
    """A phone-sized browser profile of its own (its own IndexedDB, caches and service worker)."""
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True, base_url=server.url, locale="vi-VN"
    )
    context.add_init_script(CSP_WATCH)
    return context


@pytest.fixture
def context(browser, server):
    """A phone profile; the app must work under its Content-Security-Policy: any violation fails the test."""
    context = phone_context(browser, server)
    refused: list[str] = []
    context.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    yield context
    context.close()
    assert not refused, f"the app broke its own Content-Security-Policy: {refused}"


@pytest.fixture
def real_context(browser, real_server):
    """A phone-sized browser profile against the real catalogue."""
    context = phone_context(browser, real_server)
    yield context
    context.close()
