"""The dashboard's downloads open right in Excel: a workbook with real percentages, a CSV in Vietnamese."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from openpyxl import load_workbook

from tests.e2e.test_admin_and_install import complete_fixture_module, sign_in


def test_the_dashboard_downloads_an_excel_workbook_and_a_vietnamese_csv(context, server):
    complete_fixture_module(server, "staff.hk@example.vn")
    page = context.new_page()
    sign_in(page, "admin.hni@example.vn")
    page.get_by_role("link", name="Cơ quan").click()
    with page.expect_download() as download:
        page.get_by_role("button", name="Tải Excel (.xlsx)").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    wb = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert wb.sheetnames == ["Đơn vị", "Học phần", "Người chậm tiến độ"]
    units = wb["Đơn vị"]
    hk = next(r for r in units.iter_rows(min_row=2) if r[0].value == "HNI-HK")
    assert hk[1].value == "Phường Hoàn Kiếm" and hk[6].value == 1 and hk[6].number_format == "0.0%"

    with page.expect_download() as download:
        page.get_by_role("button", name="Tải CSV (Excel)").click()
    text = Path(download.value.path()).read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][:2] == ["Mã", "Đơn vị"]
    assert next(r for r in rows if r[0] == "HNI-HK")[6] == "100,0%"

    page.get_by_role("button", name="Switch to English").click()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download Excel (.xlsx)").click()
    assert load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).sheetnames == ["Units", "Modules", "People behind"]
    with page.expect_download() as download:
        page.get_by_role("button", name="Download CSV (Excel)").click()
    assert Path(download.value.path()).read_bytes().decode("utf-8-sig").startswith("code,name,row")
