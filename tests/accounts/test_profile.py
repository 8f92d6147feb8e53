"""A person changes their own name: what certificates, their agency and their export then show."""

from __future__ import annotations

from tests.conftest import auth_header, login, register


def test_a_person_renames_themselves_and_sees_the_new_name_everywhere(client, learner):
    r = client.patch("/api/v1/me", headers=learner["headers"], json={"full_name": "  Trần   Văn  Bình "})
    assert r.status_code == 200
    assert r.json()["full_name"] == "Trần Văn Bình"
    assert client.get("/api/v1/me", headers=learner["headers"]).json()["full_name"] == "Trần Văn Bình"
    assert client.get("/api/v1/me/export", headers=learner["headers"]).json()["profile"]["full_name"] == "Trần Văn Bình"
    # The sign-in goes on: renaming is not a security change.
    assert client.post("/api/v1/auth/refresh", json={"refresh_token": learner["refresh_token"]}).status_code == 200


def test_renaming_touches_only_the_callers_own_account(client, learner):
    other_email = "other@example.vn"
    register(client, email=other_email, full_name="Lê Thị Hoa")
    client.patch("/api/v1/me", headers=learner["headers"], json={"full_name": "Tên Mới"})
    other = login(client, other_email)
    assert client.get("/api/v1/me", headers=auth_header(other)).json()["full_name"] == "Lê Thị Hoa"


def test_an_empty_or_unprintable_name_is_refused_in_the_readers_language_and_changes_nothing(client, learner):
    before = client.get("/api/v1/me", headers=learner["headers"]).json()["full_name"]
    for name in ("   ", "Tên\x00Lạ"):
        r = client.patch("/api/v1/me", headers={**learner["headers"], "Accept-Language": "vi"}, json={"full_name": name})
        assert r.status_code == 422
        assert "họ và tên" in r.json()["detail"]
    r = client.patch("/api/v1/me", headers={**learner["headers"], "Accept-Language": "en"}, json={"full_name": ""})
    assert r.status_code == 422 and "name" in r.json()["detail"]
    assert (
        client.patch("/api/v1/me", headers=learner["headers"], json={"full_name": "x", "roles": ["sysadmin"]}).status_code == 422
    )
    assert client.get("/api/v1/me", headers=learner["headers"]).json()["full_name"] == before


def test_renaming_needs_a_sign_in(client):
    assert client.patch("/api/v1/me", json={"full_name": "Ai Đó"}).status_code == 401
