"""A citizen's export of the help they had: who registered them where, on which consent, and each assisted session."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import update

from hocso.accounts.models import CitizenConsent, User
from hocso.agencies.assistance import CONSENT_TEXT, CONSENT_VERSION
from hocso.core.db import open_session
from hocso.core.security import hash_password
from tests.agencies.conftest import make_user
from tests.agencies.test_helpers import HELPER_BT, HELPER_HK, helpers, register_citizen, start
from tests.conftest import PASSWORD, auth_header, login

HK = {"code": "HNI-HK", "name": "Phường Hoàn Kiếm"}
BT = {"code": "HCM-BT", "name": "Phường Bến Thành"}
HELPER_HNI = "helper.hni@example.vn"


def signs_in_themselves(client, tree, citizen: dict, email: str) -> dict:
    """The citizen later gets an email and a password of their own; returns their auth header."""
    with open_session(tree, write=True) as session:
        session.execute(
            update(User).where(User.id == uuid.UUID(citizen["id"])).values(email=email, password_hash=hash_password(PASSWORD))
        )
        session.commit()
    return auth_header(login(client, email))


def test_each_citizens_export_names_who_registered_them_where_and_each_session_they_had(client, tree, as_user):
    helpers(tree)
    make_user(tree, HELPER_HNI, roles=["helper"], admin_of="HNI")
    before = datetime.now().astimezone() - timedelta(minutes=1)
    tu = register_citizen(client, as_user(HELPER_HK))
    nam = register_citizen(client, as_user(HELPER_BT), code="HCM-BT", full_name="Ông Năm")
    # Tư is helped by the province's helper, twice, in the commune's name: never by the one who registered her.
    first = start(client, as_user(HELPER_HNI), tu["id"], code="HNI")
    ended = client.delete("/api/v1/me/assisted-session", headers={"Authorization": f"Bearer {first['access_token']}"})
    assert ended.status_code == 204
    second = start(client, as_user(HELPER_HNI), tu["id"], code="HNI")  # still open
    at_bt = start(client, as_user(HELPER_BT), nam["id"], code="HCM-BT")
    # Năm agreed to an earlier wording: the export does not show them today's text as theirs.
    with open_session(tree, write=True) as session:
        session.execute(
            update(CitizenConsent).where(CitizenConsent.user_id == uuid.UUID(nam["id"])).values(consent_version="2020-01")
        )
        session.commit()

    def assistance(headers) -> dict:
        r = client.get("/api/v1/me/export", headers=headers)
        assert r.status_code == 200, r.text
        return r.json()["assistance"]

    mine = assistance(signs_in_themselves(client, tree, tu, "tu@example.vn"))
    registered = mine["registered_by_helper"]
    assert before <= datetime.fromisoformat(registered.pop("consented_at")) <= datetime.now().astimezone()
    assert registered == {"agency": HK, "helper": "helper.hk", "consent_version": CONSENT_VERSION, "consent_text": CONSENT_TEXT}
    assert [(s["id"], s["agency"], s["helper"], s["ended_at"] is None) for s in mine["assisted_sessions"]] == [
        (first["session_id"], HK, "helper.hni", False),
        (second["session_id"], HK, "helper.hni", True),
    ]
    for s in mine["assisted_sessions"]:
        started = datetime.fromisoformat(s["started_at"])
        assert datetime.fromisoformat(s["expires_at"]) - started == timedelta(hours=1) and started >= before
        assert s["ended_at"] is None or started <= datetime.fromisoformat(s["ended_at"]) <= datetime.now().astimezone()

    theirs = assistance(signs_in_themselves(client, tree, nam, "nam@example.vn"))
    assert {k: v for k, v in theirs["registered_by_helper"].items() if k != "consented_at"} == {
        "agency": BT,
        "helper": "helper.bt",
        "consent_version": "2020-01",
        "consent_text": None,
    }
    assert [(s["id"], s["agency"], s["helper"]) for s in theirs["assisted_sessions"]] == [(at_bt["session_id"], BT, "helper.bt")]
