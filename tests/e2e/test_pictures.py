"""A lesson's picture on a phone: drawn within the screen, named by its alt text, and there offline once the
module is saved (the service worker's picture cache)."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.test_citizen_journey import sign_up
from tests.e2e.test_offline import wait_for_service_worker

LESSON = "/m/phishing/l/check-the-real-address"
ALT = re.compile(r"^Hai thanh địa chỉ mẫu: dichvucong\.gov\.vn kết thúc bằng \.gov\.vn là thật")
SHOWN = "(img) => img.complete && img.naturalWidth > 0 ? Math.ceil(img.getBoundingClientRect().right) : 0"


def test_the_address_reading_picture_fits_the_phone_has_its_alt_text_and_shows_offline(real_context, real_server):
    page = real_context.new_page()
    sign_up(page, "Đặng Văn Long", "long@example.vn")
    wait_for_service_worker(page)
    page.goto("/m/phishing")
    page.get_by_role("button", name="Lưu để học ngoại tuyến").click()
    expect(page.get_by_role("button", name=re.compile("Đã lưu trên máy"))).to_be_visible()

    real_context.set_offline(True)
    page.goto(LESSON)
    picture = page.get_by_role("img", name=ALT)
    expect(picture).to_have_count(1)
    picture.scroll_into_view_if_needed()
    page.wait_for_function(f"({SHOWN})(document.querySelector('.picture img')) > 0")
    assert 0 < picture.evaluate(SHOWN) <= 360
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    # In English the same lesson shows the English drawing, with its English alt text.
    page.get_by_role("button", name="Switch to English").click()
    expect(page.get_by_role("img", name=re.compile("^Two sample address bars"))).to_have_count(1)
    page.wait_for_function(f"({SHOWN})(document.querySelector('.picture img')) > 0")
    real_context.set_offline(False)
