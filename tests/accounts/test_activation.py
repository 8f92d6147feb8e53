"""An imported person's one-time code: it sets their first password while it lasts, for them only, once."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from hocso.accounts.models import ActivationCode, User
from hocso.core import security
from hocso.core.db import open_session
from hocso.core.timeutil import utcnow
from tests.conftest import PASSWORD, login

EN = {"Accept-Language": "en"}
WRONG = "This code is not valid or has expired. Ask your agency for a new one."


def invite(engine, settings, email: str, code: str, *, expires_in: timedelta) -> None:
    """An imported person with no password yet, holding a one-time code that lasts expires_in from now."""
    with open_session(engine, write=True) as session:
        user = User(email=email, full_name=email.split("@")[0])
        session.add(user)
        session.flush()
        expires = utcnow() + expires_in
        session.add(ActivationCode(user_id=user.id, code_hash=security.hash_code(settings, code), expires_at=expires))
        session.commit()


def activate(client, email: str, code: str):
    return client.post("/api/v1/auth/activate", json={"identifier": email, "code": code, "password": PASSWORD}, headers=EN)


def test_an_expired_code_is_refused_and_a_valid_one_sets_the_first_password(client, engine, settings):
    invite(engine, settings, "lan@example.vn", "LANCODE234", expires_in=-timedelta(minutes=1))
    invite(engine, settings, "binh@example.vn", "BINHCODE23", expires_in=timedelta(days=1))

    r = activate(client, "lan@example.vn", "LANCODE234")
    assert r.status_code == 400 and r.json()["detail"] == WRONG
    assert client.post("/api/v1/auth/login", data={"username": "lan@example.vn", "password": PASSWORD}).status_code == 401
    with open_session(engine) as session:
        lan = session.exec(select(User).where(User.email == "lan@example.vn")).one()
        assert lan.password_hash is None

    r = activate(client, "binh@example.vn", "BINHCODE23")
    assert r.status_code == 200, r.text
    login(client, "binh@example.vn")
    # A code works once: the same code again is refused, and Bình's password stays the one just set.
    assert activate(client, "binh@example.vn", "BINHCODE23").status_code == 400
    login(client, "binh@example.vn")
