"""A manager requires a module of their subtree, sees what units inherit and what units below set, and removes one."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import expect

from hocso.core.timeutil import vietnam_today
from tests.e2e.test_admin_and_install import sign_in
from tests.e2e.test_who_is_behind import axe_violations, no_sideways_scroll

MODULE = "Thanh toán QR cơ bản"


def test_a_manager_adds_and_removes_requirements_and_sees_the_inherited_ones(context, server):
    page = context.new_page()
    sign_in(page, "admin.hni@example.vn")
    page.get_by_role("link", name="Cơ quan").click()
    page.get_by_role("link", name="Học phần bắt buộc – đặt, xem, bỏ").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Học phần bắt buộc – Thành phố Hà Nội")
    expect(page.get_by_text("Chưa có học phần bắt buộc nào.")).to_be_visible()

    due = vietnam_today() + timedelta(days=60)
    page.get_by_label("Học phần", exact=True).select_option(label=MODULE)
    page.get_by_label("Hạn hoàn thành").fill(due.isoformat())
    page.get_by_role("button", name="Đặt yêu cầu").click()
    expect(page.get_by_test_id("req-done")).to_have_text(f"Đã yêu cầu “{MODULE}”, hạn {due.day}/{due.month}/{due.year}.")
    expect(page.get_by_role("heading", name="Đang yêu cầu")).to_be_focused()
    table = page.get_by_test_id("requirements")
    expect(table.get_by_role("row", name=MODULE)).to_contain_text("Đơn vị này đặt")
    assert no_sideways_scroll(page)
    assert axe_violations(page) == []

    # Hoàn Kiếm inherits it from the city, and adds an earlier date of its own for its own people.
    page.goto("/admin/HNI-HK/requirements")
    expect(page.get_by_role("heading", level=1)).to_have_text("Học phần bắt buộc – Phường Hoàn Kiếm")
    inherited = page.get_by_test_id("requirements").get_by_role("row", name=MODULE)
    expect(inherited).to_contain_text("Kế thừa từ Thành phố Hà Nội")
    expect(inherited.get_by_role("button")).to_have_count(0)
    earlier = vietnam_today() + timedelta(days=20)
    page.get_by_label("Học phần", exact=True).select_option(label=MODULE)
    page.get_by_label("Hạn hoàn thành").fill(earlier.isoformat())
    page.get_by_role("button", name="Đặt yêu cầu").click()
    expect(page.get_by_test_id("requirements").get_by_role("row")).to_have_count(3)

    # From the city, the ward's own requirement shows as set below, and can be removed from there.
    page.goto("/admin/HNI/requirements")
    rows = page.get_by_test_id("requirements").get_by_role("row")
    expect(rows).to_have_count(3)
    expect(rows.nth(1)).to_contain_text("Phường Hoàn Kiếm (đơn vị trực thuộc) tự đặt")
    page.get_by_role("button", name=f"Bỏ yêu cầu {MODULE} của Phường Hoàn Kiếm").click()
    expect(page.get_by_test_id("req-done")).to_have_text(f"Đã bỏ yêu cầu “{MODULE}”.")
    expect(rows).to_have_count(2)
    page.set_viewport_size({"width": 1280, "height": 800})
    assert axe_violations(page) == []

    page.get_by_role("button", name="Switch to English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Required modules – Thành phố Hà Nội")
    page.get_by_role("button", name="Remove QR payment basics required by Thành phố Hà Nội").click()
    expect(page.get_by_text("No module is required yet.")).to_be_visible()
    assert axe_violations(page) == []
    token = server.token("admin.hni@example.vn")
    assert server.api("GET", "/agencies/HNI/requirements?below=true", token).json() == []
