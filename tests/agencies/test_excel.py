"""The dashboard opens right in Excel: an .xlsx with a sheet per table, and a CSV in the reader's language."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from hocso.agencies.models import Requirement
from hocso.agencies.tree import get_by_code
from hocso.core.db import open_session
from hocso.core.timeutil import vietnam_today
from tests.agencies.conftest import make_user
from tests.conftest import auth_header, login

ADMIN = "admin.hni@example.vn"
RIGHT = {"q1": ["a"], "q2": ["a"], "q3": ["a"], "q4": ["a"], "q5": ["a"], "q6": ["a", "b"]}


@pytest.fixture
def figures(client, tree):
    """Hoàn Kiếm: 1 of 3 done; Ba Đình: nobody done; qr-basics required of HNI, overdue in Hoàn Kiếm."""
    for i, code in enumerate(["HNI-HK", "HNI-HK", "HNI-HK", "HNI-BD"]):
        make_user(tree, f"p{i}@example.vn", roles=["civil_servant"], member_of=code)
    r = client.post(
        "/api/v1/modules/qr-basics/attempts",
        json={"event_id": str(uuid.uuid4()), "answers": RIGHT},
        headers=auth_header(login(client, "p0@example.vn")),
    )
    assert r.json()["passed"]
    today = vietnam_today()
    with open_session(tree, write=True) as session:
        session.add(
            Requirement(agency_id=get_by_code(session, "HNI-HK").id, module_slug="qr-basics", due_date=today - timedelta(days=2))
        )
        session.commit()


def workbook(client, headers, **params):
    r = client.get("/api/v1/agencies/HNI/stats.xlsx", params=params, headers=headers)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert 'filename="hocso-HNI-' in r.headers["content-disposition"]
    return load_workbook(io.BytesIO(r.content))


def test_the_workbook_has_vietnamese_headers_a_sheet_per_table_and_real_percentages(client, as_user, figures):
    wb = workbook(client, as_user(ADMIN))
    assert wb.sheetnames == ["Đơn vị", "Học phần", "Người chậm tiến độ"]
    units = wb["Đơn vị"]
    header = [c.value for c in units[1]]
    assert header[:2] == ["Mã", "Đơn vị"] and "Tỉ lệ đạt mục tiêu" in header and "Quá hạn" in header
    rows = {r[0].value: r for r in units.iter_rows(min_row=2)}
    hk = rows["HNI-HK"]
    rate = hk[header.index("Tỉ lệ đạt mục tiêu")]
    assert rate.value == pytest.approx(1 / 3, abs=1e-4) and rate.number_format == "0.0%"
    assert hk[header.index("Quá hạn")].value == 2 and isinstance(hk[header.index("Cán bộ")].value, int)
    assert rows["HNI"][2].value == "Tổng"
    modules = wb["Học phần"]
    assert modules["A1"].value == "Mã học phần"
    qr = next(r for r in modules.iter_rows(min_row=2) if r[0].value == "qr-basics")
    assert qr[4].number_format == "0.0%" and qr[4].value == pytest.approx(0.25)
    people = wb["Người chậm tiến độ"]
    assert people["A1"].value == "Họ và tên"
    assert sorted(r[1].value for r in people.iter_rows(min_row=2)) == ["HNI-HK", "HNI-HK"]


def test_the_workbook_speaks_english_when_asked_and_keeps_to_the_admins_subtree(client, as_user, figures):
    wb = workbook(client, as_user(ADMIN), lang="en")
    assert wb.sheetnames == ["Units", "Modules", "People behind"]
    assert wb["Units"]["A1"].value == "Code"
    assert client.get("/api/v1/agencies/HNI/stats.xlsx", headers=as_user("admin.hcm@example.vn")).status_code == 404
    assert client.get("/api/v1/agencies/HNI/stats.xlsx", headers=as_user("admin.hk@example.vn")).status_code == 404


def test_the_vietnamese_csv_uses_semicolons_vietnamese_headers_and_percentages(client, as_user, figures):
    r = client.get("/api/v1/agencies/HNI/stats.csv", params={"lang": "vi"}, headers=as_user(ADMIN))
    assert r.status_code == 200 and r.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Mã", "Đơn vị", "Dòng"]
    hk = next(row for row in rows if row[0] == "HNI-HK")
    assert len(hk) == len(rows[0]) and hk[6] == "33,3%"
    # Without lang the CSV stays as integrations know it.
    plain = client.get("/api/v1/agencies/HNI/stats.csv", headers=as_user(ADMIN)).content.decode("utf-8-sig")
    assert plain.startswith("code,name,row,year")


@pytest.mark.parametrize("path", ["stats.csv", "stats.xlsx", "members.csv"])
def test_an_export_waits_for_another_processs_write_instead_of_failing(client, tree, settings, path):
    """An export is a GET that writes its audit record: on SQLite it must take the writer's turn up front."""
    if not settings.database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL has no single writer")
    import sqlite3
    import threading
    import time

    headers = auth_header(login(client, ADMIN))
    other = sqlite3.connect(settings.database_url.removeprefix("sqlite:///"), isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")  # another process (a second worker, the command line) is writing
    other.execute("UPDATE agency SET name = name || '' WHERE code = 'HNI'")
    done = threading.Event()

    def commit_later():
        time.sleep(1.0)
        other.execute("COMMIT")
        done.set()

    threading.Thread(target=commit_later).start()
    r = client.get(f"/api/v1/agencies/HNI/{path}", headers=headers)
    done.wait(5)
    other.close()
    assert r.status_code == 200, r.text
