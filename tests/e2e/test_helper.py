"""A community digital team helper registers a citizen with consent and helps them learn in an assisted session."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from hocso.core.db import make_engine
from tests.agencies.conftest import make_user
from tests.conftest import FIXTURE_CONTENT
from tests.e2e.conftest import phone_context
from tests.e2e.test_admin_and_install import sign_in
from tests.e2e.test_citizen_journey import answer_quiz
from tests.e2e.test_who_is_behind import axe_violations, no_sideways_scroll


def test_a_helper_registers_a_citizen_and_helps_them_pass_a_module_in_an_assisted_session(context, browser, server):
    engine = make_engine(server.database_url)
    make_user(engine, "helper.hk@example.vn", roles=["helper"], admin_of="HNI-HK")
    engine.dispose()
    page = context.new_page()
    sign_in(page, "helper.hk@example.vn")
    page.get_by_role("link", name="Hỗ trợ người dân").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hỗ trợ người dân học số")
    expect(page.get_by_test_id("consent-text")).to_contain_text("Tôi đồng ý")
    assert no_sideways_scroll(page)
    assert axe_violations(page) == []

    # Without the box ticked the server refuses, saying why; nothing is registered.
    page.get_by_label("Họ và tên").fill("Bà Trần Thị Tư")
    page.get_by_role("button", name="Đăng ký").click()
    expect(page.get_by_role("alert")).to_contain_text("Cần sự đồng ý của người dân")
    expect(page.get_by_text("Chưa có ai.")).to_be_visible()

    # With the keyboard: the box is ticked with Space and the form sent from the button.
    page.get_by_label("Người dân đã nghe nội dung trên và đồng ý").focus()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").filter(has_text="Đã đăng ký")).to_have_text("Đã đăng ký Bà Trần Thị Tư.")
    expect(page.get_by_test_id("citizens")).to_contain_text("Bà Trần Thị Tư")

    page.get_by_role("button", name="Bắt đầu phiên hỗ trợ cho Bà Trần Thị Tư").click()
    banner = page.get_by_test_id("assisted-banner")
    expect(banner).to_contain_text("Phiên hỗ trợ cho Bà Trần Thị Tư")
    # The helper's own screens are not offered to the citizen.
    expect(page.get_by_role("link", name="Hỗ trợ người dân")).to_have_count(0)
    page.goto("/m/qr-basics/quiz")
    expect(banner).to_be_visible()  # on every page of the session
    answer_quiz(page)
    expect(page.get_by_test_id("verdict")).to_have_text(re.compile("Đạt"))
    assert no_sideways_scroll(page)
    assert axe_violations(page) == []

    page.get_by_role("button", name="Kết thúc phiên hỗ trợ").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hỗ trợ người dân học số")
    expect(banner).to_have_count(0)
    # The completion counts as assisted in the commune's figures.
    admin = server.token("admin.hni@example.vn")
    assert server.api("GET", "/agencies/HNI-HK/stats", admin).json()["assisted"] == 1
    # And the commune's manager sees it on the dashboard.
    manager = phone_context(browser, server)
    try:
        dashboard = manager.new_page()
        sign_in(dashboard, "admin.hni@example.vn")
        dashboard.goto("/admin/HNI-HK")
        expect(dashboard.get_by_test_id("figures")).to_contain_text("1 học phần hoàn thành trong năm nhờ tổ công nghệ số hỗ trợ")
    finally:
        manager.close()


def test_the_helpers_page_and_banner_in_english_on_a_large_screen(browser, server):
    engine = make_engine(server.database_url)
    make_user(engine, "helper.hk@example.vn", roles=["helper"], admin_of="HNI-HK")
    engine.dispose()
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=server.url, locale="en-GB")
    page = context.new_page()
    sign_in(page, "helper.hk@example.vn")
    page.get_by_role("button", name="Switch to English").click()
    page.get_by_role("link", name="Help citizens").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Helping citizens learn")
    expect(page.get_by_test_id("consent-text")).to_contain_text("I agree")
    page.get_by_label("Full name").fill("Mr Lê Văn Năm")
    page.get_by_label("The citizen has heard the text above and agrees").check()
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_test_id("citizens")).to_contain_text("Mr Lê Văn Năm")
    # Side by side on a large screen: the form and the list share the width.
    form_box = page.get_by_role("heading", name="Register a citizen").bounding_box()
    list_box = page.get_by_role("heading", name="Citizens registered").bounding_box()
    assert list_box["x"] > form_box["x"] + 300
    assert no_sideways_scroll(page)
    assert axe_violations(page) == []
    page.get_by_role("button", name="Start assisted session for Mr Lê Văn Năm").click()
    expect(page.get_by_test_id("assisted-banner")).to_contain_text("Assisted session for Mr Lê Văn Năm")
    # Signing out on the account page ends the assisted session and gives the device back to the helper.
    page.get_by_role("link", name="Account").click()
    page.get_by_role("button", name="Sign out", exact=True).click()
    expect(page.get_by_test_id("assisted-banner")).to_have_count(0)
    page.goto("/helper")
    expect(page.get_by_role("heading", level=1)).to_have_text("Helping citizens learn")
    context.close()


def test_a_citizen_with_a_phone_is_registered_once_they_read_back_the_code_sent_there(browser, migrated_template, tmp_path):
    from tests.e2e.conftest import serve
    from tests.mail import sms_relay

    with (
        sms_relay() as relay,
        serve(migrated_template, tmp_path, FIXTURE_CONTENT, {"HOCSO_SMS_WEBHOOK_URL": relay.url}) as server,
    ):
        engine = make_engine(server.database_url)
        make_user(engine, "helper.hk@example.vn", roles=["helper"], admin_of="HNI-HK")
        engine.dispose()
        context = phone_context(browser, server)
        page = context.new_page()
        sign_in(page, "helper.hk@example.vn")
        page.get_by_role("link", name="Hỗ trợ người dân").click()
        page.get_by_label("Họ và tên").fill("Ông Lê Văn Sáu")
        page.get_by_label("Số điện thoại (nếu có)").fill("0912 000 777")
        page.get_by_label("Người dân đã nghe nội dung trên và đồng ý").check()
        page.get_by_role("button", name="Đăng ký").click()
        expect(page.get_by_role("status").filter(has_text="Đã gửi mã")).to_contain_text("Đã gửi mã xác nhận tới +84••••••777")
        expect(page.get_by_label("Mã xác nhận")).to_be_focused()
        relay.wait_for(1)
        # A wrong code is refused with what to do; nobody is registered yet.
        page.get_by_label("Mã xác nhận").fill("000000" if relay.code_sent_to("+84912000777") != "000000" else "111111")
        page.get_by_role("button", name="Xác nhận").click()
        expect(page.get_by_role("alert")).to_contain_text("Mã không hợp lệ")
        expect(page.get_by_text("Chưa có ai.")).to_be_visible()
        page.get_by_label("Mã xác nhận").fill(relay.code_sent_to("+84912000777"))
        page.get_by_role("button", name="Xác nhận").click()
        expect(page.get_by_role("status").filter(has_text="Đã đăng ký")).to_have_text("Đã đăng ký Ông Lê Văn Sáu.")
        expect(page.get_by_test_id("citizens")).to_contain_text("+84912000777")
        assert no_sideways_scroll(page)
        assert axe_violations(page) == []
        context.close()
