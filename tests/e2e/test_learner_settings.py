"""A learner's own settings in the browser: change or reset the password, sign out everywhere, change their name;
text size and high contrast that are remembered and keep the 360 px layout; the install offer; the help page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import FIXTURE_CONTENT, serve
from tests.e2e.test_admin_and_install import sign_in
from tests.e2e.test_phone_screens import GO, WIDEST
from tests.mail import code_in, mail_server, wait_for

NEW_PASSWORD = "một mật khẩu mới 2026"
LEARNER = "staff.hk@example.vn"


def sign_in_with(page, username: str, password: str) -> None:
    page.goto("/signin")
    page.get_by_label("Email hoặc số điện thoại").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Xin chào"))


def sign_out(page) -> None:
    page.evaluate(GO, "/account")
    page.get_by_role("button", name="Đăng xuất", exact=True).click()
    expect(page.get_by_role("link", name="Đăng nhập")).to_be_visible()


def test_a_learner_changes_their_password_and_signs_in_with_the_new_one(context, server):
    other_device = server.token(LEARNER)
    page = context.new_page()
    sign_in(page, LEARNER)
    page.evaluate(GO, "/account")
    page.get_by_role("link", name="Đổi mật khẩu").click()
    expect(page.get_by_role("heading", level=1, name="Đổi mật khẩu")).to_be_focused()
    page.get_by_label("Mật khẩu hiện tại").fill("not the password")
    page.get_by_label("Mật khẩu mới").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Đổi mật khẩu").click()
    expect(page.get_by_role("alert")).to_have_text("Mật khẩu hiện tại không đúng.")
    page.get_by_label("Mật khẩu hiện tại").fill(PASSWORD)
    page.get_by_label("Mật khẩu mới").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Đổi mật khẩu").click()
    expect(page.get_by_role("status").filter(has_text="Đã đổi mật khẩu")).to_be_focused()
    # The other device's sign-in ended; this one goes on with the new password.
    assert server.api("GET", "/me", other_device).status_code == 401
    page.evaluate(GO, "/account")
    expect(page.get_by_role("button", name="Đăng xuất", exact=True)).to_be_visible()
    sign_out(page)
    page.goto("/signin")
    page.get_by_label("Email hoặc số điện thoại").fill(LEARNER)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("alert")).to_be_visible()
    sign_in_with(page, LEARNER, NEW_PASSWORD)


@pytest.fixture
def serving_with_mail(migrated_template, tmp_path):
    """A server that sends reset codes to a local mail server, and that server's inbox."""
    with mail_server() as (port, inbox):
        env = {"HOCSO_SMTP_HOST": "127.0.0.1", "HOCSO_SMTP_PORT": str(port), "HOCSO_SMTP_STARTTLS": "false"}
        with serve(migrated_template, tmp_path, FIXTURE_CONTENT, env) as running:
            yield running, inbox


def test_a_learner_who_forgot_their_password_sets_a_new_one_with_the_emailed_code(browser, serving_with_mail):
    from tests.e2e.conftest import phone_context

    server, inbox = serving_with_mail
    context = phone_context(browser, server)
    page = context.new_page()
    page.goto("/signin")
    page.get_by_role("link", name="Quên mật khẩu?").click()
    expect(page.get_by_role("heading", level=1, name="Đặt lại mật khẩu")).to_be_focused()
    page.get_by_label("Email hoặc số điện thoại").fill(LEARNER)
    page.get_by_role("button", name="Gửi mã").click()
    expect(page.get_by_role("status").filter(has_text="mã đang được gửi")).to_be_visible()
    wait_for(inbox.messages, 1)
    code = code_in(inbox.messages[0].get_content())
    page.get_by_label("Mã nhận được").fill(f"{code[:3]} {code[3:]}")  # as read out, with a space
    page.get_by_label("Mật khẩu mới").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Đặt mật khẩu mới").click()
    expect(page.get_by_role("status").filter(has_text="Đã đặt mật khẩu mới")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tài khoản")
    sign_out(page)
    sign_in_with(page, LEARNER, NEW_PASSWORD)
    context.close()


def test_signing_out_everywhere_ends_the_other_devices_sign_in_too(context, server):
    other_device = server.token(LEARNER)
    assert server.api("GET", "/me", other_device).status_code == 200
    page = context.new_page()
    sign_in(page, LEARNER)
    page.evaluate(GO, "/account")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Đăng xuất trên mọi thiết bị").click()
    expect(page.get_by_role("heading", level=1, name="Đăng nhập")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Đã đăng xuất trên mọi thiết bị")).to_be_visible()
    assert server.api("GET", "/me", other_device).status_code == 401
    page.evaluate(GO, "/account")
    expect(page.get_by_role("button", name="Đăng xuất", exact=True)).to_have_count(0)


def test_a_learner_changes_their_name(context, server):
    page = context.new_page()
    sign_in(page, LEARNER)
    page.evaluate(GO, "/account")
    page.get_by_role("link", name="Đổi họ và tên").click()
    page.get_by_label("Họ và tên").fill("Phạm Thị Mai")
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_role("status").filter(has_text="Đã đổi họ và tên")).to_be_focused()
    token = server.token(LEARNER)
    assert server.api("GET", "/me", token).json()["full_name"] == "Phạm Thị Mai"
    page.get_by_role("link", name="Về trang tài khoản").click()
    expect(page.locator("dd").first).to_have_text("Phạm Thị Mai")


SCREENS = [
    "/",
    "/learn",
    "/m/qr-basics",
    "/m/qr-basics/l/scan",
    "/m/qr-basics/quiz",
    "/account",
    "/settings",
    "/help",
    "/account/password",
    "/progress",
]


def widest(page, url):
    page.evaluate(GO, url)
    expect(page.locator("main h1:not([data-loading])")).to_have_count(1)
    return page.evaluate(WIDEST)


def test_the_largest_text_and_high_contrast_are_remembered_and_fit_a_360_px_screen(context, server):
    page = context.new_page()
    sign_in(page, LEARNER)
    page.evaluate(GO, "/")
    page.get_by_role("link", name="Cỡ chữ và độ tương phản").click()
    before = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    page.get_by_label("Rất lớn").check()
    page.get_by_label("Tương phản cao").check()
    page.reload()
    expect(page.get_by_role("heading", level=1, name="Cỡ chữ và hiển thị")).to_be_visible()
    expect(page.get_by_label("Rất lớn")).to_be_checked()
    expect(page.get_by_label("Tương phản cao")).to_be_checked()
    after = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    assert after >= before * 1.3
    assert page.evaluate("getComputedStyle(document.body).color") == "rgb(0, 0, 0)"
    too_wide = {url: w for url in SCREENS if (w := widest(page, url))["scroll"] > 360 or w["right"] > 360}
    assert too_wide == {}
    page.get_by_role("button", name="Switch to English").click()
    too_wide = {url: w for url in SCREENS if (w := widest(page, url))["scroll"] > 360 or w["right"] > 360}
    assert too_wide == {}


INSTALL_OFFER = """() => {
  const offer = new Event('beforeinstallprompt', { cancelable: true });
  offer.prompt = () => { window.__prompted = (window.__prompted || 0) + 1; return Promise.resolve() };
  offer.userChoice = Promise.resolve({ outcome: 'accepted', platform: 'web' });
  dispatchEvent(offer);
  return offer.defaultPrevented;
}"""


def test_the_install_offer_appears_on_androids_event_and_opens_the_browsers_dialog(context, server):
    page = context.new_page()
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_test_id("install-hint")).to_have_count(0)
    assert page.evaluate(INSTALL_OFFER) is True  # the browser's own mini-bar is held back
    hint = page.get_by_test_id("install-hint")
    expect(hint.get_by_role("heading", name="Cài Hocso lên điện thoại")).to_be_visible()
    hint.get_by_role("button", name="Cài đặt").click()
    expect(hint).to_have_count(0)
    assert page.evaluate("window.__prompted") == 1
    # "Not now" hides it, and a new offer is not pressed on the person again for a while.
    page.evaluate(INSTALL_OFFER)
    page.get_by_test_id("install-hint").get_by_role("button", name="Để sau").click()
    expect(page.get_by_test_id("install-hint")).to_have_count(0)
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.evaluate(INSTALL_OFFER)
    expect(page.get_by_test_id("install-hint")).to_have_count(0)


def test_the_help_page_lists_the_official_hotlines_with_their_sources(context, server):
    page = context.new_page()
    page.goto("/")
    page.get_by_role("link", name="Trợ giúp và đường dây nóng").click()
    expect(page.get_by_role("heading", level=1, name="Trợ giúp và đường dây nóng")).to_be_focused()
    expect(page.get_by_role("link", name="Gọi 111")).to_have_attribute("href", "tel:111")
    expect(page.get_by_role("link", name="Gọi 156")).to_have_attribute("href", "tel:156")
    expect(page.get_by_role("link", name="thongbaorac.ais.gov.vn")).to_have_attribute("href", "https://thongbaorac.ais.gov.vn")
    expect(page.get_by_text(re.compile("Nguồn: Nghị định 56/2017/NĐ-CP"))).to_be_visible()
    page.get_by_role("button", name="Switch to English").click()
    expect(page.get_by_role("heading", level=1, name="Help and hotlines")).to_be_visible()
    expect(page.get_by_role("link", name="Call 111")).to_be_visible()
