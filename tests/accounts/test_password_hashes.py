"""Passwords stored with older hashing settings are redone at the next sign-in, and current ones are left alone."""

from __future__ import annotations

from passlib.context import CryptContext
from sqlmodel import select

from hocso.accounts.models import User
from hocso.core import security
from hocso.core.db import open_session
from tests.conftest import PASSWORD, login, register

# What an earlier release stored: argon2 with one pass instead of two.
OLDER = CryptContext(schemes=["argon2"], argon2__memory_cost=19456, argon2__time_cost=1, argon2__parallelism=1)


def stored_hash(engine, email: str) -> str:
    with open_session(engine) as session:
        return session.exec(select(User.password_hash).where(User.email == email)).one()


def test_an_older_hash_is_redone_at_sign_in_and_a_current_one_is_kept(client, engine):
    for email in ("lan@example.vn", "binh@example.vn"):
        register(client, email=email)
    with open_session(engine, write=True) as session:
        lan = session.exec(select(User).where(User.email == "lan@example.vn")).one()
        lan.password_hash = OLDER.hash(PASSWORD)
        session.add(lan)
        session.commit()
    old, binhs = stored_hash(engine, "lan@example.vn"), stored_hash(engine, "binh@example.vn")
    assert security.needs_rehash(old) and not security.needs_rehash(binhs)

    # A wrong password changes nothing; the right one signs in and stores today's hash of the same password.
    r = client.post("/api/v1/auth/login", data={"username": "lan@example.vn", "password": "not the password"})
    assert r.status_code == 401 and stored_hash(engine, "lan@example.vn") == old
    login(client, "lan@example.vn")
    redone = stored_hash(engine, "lan@example.vn")
    assert redone != old and not security.needs_rehash(redone)
    assert security.verify_password(PASSWORD, redone)
    login(client, "lan@example.vn")
    assert stored_hash(engine, "lan@example.vn") == redone
    login(client, "binh@example.vn")
    assert stored_hash(engine, "binh@example.vn") == binhs
