"""Ending one person's sign-in, or one of their sign-ins, leaves everybody else's alone."""

from __future__ import annotations

from fastapi.testclient import TestClient

from hocso.main import create_app
from tests.conftest import PASSWORD, auth_header, login, register
from tests.mail import sms_relay


def refresh(client, tokens) -> int:
    return client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}).status_code


def two_people(client) -> tuple[dict, dict, dict]:
    """Lan signed in on two phones, Bình on one."""
    lan, binh = register(client, email="lan@example.vn"), register(client, email="binh@example.vn")
    return login(client, lan["email"]), login(client, lan["email"]), login(client, binh["email"])


def test_logging_out_ends_only_that_sign_in(client):
    lan_phone, lan_tablet, binh = two_people(client)
    assert client.post("/api/v1/auth/logout", json={"refresh_token": lan_phone["refresh_token"]}).status_code == 204
    assert refresh(client, lan_phone) == 401
    assert refresh(client, lan_tablet) == 200
    assert refresh(client, binh) == 200


def test_a_reused_refresh_token_ends_only_its_own_sign_in(client):
    lan_phone, lan_tablet, binh = two_people(client)
    assert refresh(client, lan_phone) == 200
    assert refresh(client, lan_phone) == 401  # replayed: that sign-in is over
    assert refresh(client, lan_tablet) == 200
    assert refresh(client, binh) == 200


def test_signing_out_everywhere_or_changing_the_password_leaves_other_people_signed_in(client):
    lan_phone, lan_tablet, binh = two_people(client)
    assert client.delete("/api/v1/me/sessions", headers=auth_header(lan_phone)).status_code == 204
    assert client.get("/api/v1/me", headers=auth_header(lan_tablet)).status_code == 401
    assert refresh(client, lan_tablet) == 401
    assert client.get("/api/v1/me", headers=auth_header(binh)).status_code == 200
    assert refresh(client, binh) == 200

    binh_again = login(client, "binh@example.vn")
    lan = login(client, "lan@example.vn")
    r = client.post(
        "/api/v1/me/password", headers=auth_header(lan), json={"current_password": PASSWORD, "new_password": "a new secret 42"}
    )
    assert r.status_code == 204, r.text
    assert client.get("/api/v1/me", headers=auth_header(lan)).status_code == 401
    assert client.get("/api/v1/me", headers=auth_header(binh_again)).status_code == 200
    assert refresh(client, binh_again) == 200
    login(client, "binh@example.vn", PASSWORD)


def test_a_reset_code_goes_only_where_a_person_can_be_reached(settings, engine):
    with sms_relay() as relay:
        with_sms = settings.model_copy(update={"sms_webhook_url": relay.url})
        with TestClient(create_app(with_sms, engine)) as client:
            register(client, email="lan@example.vn")  # no phone, and no email server configured here
            register(client, phone="0912345678", email="binh@example.vn")
            assert client.post("/api/v1/auth/password-reset", json={"identifier": "lan@example.vn"}).status_code == 202
            assert client.post("/api/v1/auth/password-reset", json={"identifier": "binh@example.vn"}).status_code == 202
            assert [m["to"] for m in relay.wait_for(1)] == ["+84912345678"]
