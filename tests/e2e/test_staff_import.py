"""A manager imports staff from a file, fixes the rejected rows, prints activation slips and replaces a lost code."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from playwright.sync_api import expect

from hocso.staff import imports
from tests.e2e.test_admin_and_install import sign_in
from tests.e2e.test_who_is_behind import axe_violations, no_sideways_scroll

FILE_LABEL = "Tệp CSV hoặc Excel (.xlsx)"


def pdf_text(path: Path) -> str:
    assert shutil.which("pdftotext"), "pdftotext is missing: `make test` installs Debian's poppler-utils"
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout


def test_a_manager_imports_staff_downloads_the_rejected_rows_and_the_slips(context, server, tmp_path):
    staff = tmp_path / "nhan-su.csv"
    staff.write_text(
        "full_name,email,phone,agency_code\n"
        "Nguyễn Thị Hoa,hoa@example.vn,,HNI-HK\n"
        "Trần Văn Bình,,12345,HNI-BD\n"
        "Cán bộ tỉnh khác,staff.bt@example.vn,,HNI-HK\n",
        encoding="utf-8",
    )
    page = context.new_page()
    sign_in(page, "admin.hni@example.vn")
    page.get_by_role("link", name="Cơ quan").click()
    page.get_by_role("link", name=re.compile("Nhập danh sách cán bộ")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nhập danh sách cán bộ – Thành phố Hà Nội")
    page.get_by_label(FILE_LABEL).set_input_files(str(staff))
    page.get_by_role("button", name="Nhập", exact=True).click()

    result = page.get_by_role("heading", name="Kết quả nhập")
    expect(result).to_be_focused()
    rows = page.get_by_test_id("import-rows-table")
    expect(rows.get_by_role("row", name=re.compile("^2 "))).to_contain_text("Tạo mới – có mã kích hoạt")
    expect(rows.get_by_role("row", name=re.compile("^3 "))).to_contain_text(
        "Bị từ chối: “12345” không phải số điện thoại (ví dụ 0912345678)"
    )
    expect(rows.get_by_role("row", name=re.compile("^4 "))).to_contain_text("Đã có tài khoản – đã gửi lời mời")
    assert no_sideways_scroll(page)
    assert axe_violations(page) == []

    with page.expect_download() as fixing:
        page.get_by_role("button", name="Tải các dòng bị từ chối (CSV) để sửa").click()
    rejected = Path(fixing.value.path()).read_text(encoding="utf-8-sig").splitlines()
    assert rejected == [
        "full_name;email;phone;agency_code;reason",
        "Trần Văn Bình;;12345;HNI-BD;“12345” không phải số điện thoại (ví dụ 0912345678)",
    ]

    page.get_by_text("Xem các mã").click()
    code = page.get_by_role("row", name=re.compile("hoa@example.vn")).locator("td.code").inner_text()
    assert re.fullmatch(r"[A-Z2-9]{10}", code)
    with page.expect_download() as printing:
        page.get_by_role("button", name="Tải phiếu kích hoạt (PDF, 1 người)").click()
    expect(page.get_by_test_id("slips-note")).to_have_text("Đã tạo phiếu cho 1 người.")
    text = pdf_text(Path(printing.value.path()))
    assert "Nguyễn Thị Hoa" in text and code in text and "Phường Hoàn Kiếm" in text
    assert f"{server.url}/activate" in text

    page.set_viewport_size({"width": 1280, "height": 800})
    assert axe_violations(page) == []

    # Hoa lost her slip: a new code from the members list; the old one stops working, the new slip has the new one.
    page.goto("/admin/HNI/members?q=Hoa")
    page.get_by_role("button", name="Cấp mã mới cho Nguyễn Thị Hoa").click()
    issued = page.get_by_text(re.compile("Mã kích hoạt mới: [A-Z2-9]{10}"))
    expect(issued).to_be_visible()
    new_code = re.search(r"Mã kích hoạt mới: ([A-Z2-9]{10})", issued.inner_text()).group(1)
    assert axe_violations(page) == []
    with page.expect_download() as again:
        page.get_by_role("button", name="Tải phiếu (PDF)").click()
    assert new_code in pdf_text(Path(again.value.path()))
    activate = {"identifier": "hoa@example.vn", "password": "mật khẩu mới của Hoa"}
    assert server.api("POST", "/auth/activate", json={**activate, "code": code}).status_code == 400
    assert server.api("POST", "/auth/activate", json={**activate, "code": new_code}).status_code == 200


def test_a_large_file_shows_its_progress_until_the_job_is_done(context, server, tmp_path):
    rows = imports.INLINE_ROWS + 200
    staff = tmp_path / "staff.csv"
    staff.write_text(
        "full_name,email,phone\n" + "".join(f"Staff {i},staff.{i}@example.vn,\n" for i in range(rows)), encoding="utf-8"
    )
    page = context.new_page()
    sign_in(page, "admin.hni@example.vn")
    page.get_by_role("button", name="Switch to English").click()
    page.goto("/admin/HNI/import")
    expect(page.get_by_role("heading", level=1)).to_have_text("Import staff – Thành phố Hà Nội")
    page.get_by_label("CSV or Excel file (.xlsx)").set_input_files(str(staff))
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_role("progressbar", name="Import progress")).to_be_visible()
    expect(page.get_by_test_id("import-rows")).to_have_text(re.compile(rf"of {rows} rows done"))
    expect(page.get_by_role("heading", name="Import result")).to_be_focused(timeout=180_000)
    expect(page.get_by_test_id("import-rows")).to_have_text(f"{rows} of {rows} rows done.")
    expect(page.get_by_test_id("import-counts")).to_contain_text(f"{rows} Created")
    expect(page.get_by_role("button", name=f"Download activation slips (PDF, {rows} people)")).to_have_count(0)
    expect(page.get_by_role("button", name="Download slips part 1 of 2 (PDF)")).to_be_visible()
    assert axe_violations(page) == []
