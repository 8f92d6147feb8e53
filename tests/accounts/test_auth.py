"""Accounts: no enumeration, refresh rotation and reuse, token checks, rate limits, bad input."""

from __future__ import annotations

import base64
import json
import time
from datetime import timedelta

import pytest
from jose import jwt

from hocso.core import security
from tests.conftest import PASSWORD, auth_header, login, register


def test_registering_a_taken_email_answers_like_a_new_one_and_changes_nothing(client):
    body = register(client, email="lan@example.vn")
    again = client.post(
        "/api/v1/auth/register", json={"email": "LAN@example.vn", "password": "another password 9", "full_name": "Kẻ Lạ"}
    )
    fresh = client.post(
        "/api/v1/auth/register", json={"email": "new@example.vn", "password": "another password 9", "full_name": "Kẻ Lạ"}
    )
    assert again.status_code == fresh.status_code == 201
    assert set(again.json()) == set(fresh.json())
    assert again.json()["email"] == "lan@example.vn"
    # The owner's password still works and the stranger's does not.
    login(client, "lan@example.vn", body["password"])
    refused = client.post("/api/v1/auth/login", data={"username": "lan@example.vn", "password": "another password 9"})
    assert refused.status_code == 401


def test_wrong_password_and_unknown_identifier_get_the_same_answer(client):
    register(client, email="minh@example.vn")
    wrong = client.post("/api/v1/auth/login", data={"username": "minh@example.vn", "password": "not the password"})
    unknown = client.post("/api/v1/auth/login", data={"username": "nobody@example.vn", "password": "not the password"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()


def test_error_messages_follow_accept_language(client):
    r_vi = client.post("/api/v1/auth/login", data={"username": "x@example.vn", "password": "whatever1"})
    r_en = client.post(
        "/api/v1/auth/login",
        data={"username": "x@example.vn", "password": "whatever1"},
        headers={"Accept-Language": "en-US,en;q=0.9"},
    )
    assert "mật khẩu" in r_vi.json()["detail"]
    assert "password" in r_en.json()["detail"]


def test_refresh_rotates_and_the_old_refresh_token_stops_working(client, learner):
    first = client.post("/api/v1/auth/refresh", json={"refresh_token": learner["refresh_token"]})
    assert first.status_code == 200
    pair = first.json()
    assert pair["refresh_token"] != learner["refresh_token"]
    assert client.get("/api/v1/me", headers=auth_header(pair)).status_code == 200
    assert client.post("/api/v1/auth/refresh", json={"refresh_token": learner["refresh_token"]}).status_code == 401


def test_reusing_a_refresh_token_ends_the_whole_sign_in(client, learner):
    newer = client.post("/api/v1/auth/refresh", json={"refresh_token": learner["refresh_token"]}).json()
    # A thief replays the old token: refused, and the legitimate newer token is revoked with it.
    assert client.post("/api/v1/auth/refresh", json={"refresh_token": learner["refresh_token"]}).status_code == 401
    assert client.post("/api/v1/auth/refresh", json={"refresh_token": newer["refresh_token"]}).status_code == 401
    # Another sign-in of the same person is untouched.
    other = login(client, learner["email"])
    assert client.post("/api/v1/auth/refresh", json={"refresh_token": other["refresh_token"]}).status_code == 200


def test_logout_ends_the_sign_in(client, learner):
    assert client.post("/api/v1/auth/logout", json={"refresh_token": learner["refresh_token"]}).status_code == 204
    assert client.post("/api/v1/auth/refresh", json={"refresh_token": learner["refresh_token"]}).status_code == 401
    # Logging out twice is harmless.
    assert client.post("/api/v1/auth/logout", json={"refresh_token": learner["refresh_token"]}).status_code == 204


def _forge(claims: dict, key: str = "some-other-key-" + "y" * 40, alg: str = "HS256") -> str:
    return jwt.encode(claims, key, algorithm=alg)


def _alg_none(claims: dict) -> str:
    def b64(d: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(d).encode()).rstrip(b"=").decode()

    return f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(claims)}."


def test_expired_tampered_unsigned_and_wrong_key_tokens_are_refused(client, learner, settings):
    good = jwt.get_unverified_claims(learner["access_token"])
    now = int(time.time())
    expired, _, _ = security.create_token(settings, subject=good["sub"], token_type="access", lifetime=timedelta(seconds=-5))
    head, payload, sig = learner["access_token"].split(".")
    tampered_claims = dict(good, sub="00000000-0000-0000-0000-000000000000")
    tampered = ".".join([head, base64.urlsafe_b64encode(json.dumps(tampered_claims).encode()).rstrip(b"=").decode(), sig])
    refresh_as_access = learner["refresh_token"]
    candidates = {
        "expired": expired,
        "tampered": tampered,
        "alg none": _alg_none(dict(good, exp=now + 600)),
        "wrong key": _forge(dict(good, exp=now + 600)),
        "refresh token used as access": refresh_as_access,
        "garbage": "not-a-jwt",
    }
    for name, token in candidates.items():
        r = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 401, name
        assert r.headers.get("www-authenticate") == "Bearer", name
    assert client.get("/api/v1/me", headers=learner["headers"]).status_code == 200


def test_a_token_that_worked_is_refused_once_it_expires(client, learner, settings):
    sub = jwt.get_unverified_claims(learner["access_token"])["sub"]
    short, _, _ = security.create_token(settings, subject=sub, token_type="access", lifetime=timedelta(seconds=1))
    headers = {"Authorization": f"Bearer {short}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    time.sleep(max(0.0, jwt.get_unverified_claims(short)["exp"] + 1 - time.time()))  # past its last second
    r = client.get("/api/v1/me", headers=headers)
    assert r.status_code == 401 and r.headers.get("www-authenticate") == "Bearer"


def test_the_environment_cannot_choose_the_token_algorithm(client, learner, settings, monkeypatch):
    # HS256 is pinned in the code, not read from settings: HOCSO_JWT_ALGORITHM changes nothing.
    monkeypatch.setenv("HOCSO_JWT_ALGORITHM", "HS512")
    from_env = type(settings)(**settings.model_dump(exclude={"jwt_algorithm"}))
    token, _, _ = security.create_token(
        from_env,
        subject=jwt.get_unverified_claims(learner["access_token"])["sub"],
        token_type="access",
        lifetime=timedelta(minutes=5),
    )
    assert jwt.get_unverified_header(token)["alg"] == "HS256"
    same_key_other_alg = _forge(jwt.get_unverified_claims(token), key=settings.signing_key(), alg="HS512")
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {same_key_other_alg}"}).status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_repeated_failed_logins_are_slowed_down_with_retry_after(client):
    register(client, email="target@example.vn")
    for _ in range(5):
        r = client.post("/api/v1/auth/login", data={"username": "target@example.vn", "password": "guess guess"})
        assert r.status_code == 401
    r = client.post("/api/v1/auth/login", data={"username": "target@example.vn", "password": PASSWORD})
    assert r.status_code == 429
    assert int(r.headers["retry-after"]) > 0
    assert "giây" in r.json()["detail"]  # says how long to wait, in Vietnamese by default


def test_phone_numbers_in_any_common_form_reach_the_same_account(client):
    register(client, phone="+84 98 765 4321")
    for form in ("0987654321", "84987654321", "0987.654.321", "+84987654321"):
        login(client, form)


@pytest.mark.parametrize(
    "body, fragment",
    [
        ({"password": PASSWORD, "full_name": "A"}, "email address or a phone number"),
        ({"email": "a@example.vn", "password": "short", "full_name": "A"}, "password"),
        ({"email": "not-an-email", "password": PASSWORD, "full_name": "A"}, "email"),
        ({"phone": "12", "password": PASSWORD, "full_name": "A"}, "phone"),
        ({"email": "a@example.vn", "password": PASSWORD, "full_name": "   "}, "full name"),
        ({"email": "a@example.vn", "password": "aaaaaaaaaaaa", "full_name": "A"}, "different characters"),
        ({"email": "a@example.vn", "password": "x" * 200, "full_name": "A"}, "password"),
        ({"email": "a@example.vn", "password": PASSWORD, "full_name": "A", "role": "sysadmin"}, "role"),
    ],
)
def test_bad_registrations_get_a_422_that_says_what_to_fix(client, body, fragment):
    r = client.post("/api/v1/auth/register", json=body, headers={"Accept-Language": "en"})
    assert r.status_code == 422
    assert fragment in r.json()["detail"].lower()


def test_login_without_fields_and_refresh_with_junk_are_4xx(client):
    assert client.post("/api/v1/auth/login", data={}).status_code == 422
    assert client.post("/api/v1/auth/refresh", json={}).status_code == 422
    assert client.post("/api/v1/auth/refresh", json={"refresh_token": "junk"}).status_code == 401
    assert (
        client.post("/api/v1/auth/register", content=b"{not json", headers={"Content-Type": "application/json"}).status_code
        == 422
    )


def test_deleting_an_account_erases_it_and_frees_the_identifier(client, learner):
    assert client.delete("/api/v1/me", headers=learner["headers"]).status_code == 204
    assert client.post("/api/v1/auth/refresh", json={"refresh_token": learner["refresh_token"]}).status_code == 401
    register(client, email=learner["email"], full_name="Người mới")
    tokens = login(client, learner["email"])
    me = client.get("/api/v1/me", headers=auth_header(tokens)).json()
    assert me["full_name"] == "Người mới"
    assert client.get("/api/v1/me/export", headers=auth_header(tokens)).json()["attempts"] == []


def test_endpoints_that_need_a_person_refuse_anonymous_callers(client):
    for method, path in [
        ("get", "/api/v1/me"),
        ("get", "/api/v1/me/export"),
        ("delete", "/api/v1/me"),
        ("get", "/api/v1/me/progress"),
        ("post", "/api/v1/progress/events"),
        ("post", "/api/v1/modules/qr-basics/attempts"),
    ]:
        r = getattr(client, method)(path)
        assert r.status_code == 401, path


def test_mass_registration_from_one_address_is_slowed_down(settings, engine):
    from fastapi.testclient import TestClient

    from hocso.main import create_app

    with TestClient(create_app(settings.model_copy(update={"register_attempts_per_ip": 3}), engine)) as c:
        for i in range(3):
            register(c, email=f"bulk{i}@example.vn")
        r = c.post("/api/v1/auth/register", json={"email": "bulk9@example.vn", "password": PASSWORD, "full_name": "B"})
        assert r.status_code == 429 and int(r.headers["retry-after"]) > 0


def test_registering_the_same_identifier_again_and_again_is_slowed_down(client):
    body = {"email": "same@example.vn", "password": PASSWORD, "full_name": "Lặp"}
    codes = [client.post("/api/v1/auth/register", json=body).status_code for _ in range(4)]
    assert codes == [201, 201, 201, 429]


def test_registering_a_new_email_with_a_taken_phone_reveals_nothing_and_creates_nothing(client):
    register(client, phone="0912345678", email="owner@example.vn")
    taken_phone = client.post(
        "/api/v1/auth/register",
        json={"email": "newcomer@example.vn", "phone": "+84 912 345 678", "password": "another password 9", "full_name": "Lạ"},
    )
    taken_email = client.post(
        "/api/v1/auth/register",
        json={"email": "OWNER@example.vn", "phone": "0987000111", "password": "another password 9", "full_name": "Lạ"},
    )
    fresh = client.post(
        "/api/v1/auth/register",
        json={"email": "fresh@example.vn", "phone": "0987000222", "password": "another password 9", "full_name": "Lạ"},
    )
    assert taken_phone.status_code == taken_email.status_code == fresh.status_code == 201
    assert set(taken_phone.json()) == set(taken_email.json()) == set(fresh.json())
    # Neither half of a registration that collides was stored.
    for username in ("newcomer@example.vn", "0987000111"):
        r = client.post("/api/v1/auth/login", data={"username": username, "password": "another password 9"})
        assert r.status_code == 401
    login(client, "0987000222", "another password 9")
