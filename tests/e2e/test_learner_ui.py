"""What learners on real phones meet: saved modules open at once on a link that barely answers, offline shows
what is saved, quizzes that teach and keep the answers, one word per concept, and pages a screen reader follows."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.e2e.test_admin_and_install import complete_fixture_module, sign_in
from tests.e2e.test_citizen_journey import answer_quiz, check_answer, sign_up
from tests.e2e.test_offline import save_module_for_offline, wait_for_service_worker
from tests.e2e.test_phone_screens import GO


@pytest.fixture(scope="module")
def server(module_server):
    """One server for the file: every test here reads or signs up people of its own (conftest's module_server)."""
    return module_server


SLUG = "qr-basics"
H1 = {"role": "heading", "level": 1}


def height(locator) -> float:
    return locator.evaluate("(e) => e.getBoundingClientRect().height")


def focused_text(page) -> str:
    return page.evaluate("document.activeElement.tagName + ':' + document.activeElement.textContent.trim()")


def test_a_saved_module_and_its_lessons_open_at_once_when_the_network_barely_answers(context, server):
    page = context.new_page()
    sign_up(page, "Trần Văn Minh", "minh@example.vn")
    wait_for_service_worker(page)
    save_module_for_offline(page)

    # From now on the API answers only after a long wait (a 15 s link): requests are held, then let through.
    held, slow = [], [True]
    context.route("**/api/v1/**", lambda route: held.append(route) if slow[0] else route.continue_())
    page.goto("/")
    page.get_by_test_id("saved").get_by_role("link", name="Thanh toán QR cơ bản").click()
    expect(page.get_by_role(**H1)).to_have_text("Thanh toán QR cơ bản", timeout=2_000)
    page.get_by_role("link", name="Kiểm tra người nhận").click()
    expect(page.get_by_role(**H1)).to_have_text("Kiểm tra người nhận", timeout=2_000)
    expect(page.locator(".prose")).to_contain_text("người nhận", timeout=2_000)
    assert held, "the app did not ask the network for a fresher copy"

    # The network answers at last, with a changed module: the screen takes the fresh copy by itself.
    slow[0] = False
    for route in held:
        if re.search(rf"/modules/{SLUG}\?lang=vi", route.request.url):
            body = route.fetch().json()
            body["lessons"][1]["title"] = "Kiểm tra người nhận (bản mới)"
            route.fulfill(json=body)
        else:
            route.continue_()
    expect(page.get_by_role(**H1)).to_have_text("Kiểm tra người nhận (bản mới)")
    context.unroute_all(behavior="ignoreErrors")


def test_offline_the_app_shows_what_is_saved_first_and_marks_what_needs_the_network(real_context, real_server):
    page = real_context.new_page()
    sign_up(page, "Lê Thị Hoa", "hoa@example.vn")
    wait_for_service_worker(page)
    page.goto("/m/phishing")
    page.get_by_role("button", name="Lưu để học ngoại tuyến").click()
    expect(page.get_by_role("button", name=re.compile("Đã lưu trên máy"))).to_be_visible()

    real_context.set_offline(True)
    page.goto("/")
    # The saved list comes from IndexedDB a moment after the page: read the order once it is there.
    expect(page.get_by_test_id("saved")).to_contain_text("Nhận ra thư và tin nhắn giả mạo")
    sections = page.locator("main h2").all_inner_texts()
    assert sections[0] == "Đã lưu để học ngoại tuyến", sections
    suggested = page.get_by_role("region", name="Gợi ý cho bạn")
    expect(suggested.get_by_text("Chưa lưu trên máy, cần có mạng").first).to_be_visible()
    expect(page.get_by_role("alert")).to_have_count(0)

    # A module that is not saved says so, under a heading that is not "Loading…".
    suggested.get_by_role("link").first.click()
    expect(page.get_by_role(**H1)).to_have_text("Học phần này chưa được lưu trên máy")
    expect(page).not_to_have_title(re.compile("Đang tải"))
    expect(page.get_by_role("alert")).to_have_count(0)

    # Topics works from what was kept when the module was saved: everything listed, the unsaved marked.
    page.get_by_role("navigation").get_by_role("link", name="Học", exact=True).click()
    expect(page.get_by_role(**H1)).to_have_text("Chủ đề")
    cards = page.locator(".card")
    page.wait_for_function("document.querySelectorAll('.card').length > 10")  # listed from the device's copy
    expect(page.locator(".card", has_text="Nhận ra thư và tin nhắn giả mạo")).not_to_contain_text("Chưa lưu trên máy")
    expect(page.locator(".card.unavailable")).to_have_count(cards.count() - 1)
    expect(page.get_by_role("alert")).to_have_count(0)


def test_a_phone_shows_one_question_per_screen_names_the_missing_one_keeps_answers_while_rereading_and_shows_what_you_picked(
    context, server
):
    page = context.new_page()
    sign_up(page, "Phạm Thu Trang", "trang@example.vn")
    page.goto(f"/m/{SLUG}/quiz")
    step = page.get_by_test_id("step-count")
    expect(step).to_have_text("Câu 1/4")  # the fixture quiz draws 4 of its 6 questions, one per screen
    expect(page.get_by_role("group")).to_have_count(1)
    expect(page.get_by_role("button", name="Câu trước")).to_have_count(0)
    expect(page.get_by_role("button", name="Nộp bài")).to_have_count(0)
    # The question's border runs above the question, never through its text.
    box = page.locator("fieldset").first.evaluate("""(f) => ({
        legend: f.querySelector('legend').getBoundingClientRect().top,
        top: f.getBoundingClientRect().top + parseFloat(getComputedStyle(f).borderTopWidth) })""")
    assert box["legend"] >= box["top"], box

    check_answer(page.get_by_role("group"))
    page.get_by_role("button", name="Câu tiếp").click()
    check_answer(page.get_by_role("group"))
    page.get_by_role("button", name="Câu tiếp").click()
    expect(step).to_have_text("Câu 3/4")
    page.get_by_role("button", name="Câu tiếp").click()  # the third is left for later
    expect(step).to_have_text("Câu 4/4")
    check_answer(page.get_by_role("group"))
    page.get_by_role("button", name="Nộp bài").click()
    expect(page.get_by_role("alert")).to_have_text("Bạn chưa trả lời câu 3.")
    expect(step).to_have_text("Câu 3/4")
    assert page.get_by_role("group").evaluate("(f) => f.contains(document.activeElement)"), focused_text(page)

    # Off to re-read a lesson and back: the question reached and the answers given so far are still there.
    page.locator(".crumbs").get_by_role("link").click()
    page.get_by_role("link", name="Quét mã").click()
    expect(page.get_by_role(**H1)).to_have_text("Quét mã")
    page.go_back()
    page.go_back()
    expect(step).to_have_text("Câu 3/4")
    page.get_by_role("button", name="Câu trước").click()
    page.get_by_role("button", name="Câu trước").click()
    expect(step).to_have_text("Câu 1/4")
    expect(page.get_by_role("group").get_by_label("Đúng", exact=True)).to_be_checked()

    page.get_by_role("button", name="Câu tiếp").click()
    page.get_by_role("button", name="Câu tiếp").click()
    check_answer(page.get_by_role("group"), right=False)
    page.get_by_role("button", name="Câu tiếp").click()
    page.get_by_role("button", name="Nộp bài").click()
    expect(page.get_by_test_id("verdict")).to_be_visible()
    # Each question's feedback on its own screen: what you picked, next to the right answer when it is earned.
    expect(step).to_have_text("Câu 1/4")
    feedback = page.get_by_test_id("feedback")
    expect(feedback).to_have_count(1)
    expect(feedback).to_contain_text(re.compile("Bạn chọn: .*Đúng"))
    page.get_by_role("button", name="Câu tiếp").click()
    page.get_by_role("button", name="Câu tiếp").click()
    expect(step).to_have_text("Câu 3/4")
    expect(feedback).to_contain_text("Bạn chọn: Sai")
    # The right answer, when the server gives it; otherwise when it will.
    expect(feedback).to_contain_text(re.compile("Đáp án đúng: Đúng|Đáp án sẽ hiện khi bạn đạt"))
    assert "module" not in feedback.inner_text().lower() and "bài học" not in feedback.inner_text().lower()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_an_offline_quiz_shows_its_score_once_synced_without_leaving_the_page(context, server):
    page = context.new_page()
    sign_up(page, "Vũ Minh Khôi", "khoi@example.vn")
    wait_for_service_worker(page)
    page.goto(f"/m/{SLUG}/quiz")
    expect(page.get_by_test_id("step-count")).to_have_text("Câu 1/4")
    context.set_offline(True)
    answer_quiz(page)
    expect(page.get_by_text(re.compile("Bài sẽ được chấm khi có mạng"))).to_be_visible()
    context.set_offline(False)
    expect(page.get_by_test_id("verdict")).to_have_text(re.compile("Đạt!"), timeout=15_000)
    expect(page.get_by_text(re.compile("Bài sẽ được chấm khi có mạng"))).to_have_count(0)


def test_one_word_per_concept_honest_buttons_titles_per_page_and_a_small_header(context, server):
    page = context.new_page()
    sign_up(page, "Hoàng Văn Nam", "nam@example.vn")
    header = page.locator("header")
    assert height(header) <= 0.12 * 740
    expect(page).to_have_title("Xin chào, Hoàng Văn Nam – Hocso")
    seen = []
    for url, heading in [
        ("/learn", "Chủ đề"),
        (f"/m/{SLUG}", "Thanh toán QR cơ bản"),
        (f"/m/{SLUG}/l/scan", "Quét mã"),
        (f"/m/{SLUG}/quiz", "Bài kiểm tra"),
        ("/progress", "Tiến độ của tôi"),
        ("/account", "Tài khoản"),
    ]:
        page.evaluate(GO, url)
        expect(page.get_by_role(**H1)).to_have_text(heading)
        expect(page).to_have_title(f"{heading} – Hocso")
        seen.append(page.locator("body").inner_text())
    page.evaluate(GO, "/")
    expect(page.get_by_test_id("goal")).to_be_visible()
    seen.append(page.locator("body").inner_text())
    text = "\n".join(seen)
    assert "module" not in text.lower() and "bài học" not in text.lower()
    assert "học phần" in text

    # Lesson links and the way back are 44 px targets.
    page.evaluate(GO, f"/m/{SLUG}")
    for link in [page.get_by_role("link", name="← Học"), *page.locator(".lesson-list a").all()]:
        assert height(link) >= 44, link

    # A completed module offers a review, not "continue"; more skills than the goal is not "2/1".
    complete_fixture_module(server, "nam@example.vn")
    page.reload()
    expect(page.get_by_test_id("module-status")).to_have_text("Đã hoàn thành")
    expect(page.get_by_role("link", name="Xem lại từ đầu")).to_be_visible()
    expect(page.get_by_role("link", name="Học tiếp")).to_have_count(0)

    def two_skills(route):
        body = route.fetch().json()
        body["goal"]["new_skills"] = 2
        route.fulfill(json=body)

    context.route("**/api/v1/me/progress", two_skills)
    page.goto("/progress")  # the app asks again on a new visit; moving between screens reuses what it has
    expect(page.get_by_test_id("goal")).to_have_text("2 kỹ năng mới, vượt mục tiêu 1")
    context.unroute_all(behavior="ignoreErrors")


def test_sign_in_takes_a_phone_number_keyboard_and_focus_lands_on_each_new_heading(context, server):
    page = context.new_page()
    page.goto("/signin")
    field = page.get_by_label("Email hoặc số điện thoại")
    assert field.evaluate("(e) => [e.type, e.inputMode, e.autocomplete]") == ["text", "", "username"]
    sign_in(page, "staff.hk@example.vn")
    expect(page.get_by_role(**H1)).to_be_focused()

    page.evaluate(GO, f"/m/{SLUG}")
    page.get_by_role("link", name="Quét mã").click()
    expect(page.get_by_role(**H1)).to_have_text("Quét mã")
    expect(page.get_by_role(**H1)).to_be_focused()
    page.get_by_role("button", name="Xong, bài tiếp theo").click()
    expect(page.get_by_role(**H1)).to_have_text("Kiểm tra người nhận")
    expect(page.get_by_role(**H1)).to_be_focused()
    page.get_by_role("button", name="Xong, làm bài kiểm tra").click()
    answer_quiz(page, right=False)
    page.get_by_role("button", name="Làm lại").click()
    expect(page.get_by_role(**H1)).to_be_focused()
    assert focused_text(page) == "H1:Bài kiểm tra"

    # The skip link moves the focus to the main content.
    page.goto(f"/m/{SLUG}/quiz")
    expect(page.get_by_role(**H1)).to_have_text("Bài kiểm tra")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Bỏ qua, đến nội dung chính")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()

    # The focus ring in the blue header stands out from the blue by at least 3:1.
    page.locator(".lang").focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    ratio = page.locator(".lang").evaluate("""(e) => {
        const rgb = (c) => c.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number)
        const linear = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4 }
        const lum = (c) => { const [r, g, b] = rgb(c).map(linear)
                             return 0.2126 * r + 0.7152 * g + 0.0722 * b }
        const ring = lum(getComputedStyle(e).outlineColor), blue = lum(getComputedStyle(e.closest('header')).backgroundColor)
        return (Math.max(ring, blue) + 0.05) / (Math.min(ring, blue) + 0.05)
    }""")
    assert page.locator(".lang").evaluate("(e) => e.matches(':focus-visible')")
    assert ratio >= 3, ratio


def test_in_english_vietnamese_sources_are_marked_vi(context, server):
    page = context.new_page()
    page.goto("/")
    page.get_by_role("button", name="Switch to English").click()
    page.evaluate(GO, f"/m/{SLUG}")
    expect(page.get_by_role(**H1)).to_have_text("QR payment basics")
    expect(page).to_have_title("QR payment basics – Hocso")
    page.get_by_text("Sources", exact=True).click()
    assert page.locator(".sources li").first.evaluate("(e) => e.closest('[lang]').lang") == "vi"


def test_the_admin_year_changes_on_a_button_not_each_arrow_key_and_drilling_down_moves_focus(context, server):
    page = context.new_page()
    sign_in(page, "admin.hni@example.vn")
    page.get_by_role("link", name="Cơ quan").click()
    expect(page.get_by_role(**H1)).to_have_text("Thành phố Hà Nội")
    stats = []
    page.on("request", lambda r: stats.append(r.url) if "/stats?" in r.url else None)
    url = page.url
    year = page.get_by_label("Năm", exact=True)
    year.focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    last_year = str(int(year.locator("option").first.get_attribute("value")) - 1)
    year.select_option(last_year)
    page.wait_for_timeout(300)
    assert page.url == url and stats == []
    # The last year's figures stay on screen while the new ones load: wait for the request, not the figures.
    with page.expect_request(lambda r: "/stats?" in r.url):
        page.get_by_role("button", name="Xem").click()
    expect(page).to_have_url(re.compile(f"year={last_year}"))
    expect(page.get_by_test_id("figures")).to_be_visible()
    assert len(stats) == 1 and f"year={last_year}" in stats[0]

    page.get_by_test_id("children").get_by_role("link", name="Phường Hoàn Kiếm").click()
    expect(page.get_by_role(**H1)).to_have_text("Phường Hoàn Kiếm")
    expect(page.get_by_role(**H1)).to_be_focused()


def test_an_activation_code_typed_with_spaces_works_in_the_app(context, server):
    csv = "full_name,email,phone\nPhạm Quốc Việt,,0912000111\n"
    r = server.api(
        "POST",
        "/agencies/HNI/members/import",
        server.token("admin.hni@example.vn"),
        files={"file": ("a.csv", csv.encode(), "text/csv")},
    )
    code = r.json()["invitations"][0]["code"]
    page = context.new_page()
    page.goto("/activate")
    page.get_by_label("Email hoặc số điện thoại").fill("0912 000 111")
    page.get_by_label("Mã kích hoạt từ cơ quan").fill(f"{code[:5].lower()} {code[5:]}")
    page.get_by_label("Mật khẩu mới").fill(f"mật khẩu {uuid.uuid4().hex[:6]}")
    page.get_by_role("button", name="Kích hoạt").click()
    expect(page.get_by_role(**H1)).to_have_text("Xin chào, Phạm Quốc Việt")


def test_a_sync_refreshes_progress_once_for_every_screen_not_once_per_page(context, server):
    page = context.new_page()
    sign_up(page, "Lê Thị Hoa", "hoa@example.vn")
    page.goto(f"/m/{SLUG}")
    expect(page.get_by_test_id("module-status")).to_have_text("Chưa học")
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url) if r.url.endswith("/api/v1/me/progress") else None)

    page.get_by_role("link", name="Bắt đầu").click()
    page.get_by_role("button", name="Xong, bài tiếp theo").click()
    expect(page.get_by_test_id("pending")).to_have_count(0)
    page.locator(".crumbs").get_by_role("link").click()
    # The module page shows the server's figure fetched after the sync, then the other screens reuse it.
    expect(page.get_by_test_id("module-status")).to_have_text("Đang học")
    page.get_by_role("navigation").get_by_role("link", name="Tiến độ").click()
    expect(page.get_by_test_id("goal")).to_have_text("0/1 kỹ năng mới")
    page.get_by_role("navigation").get_by_role("link", name="Trang chủ").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Xin chào, Lê Thị Hoa")
    expect(page.get_by_role("link", name="Thanh toán QR cơ bản").first).to_be_visible()
    assert len(asked) == 1, asked
