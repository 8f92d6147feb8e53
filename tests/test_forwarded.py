"""A client cannot pick the address that per-address limits count by sending X-Forwarded-For, unless the
operator names a trusted proxy in FORWARDED_ALLOW_IPS."""

from __future__ import annotations

import httpx
import pytest

from tests.served import prepare, serve

LIMIT = 3


def _failed_sign_ins(url: str) -> list[int]:
    """Five wrong passwords, each claiming to come from another address, for five different accounts."""
    statuses = []
    for n in range(LIMIT + 2):
        r = httpx.post(
            f"{url}/api/v1/auth/login",
            data={"username": f"nobody{n}@example.vn", "password": "wrong password"},
            headers={"X-Forwarded-For": f"203.0.113.{n + 1}", "X-Forwarded-Proto": "https"},
        )
        statuses.append(r.status_code)
    return statuses


@pytest.mark.parametrize("trusted", [None, "127.0.0.1"], ids=["no proxy named", "FORWARDED_ALLOW_IPS=127.0.0.1"])
def test_x_forwarded_for_counts_only_from_a_named_proxy(database_url, tmp_path, monkeypatch, trusted):
    monkeypatch.delenv("FORWARDED_ALLOW_IPS", raising=False)
    prepare(database_url)
    env = {
        "HOCSO_LOGIN_ATTEMPTS_PER_IP": str(LIMIT),
        "HOCSO_LOGIN_ATTEMPTS_PER_IP_MAX": str(LIMIT),
        "HOCSO_LOGIN_ATTEMPTS_PER_IDENTIFIER": "100",
    }
    if trusted:
        env["FORWARDED_ALLOW_IPS"] = trusted
    with serve(tmp_path, database_url, env=env) as server:
        statuses = _failed_sign_ins(server.url)
        hsts = (
            "strict-transport-security"
            in httpx.get(f"{server.url}/api/v1/health", headers={"X-Forwarded-Proto": "https"}).headers
        )
    if trusted:
        # Behind the named proxy, each forwarded address is a client of its own.
        assert statuses == [401] * (LIMIT + 2)
        assert hsts
    else:
        # The spoofed header changes nothing: one address, limited after LIMIT failures.
        assert statuses == [401] * LIMIT + [429, 429]
        assert not hsts
