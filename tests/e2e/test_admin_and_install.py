"""The agency dashboard shows an admin their own subtree only; civil servants see what is required of them;
the app meets Chromium's install criteria."""

from __future__ import annotations

import re
from datetime import date, timedelta

from playwright.sync_api import expect

from tests.conftest import PASSWORD


def sign_in(page, email: str) -> None:
    page.goto("/signin")
    page.get_by_label("Email hoặc số điện thoại").fill(email)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Xin chào"))


def complete_fixture_module(server, email: str) -> None:
    token = server.token(email)
    module = server.api("GET", "/modules/qr-basics").json()
    answers = {q["id"]: ["a"] for q in module["quiz"]["questions"]}
    r = server.api(
        "POST",
        "/modules/qr-basics/attempts",
        token,
        json={"event_id": "6f1c1e0e-8d7a-4b4e-9a51-0c6f3f1d2a01", "answers": answers},
    )
    assert r.json()["module_completed"] is True


def test_the_dashboard_shows_the_admins_subtree_with_charts_and_exports_it_but_nothing_else(context, server):
    complete_fixture_module(server, "staff.hk@example.vn")
    page = context.new_page()
    sign_in(page, "admin.hni@example.vn")
    page.get_by_role("link", name="Cơ quan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thành phố Hà Nội")
    figures = page.get_by_test_id("figures")
    expect(figures).to_contain_text("1 Cán bộ")
    expect(figures).to_contain_text("100% Đạt mục tiêu năm (1)")
    children = page.get_by_test_id("children")
    expect(children.get_by_role("row")).to_have_count(3)  # header + Hoàn Kiếm + Ba Đình
    expect(children).to_contain_text("Phường Hoàn Kiếm")
    expect(children).not_to_contain_text("Bến Thành")
    chart = page.get_by_role("img", name=re.compile("Biểu đồ tỉ lệ theo đơn vị trực thuộc"))
    expect(chart).to_have_attribute("aria-label", re.compile("Phường Hoàn Kiếm 100%"))

    with page.expect_download() as download:
        page.get_by_role("button", name="Tải CSV (Excel)").click()
    csv = open(download.value.path(), "rb").read()
    assert csv.startswith(b"\xef\xbb\xbf") and "Phường Hoàn Kiếm".encode() in csv and b"HCM" not in csv

    # Drill down into a child, then try another province's agency by address: refused by the server.
    children.get_by_role("link", name="Phường Hoàn Kiếm").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Phường Hoàn Kiếm")
    page.goto("/admin/HCM")
    expect(page.get_by_role("alert")).to_contain_text("Không có cơ quan 'HCM'")
    expect(page.get_by_text("Thành phố Hồ Chí Minh")).to_have_count(0)


def test_a_civil_servant_sees_required_modules_first_with_their_due_date(context, server):
    due = date.today() + timedelta(days=20)
    r = server.api(
        "POST",
        "/agencies/HNI/requirements",
        server.token("admin.hni@example.vn"),
        json={"module": "qr-basics", "due_date": due.isoformat()},
    )
    assert r.status_code in (200, 201), r.text
    page = context.new_page()
    sign_in(page, "staff.hk@example.vn")
    required = page.get_by_role("region", name="Cơ quan yêu cầu")
    expect(required).to_contain_text("Thanh toán QR cơ bản")
    expect(required).to_contain_text(f"Hạn {due.day}/{due.month}/{due.year}")
    # A citizen with no agency has nothing required.
    page.get_by_role("link", name="Tài khoản").click()
    page.get_by_role("button", name="Đăng xuất", exact=True).click()
    sign_in(page, "staff.bt@example.vn")
    expect(page.get_by_role("region", name="Cơ quan yêu cầu")).to_have_count(0)


def test_the_app_meets_chromiums_install_criteria(context, server):
    page = context.new_page()
    page.goto("/")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    cdp = context.new_cdp_session(page)
    errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    # Playwright's browser contexts are incognito profiles, where Chromium never offers to install.
    assert [e["errorId"] for e in errors if e["errorId"] != "in-incognito"] == []
    manifest = cdp.send("Page.getAppManifest")
    assert manifest["errors"] == [] and manifest["url"].endswith("/manifest.webmanifest")
    info = page.evaluate("fetch('/manifest.webmanifest').then(r => r.json())")
    assert info["display"] == "standalone" and info["start_url"] == "/"
    sizes = {icon["sizes"] for icon in info["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in info["icons"]:
        response = page.request.get(icon["src"])
        assert response.ok and response.body().startswith(b"\x89PNG")
