"""Getting imported staff signed in: Excel files, rejected rows to fix, activation slips, a new code for a lost one."""

from __future__ import annotations

import io
import shutil
import subprocess
import uuid
from pathlib import Path

from openpyxl import Workbook

from hocso.staff import imports
from tests.agencies.conftest import make_user, user_id
from tests.agencies.test_import import upload
from tests.agencies.test_import_jobs import staff_csv, wait_for

ADMIN = "admin.hni@example.vn"
NEW_PASSWORD = "mật khẩu của tôi 9"


def xlsx(rows: list[list]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    assert shutil.which("pdftotext"), "pdftotext is missing: `make test` installs Debian's poppler-utils"
    path = tmp_path / "slips.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout


def test_an_excel_workbook_imports_like_the_csv_and_a_phone_number_keeps_its_leading_zero(client, as_user):
    body = xlsx(
        [
            ["full_name", "email", "phone", "agency_code"],
            ["Nguyễn Văn An", "an.xlsx@example.vn", None, "HNI-HK"],
            ["Trần Thị Bình", None, 912345678, None],  # Excel stored 0912 345 678 as a number
            [None, None, None, None],
            ["Lê Văn Cường", "not-an-email", None, None],
        ]
    )
    r = client.post(
        "/api/v1/agencies/HNI/members/import",
        headers={"Accept-Language": "vi", **as_user(ADMIN)},
        files={"file": ("nhan-su.xlsx", body, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")},
    )
    assert r.status_code == 200, r.text
    result = r.json()
    assert result["created"] == 2
    assert [i["identifier"] for i in result["invitations"]] == ["an.xlsx@example.vn", "+84912345678"]
    [rejected] = result["rejected"]
    assert rejected["row"] == 5  # the sheet's own row number
    assert "không phải địa chỉ email" in rejected["reason"]
    assert rejected["values"] == {"full_name": "Lê Văn Cường", "email": "not-an-email", "phone": "", "agency_code": ""}


def test_a_file_that_is_not_a_readable_workbook_is_refused_with_a_reason(client, as_user):
    r = client.post(
        "/api/v1/agencies/HNI/members/import",
        headers={"Accept-Language": "vi", **as_user(ADMIN)},
        files={"file": ("nhan-su.xlsx", b"PK\x03\x04 not really a zip", "application/octet-stream")},
    )
    assert r.status_code == 422
    assert "Excel" in r.json()["detail"]


def test_rejected_rows_come_back_with_their_values_and_the_fixed_file_imports_with_its_reason_column(client, as_user):
    r = upload(client, as_user(ADMIN), "full_name,email,phone\nAn,an.fix@example.vn,\nBình,,12345\n")
    [rejected] = r.json()["rejected"]
    assert rejected["values"] == {"full_name": "Bình", "email": "", "phone": "12345"}
    # The downloaded file has the same columns and the reason; fixed, it goes back in as it is.
    fixed = f'full_name,email,phone,reason\nBình,,0912000111,"{rejected["reason"]}"\nCường,,999,"{rejected["reason"]}"\n'
    again = upload(client, as_user(ADMIN), fixed)
    assert again.status_code == 200, again.text
    assert again.json()["created"] == 1
    # A row still wrong comes back with its values, not the old reason among them.
    [still] = again.json()["rejected"]
    assert (still["row"], still["values"]) == (3, {"full_name": "Cường", "email": "", "phone": "999"})


def test_slips_print_name_unit_and_code_only_for_codes_that_activate_someone_here(client, as_user, tmp_path):
    r = upload(
        client,
        as_user(ADMIN),
        "full_name,email,phone,agency_code\nNguyễn Thị Hoa,hoa@example.vn,,HNI-HK\nPhạm Văn Đức,,0913000222,HNI-BD\n",
    )
    codes = r.json()["invitations"]
    sent = [{"identifier": c["identifier"], "code": c["code"]} for c in codes]
    sent.append({"identifier": "hoa@example.vn", "code": "AAAAAAAAAA"})  # not the code issued
    sent.append({"identifier": "staff.nobody@example.vn", "code": codes[0]["code"]})
    pdf = client.post("/api/v1/agencies/HNI/activation-slips", json={"slips": sent}, headers=as_user(ADMIN))
    assert pdf.status_code == 200, pdf.text
    assert pdf.headers["content-type"] == "application/pdf"
    assert (pdf.headers["x-slips-printed"], pdf.headers["x-slips-skipped"]) == ("2", "2")
    text = pdf_text(pdf.content, tmp_path)
    for c in codes:
        assert c["code"] in text
    assert "Nguyễn Thị Hoa" in text and "Phạm Văn Đức" in text
    assert "Phường Hoàn Kiếm" in text and "Phường Ba Đình" in text
    assert "hoa@example.vn" in text and "0913000222" in text  # as people write their number
    assert "/activate" in text and "Quét mã QR" in text
    info = subprocess.run(["pdfinfo", str(tmp_path / "slips.pdf")], capture_output=True, text=True, check=True).stdout
    assert "595.28 x 841.89" in info or "595 x 842" in info  # A4, portrait
    audit = client.get("/api/v1/agencies/HNI/audit", headers=as_user(ADMIN)).json()["events"][0]
    assert audit["action"] == "activation_slips_printed" and audit["detail"] == {"slips": 2, "skipped": 2}

    # An admin below sees only their own unit's people; once activated, a code prints nothing.
    hk = client.post("/api/v1/agencies/HNI-HK/activation-slips", json={"slips": sent}, headers=as_user("admin.hk@example.vn"))
    assert hk.headers["x-slips-printed"] == "1"
    assert (
        client.post(
            "/api/v1/auth/activate", json={"identifier": "hoa@example.vn", "code": codes[0]["code"], "password": NEW_PASSWORD}
        ).status_code
        == 200
    )
    gone = client.post(
        "/api/v1/agencies/HNI-HK/activation-slips",
        json={"slips": sent[:1]},
        headers={"Accept-Language": "vi", **as_user("admin.hk@example.vn")},
    )
    assert gone.status_code == 422 and "đã kích hoạt" in gone.json()["detail"]


def test_a_lost_code_is_replaced_the_old_one_stops_working_and_it_is_audited(client, tree, as_user):
    r = upload(client, as_user(ADMIN), "full_name,email,phone,agency_code\nVõ Thị Mai,mai@example.vn,,HNI-BD\n")
    old = r.json()["invitations"][0]["code"]
    mai = user_id(tree, "mai@example.vn")
    listed = client.get("/api/v1/agencies/HNI/members", params={"q": "Mai"}, headers=as_user(ADMIN)).json()["items"]
    assert [m["activated"] for m in listed] == [False]
    issued = client.post(f"/api/v1/agencies/HNI-BD/members/{mai}/activation-code", headers=as_user(ADMIN))
    assert issued.status_code == 200, issued.text
    new = issued.json()
    assert new["identifier"] == "mai@example.vn" and new["code"] != old and new["expires_at"]
    activate = {"identifier": "mai@example.vn", "password": NEW_PASSWORD}
    assert client.post("/api/v1/auth/activate", json={**activate, "code": old}).status_code == 400
    assert client.post("/api/v1/auth/activate", json={**activate, "code": new["code"]}).status_code == 200
    audit = client.get("/api/v1/agencies/HNI-BD/audit", headers=as_user(ADMIN)).json()["events"][0]
    assert audit["action"] == "activation_code_issued" and audit["detail"] == {"member": str(mai)}
    # Someone who has a password gets a reset code instead, never a second activation.
    again = client.post(
        f"/api/v1/agencies/HNI-BD/members/{mai}/activation-code", headers={"Accept-Language": "vi", **as_user(ADMIN)}
    )
    assert again.status_code == 400 and "mã đặt lại mật khẩu" in again.json()["detail"]
    listed = client.get("/api/v1/agencies/HNI/members", params={"q": "Mai"}, headers=as_user(ADMIN)).json()["items"]
    assert [m["activated"] for m in listed] == [True]


def test_a_code_is_never_issued_for_an_admin_or_outside_the_subtree(client, tree, as_user):
    make_user(tree, "hcm.staff@example.vn", member_of="HCM-BT")
    make_user(tree, "hk.boss@example.vn", roles=["agency_admin"], admin_of="HNI-HK", member_of="HNI-HK")
    for caller, code, target in [
        ("admin.hni@example.vn", "HNI", user_id(tree, "hcm.staff@example.vn")),
        ("admin.hk@example.vn", "HNI-HK", user_id(tree, "hk.boss@example.vn")),
    ]:
        assert (
            client.post(f"/api/v1/agencies/{code}/members/{target}/activation-code", headers=as_user(caller)).status_code == 404
        )


def test_a_large_imports_codes_are_shown_to_the_admin_who_imported_it_only(client, as_user):
    rows = imports.INLINE_ROWS + 1
    queued = upload(
        client,
        as_user("admin.hk@example.vn"),
        staff_csv(rows).replace(",HNI-BD\n", ",HNI-HK\n").replace(",HNI\n", ",HNI-HK\n"),
        code="HNI-HK",
    ).json()
    mine = wait_for(client, queued["status_url"], as_user("admin.hk@example.vn"))
    assert len(mine["result"]["invitations"]) == rows
    above = client.get(queued["status_url"].replace("/HNI-HK/", "/HNI-HK/"), headers=as_user(ADMIN)).json()
    assert above["status"] == "done" and above["result"]["created"] == rows and above["result"]["invitations"] == []


def test_requirements_list_what_the_subtree_requires_and_where_each_comes_from(client, as_user):
    due = "2099-06-30"
    assert (
        client.post(
            "/api/v1/agencies/HNI/requirements", json={"module": "qr-basics", "due_date": due}, headers=as_user(ADMIN)
        ).status_code
        == 201
    )
    assert (
        client.post(
            "/api/v1/agencies/HNI-HK/requirements",
            json={"module": "qr-basics", "due_date": "2099-03-01"},
            headers=as_user("admin.hk@example.vn"),
        ).status_code
        == 201
    )
    own = client.get("/api/v1/agencies/HNI/requirements", headers=as_user(ADMIN)).json()
    assert [(r["agency"]["code"], r["origin"]) for r in own] == [("HNI", "own")]
    whole = client.get("/api/v1/agencies/HNI/requirements", params={"below": "true"}, headers=as_user(ADMIN)).json()
    assert [(r["agency"]["code"], r["origin"], r["inherited"]) for r in whole] == [
        ("HNI-HK", "below", False),
        ("HNI", "own", False),
    ]
    hk = client.get("/api/v1/agencies/HNI-HK/requirements", headers=as_user("admin.hk@example.vn")).json()
    assert [(r["agency"]["name"], r["origin"], r["inherited"]) for r in hk] == [
        ("Phường Hoàn Kiếm", "own", False),
        ("Thành phố Hà Nội", "above", True),
    ]
    # The province removes the ward's own requirement; the ward still inherits the province's.
    assert client.delete("/api/v1/agencies/HNI-HK/requirements/qr-basics", headers=as_user(ADMIN)).status_code == 204
    hk = client.get("/api/v1/agencies/HNI-HK/requirements", headers=as_user("admin.hk@example.vn")).json()
    assert [r["origin"] for r in hk] == ["above"]
    audit = client.get("/api/v1/agencies/HNI-HK/audit", headers=as_user(ADMIN)).json()["events"][0]
    assert audit["action"] == "requirement_removed" and audit["detail"] == {"module": "qr-basics"}


def test_another_provinces_admin_gets_404_for_the_slips_code_and_job_of_a_real_member(client, tree, as_user):
    r = upload(client, as_user(ADMIN), "full_name,email,phone,agency_code\nĐinh Văn Nam,nam@example.vn,,HNI-HK\n")
    [issued] = r.json()["invitations"]
    nam = user_id(tree, "nam@example.vn")
    slip = {"slips": [{"identifier": "nam@example.vn", "code": issued["code"]}]}
    for code in ("HNI", "HNI-HK"):
        assert (
            client.post(
                f"/api/v1/agencies/{code}/activation-slips", json=slip, headers=as_user("admin.hcm@example.vn")
            ).status_code
            == 404
        )
        assert (
            client.post(
                f"/api/v1/agencies/{code}/members/{nam}/activation-code", headers=as_user("admin.hcm@example.vn")
            ).status_code
            == 404
        )
    # Through their own province, the person and their code are not there either.
    assert (
        client.post("/api/v1/agencies/HCM/activation-slips", json=slip, headers=as_user("admin.hcm@example.vn")).status_code
        == 422
    )
    assert (
        client.post(f"/api/v1/agencies/HCM/members/{nam}/activation-code", headers=as_user("admin.hcm@example.vn")).status_code
        == 404
    )
    queued = upload(client, as_user(ADMIN), staff_csv(imports.INLINE_ROWS + 1)).json()
    assert client.get(queued["status_url"], headers=as_user("admin.hcm@example.vn")).status_code == 404
    assert client.get(queued["status_url"].replace("/HNI/", "/HCM/"), headers=as_user("admin.hcm@example.vn")).status_code == 404


def test_a_workbook_that_unpacks_to_hundreds_of_megabytes_is_refused_before_it_is_read(client, as_user):
    import zipfile

    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/sharedStrings.xml", "<sst>" + "A" * 210_000_000 + "</sst>")
    assert len(bomb.getvalue()) < 1_000_000
    for lang, detail in (
        ("en", "The Excel file unpacks to more than 200 MB; save it as CSV UTF-8 or split it."),
        ("vi", "Tệp Excel giải nén ra hơn 200 MB; hãy lưu thành CSV UTF-8 hoặc chia nhỏ."),
    ):
        r = post_xlsx(client, as_user(ADMIN), bomb.getvalue(), lang)
        assert (r.status_code, r.json()["detail"]) == (422, detail)


def post_xlsx(client, headers: dict, body: bytes, lang: str = "en"):
    return client.post(
        "/api/v1/agencies/HNI/members/import",
        headers={"Accept-Language": lang, **headers},
        files={"file": ("nhan-su.xlsx", body, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")},
    )


def rewrite_sheet(body: bytes, changes: dict[str, str]) -> bytes:
    """The workbook with its first sheet's XML edited: what Excel writes and openpyxl does not (cached values)."""
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(body)) as old, zipfile.ZipFile(out, "w") as new:
        for item in old.infolist():
            data = old.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode()
                for before, after in changes.items():
                    assert before in text, before
                    text = text.replace(before, after)
                data = text.encode()
            new.writestr(item, data)
    return out.getvalue()


def test_an_excel_sheet_imports_what_its_cells_show_a_formulas_value_a_phone_in_e_notation_and_16_columns_at_most(
    client, as_user
):
    body = xlsx(
        [
            ["full_name", "email", "phone", "agency_code"],
            ['=CONCATENATE("Phạm"," Thu")', "thu.xlsx@example.vn", None, "HNI-HK"],
            ["Đỗ Minh", None, 912345679, "HNI-BD"],
            [f"Cột {i}" for i in range(17)],
        ]
    )
    # Excel keeps a formula's value beside it, and may write a long number as 9.12345679E8.
    body = rewrite_sheet(
        body,
        {
            '<c r="A2"><f>CONCATENATE("Phạm"," Thu")</f><v /></c>': (
                '<c r="A2" t="str"><f>CONCATENATE("Phạm"," Thu")</f><v>Phạm Thu</v></c>'
            ),
            "<v>912345679</v>": "<v>9.12345679E8</v>",
        },
    )
    r = post_xlsx(client, as_user(ADMIN), body)
    assert r.status_code == 200, r.text
    result = r.json()
    assert [i["identifier"] for i in result["invitations"]] == ["thu.xlsx@example.vn", "+84912345679"]
    # A row of 17 cells is read as its first 16, as the reason says.
    assert [(x["row"], x["reason"]) for x in result["rejected"]] == [(4, "16 values but the header has 4 columns")]
    assert result["rejected"][0]["values"] == {"full_name": "Cột 0", "email": "Cột 1", "phone": "Cột 2", "agency_code": "Cột 3"}
    listed = client.get("/api/v1/agencies/HNI/members", headers=as_user(ADMIN)).json()["items"]
    assert [(m["full_name"], m["agency"]["code"]) for m in listed] == [("Đỗ Minh", "HNI-BD"), ("Phạm Thu", "HNI-HK")]


def test_an_excel_sheet_over_the_row_limit_is_refused_whole_and_one_at_the_limit_is_read_whole(client, as_user, monkeypatch):
    # The limit's logic at a size a test builds in a moment (the CSV tests in test_import.py use the real one).
    monkeypatch.setattr(imports, "MAX_IMPORT_ROWS", 3)
    header = [["full_name", "email", "phone", "agency_code"]]
    people = [[f"Cán Bộ {i}", f"cb{i}@example.vn", None, "HNI-HK"] for i in range(4)]
    for lang, detail in (
        ("en", "The file has more than 3 rows; split it into files of at most 3 rows."),
        ("vi", "Tệp có hơn 3 dòng; hãy chia thành các tệp tối đa 3 dòng."),
    ):
        over = post_xlsx(client, as_user(ADMIN), xlsx(header + people), lang)
        assert (over.status_code, over.json()["detail"]) == (413, detail)
    assert client.get("/api/v1/agencies/HNI/stats", headers=as_user(ADMIN)).json()["members"] == 0
    at = post_xlsx(client, as_user(ADMIN), xlsx(header + people[:3]))
    assert at.status_code == 200, at.text
    assert [i["identifier"] for i in at.json()["invitations"]] == ["cb0@example.vn", "cb1@example.vn", "cb2@example.vn"]


def test_blank_rows_in_an_excel_sheet_do_not_hide_rows_past_the_limit(client, as_user, monkeypatch):
    monkeypatch.setattr(imports, "MAX_IMPORT_ROWS", 3)
    header = [["full_name", "email", "phone", "agency_code"]]
    people = [[f"Cán Bộ {i}", f"cb{i}@example.vn", None, "HNI-HK"] for i in range(4)]
    blank = [None, None, None, None]
    over = post_xlsx(client, as_user(ADMIN), xlsx(header + people[:3] + [blank, blank] + people[3:]))
    assert over.status_code == 413, over.text
    assert client.get("/api/v1/agencies/HNI/stats", headers=as_user(ADMIN)).json()["members"] == 0
    # At the limit with blank rows between, every person is read, on their own row of the sheet.
    at = post_xlsx(client, as_user(ADMIN), xlsx(header + people[:1] + [blank] * 3 + people[1:3] + [["Lỗi", "x", None, None]]))
    assert at.status_code == 413, at.text
    within = post_xlsx(client, as_user(ADMIN), xlsx(header + people[:1] + [blank] * 3 + people[1:3]))
    assert [i["row"] for i in within.json()["invitations"]] == [2, 6, 7]


def test_a_queued_import_runs_only_while_its_unit_exists_and_its_admin_still_manages_it(client, settings, tree, as_user):
    from sqlalchemy import delete
    from sqlmodel import select

    from hocso.accounts.models import Role, User
    from hocso.agencies.models import Agency
    from hocso.agencies.tree import get_by_code
    from hocso.core import jobs
    from hocso.core.db import write_session

    def queue(session, caller: str | None, code: str, csv_text: str) -> str:
        by = session.exec(select(User).where(User.email == caller)).one() if caller else None
        raw = csv_text.encode()
        agency = get_by_code(session, code)
        return str(imports.queue_import(session, caller=by, agency=agency, raw=raw, staff=imports.read_staff_file(raw)).id)

    with write_session(tree) as session:
        lost = queue(session, ADMIN, "HNI", "full_name,email,phone\nLâm Văn Một,mot.job@example.vn,\n")
        kept = queue(session, "admin.hk@example.vn", "HNI-HK", "full_name,email,phone\nLâm Thị Hai,hai.job@example.vn,\n")
        operator = queue(session, None, "HCM", "full_name,email,phone\nLâm Văn Ba,ba.job@example.vn,\n")
        gone = queue(session, None, "HCM-BT", "full_name,email,phone\nLâm Thị Bốn,bon.job@example.vn,\n")
        # Before the runner takes them up, the Hà Nội admin loses the role and Bến Thành is removed.
        boss = session.exec(select(User.id).where(User.email == ADMIN)).one()
        session.execute(delete(Role).where(Role.user_id == boss))
        session.execute(delete(Agency).where(Agency.code == "HCM-BT"))
        session.commit()
    root = as_user("root@example.vn")
    waiting = client.get(f"/api/v1/agencies/HNI-HK/import-jobs/{kept}", headers=as_user("admin.hk@example.vn")).json()
    assert (waiting["job_id"], waiting["status"], waiting["rows_total"], waiting["rows_done"], waiting["result"]) == (
        kept,
        "queued",
        1,
        0,
        None,
    )
    # Another province's admin, or an id that is no import, gets the same 404 in either language.
    for lang, detail in (("en", "There is no such import."), ("vi", "Không có lượt nhập này.")):
        for code, job, who in (("HCM", kept, "admin.hcm@example.vn"), ("HNI-HK", "not-a-job", "admin.hk@example.vn")):
            r = client.get(f"/api/v1/agencies/{code}/import-jobs/{job}", headers={**as_user(who), "Accept-Language": lang})
            assert (r.status_code, r.json()["detail"]) == (404, detail)
    runner = jobs.JobRunner(tree, settings)
    while runner.run_once():
        pass
    seen = {}
    for code, job in (("HNI", lost), ("HNI-HK", kept), ("HCM", operator)):
        r = client.get(f"/api/v1/agencies/{code}/import-jobs/{job}", headers=root).json()
        seen[code] = (r["status"], r["error"], r["result"] and r["result"]["created"])
    assert seen == {
        "HNI": ("failed", "the person who started this import no longer manages the agency", None),
        "HNI-HK": ("done", None, 1),
        "HCM": ("done", None, 1),
    }
    with write_session(tree) as session:
        assert (session.get(jobs.Job, uuid.UUID(gone)).status, session.get(jobs.Job, uuid.UUID(gone)).error) == (
            "failed",
            "the agency no longer exists",
        )
        made = session.exec(select(User.email).where(User.created_by_import)).all()
    assert sorted(made) == ["ba.job@example.vn", "hai.job@example.vn"]
