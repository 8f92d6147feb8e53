"""Ending one person's sign-in, or one of their sign-ins, leaves everybody else's alone."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import update

from hocso.accounts.models import PasswordReset
from hocso.core.db import open_session
from hocso.core.timeutil import utcnow
from hocso.main import create_app
from tests.agencies.conftest import make_user, user_id
from tests.conftest import PASSWORD, auth_header, login, register
from tests.mail import sms_relay

ADMIN = "admin.hni@example.vn"


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


def test_a_reset_code_is_typed_in_groups_and_stops_working_when_it_expires(client, tree, as_user, engine):
    make_user(tree, "lan@example.vn", member_of="HNI-HK")
    make_user(tree, "binh@example.vn", member_of="HNI-BD")
    codes = {}
    for email in ("lan@example.vn", "binh@example.vn"):
        r = client.post(f"/api/v1/agencies/HNI/members/{user_id(tree, email)}/reset-code", headers=as_user(ADMIN))
        codes[email] = r.json()["code"].replace("-", "")
    with open_session(engine, write=True) as session:
        lan = user_id(tree, "lan@example.vn")
        session.execute(
            update(PasswordReset).where(PasswordReset.user_id == lan).values(expires_at=utcnow() - timedelta(seconds=1))
        )
        session.commit()
    expired = {"identifier": "lan@example.vn", "code": codes["lan@example.vn"], "new_password": "chosen at the desk 9"}
    assert client.post("/api/v1/auth/password-reset/confirm", json=expired).status_code == 400
    login(client, "lan@example.vn", PASSWORD)
    # Read aloud from paper, Bình's code is typed in groups of four, with a dash or a space between.
    code = codes["binh@example.vn"]
    typed = f"{code[:4]}-{code[4:8]} {code[8:]}".lower()
    confirm = {"identifier": "binh@example.vn", "code": typed, "new_password": "chosen at the desk 9"}
    assert client.post("/api/v1/auth/password-reset/confirm", json=confirm).status_code == 204
    login(client, "binh@example.vn", "chosen at the desk 9")


def test_a_second_reset_code_replaces_the_first_and_leaves_other_peoples_codes_alone(client, tree, as_user):
    make_user(tree, "lan@example.vn", member_of="HNI-HK")
    make_user(tree, "binh@example.vn", member_of="HNI-BD")

    def issue(email: str) -> str:
        r = client.post(f"/api/v1/agencies/HNI/members/{user_id(tree, email)}/reset-code", headers=as_user(ADMIN))
        assert r.status_code == 200, r.text
        code = r.json()["code"]
        # Ten characters to read out or copy from paper, none of them 0/O or 1/I, as an activation code.
        assert len(code) == 10 and set(code) <= set("ABCDEFGHJKLMNPQRSTUVWXYZ23456789"), code
        return code

    def confirm(email: str, code: str) -> int:
        body = {"identifier": email, "code": code, "new_password": "chosen at the desk 9"}
        return client.post("/api/v1/auth/password-reset/confirm", json=body).status_code

    binh_code, first = issue("binh@example.vn"), issue("lan@example.vn")
    assert confirm("lan@example.vn", "WRONGCODE2") == 400  # one try used on the first code
    second = issue("lan@example.vn")  # the paper was lost: the admin hands out another
    assert confirm("lan@example.vn", first) == 400
    assert confirm("lan@example.vn", second) == 204
    login(client, "lan@example.vn", "chosen at the desk 9")
    assert confirm("binh@example.vn", binh_code) == 204
    login(client, "binh@example.vn", "chosen at the desk 9")
