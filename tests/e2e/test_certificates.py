"""A learner's certificates in the app: listed after a pass, downloaded as PDF, shared, verified by anyone."""

from __future__ import annotations

import subprocess
import uuid

from playwright.sync_api import expect

from tests.certificates.test_certificates import RIGHT
from tests.e2e.test_citizen_journey import sign_up


def test_a_learner_downloads_shares_and_verifies_the_certificate_of_a_passed_module(context, server, tmp_path):
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    name = "Lê Thị Ánh Tuyết"
    sign_up(page, name, "tuyet@example.vn")
    page.goto("/certificates")
    expect(page.get_by_test_id("no-certificates")).to_be_visible()

    # The quiz was passed (from another device, or synced later): the certificates are there on the next visit.
    token = server.token("tuyet@example.vn")
    r = server.api("POST", "/modules/qr-basics/attempts", token, json={"event_id": str(uuid.uuid4()), "answers": RIGHT})
    assert r.json()["passed"], r.text
    page.goto("/progress")
    page.get_by_role("link", name="Xem chứng nhận của bạn").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Chứng nhận của tôi")
    cards = page.get_by_test_id("certificate")
    expect(cards).to_have_count(2)
    module_card = cards.filter(has_text="Học phần")
    expect(module_card.get_by_role("heading")).to_have_text("Thanh toán QR cơ bản")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    with page.expect_download() as download:
        module_card.get_by_role("button", name="Tải PDF").click()
    pdf = tmp_path / "certificate.pdf"
    download.value.save_as(pdf)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert name in text and "Thanh toán QR cơ bản" in text

    module_card.get_by_role("button", name="Chia sẻ đường dẫn kiểm tra").click()
    verify_url = module_card.get_by_role("link", name="Xem trang kiểm tra").get_attribute("href")
    if page.evaluate("typeof navigator.share") == "undefined":  # desktop Chromium: the link goes to the clipboard
        expect(module_card.get_by_role("status")).to_have_text("Đã chép đường dẫn kiểm tra.")
        assert page.evaluate("navigator.clipboard.readText()") == verify_url

    # Anyone with the link, with no app and no sign-in, sees that it is genuine.
    stranger = context.browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN")
    public = stranger.new_page()
    assert verify_url.startswith(server.url + "/verify/")
    public.goto(verify_url)
    expect(public.get_by_role("heading", level=1)).to_have_text("✔ Chứng nhận hợp lệ")
    expect(public.get_by_text(name)).to_be_visible()
    stranger.close()
