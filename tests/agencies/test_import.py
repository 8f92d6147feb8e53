"""Staff import: Excel's files, bad rows that reject only themselves, and re-imports that change nothing."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.conftest import PASSWORD, auth_header

ADMIN = "admin.hni@example.vn"


def upload(client, headers, content: bytes | str, code: str = "HNI"):
    # Asked in English: these tests read the reasons as written (test_messages_language covers Vietnamese).
    data = content.encode("utf-8") if isinstance(content, str) else content
    return client.post(
        f"/api/v1/agencies/{code}/members/import",
        files={"file": ("nhan-su.csv", data, "text/csv")},
        headers={"Accept-Language": "en", **headers},
    )


GOOD = (
    "full_name,email,phone,agency_code\n"
    "Nguyễn Thị Ánh Tuyết,tuyet@example.vn,,HNI-HK\n"
    "Phạm Quốc Việt,,0912 000 111,HNI-BD\n"
    "Trần Đức Lương,luong@example.vn,0987000222,\n"
)


def test_an_import_creates_members_with_vietnamese_names_and_one_time_codes(client, as_user):
    r = upload(client, as_user(ADMIN), GOOD)
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["created"], body["updated"], body["unchanged"], body["rejected"]) == (3, 0, 0, [])
    assert [i["identifier"] for i in body["invitations"]] == ["tuyet@example.vn", "+84912000111", "luong@example.vn"]
    stats = client.get("/api/v1/agencies/HNI/stats", headers=as_user(ADMIN)).json()
    assert stats["members"] == 3
    assert {c["code"]: c["members"] for c in stats["children"]} == {"HNI-BD": 1, "HNI-HK": 1}

    # The person signs in for the first time with their code and a password of their own.
    code = body["invitations"][1]["code"]
    bad = client.post("/api/v1/auth/activate", json={"identifier": "0912000111", "code": "WRONGCODE1", "password": PASSWORD})
    assert bad.status_code == 400
    ok = client.post("/api/v1/auth/activate", json={"identifier": "0912000111", "code": code, "password": PASSWORD})
    assert ok.status_code == 200
    me = client.get("/api/v1/me", headers=auth_header(ok.json())).json()
    assert me["full_name"] == "Phạm Quốc Việt"
    assert me["agency"] == {"code": "HNI-BD", "name": "Phường Ba Đình"}
    assert "civil_servant" in me["roles"]
    # A code works once.
    again = client.post("/api/v1/auth/activate", json={"identifier": "0912000111", "code": code, "password": PASSWORD})
    assert again.status_code == 400


def test_an_import_takes_every_email_and_phone_that_sign_up_takes_and_folds_them_the_same_way(client, as_user):
    # An internationalised domain in its xn-- form, upper case, full-width digits: one normaliser for all.
    content = "full_name,email,phone\nLê Văn Ánh,Anh@XN--V-D-RMA6749A.vn,\nĐỗ Thị Hoa,,０９１２ ０００ ３３３\n"
    body = upload(client, as_user(ADMIN), content).json()
    assert (body["created"], body["rejected"]) == (2, [])
    assert [i["identifier"] for i in body["invitations"]] == ["anh@xn--v-d-rma6749a.vn", "+84912000333"]
    code = body["invitations"][0]["code"]
    ok = client.post("/api/v1/auth/activate", json={"identifier": "ANH@xn--v-d-rma6749a.VN", "code": code, "password": PASSWORD})
    assert ok.status_code == 200, ok.text


def test_reimporting_the_same_file_changes_nothing(client, as_user):
    upload(client, as_user(ADMIN), GOOD)
    body = upload(client, as_user(ADMIN), GOOD).json()
    assert (body["created"], body["updated"], body["unchanged"], body["rejected"], body["invitations"]) == (0, 0, 3, [], [])
    assert client.get("/api/v1/agencies/HNI/stats", headers=as_user(ADMIN)).json()["members"] == 3


def test_excels_semicolons_and_bom_are_understood(client, as_user):
    content = "\ufefffull_name;email;phone\r\nHoàng Thị Mai;mai@example.vn;\r\nVũ Minh Khôi;;+84 903 333 444\r\n"
    body = upload(client, as_user(ADMIN), content.encode("utf-8")).json()
    assert body["created"] == 2 and body["rejected"] == []


def test_bad_rows_reject_only_themselves_with_a_reason(client, as_user):
    content = (
        "full_name,email,phone,agency_code\n"
        "Đúng Người,dung@example.vn,,\n"
        "Sai Email,not-an-email,,\n"
        ",noname@example.vn,,\n"
        "Không Liên Lạc,,,\n"
        "Sai Số,,12345,\n"
        "Lạ Cơ Quan,la@example.vn,,NO-SUCH\n"
        "Trùng Lặp,dung@example.vn,,\n"
        "Quá Nhiều,x@example.vn,,HNI,extra\n"
        "Cũng Đúng,cungdung@example.vn,,HNI-HK\n"
    )
    body = upload(client, as_user(ADMIN), content).json()
    assert body["created"] == 2
    reasons = {r["row"]: r["reason"] for r in body["rejected"]}
    assert set(reasons) == {3, 4, 5, 6, 7, 8, 9}
    assert "not-an-email" in reasons[3]
    assert "full_name" in reasons[4]
    assert "email or a phone" in reasons[5]
    assert "12345" in reasons[6]
    assert "NO-SUCH" in reasons[7]
    assert "row 2" in reasons[8]
    assert "columns" in reasons[9]


def test_files_that_are_not_csv_of_staff_get_a_clear_422(client, as_user):
    r = upload(client, as_user(ADMIN), "name,mail\nA,b@example.vn\n")
    assert r.status_code == 422 and "full_name,email,phone" in r.json()["detail"]
    legacy = "full_name,email,phone\nLê Văn An,an@example.vn,\n".encode("cp1258")  # Excel's old Vietnamese encoding
    r = upload(client, as_user(ADMIN), legacy)
    assert r.status_code == 422 and "UTF-8" in r.json()["detail"]
    assert upload(client, as_user(ADMIN), b"").status_code == 422


def test_an_import_moves_a_member_within_the_subtree_and_not_out_of_someone_elses(client, as_user):
    upload(client, as_user(ADMIN), "full_name,email,phone,agency_code\nDi Chuyển,move@example.vn,,HNI-HK\n")
    body = upload(client, as_user(ADMIN), "full_name,email,phone,agency_code\nDi Chuyển,move@example.vn,,HNI-BD\n").json()
    assert body["updated"] == 1
    stats = client.get("/api/v1/agencies/HNI/stats", headers=as_user(ADMIN)).json()
    assert {c["code"]: c["members"] for c in stats["children"]} == {"HNI-BD": 1, "HNI-HK": 0}
    # Another province's admin cannot take them: the person is only invited, and stays where they are.
    body = upload(
        client, as_user("admin.hcm@example.vn"), "full_name,email,phone\nDi Chuyển,move@example.vn,\n", code="HCM"
    ).json()
    assert body["created"] == 0 and body["rejected"] == [{"row": 2, "reason": "invited"}]
    stats = client.get("/api/v1/agencies/HNI/stats", headers=as_user(ADMIN)).json()
    assert {c["code"]: c["members"] for c in stats["children"]} == {"HNI-BD": 1, "HNI-HK": 0}


def test_an_expired_or_unknown_invitation_gets_the_same_answer(client, as_user, tree):
    from datetime import timedelta

    from sqlmodel import select

    from hocso.accounts.models import ActivationCode
    from hocso.core.db import open_session
    from hocso.core.timeutil import utcnow

    body = upload(client, as_user(ADMIN), "full_name,email,phone\nHết Hạn,old@example.vn,\n").json()
    code = body["invitations"][0]["code"]
    with open_session(tree, write=True) as session:
        invitation = session.exec(select(ActivationCode)).one()
        invitation.expires_at = utcnow() - timedelta(minutes=1)
        session.add(invitation)
        session.commit()
    expired = client.post("/api/v1/auth/activate", json={"identifier": "old@example.vn", "code": code, "password": PASSWORD})
    unknown = client.post("/api/v1/auth/activate", json={"identifier": "nobody@example.vn", "code": code, "password": PASSWORD})
    assert expired.status_code == unknown.status_code == 400
    assert expired.json() == unknown.json()


def test_a_value_longer_than_the_csv_limit_rejects_its_row_not_the_server(client, as_user):
    content = f"full_name,email,phone\n{'A' * 200_000},long@example.vn,\nĐúng Người,ok@example.vn,\n"
    r = upload(client, as_user(ADMIN), content)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["created"] == 1
    assert [(x["row"], x["reason"]) for x in body["rejected"]] == [(2, "a value is longer than 131,072 characters")]
    # The row could not be read: it comes back empty, for the admin to fill in again.
    assert body["rejected"][0]["values"] == {"full_name": "", "email": "", "phone": ""}


def _activate(client, identifier: str, code: str):
    return client.post("/api/v1/auth/activate", json={"identifier": identifier, "code": code, "password": PASSWORD})


def test_updating_imported_people_issues_no_new_code_and_a_code_never_reopens_an_active_account(client, as_user):
    first = upload(client, as_user(ADMIN), GOOD).json()
    codes = {i["identifier"]: i["code"] for i in first["invitations"]}
    assert _activate(client, "tuyet@example.vn", codes["tuyet@example.vn"]).status_code == 200
    # The province renames both and moves them: one signed in already, one still holds an unused code.
    renamed = "full_name,email,phone,agency_code\nNguyễn Ánh Tuyết,tuyet@example.vn,,HNI-BD\nPhạm Việt,,0912000111,HNI-HK\n"
    body = upload(client, as_user(ADMIN), renamed).json()
    assert (body["created"], body["updated"], body["rejected"], body["invitations"]) == (0, 2, [], [])
    # The unused code still works for its owner, and the first code cannot set a password again.
    assert _activate(client, "0912000111", codes["+84912000111"]).status_code == 200
    again = _activate(client, "tuyet@example.vn", codes["tuyet@example.vn"])
    assert again.status_code == 400
    stats = client.get("/api/v1/agencies/HNI/stats", headers=as_user(ADMIN)).json()
    assert {c["code"]: c["members"] for c in stats["children"]} == {"HNI-BD": 1, "HNI-HK": 1}


def test_blank_lines_are_skipped_and_rows_keep_their_line_numbers(client, as_user):
    content = (
        "full_name,email,phone,agency_code\n"
        "\n"
        "Nguyễn Văn Một,mot@example.vn,,HNI-HK\n"
        ",,,\n"
        "   ,  ,,\n"
        "Trần Thị Hai,,0912000444,HNI-BD\n"
        "Sai Email,khong-phai-email,,HNI-BD\n"
        "\n"
    )
    body = upload(client, as_user(ADMIN), content).json()
    assert body["created"] == 2
    assert [(r["row"], "khong-phai-email" in r["reason"]) for r in body["rejected"]] == [(7, True)]
    stats = client.get("/api/v1/agencies/HNI/stats", headers=as_user(ADMIN)).json()
    assert {c["code"]: c["members"] for c in stats["children"]} == {"HNI-BD": 1, "HNI-HK": 1}


def test_a_file_over_the_row_limit_is_refused_whole_with_a_413_that_says_to_split_it(client, as_user):
    from hocso.staff.imports import MAX_IMPORT_ROWS

    rows = "".join(f"Cán Bộ {i},cb{i}@example.vn,,HNI-HK\n" for i in range(MAX_IMPORT_ROWS + 1))
    r = upload(client, as_user(ADMIN), "full_name,email,phone,agency_code\n" + rows)
    assert r.status_code == 413, r.text[:300]
    assert "50,000" in r.json()["detail"] and "split" in r.json()["detail"]
    vi = client.post(
        "/api/v1/agencies/HNI/members/import",
        files={"file": ("nhan-su.csv", b"full_name,email,phone\n" + b"A,,0912000555\n" * (MAX_IMPORT_ROWS + 1), "text/csv")},
        headers={"Accept-Language": "vi", **as_user(ADMIN)},
    )
    assert vi.status_code == 413 and "50.000" in vi.json()["detail"]
    assert client.get("/api/v1/agencies/HNI/stats", headers=as_user(ADMIN)).json()["members"] == 0


def test_a_file_of_exactly_the_row_limit_is_read_whole():
    from hocso.staff.imports import MAX_IMPORT_ROWS, read_staff_file

    raw = ("full_name,email,phone\n" + "\n".join(f"Cán Bộ {i},cb{i}@example.vn," for i in range(MAX_IMPORT_ROWS))).encode()
    staff = read_staff_file(raw)
    assert len(staff.rows) == MAX_IMPORT_ROWS and staff.rows[-1][0] == MAX_IMPORT_ROWS + 1


def test_a_reimport_gives_a_new_code_only_to_imported_people_whose_code_expired(client, as_user, tree):
    from datetime import timedelta

    from sqlmodel import col, select

    from hocso.accounts.models import ActivationCode, User
    from hocso.core.db import open_session
    from hocso.core.timeutil import utcnow

    first = upload(client, as_user(ADMIN), GOOD).json()
    codes = {i["identifier"]: i["code"] for i in first["invitations"]}
    # Tuyết's and Việt's codes ran out unused; Lương's is still open.
    with open_session(tree, write=True) as session:
        expired = session.exec(
            select(ActivationCode)
            .join(User, col(User.id) == col(ActivationCode.user_id))
            .where(col(User.full_name).in_(["Nguyễn Thị Ánh Tuyết", "Phạm Quốc Việt"]))
        ).all()
        assert len(expired) == 2
        for code in expired:
            code.expires_at = utcnow() - timedelta(minutes=1)
            session.add(code)
        session.commit()

    body = upload(client, as_user(ADMIN), GOOD).json()
    assert (body["created"], body["updated"], body["unchanged"], body["rejected"]) == (0, 0, 3, [])
    assert [(i["row"], i["identifier"]) for i in body["invitations"]] == [(2, "tuyet@example.vn"), (3, "+84912000111")]
    fresh = {i["identifier"]: i for i in body["invitations"]}
    for invitation in body["invitations"]:
        days = (datetime.fromisoformat(invitation["expires_at"]) - datetime.now(UTC)) / timedelta(days=1)
        assert 29.9 < days <= 30
    assert fresh["tuyet@example.vn"]["code"] != codes["tuyet@example.vn"]

    # The expired codes stay dead, the new ones sign their owners in, and the open one still works.
    assert _activate(client, "tuyet@example.vn", codes["tuyet@example.vn"]).status_code == 400
    assert _activate(client, "tuyet@example.vn", fresh["tuyet@example.vn"]["code"]).status_code == 200
    assert _activate(client, "0912000111", fresh["+84912000111"]["code"]).status_code == 200
    assert _activate(client, "luong@example.vn", codes["luong@example.vn"]).status_code == 200


def test_new_people_are_each_counted_listed_by_name_not_yet_activated_and_found_without_accents(client, as_user):
    content = (
        "full_name,email,phone,agency_code\n"
        "Vũ Thị Yến,yen@example.vn,,HNI-HK\n"
        "Đặng Văn Bảo,,0912000666,HNI-HK\n"
        "Ngô Minh Châu,chau@example.vn,,HNI-BD\n"
    )
    assert upload(client, as_user(ADMIN), content).json()["created"] == 3
    stats = client.get("/api/v1/agencies/HNI/stats", headers=as_user(ADMIN)).json()
    assert (stats["members"], {c["code"]: c["members"] for c in stats["children"]}) == (3, {"HNI-BD": 1, "HNI-HK": 2})
    listed = client.get("/api/v1/agencies/HNI/members", headers=as_user(ADMIN)).json()["items"]
    assert [(m["full_name"], m["agency"]["code"], m["activated"]) for m in listed] == [
        ("Đặng Văn Bảo", "HNI-HK", False),
        ("Ngô Minh Châu", "HNI-BD", False),
        ("Vũ Thị Yến", "HNI-HK", False),
    ]
    found = client.get("/api/v1/agencies/HNI/members", params={"q": "thi yen"}, headers=as_user(ADMIN)).json()["items"]
    assert [m["full_name"] for m in found] == ["Vũ Thị Yến"]


def test_renaming_someone_in_the_same_unit_counts_as_an_update_and_the_new_name_shows(client, as_user):
    upload(client, as_user(ADMIN), GOOD)
    renamed = GOOD.replace("Nguyễn Thị Ánh Tuyết", "Nguyễn Ánh Tuyết")
    body = upload(client, as_user(ADMIN), renamed).json()
    assert (body["created"], body["updated"], body["unchanged"], body["rejected"], body["invitations"]) == (0, 1, 2, [], [])
    listed = client.get("/api/v1/agencies/HNI/members", params={"q": "tuyet"}, headers=as_user(ADMIN)).json()["items"]
    assert [(m["full_name"], m["agency"]["code"]) for m in listed] == [("Nguyễn Ánh Tuyết", "HNI-HK")]


def test_each_code_is_ten_characters_people_can_read_and_every_character_of_it_is_random(client, as_user):
    content = "full_name,email,phone\n" + "".join(f"Người {i},nguoi{i}@example.vn,\n" for i in range(40))
    codes = [i["code"] for i in upload(client, as_user(ADMIN), content).json()["invitations"]]
    assert len(codes) == len(set(codes)) == 40
    # No 0/O or 1/I to mix up on a printed slip.
    assert all(len(c) == 10 and set(c) <= set("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for c in codes)
    # Fifty random bits, five in each character: no position is the same in forty codes (1 in 32^39 by chance).
    assert all(len({c[i] for c in codes}) > 1 for i in range(10))
