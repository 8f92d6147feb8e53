"""A manager finds who is behind, pages, searches, exports and reminds them; the person sees the notice."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from pathlib import Path

from playwright.sync_api import expect
from sqlmodel import select

from hocso.accounts.models import User
from hocso.agencies.models import Requirement
from hocso.agencies.tree import get_by_code
from hocso.core.db import make_engine, open_session
from hocso.core.timeutil import vietnam_today
from hocso.flows import move_person
from tests.agencies.conftest import make_user
from tests.e2e.test_admin_and_install import sign_in

AXE = Path(__file__).resolve().parents[2] / "frontend" / "node_modules" / "axe-core" / "axe.min.js"


def axe_violations(page) -> list:
    """Serious accessibility problems axe-core finds on the page (none checked when axe is not installed)."""
    if not AXE.exists():
        return []
    # Evaluated by the browser's debugging protocol, which the page's Content-Security-Policy does not govern
    # (a <script> tag would be refused by it, as it should be).
    if page.evaluate("typeof window.axe") == "undefined":
        page.evaluate(AXE.read_text())
    found = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    return [(v["id"], [n["target"] for n in v["nodes"]]) for v in found if v["impact"] in ("serious", "critical")]


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def seed(server) -> None:
    """51 staff in Ba Đình, Đào in Hoàn Kiếm; Hoàn Kiếm's qr-basics was due yesterday."""
    engine = make_engine(server.database_url)
    make_user(engine, "dao@example.vn", member_of="HNI-HK")
    with open_session(engine, write=True) as session:
        dao = session.exec(select(User).where(User.email == "dao@example.vn")).one()
        dao.full_name = "Nguyễn Thị Đào"
        session.add(dao)
        bd = get_by_code(session, "HNI-BD")
        for i in range(51):
            user = User(email=f"bd{i:02}@example.vn", full_name=f"Cán bộ Ba Đình {i:02}")
            session.add(user)
            session.flush()
            move_person(session, user=user, agency=bd)
        hk = get_by_code(session, "HNI-HK")
        session.add(Requirement(agency_id=hk.id, module_slug="qr-basics", due_date=vietnam_today() - timedelta(days=1)))
        session.commit()
    engine.dispose()


def test_a_manager_finds_who_is_overdue_exports_and_reminds_them(context, server, browser):
    seed(server)
    page = context.new_page()
    sign_in(page, "admin.hni@example.vn")
    page.get_by_role("link", name="Cơ quan").click()
    page.get_by_role("link", name=re.compile("Ai đang chậm tiến độ")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ai đang chậm tiến độ – Thành phố Hà Nội")
    shown = page.get_by_test_id("shown")
    expect(shown).to_have_text("Đang hiện 50 người.")
    page.get_by_role("button", name="Xem thêm").click()
    expect(shown).to_have_text("Đang hiện 53 người.")  # 51 + Đào + the fixture's staff.hk
    expect(page.get_by_role("button", name="Xem thêm")).to_have_count(0)
    assert no_sideways_scroll(page)
    assert axe_violations(page) == []

    page.get_by_label("Tình trạng").select_option(label="Quá hạn học phần bắt buộc")
    page.get_by_label("Tìm theo tên").fill("dao")
    page.get_by_role("button", name="Lọc").click()
    rows = page.get_by_test_id("members").get_by_role("row")
    expect(rows).to_have_count(2)
    expect(rows.nth(1)).to_contain_text("Nguyễn Thị Đào")
    expect(rows.nth(1)).to_contain_text("qr-basics: quá hạn")
    assert "status=overdue" in page.url and "q=dao" in page.url

    with page.expect_download() as download:
        page.get_by_role("button", name="Tải danh sách CSV (Excel)").click()
    text = Path(download.value.path()).read_bytes().decode("utf-8-sig")
    rows_csv = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows_csv[0][0] == "Họ và tên" and [r[0] for r in rows_csv[1:]] == ["Nguyễn Thị Đào"]

    page.get_by_label("Lời nhắn (không bắt buộc)").fill("Hãy học xong trước thứ Sáu")
    page.get_by_role("button", name="Gửi nhắc nhở cho những người này").click()
    expect(page.get_by_test_id("reminded")).to_have_text("Đã gửi nhắc nhở cho 1 người.")
    page.get_by_role("button", name="Gửi nhắc nhở cho những người này").click()
    expect(page.get_by_test_id("reminded")).to_contain_text("1 người đã được nhắc hôm nay")

    page.goto("/admin/HCM/members")
    expect(page.get_by_role("alert")).to_contain_text("Không có cơ quan 'HCM'")

    # The person sees the reminder when they next open the app, until they mark it seen.
    other = browser.new_context(viewport={"width": 360, "height": 740}, base_url=server.url, locale="vi-VN")
    try:
        learner = other.new_page()
        sign_in(learner, "dao@example.vn")
        notices = learner.get_by_test_id("notices")
        expect(notices).to_contain_text("Thành phố Hà Nội")
        expect(notices).to_contain_text("Hãy học xong trước thứ Sáu")
        learner.get_by_role("button", name=re.compile("^Đã xem")).click()
        expect(notices).to_have_count(0)
        learner.reload()
        expect(learner.get_by_role("heading", level=1)).to_be_visible()
        expect(learner.get_by_test_id("notices")).to_have_count(0)
        learner.get_by_role("link", name="Tài khoản").click()
        switch = learner.get_by_role("switch", name="Nhận nhắc nhở của cơ quan qua thông báo trên thiết bị này")
        expect(switch.or_(learner.get_by_test_id("push-unsupported"))).to_be_visible()
        assert axe_violations(learner) == []
    finally:
        other.close()


def test_the_list_works_in_english_on_a_wide_screen(context, server):
    seed(server)
    page = context.new_page()
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, "admin.hni@example.vn")
    page.get_by_role("button", name="Switch to English").click()
    page.goto("/admin/HNI-HK/members?status=overdue")
    expect(page.get_by_role("heading", level=1)).to_have_text("Who is behind – Phường Hoàn Kiếm")
    expect(page.get_by_label("Status")).to_have_value("overdue")
    rows = page.get_by_test_id("members").get_by_role("row")
    expect(rows).to_have_count(3)  # header, Nguyễn Thị Đào, staff.hk
    expect(page.get_by_test_id("members")).to_contain_text("qr-basics: overdue")
    assert no_sideways_scroll(page)
    # Keyboard only: the search box, then the filter button.
    page.get_by_label("Search by name").focus()
    page.keyboard.type("thi dao")
    page.keyboard.press("Enter")
    expect(rows).to_have_count(2)
    assert axe_violations(page) == []
