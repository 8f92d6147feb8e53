"""Sign-in and registration limits: counted in the database per normalised identifier, shared by every worker."""

from __future__ import annotations

import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import httpx
import uvicorn
from fastapi.testclient import TestClient

from hocso.core.db import make_engine
from hocso.main import create_app
from tests.accounts.test_identifiers import PHONE_SPELLINGS
from tests.conftest import PASSWORD, login, register


def _wrong(client, username: str) -> int:
    return client.post("/api/v1/auth/login", data={"username": username, "password": "not the password"}).status_code


def test_ten_spellings_of_one_phone_share_one_budget(client):
    register(client, phone="0912345678")
    codes = [_wrong(client, spelling) for spelling in PHONE_SPELLINGS[:10]]
    assert codes == [401] * 5 + [429] * 5
    # The owner waits too, whichever way they write the number.
    r = client.post("/api/v1/auth/login", data={"username": "+84912345678", "password": PASSWORD})
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0


def test_two_app_instances_on_one_database_share_the_budget_and_a_restart_keeps_it(settings, engine):
    with TestClient(create_app(settings, engine)) as first:
        register(first, email="shared@example.vn")
    other_engine = make_engine(settings.sqlalchemy_url)
    try:
        with TestClient(create_app(settings, engine)) as a, TestClient(create_app(settings, other_engine)) as b:
            codes = [_wrong(c, "Shared@Example.vn") for c in (a, b, a, b, a, b)]
        assert codes == [401] * 5 + [429]
        # A new process (a restart) still refuses.
        with TestClient(create_app(settings, make_engine(settings.sqlalchemy_url))) as restarted:
            assert _wrong(restarted, "shared@example.vn") == 429
    finally:
        other_engine.dispose()


@contextmanager
def _serving(apps) -> Iterator[list[str]]:
    """Runs each app on its own loopback port in a thread; yields their base URLs."""
    servers, threads, bases = [], [], []
    for app in apps:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        servers.append(server)
        threads.append(thread)
        bases.append(f"http://127.0.0.1:{port}")
    for base in bases:
        for _ in range(200):
            try:
                if httpx.get(f"{base}/api/v1/health").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.05)
    try:
        yield bases
    finally:
        for server in servers:
            server.should_exit = True
        for thread in threads:
            thread.join(timeout=10)


def test_parallel_wrong_passwords_get_no_more_checks_than_the_limit(settings, engine):
    """35 wrong passwords at once, through two servers on one database: at most 5 are checked (401), the rest 429."""
    other_engine = make_engine(settings.sqlalchemy_url)
    apps = [create_app(settings, engine), create_app(settings, other_engine)]
    try:
        with _serving(apps) as bases:
            httpx.post(
                f"{bases[0]}/api/v1/auth/register", json={"email": "target@example.vn", "password": PASSWORD, "full_name": "Đích"}
            ).raise_for_status()

            def attempt(i: int) -> int:
                spelling = "target@example.vn" if i % 2 else "TARGET@example.VN"
                return httpx.post(
                    f"{bases[i % 2]}/api/v1/auth/login", timeout=60, data={"username": spelling, "password": f"wrong guess {i}"}
                ).status_code

            with ThreadPoolExecutor(max_workers=35) as pool:
                codes = Counter(pool.map(attempt, range(35)))
    finally:
        other_engine.dispose()
    assert set(codes) <= {401, 429}, codes
    assert codes[401] <= settings.login_attempts_per_identifier, codes
    assert codes[401] + codes[429] == 35


def test_a_correct_password_from_an_address_many_others_failed_from_still_signs_in(client, settings):
    register(client, email="sysadmin@office.vn")
    register(client, email="typo@office.vn")
    # An office behind one NAT address: colleagues get their passwords wrong many times over.
    for i in range(settings.login_attempts_per_ip + 5):
        assert _wrong(client, f"colleague{i % 10}@office.vn") in (401, 429)
    # The address is past its limit, yet a person with no failures signs in...
    login(client, "sysadmin@office.vn")
    # ...while a guess at an identifier already failed from there waits.
    assert _wrong(client, "colleague1@office.vn") == 429
    # A first wrong try for someone else is still answered as a wrong password, and their second waits.
    assert _wrong(client, "typo@office.vn") == 401
    r = client.post("/api/v1/auth/login", data={"username": "typo@office.vn", "password": PASSWORD})
    assert r.status_code == 429


def test_an_address_past_its_hard_limit_waits_even_for_new_identifiers(settings, engine):
    tight = settings.model_copy(update={"login_attempts_per_ip": 3, "login_attempts_per_ip_max": 6})
    with TestClient(create_app(tight, engine)) as c:
        register(c, email="late@office.vn")
        codes = [_wrong(c, f"spray{i}@office.vn") for i in range(8)]
        assert codes == [401] * 6 + [429] * 2
        r = c.post("/api/v1/auth/login", data={"username": "late@office.vn", "password": PASSWORD})
        assert r.status_code == 429


def test_activation_and_sign_in_are_counted_apart(client, settings):
    register(client, email="boss@office.vn")
    for _ in range(settings.login_attempts_per_identifier + 2):
        r = client.post(
            "/api/v1/auth/activate", json={"identifier": "boss@office.vn", "code": "WRONGCODE1", "password": PASSWORD}
        )
        assert r.status_code in (400, 429)
    assert r.status_code == 429
    # Failed activations neither use up the sign-in budget of that person nor of the address.
    login(client, "boss@office.vn")
    for i in range(settings.login_attempts_per_ip):
        client.post("/api/v1/auth/activate", json={"identifier": f"x{i}@office.vn", "code": "WRONGCODE1", "password": PASSWORD})
    for i in range(settings.login_attempts_per_identifier):
        assert _wrong(client, f"fresh{i}@office.vn") == 401


def test_a_successful_sign_in_forgets_earlier_failures(client, settings):
    register(client, email="forgetful@example.vn")
    for _ in range(settings.login_attempts_per_identifier - 1):
        assert _wrong(client, "forgetful@example.vn") == 401
    login(client, "forgetful@example.vn")
    for _ in range(settings.login_attempts_per_identifier):
        assert _wrong(client, "forgetful@example.vn") == 401


def test_registration_limits_key_on_the_normalised_identifier(client):
    codes = [
        client.post("/api/v1/auth/register", json={"phone": spelling, "password": PASSWORD, "full_name": "Lặp"}).status_code
        for spelling in PHONE_SPELLINGS[:4]
    ]
    assert codes == [201, 201, 201, 429]
    emails = ["same@example.vn", "SAME@example.vn", "ｓａｍｅ@example.vn", "Same@Example.VN"]
    codes = [
        client.post("/api/v1/auth/register", json={"email": e, "password": PASSWORD, "full_name": "Lặp"}).status_code
        for e in emails
    ]
    assert codes == [201, 201, 201, 429]
