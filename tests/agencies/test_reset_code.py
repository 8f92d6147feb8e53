"""An agency admin's reset code, for a member whose email or phone does not reach them."""

from __future__ import annotations

from tests.agencies.conftest import make_user, user_id
from tests.conftest import PASSWORD, auth_header, login

NEW_PASSWORD = "chosen at the desk 9"


def test_an_admin_issues_a_code_the_member_redeems_and_it_is_audited(client, tree, as_user):
    make_user(tree, "no.phone@example.vn", member_of="HNI-HK")
    old = login(client, "no.phone@example.vn")
    member = user_id(tree, "no.phone@example.vn")
    r = client.post(f"/api/v1/agencies/HNI/members/{member}/reset-code", headers=as_user("admin.hni@example.vn"))
    assert r.status_code == 200, r.text
    code = r.json()["code"]
    assert r.json()["expires_at"]
    confirm = client.post(
        "/api/v1/auth/password-reset/confirm",
        json={"identifier": "no.phone@example.vn", "code": code.lower(), "new_password": NEW_PASSWORD},
    )
    assert confirm.status_code == 204
    assert client.get("/api/v1/me", headers=auth_header(old)).status_code == 401
    login(client, "no.phone@example.vn", NEW_PASSWORD)
    audit = client.get("/api/v1/agencies/HNI-HK/audit", headers=as_user("admin.hk@example.vn")).json()["events"]
    assert [e["action"] for e in audit][:1] == ["reset_code_issued"]
    assert audit[0]["detail"] == {"member": str(member)}


def test_a_code_is_only_for_members_of_the_callers_subtree_and_never_for_admins(client, tree, as_user):
    make_user(tree, "hcm.staff@example.vn", member_of="HCM-BT")
    make_user(tree, "hk.boss@example.vn", roles=["agency_admin"], admin_of="HNI", member_of="HNI-HK")
    make_user(tree, "citizen@example.vn")
    hcm_staff = user_id(tree, "hcm.staff@example.vn")
    for caller, code, target in [
        ("admin.hni@example.vn", "HNI", hcm_staff),  # another subtree's member
        ("admin.hni@example.vn", "HCM", hcm_staff),  # another subtree's agency
        ("admin.hk@example.vn", "HNI-HK", user_id(tree, "hk.boss@example.vn")),  # a superior who is a member here
        ("admin.hni@example.vn", "HNI", user_id(tree, "citizen@example.vn")),  # nobody's member
        ("admin.hni@example.vn", "HNI", "00000000-0000-0000-0000-000000000000"),
    ]:
        r = client.post(f"/api/v1/agencies/{code}/members/{target}/reset-code", headers=as_user(caller))
        assert r.status_code == 404, (caller, code)
    learner = auth_header(login(client, "citizen@example.vn"))
    assert client.post(f"/api/v1/agencies/HCM/members/{hcm_staff}/reset-code", headers=learner).status_code == 403
    # Nothing was issued: the HCM member's password is untouched and no code works.
    login(client, "hcm.staff@example.vn", PASSWORD)
