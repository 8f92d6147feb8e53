"""Each refusal on the way in says what happened and what to do, word for word, in English and in Vietnamese."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from hocso.accounts.models import RefreshToken
from hocso.core.db import open_session
from hocso.core.timeutil import utcnow
from tests.agencies.test_helpers import HELPER_HK, helpers, register_citizen, start
from tests.conftest import PASSWORD, auth_header

LANGS = ("en", "vi")


def detail(r, status: int) -> str:
    assert r.status_code == status, r.text
    return r.json()["detail"]


def refresh(client, tokens: dict, lang: str):
    return client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}, headers={"Accept-Language": lang})


@pytest.mark.parametrize("lang", LANGS)
def test_a_reused_refresh_token_says_the_sign_in_was_ended_and_why(client, learner, lang):
    refresh(client, learner, lang)
    assert (
        detail(refresh(client, learner, lang), 401)
        == {
            "en": "This sign-in was ended because its refresh token was used twice. Please sign in again.",
            "vi": "Phiên đăng nhập đã bị kết thúc vì mã làm mới được dùng hai lần. Vui lòng đăng nhập lại.",
        }[lang]
    )


@pytest.mark.parametrize("lang", LANGS)
def test_a_sign_in_too_old_to_renew_says_so(client, learner, engine, settings, lang):
    with open_session(engine, write=True) as session:
        old = utcnow() - timedelta(days=settings.refresh_family_days, minutes=1)
        session.execute(update(RefreshToken).values(family_started_at=old))
        session.commit()
    assert (
        detail(refresh(client, learner, lang), 401)
        == {
            "en": "This sign-in is too old to renew. Please sign in again.",
            "vi": "Phiên đăng nhập đã quá lâu để gia hạn. Vui lòng đăng nhập lại.",
        }[lang]
    )


@pytest.mark.parametrize("lang", LANGS)
def test_a_wrong_current_password_is_named(client, learner, lang):
    body = {"current_password": "not my password", "new_password": "a brand new secret 42"}
    r = client.post("/api/v1/me/password", json=body, headers={**learner["headers"], "Accept-Language": lang})
    assert detail(r, 400) == {"en": "The current password is not right.", "vi": "Mật khẩu hiện tại không đúng."}[lang]


@pytest.mark.parametrize("lang", LANGS)
def test_a_wrong_reset_code_says_to_ask_for_a_new_one(client, learner, lang):
    body = {"identifier": learner["email"], "code": "123456", "new_password": "a brand new secret 42"}
    r = client.post("/api/v1/auth/password-reset/confirm", json=body, headers={"Accept-Language": lang})
    assert (
        detail(r, 400)
        == {
            "en": "This code is not valid or has expired. Ask for a new one.",
            "vi": "Mã không hợp lệ hoặc đã hết hạn. Hãy xin mã mới.",
        }[lang]
    )


@pytest.mark.parametrize("lang", LANGS)
def test_a_wrong_activation_code_says_to_ask_the_agency(client, learner, lang):
    body = {"identifier": learner["email"], "code": "ABCD-EFGH", "password": "a brand new secret 42"}
    r = client.post("/api/v1/auth/activate", json=body, headers={"Accept-Language": lang})
    assert (
        detail(r, 400)
        == {
            "en": "This code is not valid or has expired. Ask your agency for a new one.",
            "vi": "Mã không hợp lệ hoặc đã hết hạn. Hãy xin cơ quan của bạn mã mới.",
        }[lang]
    )


@pytest.mark.parametrize("lang", LANGS)
def test_a_device_signed_out_elsewhere_is_told_why(client, learner, lang):
    assert client.delete("/api/v1/me/sessions", headers=learner["headers"]).status_code == 204
    r = client.get("/api/v1/me", headers={**auth_header(learner), "Accept-Language": lang})
    assert (
        detail(r, 401)
        == {
            "en": "You were signed out on this device (password changed or signed out everywhere). Please sign in again.",
            "vi": "Bạn đã bị đăng xuất trên thiết bị này (mật khẩu đã đổi hoặc đã đăng xuất mọi nơi). Vui lòng đăng nhập lại.",
        }[lang]
    )


@pytest.mark.parametrize("lang", LANGS)
def test_a_malformed_sign_in_name_is_refused_as_a_sentence_saying_what_to_type(client, lang):
    r = client.post("/api/v1/auth/login", data={"username": "lan@", "password": PASSWORD}, headers={"Accept-Language": lang})
    assert (
        detail(r, 422)
        == {
            "en": "Enter an email address such as lan@example.vn.",
            "vi": "Hãy nhập địa chỉ email, ví dụ lan@example.vn.",
        }[lang]
    )


@pytest.mark.parametrize("lang", LANGS)
def test_a_token_of_an_ended_assisted_session_says_the_session_ended(client, tree, as_user, lang):
    helpers(tree)
    citizen = register_citizen(client, as_user(HELPER_HK))
    token = {"Authorization": f"Bearer {start(client, as_user(HELPER_HK), citizen['id'])['access_token']}"}
    assert client.delete("/api/v1/me/assisted-session", headers=token).status_code == 204
    r = client.get("/api/v1/me", headers={**token, "Accept-Language": lang})
    assert detail(r, 401) == {"en": "The assisted session has ended.", "vi": "Phiên hỗ trợ đã kết thúc."}[lang]
