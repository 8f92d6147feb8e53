"""A small agency tree with admins at different levels, built through the real services."""

from __future__ import annotations

import shutil
import uuid
from functools import cache
from pathlib import Path

import pytest
from sqlmodel import select

from hocso.accounts.models import RoleKind, User
from hocso.agencies import access
from hocso.agencies.tree import get_by_code
from hocso.content.service import sync_content
from hocso.core.db import open_session
from hocso.core.security import hash_password
from hocso.flows import load_tree, move_person
from tests.conftest import FIXTURE_CONTENT, PASSWORD, auth_header, login

TREE = [
    {"code": "VN", "name": "Việt Nam (mẫu)", "parent_code": ""},
    {"code": "HNI", "name": "Thành phố Hà Nội", "parent_code": "VN"},
    {"code": "HNI-HK", "name": "Phường Hoàn Kiếm", "parent_code": "HNI"},
    {"code": "HNI-BD", "name": "Phường Ba Đình", "parent_code": "HNI"},
    {"code": "HCM", "name": "Thành phố Hồ Chí Minh", "parent_code": "VN"},
    {"code": "HCM-BT", "name": "Phường Bến Thành", "parent_code": "HCM"},
]


RIGHT = {"q1": ["a"], "q2": ["a"], "q3": ["a"], "q4": ["a"], "q5": ["a"], "q6": ["a", "b"]}
PEOPLE = [  # email, agency, full name
    ("dao@example.vn", "HNI-HK", "Nguyễn Thị Đào"),
    ("binh@example.vn", "HNI-HK", "Trần Văn Bình"),
    ("an@example.vn", "HNI-BD", "Lê An"),
    ("hoa@example.vn", "HNI-BD", "Nguyễn Hoa"),
    ("tam@example.vn", "HCM-BT", "Nguyễn Văn Tâm"),
]


@cache
def password_hash() -> str:
    """PASSWORD's hash, made once: every person made here signs in with it."""
    return hash_password(PASSWORD)


def make_user(
    engine,
    email: str,
    *,
    roles: list[str] = (),
    admin_of: str | None = None,
    member_of: str | None = None,
    stored_hash: str | None = None,
) -> None:
    with open_session(engine, write=True) as session:
        user = User(email=email, full_name=email.split("@")[0], password_hash=stored_hash or password_hash())
        session.add(user)
        session.flush()
        for name in (r for r in roles if r not in ("learner", "civil_servant")):  # derived, never stored
            # agency_admin and helper are held on an agency (admin_of); the other kinds system-wide.
            where = get_by_code(session, admin_of) if admin_of and name in ("agency_admin", "helper") else None
            access.grant(session, user=user, kind=RoleKind(name), agency=where)
        if member_of:
            move_person(session, user=user, agency=get_by_code(session, member_of))
        session.add(user)
        session.commit()


@pytest.fixture
def tree(engine):
    with open_session(engine, write=True) as session:
        report = load_tree(session, TREE)
        assert not report.problems
        session.commit()
    make_user(engine, "admin.hni@example.vn", roles=["agency_admin"], admin_of="HNI")
    make_user(engine, "admin.hcm@example.vn", roles=["agency_admin"], admin_of="HCM")
    make_user(engine, "admin.hk@example.vn", roles=["agency_admin"], admin_of="HNI-HK")
    make_user(engine, "root@example.vn", roles=["sysadmin"])
    return engine


def staff(client, tree, email: str, code: str, name: str) -> dict:
    """Makes a civil servant of the agency code named name, signed in; returns their auth header."""
    make_user(tree, email, roles=["civil_servant"], member_of=code)
    with open_session(tree, write=True) as session:
        user = session.exec(select(User).where(User.email == email)).one()
        user.full_name = name
        session.add(user)
        session.commit()
    return auth_header(login(client, email))


@pytest.fixture
def people(client, tree) -> dict[str, dict]:
    """PEOPLE signed in (auth headers by email): two in each Hà Nội ward, one in Bến Thành; Lê An has passed qr-basics."""
    headers = {email: staff(client, tree, email, code, name) for email, code, name in PEOPLE}
    r = client.post(
        "/api/v1/modules/qr-basics/attempts",
        json={"event_id": str(uuid.uuid4()), "answers": RIGHT},
        headers=headers["an@example.vn"],
    )
    assert r.json()["passed"]
    return headers


@pytest.fixture
def as_user(client, tree):
    cache: dict[str, dict] = {}

    def headers(email: str) -> dict:
        if email not in cache:
            cache[email] = auth_header(login(client, email))
        return cache[email]

    return headers


def user_id(engine, email: str):
    with open_session(engine) as session:
        return session.exec(select(User.id).where(User.email == email)).one()


def two_module_content(folder: Path) -> Path:
    """The fixture content plus a copy of qr-basics as "qr-more" (same answers), for a person with two modules."""
    root = folder / "content-two-modules"
    if not root.exists():
        shutil.copytree(FIXTURE_CONTENT, root)
        copy = root / "e-payment" / "qr-more"
        shutil.copytree(root / "e-payment" / "qr-basics", copy)
        meta = copy / "module.yaml"
        meta.write_text(meta.read_text(encoding="utf-8").replace("slug: qr-basics", "slug: qr-more"), encoding="utf-8")
    return root


def retire_qr_basics(engine, folder: Path) -> None:
    """Publishes two_module_content without qr-basics, as when a module leaves the catalogue: qr-basics is retired."""
    only_more = folder / "only-more"
    shutil.copytree(two_module_content(folder), only_more)
    shutil.rmtree(only_more / "e-payment" / "qr-basics")
    with open_session(engine, write=True) as session:
        assert sync_content(session, only_more).retired == ["qr-basics"]
        session.commit()
