"""What agency admins and invited civil servants type is understood, and refused in their language."""

from __future__ import annotations

from tests.conftest import PASSWORD
from tests.test_error_language import VI, english_words


def test_admin_inputs_are_answered_in_vietnamese(client, as_user):
    headers = {**as_user("admin.hni@example.vn"), **VI}
    for due_date in ("31/12/2026", "tomorrow", "2020-01-01"):
        r = client.post("/api/v1/agencies/HNI/requirements", json={"module": "qr-basics", "due_date": due_date}, headers=headers)
        assert r.status_code == 422 and not english_words(r.json()["detail"]), r.json()["detail"]
    r = client.get("/api/v1/agencies/HNI/stats?year=1999", headers=headers)
    assert r.status_code == 422 and not english_words(r.json()["detail"]), r.json()["detail"]
    r = client.post("/api/v1/agencies/HNI/requirements", json={"module": "QR Basics!", "due_date": "2099-01-01"}, headers=headers)
    assert r.status_code in (404, 422) and not english_words(r.json()["detail"]), r.json()["detail"]


def test_an_activation_code_typed_with_spaces_is_accepted(client, as_user):
    csv = "full_name,email,phone\nPhạm Quốc Việt,,0912000111\n"
    r = client.post(
        "/api/v1/agencies/HNI/members/import",
        files={"file": ("a.csv", csv.encode(), "text/csv")},
        headers=as_user("admin.hni@example.vn"),
    )
    code = r.json()["invitations"][0]["code"]
    spaced = f" {code[:3]} {code[3:6].lower()}  {code[6:]} "
    r = client.post("/api/v1/auth/activate", json={"identifier": "0912000111", "code": spaced, "password": PASSWORD})
    assert r.status_code == 200, r.text


def test_import_rejection_reasons_are_in_the_readers_language(client, as_user):
    csv = (
        "full_name,email,phone,agency_code\n"
        ",a@example.vn,,\n"
        "Lan,not-an-email,,\n"
        "Lan,,12345,\n"
        "Lan,,,\n"
        "Lan,b@example.vn,,\n"
        "Lan Hai,b@example.vn,,\n"
        "Lan,c@example.vn,,HCM\n"
        "Lan,d@example.vn,,HNI,extra\n"
    )
    for lang in ("vi", "en"):
        r = client.post(
            "/api/v1/agencies/HNI/members/import",
            files={"file": ("a.csv", csv.encode(), "text/csv")},
            headers={**as_user("admin.hni@example.vn"), "Accept-Language": lang},
        )
        reasons = [x["reason"] for x in r.json()["rejected"]]
        assert len(reasons) == 7, reasons
        if lang == "vi":
            assert [reason for reason in reasons if english_words(reason)] == []
        else:
            assert all(english_words(reason) for reason in reasons), reasons
