"""A manager sees their own subtree and nothing else, on every agency endpoint."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.agencies.conftest import make_user, user_id
from tests.conftest import auth_header, login, register

ADMIN_HNI = "admin.hni@example.vn"
ADMIN_HCM = "admin.hcm@example.vn"


def endpoints(code: str) -> list[tuple[str, str, dict]]:
    due = (date.today() + timedelta(days=30)).isoformat()
    return [
        ("get", f"/api/v1/agencies/{code}", {}),
        ("get", f"/api/v1/agencies/{code}/stats", {}),
        ("get", f"/api/v1/agencies/{code}/stats.csv", {}),
        ("get", f"/api/v1/agencies/{code}/requirements", {}),
        ("post", f"/api/v1/agencies/{code}/requirements", {"json": {"module": "qr-basics", "due_date": due}}),
        ("delete", f"/api/v1/agencies/{code}/requirements/qr-basics", {}),
        (
            "post",
            f"/api/v1/agencies/{code}/members/import",
            {"files": {"file": ("staff.csv", b"full_name,email,phone\nAn,an@example.vn,\n", "text/csv")}},
        ),
        ("get", f"/api/v1/agencies/{code}/requirements?below=true", {}),
        (
            "post",
            f"/api/v1/agencies/{code}/activation-slips",
            {"json": {"slips": [{"identifier": "an@example.vn", "code": "ABCDEFGHJK"}]}},
        ),
        ("post", f"/api/v1/agencies/{code}/members/00000000-0000-0000-0000-000000000001/activation-code", {}),
        ("get", f"/api/v1/agencies/{code}/import-jobs/00000000-0000-0000-0000-000000000001", {}),
    ]


NOT_YOURS = {
    "vi": "Không có cơ quan 'NO-SUCH' thuộc quyền quản lý của bạn.",
    "en": "There is no agency 'NO-SUCH' that you manage.",
}


@pytest.mark.parametrize("index", range(len(endpoints("X"))))
def test_an_admin_of_one_province_gets_404_for_another_provinces_agencies(client, as_user, index):
    # The same answer as for a code that does not exist at all, down to the words in either language: nothing
    # about the other province (its name, its members, that it exists) comes back.
    for lang in ("vi", "en"):
        headers = {**as_user(ADMIN_HNI), "Accept-Language": lang}
        method, path, kwargs = endpoints("NO-SUCH")[index]
        unknown = getattr(client, method)(path, headers=headers, **kwargs)
        assert unknown.status_code == 404
        assert unknown.json()["detail"] == NOT_YOURS[lang]
        for code in ("HCM", "HCM-BT", "VN"):
            method, path, kwargs = endpoints(code)[index]
            r = getattr(client, method)(path, headers=headers, **kwargs)
            assert r.status_code == 404, (path, r.text)
            assert r.text == unknown.text.replace("NO-SUCH", code), (lang, path)
            assert not any(name in r.text for name in ("Hồ Chí Minh", "Bến Thành", "Việt Nam")), (lang, path)


def test_an_admin_sees_their_agency_and_everything_below_it(client, as_user):
    for code in ("HNI", "HNI-HK", "HNI-BD"):
        assert client.get(f"/api/v1/agencies/{code}/stats", headers=as_user(ADMIN_HNI)).status_code == 200
    body = client.get("/api/v1/agencies/HNI", headers=as_user(ADMIN_HNI)).json()
    assert body["parent_code"] == "VN"
    assert [c["code"] for c in body["children"]] == ["HNI-BD", "HNI-HK"]
    # A commune admin cannot look up at their province.
    assert client.get("/api/v1/agencies/HNI/stats", headers=as_user("admin.hk@example.vn")).status_code == 404


def test_a_sysadmin_sees_every_agency(client, as_user):
    for code in ("VN", "HNI", "HCM-BT"):
        assert client.get(f"/api/v1/agencies/{code}/stats", headers=as_user("root@example.vn")).status_code == 200


def test_learners_and_anonymous_callers_are_refused(client, tree):
    body = register(client)
    learner = auth_header(login(client, body["email"]))
    r = client.get("/api/v1/agencies/HNI/stats", headers=learner)
    assert r.status_code == 403 and r.json()["detail"]
    assert client.get("/api/v1/agencies/HNI/stats").status_code == 401


def test_an_import_cannot_place_people_outside_the_admins_subtree(client, as_user):
    csv = "full_name,email,phone,agency_code\nLê Văn Tám,tam@example.vn,,HCM-BT\nĐỗ Thị Hoa,hoa@example.vn,,HNI-HK\n"
    r = client.post(
        "/api/v1/agencies/HNI/members/import",
        files={"file": ("s.csv", csv.encode(), "text/csv")},
        headers={**as_user(ADMIN_HNI), "Accept-Language": "en"},
    )
    assert r.status_code == 200
    body = r.json()
    assert body["created"] == 1
    assert body["rejected"] == [
        {
            "row": 2,
            "reason": "agency HCM-BT is not in the subtree of HNI",
            "values": {"full_name": "Lê Văn Tám", "email": "tam@example.vn", "phone": "", "agency_code": "HCM-BT"},
        }
    ]


def test_me_names_the_subtree_an_admin_manages_and_nothing_for_others(client, as_user):
    assert client.get("/api/v1/me", headers=as_user(ADMIN_HNI)).json()["manages"] == {"code": "HNI", "name": "Thành phố Hà Nội"}
    assert client.get("/api/v1/me", headers=as_user("root@example.vn")).json()["manages"] is None


NO_SUCH_MEMBER = {"vi": "Không có thành viên này trong cơ quan.", "en": "There is no such member in this agency."}


def test_another_provinces_member_gets_the_same_404_as_nobody_in_either_language(client, tree, as_user):
    # Asking for a reset or activation code of Hồ Chí Minh City's member through Hà Nội says what an unknown id says,
    # word for word: nothing tells the admin that the person exists.
    make_user(tree, "bt.staff@example.vn", member_of="HCM-BT")
    make_user(tree, "hk.staff@example.vn", member_of="HNI-HK")
    theirs, nobody = user_id(tree, "bt.staff@example.vn"), "00000000-0000-0000-0000-000000000001"
    for lang, detail in NO_SUCH_MEMBER.items():
        headers = {**as_user(ADMIN_HNI), "Accept-Language": lang}
        for action in ("reset-code", "activation-code"):
            for member in (theirs, nobody):
                r = client.post(f"/api/v1/agencies/HNI/members/{member}/{action}", headers=headers)
                assert (r.status_code, r.json()) == (404, {"detail": detail}), (lang, action, member)
    # Their own member is found.
    mine = user_id(tree, "hk.staff@example.vn")
    assert client.post(f"/api/v1/agencies/HNI/members/{mine}/reset-code", headers=as_user(ADMIN_HNI)).status_code == 200
