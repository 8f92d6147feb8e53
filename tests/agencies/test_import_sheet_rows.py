"""Where a staff workbook's rows are numbered: people far below blank rows are read, a row past Excel's last is refused."""

from __future__ import annotations

from hocso.staff import imports
from tests.agencies.test_staff_onboarding import ADMIN, post_xlsx, rewrite_sheet, xlsx

HEADER = ["full_name", "email", "phone", "agency_code"]
CHI, DUNG = ["Lê Chi", "chi.far@example.vn", None, "HNI-HK"], ["Phạm Dũng", "dung.far@example.vn", None, "HNI-BD"]


def second_person_on_row(first: list, second: list, row: int) -> bytes:
    """A sheet with the first person on row 2 and the second on the given row, its dimension saying so."""
    body = xlsx([HEADER, first, second])
    moved = {f'r="{col}3"': f'r="{col}{row}"' for col in "ABD"}
    return rewrite_sheet(
        body, {'<dimension ref="A1:D3"': f'<dimension ref="A1:D{row}"', '<row r="3">': f'<row r="{row}">', **moved}
    )


def members(client, as_user) -> set[str]:
    return {m["full_name"] for m in client.get("/api/v1/agencies/HNI/members", headers=as_user(ADMIN)).json()["items"]}


def test_a_person_100000_rows_down_is_imported_and_a_row_past_excels_last_is_refused_with_nothing_imported(client, as_user):
    an, binh = ["Nguyễn Văn An", "an.far@example.vn", None, "HNI-HK"], ["Trần Bình", "binh.far@example.vn", None, "HNI-BD"]
    far = post_xlsx(client, as_user(ADMIN), second_person_on_row(an, binh, 100_000))
    assert far.status_code == 200, far.text
    assert (far.json()["created"], far.json()["rejected"]) == (2, [])
    assert [i["identifier"] for i in far.json()["invitations"]] == ["an.far@example.vn", "binh.far@example.vn"]

    # A sheet Excel could not have written: openpyxl would hand over an empty row for every number skipped.
    past = post_xlsx(client, as_user(ADMIN), second_person_on_row(CHI, DUNG, 1_048_577))
    assert (past.status_code, past.json()["detail"]) == (
        422,
        "The sheet has more than 1,048,576 rows, more than Excel allows; save it as CSV UTF-8.",
    )
    assert {"Nguyễn Văn An", "Trần Bình"} <= members(client, as_user) and not {"Lê Chi", "Phạm Dũng"} & members(client, as_user)


def test_the_sheet_row_limit_is_said_in_vietnamese_and_the_last_row_it_allows_is_read(client, as_user, monkeypatch):
    monkeypatch.setattr(imports, "EXCEL_MAX_ROWS", 2_000)  # the real limit's million empty rows, cheaper
    past = post_xlsx(client, as_user(ADMIN), second_person_on_row(CHI, DUNG, 2_001), "vi")
    assert (past.status_code, past.json()["detail"]) == (
        422,
        "Trang tính có hơn 2.000 dòng, nhiều hơn Excel cho phép; hãy lưu thành CSV UTF-8.",
    )
    at = post_xlsx(client, as_user(ADMIN), second_person_on_row(CHI, DUNG, 2_000))
    assert (at.status_code, at.json()["created"]) == (200, 2)
    assert {"Lê Chi", "Phạm Dũng"} <= members(client, as_user)
