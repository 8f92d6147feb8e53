"""Password change, sign-out everywhere, password reset by email, SMS and agency code, refresh chains' lifetime."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from hocso.accounts.models import RefreshToken
from hocso.core.db import open_session
from hocso.core.timeutil import utcnow
from hocso.main import create_app
from tests.conftest import PASSWORD, auth_header, login, register
from tests.mail import code_in, mail_server, sms_relay, wait_for

NEW_PASSWORD = "a brand new secret 42"


def _refresh(client, tokens: dict) -> int:
    return client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}).status_code


def test_changing_the_password_signs_out_every_device_and_old_access_tokens_get_401(client, learner):
    phone = login(client, learner["email"])  # a second device
    r = client.post(
        "/api/v1/me/password", headers=learner["headers"], json={"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    )
    assert r.status_code == 204
    for device in (learner, phone):
        assert client.get("/api/v1/me", headers=auth_header(device)).status_code == 401
        assert _refresh(client, device) == 401
    assert client.post("/api/v1/auth/login", data={"username": learner["email"], "password": PASSWORD}).status_code == 401
    # A token issued right after the change, within the same second, works.
    fresh = login(client, learner["email"], NEW_PASSWORD)
    assert client.get("/api/v1/me", headers=auth_header(fresh)).status_code == 200
    assert _refresh(client, fresh) == 200


def test_a_wrong_current_password_is_refused_changes_nothing_and_is_limited(client, learner, settings):
    body = {"current_password": "not my password", "new_password": NEW_PASSWORD}
    codes = [
        client.post("/api/v1/me/password", headers=learner["headers"], json=body).status_code
        for _ in range(settings.login_attempts_per_identifier + 1)
    ]
    assert codes == [400] * settings.login_attempts_per_identifier + [429]
    right = client.post(
        "/api/v1/me/password", headers=learner["headers"], json={"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    )
    assert right.status_code == 429 and int(right.headers["retry-after"]) > 0
    assert client.get("/api/v1/me", headers=learner["headers"]).status_code == 200
    login(client, learner["email"], PASSWORD)


def test_signing_out_everywhere_ends_this_device_and_every_other(client, learner):
    other = login(client, learner["email"])
    assert client.delete("/api/v1/me/sessions", headers=learner["headers"]).status_code == 204
    for device in (learner, other):
        assert client.get("/api/v1/me", headers=auth_header(device)).status_code == 401
        assert _refresh(client, device) == 401
    again = login(client, learner["email"])
    assert client.get("/api/v1/me", headers=auth_header(again)).status_code == 200


@pytest.fixture
def mail_client(settings, engine):
    with mail_server() as (port, inbox):
        with_smtp = settings.model_copy(
            update={
                "smtp_host": "127.0.0.1",
                "smtp_port": port,
                "smtp_starttls": False,
                "smtp_from": "Hocso <hocso@example.vn>",
            }
        )
        with TestClient(create_app(with_smtp, engine)) as c:
            yield c, inbox


def test_a_reset_code_arrives_by_email_and_sets_a_new_password(mail_client):
    client, inbox = mail_client
    # A long address, as many are: nothing on the way may be sized for short ones.
    register(client, email="nguyen.thi.quen@example.vn")
    kept = login(client, "nguyen.thi.quen@example.vn")
    r = client.post("/api/v1/auth/password-reset", json={"identifier": "NGUYEN.THI.QUEN@example.vn"})
    assert r.status_code == 202
    wait_for(inbox.messages, 1)
    assert len(inbox.messages) == 1
    message = inbox.messages[0]
    assert message["To"] == "nguyen.thi.quen@example.vn"
    code = code_in(message.get_content())
    confirm = client.post(
        "/api/v1/auth/password-reset/confirm",
        json={"identifier": "nguyen.thi.quen@example.vn", "code": code, "new_password": NEW_PASSWORD},
    )
    assert confirm.status_code == 204
    # Every sign-in ended; the new password works; the code is spent.
    assert client.get("/api/v1/me", headers=auth_header(kept)).status_code == 401
    assert _refresh(client, kept) == 401
    login(client, "nguyen.thi.quen@example.vn", NEW_PASSWORD)
    again = client.post(
        "/api/v1/auth/password-reset/confirm",
        json={"identifier": "nguyen.thi.quen@example.vn", "code": code, "new_password": "yet another one 7"},
    )
    assert again.status_code == 400


def test_a_reset_for_an_unknown_identifier_answers_the_same_and_sends_nothing(mail_client):
    client, inbox = mail_client
    register(client, email="known@example.vn")
    known = client.post("/api/v1/auth/password-reset", json={"identifier": "known@example.vn"})
    wait_for(inbox.messages, 1)
    unknown = client.post("/api/v1/auth/password-reset", json={"identifier": "nobody@example.vn"})
    phone = client.post("/api/v1/auth/password-reset", json={"identifier": "0987 000 111"})
    assert known.status_code == unknown.status_code == phone.status_code == 202
    assert known.json() == unknown.json() == phone.json()
    time.sleep(0.5)
    assert [m["To"] for m in inbox.messages] == ["known@example.vn"]


def test_wrong_reset_codes_use_up_the_code(mail_client, settings):
    client, inbox = mail_client
    register(client, email="doan@example.vn")
    client.post("/api/v1/auth/password-reset", json={"identifier": "doan@example.vn"})
    wait_for(inbox.messages, 1)
    code = code_in(inbox.messages[0].get_content())
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(settings.password_reset_code_tries):
        r = client.post(
            "/api/v1/auth/password-reset/confirm",
            json={"identifier": "doan@example.vn", "code": wrong, "new_password": NEW_PASSWORD},
        )
        assert r.status_code in (400, 429)
    r = client.post(
        "/api/v1/auth/password-reset/confirm", json={"identifier": "doan@example.vn", "code": code, "new_password": NEW_PASSWORD}
    )
    assert r.status_code in (400, 429)
    login(client, "doan@example.vn", PASSWORD)


def test_reset_requests_are_limited_per_normalised_identifier(client, settings):
    spellings = ["0912345678", "+84 912 345 678", "84912345678", "+840912345678"]
    codes = [client.post("/api/v1/auth/password-reset", json={"identifier": s}).status_code for s in spellings]
    assert codes == [202] * settings.password_reset_requests_per_identifier + [429]


def test_a_reset_code_arrives_by_sms_through_the_webhook_gateway(settings, engine):
    with sms_relay() as relay:
        with_sms = settings.model_copy(update={"sms_webhook_url": relay.url, "sms_webhook_token": "relay-token"})
        with TestClient(create_app(with_sms, engine)) as client:
            register(client, phone="0912345678")
            assert client.post("/api/v1/auth/password-reset", json={"identifier": "+84 912 345 678"}).status_code == 202
            sms = relay.wait_for(1)[0]
            assert sms["to"] == "+84912345678" and sms["auth"] == "Bearer relay-token"
            r = client.post(
                "/api/v1/auth/password-reset/confirm",
                json={"identifier": "0912345678", "code": relay.code_sent_to("+84912345678"), "new_password": NEW_PASSWORD},
            )
            assert r.status_code == 204
            login(client, "84912345678", NEW_PASSWORD)


def test_a_refresh_chain_ends_at_its_absolute_lifetime(client, learner, engine, settings):
    fresh = client.post("/api/v1/auth/refresh", json={"refresh_token": learner["refresh_token"]}).json()
    with open_session(engine, write=True) as session:
        session.execute(
            update(RefreshToken).values(family_started_at=utcnow() - timedelta(days=settings.refresh_family_days, minutes=1))
        )
        session.commit()
    # Each token in the chain is fresh, but the sign-in it continues is too old.
    r = client.post("/api/v1/auth/refresh", json={"refresh_token": fresh["refresh_token"]})
    assert r.status_code == 401
    assert _refresh(client, fresh) == 401


def test_a_refresh_token_near_the_end_of_its_chain_expires_with_the_chain(client, learner, engine, settings):
    with open_session(engine, write=True) as session:
        session.execute(
            update(RefreshToken).values(family_started_at=utcnow() - timedelta(days=settings.refresh_family_days - 1))
        )
        session.commit()
    pair = client.post("/api/v1/auth/refresh", json={"refresh_token": learner["refresh_token"]}).json()
    assert pair["refresh_expires_in"] <= 24 * 3600


def test_a_reset_confirmed_for_an_unknown_identifier_answers_as_a_wrong_code_does(client):
    register(client, email="someone@example.vn")
    answers = [
        client.post(
            "/api/v1/auth/password-reset/confirm",
            json={"identifier": who, "code": "123456", "new_password": NEW_PASSWORD},
            headers={"Accept-Language": "en"},
        )
        for who in ("someone@example.vn", "nobody@example.vn", "0987 000 111")
    ]
    assert [r.status_code for r in answers] == [400, 400, 400]
    assert answers[0].json() == answers[1].json() == answers[2].json()
    assert "not valid or has expired" in answers[0].json()["detail"]


@pytest.mark.parametrize("wrong_tries, works", [("all but one", True), ("all", False)])
def test_a_reset_code_survives_one_wrong_try_fewer_than_allowed_and_no_more(settings, engine, wrong_tries, works):
    """With the sign-in limits out of the way, the code's own try counter decides (the limits answer 429 first)."""
    roomy = {"login_attempts_per_identifier": 100, "login_attempts_per_ip": 100, "login_attempts_per_ip_max": 200}
    with mail_server() as (port, inbox):
        with_smtp = settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_starttls": False, **roomy})
        with TestClient(create_app(with_smtp, engine)) as client:
            register(client, email="thu@example.vn")
            client.post("/api/v1/auth/password-reset", json={"identifier": "thu@example.vn"})
            wait_for(inbox.messages, 1)
            code = code_in(inbox.messages[0].get_content())
            wrong = "000000" if code != "000000" else "111111"
            tries = settings.password_reset_code_tries - (1 if wrong_tries == "all but one" else 0)
            for _ in range(tries):
                body = {"identifier": "thu@example.vn", "code": wrong, "new_password": NEW_PASSWORD}
                assert client.post("/api/v1/auth/password-reset/confirm", json=body).status_code == 400
            body = {"identifier": "thu@example.vn", "code": code, "new_password": NEW_PASSWORD}
            assert client.post("/api/v1/auth/password-reset/confirm", json=body).status_code == (204 if works else 400)
            login(client, "thu@example.vn", NEW_PASSWORD if works else PASSWORD)


def test_the_reset_email_says_in_vietnamese_and_english_what_the_code_is_for_and_how_long_it_lasts(mail_client):
    client, inbox = mail_client
    register(client, email="hoa@example.vn")
    client.post("/api/v1/auth/password-reset", json={"identifier": "hoa@example.vn"})
    wait_for(inbox.messages, 1)
    message = inbox.messages[0]
    code = code_in(message.get_content())
    assert message["Subject"] == "Hocso: mã đặt lại mật khẩu / password reset code"
    assert message.get_content() == (
        f"Mã đặt lại mật khẩu Hocso của bạn: {code} (hết hạn sau 15 phút). Nếu bạn không yêu cầu, hãy bỏ qua tin này.\n"
        f"Your Hocso password reset code: {code} (expires in 15 minutes). If you did not ask for it, ignore this.\n"
    )
