"""Search across modules on a phone, online (the server) and offline (the device's copy), typed without accents;
and a Topics page that is a short list of topics opening to their modules, not the whole catalogue at once."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.test_citizen_journey import sign_up
from tests.e2e.test_offline import wait_for_service_worker

H1 = {"role": "heading", "level": 1}
PORTAL = "Nộp hồ sơ trên Cổng Dịch vụ công quốc gia"


def search_for(page, words: str) -> None:
    box = page.get_by_role("search").get_by_label(re.compile("Tìm trong các học phần"))
    box.fill(words)
    box.press("Enter")
    expect(page.get_by_role(**H1)).to_have_text(f"Kết quả cho “{words}”")


def test_dich_vu_cong_finds_the_portal_online_and_among_saved_modules_offline(real_context, real_server):
    page = real_context.new_page()
    sign_up(page, "Ngô Thị Mai", "mai@example.vn")
    wait_for_service_worker(page)
    page.goto("/m/public-service-portal")
    page.get_by_role("button", name="Lưu để học ngoại tuyến").click()
    expect(page.get_by_role("button", name=re.compile("Đã lưu trên máy"))).to_be_visible()

    page.goto("/learn")
    with page.expect_response(re.compile(r"/api/v1/search\?q=dich%20vu%20cong")) as asked:
        search_for(page, "dich vu cong")
    assert asked.value.status == 200
    hit = page.get_by_test_id("search-hit").filter(has=page.get_by_role("link", name=PORTAL))
    expect(hit).to_have_count(1)
    expect(hit.get_by_role("link").nth(1)).to_be_visible()  # a lesson that speaks of it, with its words
    expect(hit.locator(".snippet").first).to_contain_text(re.compile("dịch vụ công", re.I))
    online = page.get_by_test_id("search-hit").count()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    real_context.set_offline(True)
    search_for(page, "dich vu cong")
    expect(page.get_by_text("Bạn đang ngoại tuyến: kết quả chỉ gồm những gì đã lưu trên máy.")).to_be_visible()
    expect(hit).to_have_count(1)
    expect(hit).not_to_contain_text("Chưa lưu trên máy")
    expect(hit.locator(".snippet").first).to_contain_text(re.compile("dịch vụ công", re.I))
    # Modules not on this phone are still found by their title and summary, and say that they need the network.
    expect(page.locator("[data-testid=search-hit].unavailable").first).to_contain_text("Chưa lưu trên máy, cần có mạng")
    assert 1 < page.get_by_test_id("search-hit").count() <= online
    hit.get_by_role("link").nth(1).click()
    expect(page.get_by_role(**H1)).not_to_have_text(re.compile("Kết quả|Đang tải"))
    expect(page.locator(".prose")).to_be_visible()
    real_context.set_offline(False)


def test_topics_fit_a_short_page_and_open_to_their_modules(real_context, real_server):
    page = real_context.new_page()
    page.goto("/learn")
    topics = page.locator(".topic")
    expect(topics).to_have_count(4)
    expect(page.locator(".card:visible")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollHeight") < 2400  # the whole catalogue open was 6,600 px
    first = topics.first
    first.locator("summary").click()
    expect(first.locator(".card").first).to_be_visible()
    count = first.locator(".card").count()
    expect(first.locator("summary")).to_have_text(f"Xem {count} học phần")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    # Each topic has a page of its own.
    first.get_by_role("heading").get_by_role("link").click()
    expect(page.locator(".card:visible")).to_have_count(count)
