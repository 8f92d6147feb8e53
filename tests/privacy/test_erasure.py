"""Erasure of one person: their unsent xAPI statements never leave, and who granted everybody else's roles stays known."""

from __future__ import annotations

from sqlmodel import select

from hocso.accounts.models import Role, RoleKind
from hocso.core.db import open_session
from hocso.core.identifiers import canonical_phone
from hocso.xapi.models import XapiStatement
from tests.agencies.conftest import make_user, user_id
from tests.agencies.test_helpers import HELPER_BT, HELPER_HK, confirm, helpers, register_by_phone, send_code, start
from tests.conftest import auth_header, login, register
from tests.learning.conftest import signed_up_since
from tests.learning.test_xapi_queue import settings  # noqa: F401 - an LRS nobody listens on, so statements stay queued
from tests.privacy.test_two_people import learn


def test_erasing_a_person_drops_their_unsent_statements_and_keeps_everybody_elses(client, engine):
    lan = signed_up_since(client, engine, "lan@example.vn")
    binh = signed_up_since(client, engine, "binh@example.vn")
    learn(client, lan)
    learn(client, binh)
    lan_id, binh_id = user_id(engine, "lan@example.vn"), user_id(engine, "binh@example.vn")

    def queued() -> dict:
        with open_session(engine) as session:
            rows = session.exec(select(XapiStatement.user_id)).all()
        return {who: rows.count(who) for who in (lan_id, binh_id)}

    # Two lessons, the attempt and the module's completion, each.
    assert queued() == {lan_id: 4, binh_id: 4}
    assert client.delete("/api/v1/me", headers=lan).status_code == 204
    assert queued() == {lan_id: 0, binh_id: 4}
    login(client, "binh@example.vn")


def test_erasing_an_admin_forgets_the_roles_they_granted_and_keeps_who_granted_everybody_elses(client, tree, as_user):
    make_user(tree, "tam@example.vn", member_of="HCM-BT")
    grants = (("admin.hni@example.vn", "HNI-HK", "admin.hk@example.vn"), ("admin.hcm@example.vn", "HCM-BT", "tam@example.vn"))
    for admin, unit, helper in grants:
        r = client.post(f"/api/v1/agencies/{unit}/helpers", json={"identifier": helper}, headers=as_user(admin))
        assert r.status_code == 201, r.text
    hcm = auth_header(login(client, "admin.hcm@example.vn"))
    assert client.delete("/api/v1/me", headers=hcm).status_code == 204

    with open_session(tree) as session:
        granted = {r.user_id: r.granted_by for r in session.exec(select(Role).where(Role.kind == RoleKind.helper)).all()}
    assert granted == {
        user_id(tree, "admin.hk@example.vn"): user_id(tree, "admin.hni@example.vn"),
        user_id(tree, "tam@example.vn"): None,
    }


def test_erasing_a_helper_takes_their_name_off_their_citizens_records_only(sms, tree, as_user):
    client, relay = sms
    helpers(tree)
    citizens = {}
    for helper, unit, phone in ((HELPER_HK, "HNI-HK", "0987654321"), (HELPER_BT, "HCM-BT", "0912345678")):
        register(client, phone=phone, full_name=f"Citizen {phone}")
        sent = send_code(client, as_user(helper), phone, code=unit)
        relay.wait_for(len(relay.received) + 1)
        typed = relay.code_sent_to(canonical_phone(phone))
        linked = confirm(client, as_user(helper), sent.json()["registration_id"], typed, code=unit).json()
        start(client, as_user(helper), linked["id"], code=unit)
        citizens[helper] = auth_header(login(client, phone))
    # A registration each helper left waiting for its code.
    waiting = {
        h: send_code(client, as_user(h), p, code=u)
        for h, u, p in ((HELPER_HK, "HNI-HK", "0911000111"), (HELPER_BT, "HCM-BT", "0911000222"))
    }
    relay.wait_for(4)
    assert client.delete("/api/v1/me", headers=as_user(HELPER_BT)).status_code == 204
    # The other helper's waiting registration still goes through with its code.
    kept = confirm(client, as_user(HELPER_HK), waiting[HELPER_HK].json()["registration_id"], relay.code_sent_to("+84911000111"))
    assert kept.status_code == 201, kept.text

    def named(helper) -> tuple:
        assistance = client.get("/api/v1/me/export", headers=citizens[helper]).json()["assistance"]
        return assistance["registered_by_helper"]["helper"], [s["helper"] for s in assistance["assisted_sessions"]]

    assert named(HELPER_HK) == ("helper.hk", ["helper.hk"])
    assert named(HELPER_BT) == (None, [None])


def test_erasing_a_citizen_leaves_the_consent_and_sessions_of_the_others_the_helper_assisted(sms, tree, as_user):
    client, relay = sms
    helpers(tree)
    own = {}
    for phone in ("0987654321", "0912345678"):
        register(client, phone=phone, full_name=f"Citizen {phone}")
        start(client, as_user(HELPER_HK), register_by_phone(client, relay, as_user(HELPER_HK), phone)["id"])
        own[phone] = auth_header(login(client, phone))
    assert client.delete("/api/v1/me", headers=own["0987654321"]).status_code == 204
    assistance = client.get("/api/v1/me/export", headers=own["0912345678"]).json()["assistance"]
    assert assistance["registered_by_helper"]["helper"] == "helper.hk"
    assert [s["helper"] for s in assistance["assisted_sessions"]] == ["helper.hk"]
    assert [c["full_name"] for c in client.get("/api/v1/agencies/HNI-HK/citizens", headers=as_user(HELPER_HK)).json()] == [
        "Citizen 0912345678"
    ]
