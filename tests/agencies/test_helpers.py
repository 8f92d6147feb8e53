"""Community digital team helpers register citizens with consent and help them learn in marked assisted sessions."""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from hocso.accounts.models import CitizenConsent, User
from hocso.agencies.assistance import CONSENT_VERSION
from hocso.core.db import open_session
from hocso.core.identifiers import canonical_phone
from hocso.main import create_app
from tests.agencies.conftest import make_user
from tests.agencies.test_requirements_and_stats import RIGHT, staff
from tests.conftest import register
from tests.learning.test_progress import lesson_event
from tests.mail import sms_relay

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


@pytest.fixture
def sms(settings, engine, tree):
    """A client whose server sends text messages to a stand-in SMS provider, and that provider."""
    with sms_relay() as relay:
        with TestClient(create_app(settings.model_copy(update={"sms_webhook_url": relay.url}), engine)) as client:
            yield client, relay


def send_code(client, headers, phone, code="HNI-HK", name="Bà Nguyễn Thị Tư"):
    body = {"full_name": name, "phone": phone, "consent": True, "consent_version": CONSENT_VERSION}
    return client.post(f"/api/v1/agencies/{code}/citizens", json=body, headers=headers)


def confirm(client, headers, registration_id, typed, code="HNI-HK"):
    url = f"/api/v1/agencies/{code}/citizens/registrations/{registration_id}/confirm"
    return client.post(url, json={"code": typed}, headers=headers)


def register_by_phone(client, relay, headers, phone, **kwargs) -> dict:
    """Registers a citizen with a phone: the code goes there, the helper types it back."""
    sent = send_code(client, headers, phone, **kwargs)
    assert sent.status_code == 202, sent.text
    relay.wait_for(len(relay.received) + 1)
    r = confirm(client, headers, sent.json()["registration_id"], relay.code_sent_to(canonical_phone(phone)))
    assert r.status_code == 201, r.text
    return r.json()


def start(client, headers, citizen_id, code="HNI-HK") -> dict:
    r = client.post(f"/api/v1/agencies/{code}/citizens/{citizen_id}/assisted-sessions", headers=headers)
    assert r.status_code == 201, r.text
    return r.json()


def test_a_helper_registers_a_citizen_with_consent_and_the_consent_is_kept(sms, tree, as_user):
    client, relay = sms
    helpers(tree)
    text = client.get("/api/v1/assistance/consent").json()
    assert text["version"] == CONSENT_VERSION and text["text"]["vi"] and text["text"]["en"]
    # The code goes to the phone; the citizen reads it to the helper, who types it back (spaces allowed).
    sent = send_code(client, as_user(HELPER_HK), "0912 345 678")
    assert sent.status_code == 202
    assert sent.json()["sent_to"] == "+84••••••678" and sent.json()["channel"] == "sms"
    message = relay.wait_for(1)[0]
    assert message["to"] == "+84912345678" and "Mã xác nhận Hocso" in message["text"]
    typed = relay.code_sent_to("+84912345678")
    assert client.get("/api/v1/agencies/HNI-HK/citizens", headers=as_user(HELPER_HK)).json() == []  # not before the code
    r = confirm(client, as_user(HELPER_HK), sent.json()["registration_id"], f"{typed[:3]} {typed[3:]}")
    assert r.status_code == 201, r.text
    citizen = r.json()
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
    for path in ("/api/v1/me", "/api/v1/me/progress"):  # /me/progress looks the person up its own way
        assert client.get(path, headers=headers).status_code == 401, path
    assert client.delete("/api/v1/me/assisted-session", headers=as_user(HELPER_HK)).status_code == 404


def test_the_citizens_data_stays_theirs_export_shows_the_assistance_and_erasure_removes_it(sms, tree, as_user):
    from hocso.agencies.access import roles_of
    from tests.conftest import PASSWORD

    client, relay = sms
    helpers(tree)
    citizen = register_by_phone(client, relay, as_user(HELPER_HK), "0912345670")
    assisted = start(client, as_user(HELPER_HK), citizen["id"])
    headers = {"Authorization": f"Bearer {assisted['access_token']}"}
    client.post("/api/v1/progress/events", json={"events": [lesson_event("scan")]}, headers=headers)
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

    own = auth_header(login(client, "0912345670"))
    client.post("/api/v1/progress/events", json={"events": [lesson_event("check")]}, headers=own)  # on their own
    export = client.get("/api/v1/me/export", headers=own).json()
    assert [(e["lesson"], e["assisted"]) for e in export["progress_events"]] == [("scan", True), ("check", False)]
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


def test_a_phone_that_already_has_an_account_gets_the_same_answer_and_is_linked_once_its_code_comes_back(sms, tree, as_user):
    client, relay = sms
    helpers(tree)
    register(client, phone="0987654321", full_name="Trần Văn Năm")
    with open_session(tree) as session:
        owner = {"id": str(session.exec(select(User.id).where(User.phone == "+84987654321")).one())}
    helper = as_user(HELPER_HK)
    new, taken = send_code(client, helper, "0912000111"), send_code(client, helper, "0987654321", name="Ông Năm")
    # Nothing in the answer says which number already had an account.
    assert new.status_code == taken.status_code == 202
    assert new.json().keys() == taken.json().keys() and new.json()["expires_in"] == taken.json()["expires_in"]
    relay.wait_for(2)
    with open_session(tree) as session:
        assert session.get(CitizenConsent, uuid.UUID(owner["id"])) is None  # nothing changes before the code
    r = confirm(client, helper, taken.json()["registration_id"], relay.code_sent_to("+84987654321"))
    assert r.status_code == 201
    # The owner proved the number is theirs: their own account is linked, with its name, not a second one.
    assert r.json()["id"] == owner["id"] and r.json()["full_name"] == "Trần Văn Năm"
    with open_session(tree) as session:
        assert len(session.exec(select(User).where(User.phone == "+84987654321")).all()) == 1
    assert start(client, helper, owner["id"])["citizen"]["id"] == owner["id"]


def test_a_wrong_code_counts_and_after_five_even_the_right_one_is_refused(sms, tree, as_user):
    client, relay = sms
    helpers(tree)
    sent = send_code(client, as_user(HELPER_HK), "0912000222").json()
    right = relay.code_sent_to("+84912000222") if relay.wait_for(1) else None
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(5):
        r = confirm(client, {**as_user(HELPER_HK), "Accept-Language": "en"}, sent["registration_id"], wrong)
        assert r.status_code == 400 and "register them again" in r.json()["detail"]
    assert confirm(client, as_user(HELPER_HK), sent["registration_id"], right).status_code == 400
    assert client.get("/api/v1/agencies/HNI-HK/citizens", headers=as_user(HELPER_HK)).json() == []


def test_only_the_helper_who_sent_the_code_can_confirm_it(sms, tree, as_user):
    client, relay = sms
    helpers(tree)
    make_user(tree, "helper2.hk@example.vn", roles=["helper"], admin_of="HNI-HK")
    sent = send_code(client, as_user(HELPER_HK), "0912000333").json()
    relay.wait_for(1)
    code = relay.code_sent_to("+84912000333")
    for who, agency in (("helper2.hk@example.vn", "HNI-HK"), (HELPER_BT, "HCM-BT")):
        assert confirm(client, as_user(who), sent["registration_id"], code, code=agency).status_code == 404
    assert confirm(client, as_user(HELPER_HK), sent["registration_id"], code).status_code == 201


def test_an_account_with_an_agency_role_is_never_linked_for_assisted_sessions(sms, tree, as_user):
    client, relay = sms
    helpers(tree)
    make_user(tree, "boss@example.vn", roles=["agency_admin"], admin_of="HNI")
    with open_session(tree, write=True) as session:
        boss = session.exec(select(User).where(User.email == "boss@example.vn")).one()
        boss.phone = "+84912000444"
        session.add(boss)
        session.commit()
    sent = send_code(client, as_user(HELPER_HK), "0912000444")
    assert sent.status_code == 202
    relay.wait_for(1)
    r = confirm(client, as_user(HELPER_HK), sent.json()["registration_id"], relay.code_sent_to("+84912000444"))
    assert r.status_code == 403 and "phiên hỗ trợ" in r.json()["detail"]
    with open_session(tree) as session:
        assert session.get(CitizenConsent, boss.id) is None


def test_without_an_sms_gateway_a_phone_is_refused_with_what_to_do_and_without_one_it_registers_at_once(client, tree, as_user):
    helpers(tree)
    r = send_code(client, {**as_user(HELPER_HK), "Accept-Language": "en"}, "0912000555")
    assert r.status_code == 422 and "without a phone number" in r.json()["detail"]
    both = {"full_name": "X", "phone": "0912000555", "email": "x@example.vn", "consent": True, "consent_version": CONSENT_VERSION}
    r = client.post("/api/v1/agencies/HNI-HK/citizens", json=both, headers=as_user(HELPER_HK))
    assert r.status_code == 422 and "không nhập cả hai" in r.json()["detail"]
    assert client.get("/api/v1/agencies/HNI-HK/citizens", headers=as_user(HELPER_HK)).json() == []
    assert register_citizen(client, as_user(HELPER_HK))["phone"] is None


def test_a_number_gets_three_codes_an_hour(sms, tree, as_user):
    client, _ = sms
    helpers(tree)
    codes = [send_code(client, as_user(HELPER_HK), "0912000666").status_code for _ in range(4)]
    assert codes == [202, 202, 202, 429]
