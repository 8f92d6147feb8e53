"""Every reason an import gives, word for word: an admin fixes the file from what these say."""

from __future__ import annotations

from tests.agencies.test_import import upload

ADMIN = "admin.hni@example.vn"


def _rejected(body: dict) -> list[tuple[int, str]]:
    return [(r["row"], r["reason"]) for r in body["rejected"]]


def test_each_bad_row_says_what_is_wrong_with_it_and_comes_back_as_it_was_written(client, as_user):
    long_name = "Nguyễn " * 60  # 420 characters
    long_email = "khong-phai-email-" + "x" * 90
    long_phone = "12345-" + "6" * 50
    far_code = "HNI-" + "X" * 70
    content = (
        "full_name,email,phone,agency_code\n"
        ",a@example.vn,,\n"
        f"{long_name},long@example.vn,,\n"
        "Tên\x07Lạ,bell@example.vn,,\n"
        f"Lan,{long_email},,\n"
        f"Lan,,{long_phone},\n"
        "Lan,,,\n"
        "Đúng Người,dung@example.vn,,\n"
        "Trùng Lặp,DUNG@example.vn,,\n"
        "Quá Nhiều,x@example.vn,,HNI,extra\n"
        "Tỉnh Khác,khac@example.vn,,HCM\n"
        f"Xa Lạ,xa@example.vn,,{far_code}\n"
        "Cũng Đúng,,0912000111,HNI-HK\n"
    )
    body = upload(client, as_user(ADMIN), content).json()
    assert (body["created"], body["updated"], body["unchanged"]) == (2, 0, 0)
    assert _rejected(body) == [
        (2, "full_name is empty"),
        (3, "full_name is longer than 200 characters"),
        (4, "full_name contains control characters"),
        (5, f"'{long_email[:80]}' is not a valid email address"),
        (6, f"'{long_phone[:40]}' is not a phone number (e.g. 0912345678)"),
        (7, "give an email or a phone number"),
        (9, "dung@example.vn is already on row 8"),
        (10, "5 values but the header has 4 columns"),
        (11, "agency HCM is not in the subtree of HNI"),
        (12, f"agency {far_code[:64]} is not in the subtree of HNI"),
    ]
    values = {r["row"]: r["values"] for r in body["rejected"]}
    # Each value as it was written, cut at 300 characters: the rejected rows download as a file to fix.
    assert values[3] == {"full_name": long_name[:300], "email": "long@example.vn", "phone": "", "agency_code": ""}
    assert values[9] == {"full_name": "Trùng Lặp", "email": "DUNG@example.vn", "phone": "", "agency_code": ""}
    assert values[11] == {"full_name": "Tỉnh Khác", "email": "khac@example.vn", "phone": "", "agency_code": "HCM"}


def test_rows_that_name_existing_people_say_why_nothing_changed(client, as_user):
    first = upload(client, as_user(ADMIN), "full_name,email,phone\nAn,an@example.vn,\nBình,,0912000111\n").json()
    assert first["created"] == 2
    # One file per case: a file naming one person on two rows rejects the second as a duplicate.
    header = "full_name,email,phone\n"
    both = upload(client, as_user(ADMIN), header + "An,an@example.vn,0912000111\n").json()  # An's email, Bình's phone
    assert _rejected(both) == [(2, "this email and this phone cannot be used together; check them or give only one")]
    assert both["rejected"][0]["values"] == {"full_name": "An", "email": "an@example.vn", "phone": "0912000111"}
    added = upload(client, as_user(ADMIN), header + "An,an@example.vn,0912000999\n").json()  # a phone An was not given
    assert _rejected(added) == [
        (2, "this person was imported with another email or phone; an import does not add or change them")
    ]
    # Another province's admin is only invited; Bình, as imported, is unchanged.
    body = upload(client, as_user(ADMIN), header + "Quản Trị,admin.hcm@example.vn,\nBình,,0912000111\n").json()
    assert (body["created"], body["updated"], body["unchanged"], body["invited"], body["invitations"]) == (0, 0, 1, 1, [])
    assert _rejected(body) == [(2, "invited")]


def test_files_that_cannot_be_read_are_refused_in_the_admins_language(client, as_user):
    wrong_header = b"name,mail\nA,b@example.vn\n"
    legacy = "full_name,email,phone\nLê Văn An,an@example.vn,\n".encode("cp1258")  # Excel's old Vietnamese encoding
    not_a_workbook = b"PK\x03\x04 not really a zip"
    expected = {
        "en": [
            "The first line must be: full_name,email,phone or full_name,email,phone,agency_code.",
            "The first line must be: full_name,email,phone or full_name,email,phone,agency_code.",
            "The file is not UTF-8 text. In Excel choose File > Save As > 'CSV UTF-8 (Comma delimited)'.",
            "The file is not an Excel workbook that can be read; save it again as .xlsx or as CSV UTF-8.",
        ],
        "vi": [
            "Dòng đầu phải là: full_name,email,phone hoặc full_name,email,phone,agency_code.",
            "Dòng đầu phải là: full_name,email,phone hoặc full_name,email,phone,agency_code.",
            "Tệp không phải văn bản UTF-8. Trong Excel chọn Lưu thành > 'CSV UTF-8 (Comma delimited)'.",
            "Không đọc được tệp Excel này; hãy lưu lại thành .xlsx hoặc CSV UTF-8.",
        ],
    }
    for lang, details in expected.items():
        got = []
        for raw in (wrong_header, b"", legacy, not_a_workbook):
            r = upload(client, {**as_user(ADMIN), "Accept-Language": lang}, raw)
            assert r.status_code == 422, r.text
            got.append(r.json()["detail"])
        assert got == details, lang


def test_a_header_in_capitals_rows_missing_their_last_columns_and_a_phone_given_twice(client, as_user):
    content = (
        " Full_Name , EMAIL ,Phone,Agency_Code\n"
        "Nguyễn Văn Một,mot@example.vn\n"  # the empty phone and agency at the end of the line left out
        "Trần Thị Hai,,0912000777\n"
        "Lê Văn Ba,,0912 000 777,HNI-HK\n"
    )
    body = upload(client, as_user(ADMIN), content).json()
    assert (body["created"], body["updated"], body["unchanged"]) == (2, 0, 0)
    assert _rejected(body) == [(4, "+84912000777 is already on row 3")]
    assert body["rejected"][0]["values"] == {
        "full_name": "Lê Văn Ba",
        "email": "",
        "phone": "0912 000 777",
        "agency_code": "HNI-HK",
    }
    listed = client.get("/api/v1/agencies/HNI/members", headers=as_user(ADMIN)).json()["items"]
    assert [(m["full_name"], m["agency"]["code"]) for m in listed] == [("Nguyễn Văn Một", "HNI"), ("Trần Thị Hai", "HNI")]


def test_a_name_of_200_characters_is_taken_and_one_of_201_is_not(client, as_user):
    at_limit, over = "Lê " * 66 + "An", "Lê " * 66 + "Anh"
    assert (len(at_limit), len(over)) == (200, 201)
    body = upload(client, as_user(ADMIN), f"full_name,email,phone\n{at_limit},dai@example.vn,\n{over},dai2@example.vn,\n").json()
    assert (body["created"], _rejected(body)) == (1, [(3, "full_name is longer than 200 characters")])
    listed = client.get("/api/v1/agencies/HNI/members", headers=as_user(ADMIN)).json()["items"]
    assert [m["full_name"] for m in listed] == [at_limit]


def test_a_fourth_column_other_than_agency_code_is_refused_rather_than_ignored(client, as_user):
    # "agency" for "agency_code": ignored, both people would land in Hà Nội itself instead of their ward.
    content = "full_name,email,phone,agency\nMai Lan,mai.lan@example.vn,,HNI-HK\nTô Hùng,to.hung@example.vn,,HNI-BD\n"
    for lang, detail in (
        ("en", "The first line must be: full_name,email,phone or full_name,email,phone,agency_code."),
        ("vi", "Dòng đầu phải là: full_name,email,phone hoặc full_name,email,phone,agency_code."),
    ):
        r = upload(client, {**as_user(ADMIN), "Accept-Language": lang}, content)
        assert (r.status_code, r.json()["detail"]) == (422, detail)
    assert client.get("/api/v1/agencies/HNI/stats", headers=as_user(ADMIN)).json()["members"] == 0


def test_a_semicolon_file_is_told_by_its_header_even_when_its_names_hold_more_commas(client, as_user):
    # Excel in a European locale writes semicolons; titles after a name bring commas, more of them than semicolons.
    names = [
        "Nguyễn Văn An, GS, TS, Trưởng phòng, Tổ 1, Khu 2, Đội 3",
        "Lê Thị Bình, ThS, BS, Phó phòng, Tổ 2, Khu 3, Đội 4",
        "Trần Cường, KS, Tổ 5, Khu 1",
    ]
    rows = "".join(f"{name};nguoi{i}.sc@example.vn;;HNI-HK\n" for i, name in enumerate(names))
    assert rows.count(",") > rows.count(";") + 3  # more commas in the file than semicolons, the header's included
    body = upload(client, as_user(ADMIN), "full_name;email;phone;agency_code\n" + rows).json()
    assert (body["created"], body["rejected"]) == (3, [])
    listed = client.get("/api/v1/agencies/HNI/members", headers=as_user(ADMIN)).json()["items"]
    assert sorted(m["full_name"] for m in listed) == sorted(names)


def test_a_file_with_old_mac_line_endings_imports_every_row(client, as_user):
    # "CSV (Macintosh)" from older Excel ends lines with a carriage return alone.
    content = "full_name,email,phone\rHà Văn Một,mot.mac@example.vn,\rHà Thị Hai,,0912000777\r"
    body = upload(client, as_user(ADMIN), content).json()
    assert (body["created"], body["rejected"]) == (2, [])
    assert [i["identifier"] for i in body["invitations"]] == ["mot.mac@example.vn", "+84912000777"]
