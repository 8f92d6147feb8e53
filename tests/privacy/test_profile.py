"""/me as each person sees it: where they belong, what they manage, every role's subtree, and who is helping them."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import select

from hocso.accounts.models import RoleKind, User
from hocso.agencies import access
from hocso.agencies.tree import get_by_code
from hocso.core.db import open_session
from tests.agencies.conftest import make_user
from tests.agencies.test_helpers import HELPER_BT, HELPER_HK, helpers, register_citizen, start

HK = {"code": "HNI-HK", "name": "Phường Hoàn Kiếm"}
BT = {"code": "HCM-BT", "name": "Phường Bến Thành"}
HNI = {"code": "HNI", "name": "Thành phố Hà Nội"}


def me(client, headers) -> dict:
    r = client.get("/api/v1/me", headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


def seen(profile: dict) -> tuple:
    return profile["roles"], profile["agency"], profile["manages"], profile["scopes"], profile["assisted"]


def test_me_says_where_each_person_belongs_what_they_manage_and_the_subtree_of_each_role(client, tree, as_user):
    helpers(tree)
    make_user(tree, "lan@example.vn", member_of="HNI-HK")
    # A helper in Hoàn Kiếm made an admin of Bến Thành afterwards: they manage Bến Thành, not where they help.
    make_user(tree, "both@example.vn", roles=["helper"], admin_of="HNI-HK")
    with open_session(tree, write=True) as session:
        both = session.exec(select(User).where(User.email == "both@example.vn")).one()
        access.grant(session, user=both, kind=RoleKind.agency_admin, agency=get_by_code(session, "HCM-BT"))
        session.commit()

    assert seen(me(client, as_user("lan@example.vn"))) == (["learner", "civil_servant"], HK, None, [], None)
    assert seen(me(client, as_user(HELPER_HK))) == (["learner", "helper"], None, None, [{"kind": "helper", "agency": HK}], None)
    assert seen(me(client, as_user(HELPER_BT)))[3] == [{"kind": "helper", "agency": BT}]
    assert seen(me(client, as_user("admin.hni@example.vn"))) == (
        ["learner", "agency_admin"],
        None,
        HNI,
        [{"kind": "agency_admin", "agency": HNI}],
        None,
    )
    both_seen = seen(me(client, as_user("both@example.vn")))
    assert both_seen[2] == BT
    assert both_seen[3] == [{"kind": "helper", "agency": HK}, {"kind": "agency_admin", "agency": BT}]
    assert seen(me(client, as_user("root@example.vn")))[1:] == (None, None, [{"kind": "sysadmin", "agency": None}], None)


def test_an_assisted_sessions_me_names_the_helper_and_the_agency_and_no_helper_once_they_are_erased(client, tree, as_user):
    helpers(tree)
    tu = register_citizen(client, as_user(HELPER_HK))
    nam = register_citizen(client, as_user(HELPER_BT), code="HCM-BT", full_name="Ông Năm")
    before = datetime.now().astimezone()
    at_hk = start(client, as_user(HELPER_HK), tu["id"])
    at_bt = start(client, as_user(HELPER_BT), nam["id"], code="HCM-BT")
    tu_headers = {"Authorization": f"Bearer {at_hk['access_token']}"}
    nam_headers = {"Authorization": f"Bearer {at_bt['access_token']}"}

    assisted = me(client, tu_headers)["assisted"]
    expires = datetime.fromisoformat(assisted.pop("expires_at"))
    assert assisted == {"session_id": at_hk["session_id"], "helper_name": "helper.hk", "agency": HK}
    assert before + timedelta(minutes=59) <= expires <= datetime.now().astimezone() + timedelta(minutes=61)
    assert {k: v for k, v in me(client, nam_headers)["assisted"].items() if k != "expires_at"} == {
        "session_id": at_bt["session_id"],
        "helper_name": "helper.bt",
        "agency": BT,
    }
    # The citizen's own profile, signed in as themselves, is not an assisted one.
    assert me(client, as_user(HELPER_HK))["assisted"] is None

    assert client.delete("/api/v1/me", headers=as_user(HELPER_HK)).status_code == 204
    after = me(client, tu_headers)["assisted"]
    assert (after["helper_name"], after["agency"]) == (None, HK)
    assert me(client, nam_headers)["assisted"]["helper_name"] == "helper.bt"
