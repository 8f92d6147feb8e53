"""An assisted session as the citizen sees it: an hour long, in their export, and unaffected by their own sign-outs."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from hocso.core import security
from tests.agencies.test_helpers import HELPER_HK, helpers, register_by_phone, register_citizen, start
from tests.conftest import auth_header, login, register


def test_a_citizen_who_signed_out_everywhere_is_helped_for_an_hour_and_their_export_says_so(sms, tree, as_user):
    client, relay = sms
    helpers(tree)
    register(client, phone="0987654321", full_name="Trần Văn Năm")
    own = login(client, "0987654321")
    assert client.delete("/api/v1/me/sessions", headers=auth_header(own)).status_code == 204
    # The number's owner is linked once the code sent there comes back, then helped on the commune's device.
    citizen = register_by_phone(client, relay, as_user(HELPER_HK), "0987654321")
    other = register_citizen(client, as_user(HELPER_HK))
    before = datetime.now().astimezone()
    assisted = start(client, as_user(HELPER_HK), citizen["id"])
    start(client, as_user(HELPER_HK), other["id"])
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {assisted['access_token']}"})
    assert me.status_code == 200, me.text
    assert me.json()["full_name"] == "Trần Văn Năm" and me.json()["assisted"]["helper_name"] == "helper.hk"
    progress = client.get("/api/v1/me/progress", headers={"Authorization": f"Bearer {assisted['access_token']}"})
    assert progress.status_code == 200 and progress.json()["goal"]["new_skills"] == 0
    # Their own earlier sign-in stays ended; signed in again, they see the session in their export, and only theirs.
    for path in ("/api/v1/me", "/api/v1/me/progress"):  # /me/progress looks the person up its own way
        assert client.get(path, headers=auth_header(own)).status_code == 401, path
    sessions = client.get("/api/v1/me/export", headers=auth_header(login(client, "0987654321"))).json()["assistance"]
    assert [s["helper"] for s in sessions["assisted_sessions"]] == ["helper.hk"]
    started, expires = (datetime.fromisoformat(sessions["assisted_sessions"][0][k]) for k in ("started_at", "expires_at"))
    assert expires - started == timedelta(minutes=60)
    assert datetime.fromisoformat(me.json()["assisted"]["expires_at"]) == expires
    assert before - timedelta(minutes=1) <= started <= datetime.now().astimezone() + timedelta(minutes=1)


def test_a_token_naming_someone_elses_assisted_session_or_no_person_is_refused(client, tree, as_user, settings):
    helpers(tree)
    tu, nam = register_citizen(client, as_user(HELPER_HK)), register_citizen(client, as_user(HELPER_HK), full_name="Ông Năm")
    session_of_nam = start(client, as_user(HELPER_HK), nam["id"])["session_id"]
    ten_minutes = timedelta(minutes=10)
    forged = {
        "Tư's token carrying Năm's session": security.create_token(
            settings, subject=tu["id"], token_type="access", lifetime=ten_minutes, extra={"ver": 0, "ast": session_of_nam}
        )[0],
        "a session id that is not one": security.create_token(
            settings, subject=tu["id"], token_type="access", lifetime=ten_minutes, extra={"ver": 0, "ast": "not-an-id"}
        )[0],
        "a subject that is not a person's id": security.create_token(
            settings, subject="not-an-id", token_type="access", lifetime=ten_minutes, extra={"ver": 0}
        )[0],
        "a person who is not there": security.create_token(
            settings, subject=str(uuid.uuid4()), token_type="access", lifetime=ten_minutes, extra={"ver": 0}
        )[0],
    }
    for name, token in forged.items():
        for path in ("/api/v1/me", "/api/v1/me/progress"):  # /me/progress looks the person up its own way
            r = client.get(path, headers={"Authorization": f"Bearer {token}"})
            assert r.status_code == 401, (name, path)
