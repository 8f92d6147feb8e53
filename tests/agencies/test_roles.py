"""Roles are rows on agencies: one person may manage several subtrees, and every agency endpoint checks scope."""

from __future__ import annotations

import re
import uuid

from sqlmodel import select

from hocso.accounts.models import Role, RoleKind, User
from hocso.agencies import access
from hocso.agencies.tree import get_by_code
from hocso.core.db import open_session
from tests.agencies.conftest import make_user, user_id

TWO_UNITS = "two.units@example.vn"


def agency_paths(client) -> list[tuple[str, str]]:
    """Every (method, path) the API serves under /agencies/{code}, read from the OpenAPI document."""
    spec = client.get("/openapi.json").json()["paths"]
    return [(method, path) for path, ops in spec.items() if path.startswith("/api/v1/agencies/{code}") for method in ops]


def filled(path: str, code: str) -> str:
    path = path.replace("{code}", code)
    return re.sub(r"\{[a-z_]+\}", str(uuid.uuid4()), path)


def test_every_agency_endpoint_answers_404_outside_the_callers_subtrees(client, as_user):
    paths = agency_paths(client)
    assert len(paths) >= 14  # the walk found the endpoints (stats, members, imports, requirements, …)
    for method, path in paths:
        for code in ("HCM", "HCM-BT", "VN", "NO-SUCH"):
            r = client.request(method.upper(), filled(path, code), headers=as_user("admin.hni@example.vn"))
            assert r.status_code == 404, (method, path, code, r.status_code, r.text)


def test_a_person_can_manage_two_units_in_different_provinces(client, as_user, tree):
    make_user(tree, TWO_UNITS, roles=["agency_admin"], admin_of="HNI-HK")
    with open_session(tree, write=True) as session:
        from hocso.accounts.models import User
        from hocso.agencies import access
        from hocso.agencies.tree import get_by_code

        person = session.exec(select(User).where(User.email == TWO_UNITS)).one()
        access.grant(session, user=person, kind=RoleKind.agency_admin, agency=get_by_code(session, "HCM-BT"))
        session.commit()
    headers = as_user(TWO_UNITS)
    for code in ("HNI-HK", "HCM-BT"):
        assert client.get(f"/api/v1/agencies/{code}/stats", headers=headers).status_code == 200
    for code in ("HNI", "HNI-BD", "HCM", "VN"):
        assert client.get(f"/api/v1/agencies/{code}/stats", headers=headers).status_code == 404
    me = client.get("/api/v1/me", headers=headers).json()
    assert "agency_admin" in me["roles"]
    assert [(s["kind"], s["agency"]["code"]) for s in me["scopes"]] == [("agency_admin", "HNI-HK"), ("agency_admin", "HCM-BT")]
    assert me["manages"]["code"] == "HNI-HK"  # the first, as before for clients that know one subtree


def test_a_helper_cannot_manage_the_agency_they_help_in(client, as_user, tree):
    make_user(tree, "helper.hk@example.vn", roles=["helper"], admin_of="HNI-HK")
    r = client.get("/api/v1/agencies/HNI-HK/stats", headers=as_user("helper.hk@example.vn"))
    assert r.status_code == 403 and r.json()["detail"]


def test_civil_servant_is_derived_from_membership_and_never_stored(client, as_user, tree):
    make_user(tree, "staff.hk@example.vn", roles=["civil_servant"], member_of="HNI-HK")
    me = client.get("/api/v1/me", headers=as_user("staff.hk@example.vn")).json()
    assert me["roles"] == ["learner", "civil_servant"] and me["scopes"] == []
    with open_session(tree) as session:
        assert session.exec(select(Role).where(Role.user_id == user_id(tree, "staff.hk@example.vn"))).all() == []


def test_a_units_admin_made_a_helper_there_keeps_both_roles_and_the_row_says_who_granted_it(client, as_user, tree):
    province = as_user("admin.hni@example.vn")
    r = client.post("/api/v1/agencies/HNI-HK/helpers", json={"identifier": "admin.hk@example.vn"}, headers=province)
    assert r.status_code == 201
    scopes = client.get("/api/v1/me", headers=as_user("admin.hk@example.vn")).json()["scopes"]
    assert sorted((s["kind"], s["agency"]["code"]) for s in scopes) == [("agency_admin", "HNI-HK"), ("helper", "HNI-HK")]
    with open_session(tree) as session:
        helper_role = session.exec(
            select(Role).where(Role.user_id == user_id(tree, "admin.hk@example.vn"), Role.kind == RoleKind.helper)
        ).one()
        assert helper_role.granted_by == user_id(tree, "admin.hni@example.vn")


def test_a_role_granted_again_is_held_once_system_wide_or_on_an_agency(client, as_user, tree):
    # What the command line does when the operator runs `hocso users create --role …` again for the same account.
    with open_session(tree, write=True) as session:
        root = session.get(User, user_id(tree, "root@example.vn"))
        hni_admin = session.get(User, user_id(tree, "admin.hni@example.vn"))
        assert not access.grant(session, user=root, kind=RoleKind.sysadmin, agency=None)[1]
        assert not access.grant(session, user=hni_admin, kind=RoleKind.agency_admin, agency=get_by_code(session, "HNI"))[1]
        session.commit()
    root_scopes = client.get("/api/v1/me", headers=as_user("root@example.vn")).json()["scopes"]
    assert root_scopes == [{"kind": "sysadmin", "agency": None}]
    hni_scopes = client.get("/api/v1/me", headers=as_user("admin.hni@example.vn")).json()["scopes"]
    assert [(s["kind"], s["agency"]["code"]) for s in hni_scopes] == [("agency_admin", "HNI")]
