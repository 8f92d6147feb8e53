"""What a sign-in hands out and what the person's export says of each sign-in: lifetimes, rotation, sign-out."""

from __future__ import annotations

from datetime import datetime, timedelta

from jose import jwt
from sqlalchemy import update
from sqlmodel import col, select

from hocso.accounts.models import RefreshToken, User
from hocso.core.db import open_session
from hocso.core.timeutil import utcnow
from tests.conftest import auth_header, login, register


def test_a_sign_in_says_how_long_its_tokens_last_and_the_tokens_agree(client, settings):
    body = register(client, email="lan@example.vn")
    pair = login(client, body["email"])
    assert pair["expires_in"] == settings.access_token_minutes * 60 == 900
    assert pair["refresh_expires_in"] in (settings.refresh_token_days * 86400, settings.refresh_token_days * 86400 - 1)
    for token, seconds in ((pair["access_token"], 900), (pair["refresh_token"], 14 * 86400)):
        claims = jwt.get_unverified_claims(token)
        assert seconds - 1 <= claims["exp"] - claims["iat"] <= seconds


def test_each_persons_export_lists_their_own_sign_ins_as_used_and_ended(client):
    for email in ("lan@example.vn", "binh@example.vn"):
        register(client, email=email)
    first = login(client, "lan@example.vn")
    renewed = client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]}).json()
    assert client.post("/api/v1/auth/logout", json={"refresh_token": renewed["refresh_token"]}).status_code == 204
    phone = login(client, "lan@example.vn")  # still signed in on another device
    login(client, "binh@example.vn")

    sessions = client.get("/api/v1/me/export", headers=auth_header(phone)).json()["sessions"]
    # The first token was used to renew, and the whole sign-in ended at sign-out; the phone's is untouched.
    assert [(s["used_at"] is not None, s["revoked_at"] is not None) for s in sessions] == [
        (True, True),
        (False, True),
        (False, False),
    ]
    for s in sessions:
        lasts = datetime.fromisoformat(s["expires_at"]) - datetime.fromisoformat(s["issued_at"])
        assert timedelta(days=14) - timedelta(seconds=2) <= lasts <= timedelta(days=14)
    assert datetime.fromisoformat(sessions[0]["used_at"]) <= datetime.fromisoformat(sessions[0]["revoked_at"])


def test_a_sign_in_ended_once_keeps_the_time_it_ended_when_its_token_comes_back(client):
    for email in ("lan@example.vn", "binh@example.vn"):
        register(client, email=email)
    laptop = login(client, "lan@example.vn")
    binh = login(client, "binh@example.vn")
    assert client.post("/api/v1/auth/logout", json={"refresh_token": laptop["refresh_token"]}).status_code == 204
    phone = login(client, "lan@example.vn")

    def ended() -> list[str | None]:
        return [s["revoked_at"] for s in client.get("/api/v1/me/export", headers=auth_header(phone)).json()["sessions"]]

    first = ended()
    assert first[0] is not None and first[1] is None
    # The laptop's token sent again, to renew and to sign out: the sign-in ended when it did, not now.
    assert client.post("/api/v1/auth/refresh", json={"refresh_token": laptop["refresh_token"]}).status_code == 401
    assert client.post("/api/v1/auth/logout", json={"refresh_token": laptop["refresh_token"]}).status_code == 204
    assert ended() == first
    # Signing out everywhere ends the phone's sign-in now, and leaves the laptop's end where it was.
    assert client.delete("/api/v1/me/sessions", headers=auth_header(phone)).status_code == 204
    phone = login(client, "lan@example.vn")
    now = ended()
    assert now[0] == first[0] and now[1] is not None and now[2] is None
    sessions = client.get("/api/v1/me/export", headers=auth_header(binh)).json()["sessions"]
    assert [s["revoked_at"] for s in sessions] == [None]


def test_a_sign_in_past_its_absolute_lifetime_shows_as_ended_in_the_export(client, engine, settings):
    for email in ("lan@example.vn", "binh@example.vn"):
        register(client, email=email)
    laptop = login(client, "lan@example.vn")
    binh = login(client, "binh@example.vn")
    with open_session(engine, write=True) as session:
        lan = session.exec(select(User.id).where(User.email == "lan@example.vn")).one()
        too_old = utcnow() - timedelta(days=settings.refresh_family_days, minutes=1)
        session.execute(update(RefreshToken).where(col(RefreshToken.user_id) == lan).values(family_started_at=too_old))
        session.commit()
    assert client.post("/api/v1/auth/refresh", json={"refresh_token": laptop["refresh_token"]}).status_code == 401
    phone = login(client, "lan@example.vn")
    sessions = client.get("/api/v1/me/export", headers=auth_header(phone)).json()["sessions"]
    assert [(s["used_at"] is not None, s["revoked_at"] is not None) for s in sessions] == [(True, True), (False, False)]
    # Bình's sign-in, as old in days but not in its chain, renews.
    assert client.post("/api/v1/auth/refresh", json={"refresh_token": binh["refresh_token"]}).status_code == 200


def test_renewing_again_and_again_never_carries_a_sign_in_past_its_absolute_lifetime(client, engine, settings):
    for email in ("lan@example.vn", "binh@example.vn"):
        register(client, email=email)
    lan_pair, binh_pair = login(client, "lan@example.vn"), login(client, "binh@example.vn")
    # Lan signed in 29 days ago (the chain ends after 30): every renewal from now on lasts a day at most.
    with open_session(engine, write=True) as session:
        lan = session.exec(select(User.id).where(User.email == "lan@example.vn")).one()
        began = utcnow() - timedelta(days=settings.refresh_family_days - 1)
        session.execute(
            update(RefreshToken).where(col(RefreshToken.user_id) == lan).values(issued_at=began, family_started_at=began)
        )
        session.commit()
    for _ in range(3):
        lan_pair = client.post("/api/v1/auth/refresh", json={"refresh_token": lan_pair["refresh_token"]}).json()
        assert 0 < lan_pair["refresh_expires_in"] <= 86400
        binh_pair = client.post("/api/v1/auth/refresh", json={"refresh_token": binh_pair["refresh_token"]}).json()
        assert binh_pair["refresh_expires_in"] >= settings.refresh_token_days * 86400 - 2
    claims = jwt.get_unverified_claims(lan_pair["refresh_token"])
    assert claims["exp"] <= (began + timedelta(days=settings.refresh_family_days)).timestamp() + 1
