"""An import cannot take over anyone's account: people it did not create are invited, and only they can accept."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest
from sqlmodel import col, select

from hocso.accounts.models import ActivationCode, User
from hocso.agencies.models import Agency, AgencyInvitation
from hocso.core import security
from hocso.core.db import open_session
from hocso.core.errors import BadRequest
from hocso.core.timeutil import utcnow
from hocso.staff import imports
from tests.agencies.test_import import upload
from tests.conftest import PASSWORD, auth_header, login, register

HCM_ADMIN = "admin.hcm@example.vn"
HNI_ADMIN = "admin.hni@example.vn"
GOOD_TWO = "full_name,email,phone,agency_code\nLê Thị Chi,chi@example.vn,,HNI-HK\nLê Văn Dũng,dung@example.vn,,HNI-HK\n"


def me(client, headers) -> dict:
    r = client.get("/api/v1/me", headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


def members(client, headers, code: str) -> int:
    return client.get(f"/api/v1/agencies/{code}/stats", headers=headers).json()["members"]


def test_another_provinces_admin_cannot_rename_move_or_add_a_phone_to_an_admin(client, as_user):
    before = me(client, as_user(HNI_ADMIN))
    r = upload(
        client, as_user(HCM_ADMIN), f"full_name,email,phone,agency_code\nHACKED NAME,{HNI_ADMIN},0988000111,HCM-BT\n", code="HCM"
    )
    assert r.status_code == 200, r.text
    body = r.json()
    # The answer says "invited" and nothing of who the person is: no name, role or agency.
    assert body["rejected"] == [{"row": 2, "reason": "invited"}]
    assert (body["created"], body["updated"], body["unchanged"], body["invitations"]) == (0, 0, 0, [])
    assert me(client, as_user(HNI_ADMIN)) == before
    assert before["full_name"] != "HACKED NAME" and before["phone"] is None and before["agency"] is None
    # The phone in the file was not added: it signs nobody in.
    assert client.post("/api/v1/auth/login", data={"username": "0988000111", "password": PASSWORD}).status_code == 401
    assert members(client, as_user(HCM_ADMIN), "HCM") == 0
    # The HNI admin still manages HNI, and sees the invitation.
    assert client.get("/api/v1/agencies/HNI/stats", headers=as_user(HNI_ADMIN)).status_code == 200
    invitations = client.get("/api/v1/me/invitations", headers=as_user(HNI_ADMIN)).json()
    assert [i["agency"]["code"] for i in invitations] == ["HCM-BT"]


def test_the_sysadmin_cannot_be_renamed_or_moved_by_an_import(client, as_user):
    before = me(client, as_user("root@example.vn"))
    body = upload(client, as_user(HCM_ADMIN), "full_name,email,phone\nHACKED NAME,root@example.vn,\n", code="HCM").json()
    assert body["rejected"] == [{"row": 2, "reason": "invited"}] and body["invitations"] == []
    after = me(client, as_user("root@example.vn"))
    assert after == before and "sysadmin" in after["roles"] and "civil_servant" not in after["roles"]


def test_a_citizen_gets_no_attackers_email_and_that_email_cannot_sign_in_with_their_password(client, as_user):
    citizen = register(client, phone="0903111222", full_name="Lê Thị Dân")
    body = upload(
        client, as_user(HCM_ADMIN), "full_name,email,phone\nHACKED NAME,attacker@example.vn,0903 111 222\n", code="HCM"
    ).json()
    assert body["rejected"] == [{"row": 2, "reason": "invited"}] and body["invitations"] == []
    assert (
        client.post("/api/v1/auth/login", data={"username": "attacker@example.vn", "password": citizen["password"]}).status_code
        == 401
    )
    headers = auth_header(login(client, "0903111222"))
    profile = me(client, headers)
    assert (profile["email"], profile["full_name"], profile["agency"]) == (None, "Lê Thị Dân", None)
    # No one-time code either: /auth/activate cannot set the citizen's password.
    with open_session(client.app.state.engine) as session:
        assert session.exec(select(ActivationCode)).all() == []


def test_an_email_of_one_person_and_a_phone_of_another_is_rejected_without_saying_whose(client, as_user):
    register(client, email="mot@example.vn", full_name="Người Một")
    register(client, phone="0903222333", full_name="Người Hai")
    body = upload(client, as_user(HCM_ADMIN), "full_name,email,phone\nGhép,mot@example.vn,0903222333\n", code="HCM").json()
    assert body["created"] == body["updated"] == body["invited"] == 0 and len(body["rejected"]) == 1
    reason = body["rejected"][0]["reason"]
    assert reason != "invited" and "Người" not in reason and "account" not in reason
    assert me(client, auth_header(login(client, "mot@example.vn")))["phone"] is None
    assert me(client, auth_header(login(client, "0903222333")))["email"] is None


def test_only_the_invited_person_can_accept_and_accepting_moves_them_in(client, as_user):
    citizen = register(client, email="dan@example.vn", full_name="Công Dân")
    upload(client, as_user(HCM_ADMIN), "full_name,email,phone,agency_code\nTên Khác,dan@example.vn,,HCM-BT\n", code="HCM")
    headers = auth_header(login(client, citizen["email"]))
    assert me(client, headers)["agency"] is None  # nothing changes before they accept
    [invitation] = client.get("/api/v1/me/invitations", headers=headers).json()
    assert invitation["agency"] == {"code": "HCM-BT", "name": "Phường Bến Thành"}

    # Someone else (here the admin who sent it) cannot accept it for them.
    stolen = client.post(f"/api/v1/me/invitations/{invitation['id']}/accept", headers=as_user(HCM_ADMIN))
    assert stolen.status_code == 404
    assert client.post("/api/v1/me/invitations/not-an-id/accept", headers=headers).status_code == 404

    r = client.post(f"/api/v1/me/invitations/{invitation['id']}/accept", headers=headers)
    assert r.status_code == 200, r.text
    profile = me(client, headers)
    assert profile["agency"] == {"code": "HCM-BT", "name": "Phường Bến Thành"}
    assert "civil_servant" in profile["roles"] and profile["full_name"] == "Công Dân"
    assert members(client, as_user(HCM_ADMIN), "HCM") == 1
    assert client.post(f"/api/v1/me/invitations/{invitation['id']}/accept", headers=headers).status_code == 400
    assert client.get("/api/v1/me/invitations", headers=headers).json() == []
    # Having joined by invitation, they are still not the import's to rename.
    body = upload(
        client, as_user(HCM_ADMIN), "full_name,email,phone,agency_code\nTên Khác,dan@example.vn,,HCM-BT\n", code="HCM"
    ).json()
    assert (body["updated"], body["unchanged"]) == (0, 1)
    assert me(client, headers)["full_name"] == "Công Dân"


def test_an_import_neither_renames_another_subtrees_imported_person_nor_adds_a_phone_to_its_own(client, as_user, tree):
    upload(client, as_user(HNI_ADMIN), "full_name,email,phone\nNhân Viên,nv@example.vn,\n")
    body = upload(client, as_user(HCM_ADMIN), "full_name,email,phone\nĐổi Tên,nv@example.vn,\n", code="HCM").json()
    assert body["rejected"] == [{"row": 2, "reason": "invited"}]
    body = upload(client, as_user(HNI_ADMIN), "full_name,email,phone\nNhân Viên,nv@example.vn,0912555666\n").json()
    assert body["updated"] == 0 and "does not add" in body["rejected"][0]["reason"]
    with open_session(tree) as session:
        person = session.exec(select(User).where(User.email == "nv@example.vn")).one()
        assert (person.full_name, person.phone) == ("Nhân Viên", None)
    assert members(client, as_user(HNI_ADMIN), "HNI") == 1 and members(client, as_user(HCM_ADMIN), "HCM") == 0


def test_a_one_time_code_never_sets_the_password_of_an_account_that_has_one(client, settings, tree):
    citizen = register(client, email="co-mat-khau@example.vn")
    with open_session(tree, write=True) as session:
        user = session.exec(select(User).where(User.email == citizen["email"])).one()
        session.add(
            ActivationCode(
                user_id=user.id, code_hash=security.hash_code(settings, "ABCDEFGH23"), expires_at=utcnow() + timedelta(days=1)
            )
        )
        session.commit()
    r = client.post(
        "/api/v1/auth/activate", json={"identifier": citizen["email"], "code": "ABCDEFGH23", "password": "attacker pass 1"}
    )
    assert r.status_code == 400
    login(client, citizen["email"])  # the owner's password still works


def test_each_person_named_holds_one_open_invitation_per_agency_however_often_the_file_comes(client, as_user, tree):
    an = auth_header(login(client, register(client, email="an.dan@example.vn", full_name="An")["email"]))
    register(client, phone="0903444555", full_name="Bình")
    binh = auth_header(login(client, "0903444555"))
    to_bt = "full_name,email,phone,agency_code\nAn,an.dan@example.vn,,HCM-BT\nBình,,0903444555,HCM-BT\n"
    for _ in range(2):
        body = upload(client, as_user(HCM_ADMIN), to_bt, code="HCM").json()
        assert (body["invited"], [r["row"] for r in body["rejected"]]) == (2, [2, 3])

    def waiting(headers) -> list[tuple[str, float]]:
        listed = client.get("/api/v1/me/invitations", headers=headers).json()
        return [
            (
                i["agency"]["code"],
                round((datetime.fromisoformat(i["expires_at"]) - datetime.fromisoformat(i["created_at"])) / timedelta(days=1)),
            )
            for i in listed
        ]

    assert waiting(an) == waiting(binh) == [("HCM-BT", 30)]
    # Named again for the province itself, An holds a second invitation, to another agency.
    upload(client, as_user(HCM_ADMIN), "full_name,email,phone\nAn,an.dan@example.vn,\n", code="HCM")
    assert waiting(an) == [("HCM-BT", 30), ("HCM", 30)]
    # Once An's invitation to Bến Thành has lapsed, the next file invites An there again.
    with open_session(tree, write=True) as session:
        [bt] = session.exec(
            select(AgencyInvitation)
            .join(User, col(User.id) == col(AgencyInvitation.user_id))
            .join(Agency, col(Agency.id) == col(AgencyInvitation.agency_id))
            .where(User.email == "an.dan@example.vn", Agency.code == "HCM-BT")
        ).all()
        bt.expires_at = utcnow() - timedelta(minutes=1)
        session.add(bt)
        session.commit()
    assert waiting(an) == [("HCM", 30)]
    upload(client, as_user(HCM_ADMIN), to_bt, code="HCM")
    assert waiting(an) == [("HCM", 30), ("HCM-BT", 30)]
    assert waiting(binh) == [("HCM-BT", 30)]


def test_someone_who_accepted_an_invitation_and_moved_on_is_invited_again_when_named_again(client, as_user):
    an = auth_header(login(client, register(client, email="an.dan@example.vn", full_name="An")["email"]))
    to_bt = "full_name,email,phone,agency_code\nAn,an.dan@example.vn,,HCM-BT\n"
    upload(client, as_user(HCM_ADMIN), to_bt, code="HCM")
    [bt] = client.get("/api/v1/me/invitations", headers=an).json()
    assert client.post(f"/api/v1/me/invitations/{bt['id']}/accept", headers=an).status_code == 200
    # Hà Nội invites An too, and An moves there.
    upload(client, as_user(HNI_ADMIN), "full_name,email,phone,agency_code\nAn,an.dan@example.vn,,HNI-HK\n")
    [hk] = client.get("/api/v1/me/invitations", headers=an).json()
    assert client.post(f"/api/v1/me/invitations/{hk['id']}/accept", headers=an).status_code == 200
    assert me(client, an)["agency"]["code"] == "HNI-HK"
    # Bến Thành names An again: the invitation An accepted weeks ago does not stand in for a new one.
    body = upload(client, as_user(HCM_ADMIN), to_bt, code="HCM").json()
    assert body["invited"] == 1
    assert [i["agency"]["code"] for i in client.get("/api/v1/me/invitations", headers=an).json()] == ["HCM-BT"]


def test_an_imported_person_given_a_role_since_is_no_longer_the_imports_to_rename_or_move(client, as_user):
    first = upload(client, as_user(HNI_ADMIN), GOOD_TWO).json()
    codes = {i["identifier"]: i["code"] for i in first["invitations"]}
    tokens = client.post(
        "/api/v1/auth/activate", json={"identifier": "chi@example.vn", "code": codes["chi@example.vn"], "password": PASSWORD}
    )
    chi = auth_header(tokens.json())
    made = client.post("/api/v1/agencies/HNI-HK/helpers", json={"identifier": "chi@example.vn"}, headers=as_user(HNI_ADMIN))
    assert made.status_code == 201, made.text
    # The province's next file renames and moves both: Dũng, who holds no role, is updated; Chi, a helper now, is invited.
    body = upload(client, as_user(HNI_ADMIN), GOOD_TWO.replace("HNI-HK", "HNI-BD").replace("Lê", "Lý")).json()
    assert (body["updated"], body["invited"], body["rejected"]) == (1, 1, [{"row": 2, "reason": "invited"}])
    profile = me(client, chi)
    assert (profile["full_name"], profile["agency"]["code"]) == ("Lê Thị Chi", "HNI-HK")
    assert [s["kind"] for s in profile["scopes"]] == ["helper"]


def test_everyone_a_file_names_who_is_already_in_that_unit_counts_as_unchanged(client, as_user):
    upload(client, as_user(HNI_ADMIN), "full_name,email,phone,agency_code\nĐã Nhập,da.nhap@example.vn,,HNI-HK\n")
    joined = (
        "full_name,email,phone,agency_code\nCông Dân Một,mot.dan@example.vn,,HNI-HK\nCông Dân Hai,hai.dan@example.vn,,HNI-HK\n"
    )
    for email in ("mot.dan@example.vn", "hai.dan@example.vn"):
        register(client, email=email)
    upload(client, as_user(HNI_ADMIN), joined)
    for email in ("mot.dan@example.vn", "hai.dan@example.vn"):
        headers = auth_header(login(client, email))
        [invitation] = client.get("/api/v1/me/invitations", headers=headers).json()
        assert client.post(f"/api/v1/me/invitations/{invitation['id']}/accept", headers=headers).status_code == 200
    again = joined + "Đã Nhập,da.nhap@example.vn,,HNI-HK\n"
    body = upload(client, as_user(HNI_ADMIN), again).json()
    assert (body["created"], body["updated"], body["unchanged"], body["invited"], body["rejected"]) == (0, 0, 3, 0, [])


NOT_YOURS = {"en": "There is no such invitation for you.", "vi": "Không có lời mời này dành cho bạn."}
USED = {
    "en": "This invitation was already used or has expired; ask the agency to invite you again.",
    "vi": "Lời mời này đã được dùng hoặc đã hết hạn; hãy đề nghị cơ quan mời lại.",
}


def test_an_invitation_not_yours_lapsed_or_used_is_refused_in_your_language_and_moves_nobody(client, as_user, tree):
    register(client, email="dan@example.vn", full_name="Công Dân")
    register(client, email="em@example.vn", full_name="Người Em")
    two = "full_name,email,phone,agency_code\nDân,dan@example.vn,,HCM-BT\nEm,em@example.vn,,HCM-BT\n"
    assert upload(client, as_user(HCM_ADMIN), two, code="HCM").json()["invited"] == 2
    dan, em = auth_header(login(client, "dan@example.vn")), auth_header(login(client, "em@example.vn"))
    [for_dan] = client.get("/api/v1/me/invitations", headers=dan).json()
    [for_em] = client.get("/api/v1/me/invitations", headers=em).json()

    def accept(invitation_id: str, headers: dict, lang: str = "en"):
        return client.post(f"/api/v1/me/invitations/{invitation_id}/accept", headers={**headers, "Accept-Language": lang})

    for lang in ("en", "vi"):
        # Em cannot take Dân's, and an id that is no invitation gets the same answer.
        for invitation_id, headers in ((for_dan["id"], em), ("not-an-id", dan), (str(uuid.uuid4()), dan)):
            r = accept(invitation_id, headers, lang)
            assert (r.status_code, r.json()["detail"]) == (404, NOT_YOURS[lang])
    # Dân's invitation lapses before they answer it.
    with open_session(tree, write=True) as session:
        lapsed = session.get(AgencyInvitation, uuid.UUID(for_dan["id"]))
        lapsed.expires_at = utcnow() - timedelta(minutes=1)
        session.add(lapsed)
        session.commit()
    for lang in ("en", "vi"):
        r = accept(for_dan["id"], dan, lang)
        assert (r.status_code, r.json()["detail"]) == (400, USED[lang])
    assert me(client, dan)["agency"] is None
    # Em accepts; tapping again is told the invitation was used.
    assert accept(for_em["id"], em).status_code == 200
    for lang in ("en", "vi"):
        r = accept(for_em["id"], em, lang)
        assert (r.status_code, r.json()["detail"]) == (400, USED[lang])
    assert me(client, em)["agency"] == {"code": "HCM-BT", "name": "Phường Bến Thành"}
    assert members(client, as_user(HCM_ADMIN), "HCM") == 1


def test_an_invitation_accepted_on_two_phones_at_once_moves_the_person_once(client, as_user, tree):
    register(client, email="dan@example.vn", full_name="Công Dân")
    register(client, email="em@example.vn", full_name="Người Em")
    two = "full_name,email,phone,agency_code\nDân,dan@example.vn,,HCM-BT\nEm,em@example.vn,,HCM-BT\n"
    assert upload(client, as_user(HCM_ADMIN), two, code="HCM").json()["invited"] == 2
    dan = auth_header(login(client, "dan@example.vn"))
    [invitation] = client.get("/api/v1/me/invitations", headers=dan).json()
    with open_session(tree, write=True) as second_phone:
        # The second phone has read the invitation, still open, when the first phone's tap is stored.
        person = second_phone.exec(select(User).where(User.email == "dan@example.vn")).one()
        seen = second_phone.get(AgencyInvitation, uuid.UUID(invitation["id"]))
        second_phone.commit()  # kept in the session as read: open
        assert seen is not None and seen.accepted_at is None
        assert client.post(f"/api/v1/me/invitations/{invitation['id']}/accept", headers=dan).status_code == 200
        with pytest.raises(BadRequest) as refused:
            imports.accept_invitation(second_phone, user=person, invitation_id=invitation["id"])
        second_phone.rollback()
    assert (refused.value.message("en"), refused.value.message("vi")) == (USED["en"], USED["vi"])
    assert me(client, dan)["agency"] == {"code": "HCM-BT", "name": "Phường Bến Thành"}
    assert members(client, as_user(HCM_ADMIN), "HCM") == 1
