"""Community digital team helpers register citizens with consent and help them learn in marked assisted sessions."""

from __future__ import annotations

import uuid

from sqlmodel import select

from hocso.accounts.models import CitizenConsent, User
from hocso.agencies.assistance import CONSENT_VERSION
from hocso.core.db import open_session
from tests.agencies.conftest import make_user
from tests.agencies.test_requirements_and_stats import RIGHT, staff

HELPER_HK = "helper.hk@example.vn"
HELPER_BT = "helper.bt@example.vn"


def helpers(tree) -> None:
    make_user(tree, HELPER_HK, roles=["helper"], admin_of="HNI-HK")
    make_user(tree, HELPER_BT, roles=["helper"], admin_of="HCM-BT")


def register_citizen(client, headers, code="HNI-HK", **fields) -> dict:
    body = {"full_name": "Bà Nguyễn Thị Tư", "consent": True, "consent_version": CONSENT_VERSION, **fields}
    r = client.post(f"/api/v1/agencies/{code}/citizens", json=body, headers=headers)
    assert r.status_code == 201, r.text
    return r.json()


def start(client, headers, citizen_id, code="HNI-HK") -> dict:
    r = client.post(f"/api/v1/agencies/{code}/citizens/{citizen_id}/assisted-sessions", headers=headers)
    assert r.status_code == 201, r.text
    return r.json()


def test_a_helper_registers_a_citizen_with_consent_and_the_consent_is_kept(client, tree, as_user):
    helpers(tree)
    text = client.get("/api/v1/assistance/consent").json()
    assert text["version"] == CONSENT_VERSION and text["text"]["vi"] and text["text"]["en"]
    citizen = register_citizen(client, as_user(HELPER_HK), phone="0912 345 678")
    assert citizen["phone"] == "+84912345678" and citizen["agency"]["code"] == "HNI-HK"
    with open_session(tree) as session:
        consent = session.get(CitizenConsent, uuid.UUID(citizen["id"]))
        helper = session.exec(select(User).where(User.email == HELPER_HK)).one()
        assert consent.helper_id == helper.id and consent.consent_version == CONSENT_VERSION
    listed = client.get("/api/v1/agencies/HNI-HK/citizens", headers=as_user(HELPER_HK)).json()
    assert [c["full_name"] for c in listed] == ["Bà Nguyễn Thị Tư"]
    # The province's admin sees the commune's citizens too; the audit trail says who registered whom.
    assert len(client.get("/api/v1/agencies/HNI/citizens", headers=as_user("admin.hni@example.vn")).json()) == 1
    audit = client.get("/api/v1/agencies/HNI-HK/audit", headers=as_user("admin.hni@example.vn")).json()
    assert "citizen_registered" in [e["action"] for e in audit["events"]]


def test_without_consent_nothing_is_registered_and_the_helper_is_told_why(client, tree, as_user):
    helpers(tree)
    body = {"full_name": "Ông Ba", "consent": False, "consent_version": CONSENT_VERSION}
    r = client.post("/api/v1/agencies/HNI-HK/citizens", json=body, headers={**as_user(HELPER_HK), "Accept-Language": "en"})
    assert r.status_code == 422 and "consent" in r.json()["detail"]
    r = client.post(
        "/api/v1/agencies/HNI-HK/citizens",
        json={**body, "consent": True, "consent_version": "1999-01"},
        headers=as_user(HELPER_HK),
    )
    assert r.status_code == 422 and "phiên bản" in r.json()["detail"]
    assert client.get("/api/v1/agencies/HNI-HK/citizens", headers=as_user(HELPER_HK)).json() == []


def test_an_assisted_session_is_marked_counts_as_assisted_and_ends_on_sign_out(client, tree, as_user):
    helpers(tree)
    citizen = register_citizen(client, as_user(HELPER_HK))
    assisted = start(client, as_user(HELPER_HK), citizen["id"])
    assert assisted["assisted"] is True and "refresh_token" not in assisted
    headers = {"Authorization": f"Bearer {assisted['access_token']}"}
    me = client.get("/api/v1/me", headers=headers).json()
    assert me["full_name"] == "Bà Nguyễn Thị Tư" and me["assisted"]["helper_name"] == "helper.hk"
    # A civil servant of the same commune passes on their own: only the citizen's completion is assisted.
    own = staff(client, tree, "can.bo@example.vn", "HNI-HK")
    for who in (headers, own):
        r = client.post("/api/v1/modules/qr-basics/attempts", json={"event_id": str(uuid.uuid4()), "answers": RIGHT}, headers=who)
        assert r.json()["passed"]
    for code, admin in (("HNI-HK", "admin.hk@example.vn"), ("HNI", "admin.hni@example.vn")):
        stats = client.get(f"/api/v1/agencies/{code}/stats", headers=as_user(admin)).json()
        assert stats["assisted"] == 1 and "goal_rate" in stats
    assert client.get("/api/v1/agencies/HCM/stats", headers=as_user("admin.hcm@example.vn")).json()["assisted"] == 0
    # The owner's own business is refused in an assisted session.
    assert (
        client.post(
            "/api/v1/me/password", json={"current_password": "x" * 8, "new_password": "a new long passphrase"}, headers=headers
        ).status_code
        == 403
    )
    assert client.get("/api/v1/me/export", headers=headers).status_code == 403
    assert client.delete("/api/v1/me", headers=headers).status_code == 403
    assert client.delete("/api/v1/me/sessions", headers=headers).status_code == 403
    # Signing out ends it at once: the token no longer works.
    assert client.delete("/api/v1/me/assisted-session", headers=headers).status_code == 204
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    assert client.delete("/api/v1/me/assisted-session", headers=as_user(HELPER_HK)).status_code == 404


def test_the_citizens_data_stays_theirs_export_shows_the_assistance_and_erasure_removes_it(client, tree, as_user):
    from hocso.agencies.access import roles_of
    from tests.conftest import PASSWORD

    helpers(tree)
    citizen = register_citizen(client, as_user(HELPER_HK), email="tu@example.vn")
    assisted = start(client, as_user(HELPER_HK), citizen["id"])
    headers = {"Authorization": f"Bearer {assisted['access_token']}"}
    client.post("/api/v1/modules/qr-basics/attempts", json={"event_id": str(uuid.uuid4()), "answers": RIGHT}, headers=headers)
    client.delete("/api/v1/me/assisted-session", headers=headers)
    # Later the citizen gets a password of their own (an agency reset code or a phone) and signs in themselves.
    with open_session(tree, write=True) as session:
        from hocso.core.security import hash_password

        person = session.get(User, uuid.UUID(citizen["id"]))
        person.password_hash = hash_password(PASSWORD)
        session.add(person)
        session.commit()
    from tests.conftest import auth_header, login

    own = auth_header(login(client, "tu@example.vn"))
    export = client.get("/api/v1/me/export", headers=own).json()
    assert export["assistance"]["registered_by_helper"]["consent_version"] == CONSENT_VERSION
    assert export["assistance"]["registered_by_helper"]["helper"] == "helper.hk"
    assert [s["ended_at"] is not None for s in export["assistance"]["assisted_sessions"]] == [True]
    assert [a["assisted"] for a in export["attempts"]] == [True]
    assert client.delete("/api/v1/me", headers=own).status_code == 204
    with open_session(tree) as session:
        assert session.get(CitizenConsent, uuid.UUID(citizen["id"])) is None
        helper = session.exec(select(User).where(User.email == HELPER_HK)).one()
        assert roles_of(session, helper.id)  # the helper keeps their role
    assert client.get("/api/v1/agencies/HNI-HK/citizens", headers=as_user(HELPER_HK)).json() == []


def test_another_provinces_helper_and_admin_get_404_for_the_communes_citizens(client, tree, as_user):
    helpers(tree)
    citizen = register_citizen(client, as_user(HELPER_HK))
    for who in (HELPER_BT, "admin.hcm@example.vn"):
        h = as_user(who)
        assert client.get("/api/v1/agencies/HNI-HK/citizens", headers=h).status_code == 404
        assert client.post(f"/api/v1/agencies/HNI-HK/citizens/{citizen['id']}/assisted-sessions", headers=h).status_code == 404
        r = client.post(
            "/api/v1/agencies/HNI-HK/citizens",
            headers=h,
            json={"full_name": "X", "consent": True, "consent_version": CONSENT_VERSION},
        )
        assert r.status_code == 404
    # Their own unit does not reach a citizen registered elsewhere either.
    r = client.post(f"/api/v1/agencies/HCM-BT/citizens/{citizen['id']}/assisted-sessions", headers=as_user(HELPER_BT))
    assert r.status_code == 404
    # A learner is told they are not a helper, the same for every code.
    make_user(tree, "learner@example.vn")
    assert client.get("/api/v1/agencies/HNI-HK/citizens", headers=as_user("learner@example.vn")).status_code == 403


def test_an_agency_admin_grants_the_helper_role_in_their_subtree_only(client, tree, as_user):
    make_user(tree, "volunteer@example.vn")
    admin = as_user("admin.hni@example.vn")
    r = client.post("/api/v1/agencies/HNI-HK/helpers", json={"identifier": "Volunteer@Example.vn"}, headers=admin)
    assert r.status_code == 201 and r.json()["agency"]["code"] == "HNI-HK"
    assert (
        client.post("/api/v1/agencies/HNI-HK/helpers", json={"identifier": "volunteer@example.vn"}, headers=admin).status_code
        == 200
    )
    assert [h["full_name"] for h in client.get("/api/v1/agencies/HNI/helpers", headers=admin).json()] == ["volunteer"]
    audit = client.get("/api/v1/agencies/HNI-HK/audit", headers=admin).json()["events"]
    assert [e["action"] for e in audit].count("role_granted") == 1
    # The new helper can work in that commune and nowhere else.
    helper = as_user("volunteer@example.vn")
    register_citizen(client, helper)
    assert client.get("/api/v1/agencies/HNI-BD/citizens", headers=helper).status_code == 404
    # Another province's admin cannot grant here, nor can a helper grant.
    assert (
        client.post(
            "/api/v1/agencies/HNI-HK/helpers",
            json={"identifier": "volunteer@example.vn"},
            headers=as_user("admin.hcm@example.vn"),
        ).status_code
        == 404
    )
    assert (
        client.post("/api/v1/agencies/HNI-HK/helpers", json={"identifier": "volunteer@example.vn"}, headers=helper).status_code
        == 403
    )
