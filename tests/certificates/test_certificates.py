"""Certificates: issued with the completion, printable, publicly verifiable, revoked with the account."""

from __future__ import annotations

import shutil
import subprocess
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from tests.conftest import FIXTURE_CONTENT, auth_header, login, register
from tests.learning.conftest import clock, signed_up_since  # noqa: F401  (clock is a fixture)

QUIZ = yaml.safe_load((FIXTURE_CONTENT / "e-payment" / "qr-basics" / "quiz.yaml").read_text())
RIGHT = {q["id"]: [c["id"] for c in q["choices"] if c.get("correct")] for q in QUIZ["questions"]}
WRONG = {q["id"]: [next(c["id"] for c in q["choices"] if not c.get("correct"))] for q in QUIZ["questions"]}
NAME = "Nguyễn Thị Ánh Tuyết"


def person(client, name=NAME):
    body = register(client, full_name=name)
    return auth_header(login(client, body["email"]))


def attempt(client, headers, answers, **extra):
    body = {"event_id": str(uuid.uuid4()), "answers": answers, **extra}
    r = client.post("/api/v1/modules/qr-basics/attempts", json=body, headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


def certificates(client, headers, **params):
    r = client.get("/api/v1/me/certificates", headers=headers, params=params)
    assert r.status_code == 200, r.text
    return r.json()


def module_certificate(client, headers):
    return next(c for c in certificates(client, headers) if c["kind"] == "module")


def test_passing_a_module_issues_its_certificate_and_the_years_and_only_to_that_person(client):
    lan, binh = person(client), person(client, "Trần Văn Bình")
    assert attempt(client, binh, WRONG)["passed"] is False
    assert certificates(client, binh) == []  # a failed quiz earns nothing

    assert attempt(client, lan, RIGHT)["passed"] is True
    certs = certificates(client, lan)
    assert sorted(c["kind"] for c in certs) == ["module", "year"]
    module = next(c for c in certs if c["kind"] == "module")
    year = next(c for c in certs if c["kind"] == "year")
    assert module["module"] == "qr-basics" and module["year"] == year["year"] == datetime.now(UTC).year
    assert str(year["year"]) in year["name"]
    assert module["verify_url"].endswith(f"/verify/{module['id']}")
    assert certificates(client, binh) == []
    # A second pass of the same module issues nothing new.
    attempt(client, lan, RIGHT)
    assert sorted(c["id"] for c in certificates(client, lan)) == sorted(c["id"] for c in certs)


def test_certificate_ids_cannot_be_guessed(client):
    ids = []
    for i in range(3):
        h = person(client, f"Người {i}")
        attempt(client, h, RIGHT)
        ids += [c["id"] for c in certificates(client, h)]
    assert len(set(ids)) == 6
    assert all(len(i) >= 22 for i in ids)  # 18 random bytes, URL-safe
    assert client.get(f"/api/v1/certificates/{ids[0][:-1]}A").status_code in (404,) or ids[0].endswith("A")


def test_an_offline_completion_gets_its_certificate_on_sync_dated_when_it_was_done(client, engine):
    # A phone's time is believed back to when the account was made: this one is older than the completions.
    lan = signed_up_since(client, engine, "lan.offline@example.vn", since=datetime.now(UTC) - timedelta(days=30))
    done = (datetime.now(UTC) - timedelta(days=3)).replace(microsecond=0)
    attempt(client, lan, RIGHT, occurred_at=done.isoformat())
    cert = module_certificate(client, lan)
    assert datetime.fromisoformat(cert["achieved_at"]) == done
    # A still earlier pass synced later moves the date back rather than adding a certificate.
    earlier = done - timedelta(days=1)
    attempt(client, lan, RIGHT, occurred_at=earlier.isoformat())
    again = module_certificate(client, lan)
    assert again["id"] == cert["id"] and datetime.fromisoformat(again["achieved_at"]) == earlier


def test_a_completion_synced_late_into_the_year_before_moves_the_certificates_to_that_year(client, engine, clock):  # noqa: F811
    clock.at = datetime(2026, 1, 20, 3, 0, tzinfo=UTC)  # January: 2025 is still open
    lan = signed_up_since(client, engine, "lan.late@example.vn")
    attempt(client, lan, RIGHT, occurred_at="2026-01-10T09:00:00+07:00")
    first = {c["kind"]: c for c in certificates(client, lan)}
    assert first["module"]["year"] == first["year"]["year"] == 2026

    # The phone that passed it in December syncs now: the module and the goal count in 2025 instead.
    attempt(client, lan, RIGHT, occurred_at="2025-12-28T20:00:00+07:00")
    after = {c["kind"]: c for c in certificates(client, lan)}
    assert after["module"]["id"] == first["module"]["id"] and after["module"]["year"] == 2025
    assert datetime.fromisoformat(after["module"]["achieved_at"]) == datetime(2025, 12, 28, 13, 0, tzinfo=UTC)
    assert after["year"]["year"] == 2025 and after["year"]["id"] != first["year"]["id"]
    # 2026 has no new skill left, so its certificate is revoked, for the holder and for anyone verifying it.
    assert len(certificates(client, lan)) == 2
    assert client.get(f"/api/v1/certificates/{first['year']['id']}").json()["status"] == "revoked"


def _pdftotext(pdf: bytes, tmp_path: Path) -> str:
    assert shutil.which("pdftotext"), "pdftotext is missing: `make test` installs Debian's poppler-utils"
    path = tmp_path / "c.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout


def test_the_pdf_is_a4_landscape_with_the_name_as_real_text_and_the_verify_link(client, tmp_path):
    lan = person(client)
    attempt(client, lan, RIGHT)
    cert = module_certificate(client, lan)
    r = client.get(f"/api/v1/certificates/{cert['id']}.pdf", headers=lan)
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    text = _pdftotext(r.content, tmp_path)
    assert NAME in text  # diacritics as text, exactly as the person typed them
    assert "CHỨNG NHẬN" in text and cert["number"] in text and cert["verify_url"] in text
    info = subprocess.run(["pdfinfo", str(tmp_path / "c.pdf")], capture_output=True, text=True, check=True).stdout
    assert "841.89 x 595.28" in info or "842 x 595" in info  # A4, landscape
    english = _pdftotext(
        client.get(f"/api/v1/certificates/{cert['id']}.pdf", headers=lan, params={"lang": "en"}).content, tmp_path
    )
    assert "CERTIFICATE" in english and NAME in english


def test_nobody_else_gets_a_persons_pdf_or_credential(client):
    lan, binh = person(client), person(client, "Trần Văn Bình")
    attempt(client, lan, RIGHT)
    cert = module_certificate(client, lan)
    for path in (f"/api/v1/certificates/{cert['id']}.pdf", f"/api/v1/certificates/{cert['id']}/credential"):
        assert client.get(path, headers=binh).status_code == 404
        assert client.get(path).status_code == 401


def test_anyone_can_verify_a_certificate_by_its_link_and_an_unknown_one_is_not_found(client):
    lan = person(client)
    attempt(client, lan, RIGHT)
    cert = module_certificate(client, lan)
    public = client.get(f"/api/v1/certificates/{cert['id']}").json()
    assert public["status"] == "valid" and public["holder_name"] == NAME and public["number"] == cert["number"]
    assert public["achievement"]["name"] and public["achievement"]["criteria"] and public["issuer"]["name"]
    page = client.get(f"/verify/{cert['id']}")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert NAME in page.text and "Chứng nhận hợp lệ" in page.text and cert["number"] in page.text
    assert "Valid certificate" in client.get(f"/verify/{cert['id']}", params={"lang": "en"}).text
    assert client.get("/api/v1/certificates/not-a-real-certificate-id").status_code == 404
    missing = client.get("/verify/not-a-real-certificate-id")
    assert missing.status_code == 404 and "Không tìm thấy chứng nhận" in missing.text


def test_an_erased_account_s_certificates_answer_revoked_and_show_no_name(client):
    lan, binh = person(client), person(client, "Trần Văn Bình")
    attempt(client, lan, RIGHT)
    attempt(client, binh, RIGHT)
    cert = module_certificate(client, lan)
    kept = module_certificate(client, binh)
    assert client.delete("/api/v1/me", headers=lan).status_code == 204
    public = client.get(f"/api/v1/certificates/{cert['id']}").json()
    assert public["status"] == "revoked" and public["holder_name"] is None
    page = client.get(f"/verify/{cert['id']}").text
    assert NAME not in page and "đã bị thu hồi" in page
    assert client.get(f"/api/v1/certificates/{kept['id']}").json()["status"] == "valid"  # only that person's


def test_the_public_verification_endpoints_are_rate_limited(app, client):
    lan = person(client)
    attempt(client, lan, RIGHT)
    cert = module_certificate(client, lan)
    app.state.verify_limiter.limit = 3
    answers = [client.get(f"/api/v1/certificates/{cert['id']}").status_code for _ in range(3)]
    answers.append(client.get(f"/verify/{cert['id']}").status_code)
    assert answers[:3] == [200, 200, 200]
    limited = client.get(f"/api/v1/certificates/{cert['id']}")
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0


@pytest.fixture
def rendered_fonts_missing(settings, tmp_path):
    settings.pdf_font_dir = tmp_path / "no-fonts"
    return settings


def test_a_server_without_the_fonts_says_so_instead_of_failing(rendered_fonts_missing, client):
    lan = person(client)
    attempt(client, lan, RIGHT)
    cert = module_certificate(client, lan)
    r = client.get(f"/api/v1/certificates/{cert['id']}.pdf", headers=lan)
    assert r.status_code == 503 and "fonts-dejavu-core" in r.json()["detail"]
