"""A citizen on a phone: signs up, reads a module, passes its quiz and sees this year's goal met."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD


@pytest.fixture(scope="module")
def server(module_server):
    """One server for the file: every test here reads or signs up people of its own (conftest's module_server)."""
    return module_server


def sign_up(page, name: str, email: str) -> None:
    page.goto("/signup")
    page.get_by_label("Họ và tên").fill(name)
    page.get_by_label("Email hoặc số điện thoại").fill(email)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Tạo tài khoản").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Xin chào, {name}")


def check_answer(question, right: bool = True) -> None:
    """Answers one question: "Đúng"/"Right" is right in every one, "Sai" too in the one that takes several."""
    question.get_by_label("Đúng" if right else "Sai", exact=True).check()
    if right and question.get_by_role("checkbox").count():
        question.get_by_label("Sai", exact=True).check()


def answer_quiz(page, right: bool = True) -> None:
    # The fixture quiz draws 4 of its 6 questions; a phone shows one at a time, "Câu n/4".
    for n in range(1, 5):
        expect(page.get_by_test_id("step-count")).to_have_text(f"Câu {n}/4")
        expect(page.get_by_role("group")).to_have_count(1)
        check_answer(page.get_by_role("group"), right)
        if n < 4:
            page.get_by_role("button", name="Câu tiếp").click()
    page.get_by_role("button", name="Nộp bài").click()


def drawn_prompts(page) -> list[str]:
    """The questions of the draw, in order: back to the first, then on through each (answers untouched)."""
    while page.get_by_role("button", name="Câu trước").count():
        page.get_by_role("button", name="Câu trước").click()
    prompts = []
    for n in range(1, 5):
        expect(page.get_by_test_id("step-count")).to_have_text(f"Câu {n}/4")
        prompts.append(page.locator("legend").inner_text())
        if n < 4:
            page.get_by_role("button", name="Câu tiếp").click()
    return prompts


def test_citizen_signs_up_learns_a_module_passes_its_quiz_and_meets_the_yearly_goal(context, server):
    page = context.new_page()
    sign_up(page, "Nguyễn Thị Lan", "lan@example.vn")
    expect(page.get_by_test_id("goal")).to_have_text("0/1 kỹ năng mới")

    page.get_by_role("link", name="Thanh toán QR cơ bản").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thanh toán QR cơ bản")
    # The navigation says where the person is: a module belongs to "Học".
    nav = page.get_by_role("navigation")
    expect(nav.get_by_role("link", name="Học", exact=True)).to_have_attribute("aria-current", "true")
    expect(nav.get_by_role("link", name="Trang chủ")).not_to_have_attribute("aria-current", re.compile("."))
    page.get_by_role("link", name="Bắt đầu").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Quét mã")
    # An internal link in the lesson's Markdown leads to the other lesson.
    expect(page.locator(".prose a")).to_have_attribute("href", "/m/qr-basics/l/check")
    page.get_by_role("button", name="Xong, bài tiếp theo").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kiểm tra người nhận")
    page.get_by_role("button", name="Xong, làm bài kiểm tra").click()

    # A wrong attempt first: each question says where to look again, without giving the answer away, and the
    # module is not completed.
    answer_quiz(page, right=False)
    expect(page.get_by_test_id("verdict")).to_have_text(re.compile("Chưa đạt"))
    expect(page.get_by_text("Chưa đúng – hãy đọc lại các bài.").first).to_be_visible()
    expect(page.get_by_text("Đọc lại các bài của học phần «Thanh toán QR cơ bản»").first).to_be_visible()
    expect(page.get_by_text("Đáp án đúng")).to_have_count(0)
    expect(page.get_by_text(re.compile(r"^Giải thích \d\.$"))).to_have_count(0)
    page.get_by_role("button", name="Làm lại").click()
    answer_quiz(page)
    expect(page.get_by_test_id("verdict")).to_have_text(re.compile("Đạt!"))
    expect(page.get_by_text(re.compile(r"^Giải thích \d\.$")).first).to_be_visible()

    page.get_by_role("link", name="Tiến độ").click()
    expect(page.get_by_test_id("goal")).to_have_text("1/1 kỹ năng mới")
    token = server.token("lan@example.vn")
    progress = server.api("GET", "/me/progress", token).json()
    assert progress["goal"] == {"target": 1, "new_skills": 1, "met": True}
    assert progress["modules"][0]["lessons_done"] == ["check", "scan"]


def test_an_attempt_shows_a_draw_from_the_pool_kept_across_a_reload_and_sends_only_those_answers(context, server):
    page = context.new_page()
    sign_up(page, "Lê Văn Hùng", "hung@example.vn")
    page.goto("/m/qr-basics/quiz")
    expect(page.get_by_test_id("step-count")).to_have_text("Câu 1/4")
    choices = page.locator("fieldset").locator("label").all_inner_texts()
    drawn = drawn_prompts(page)
    page.reload()
    # The same draw, and the question reached is kept: the fourth.
    expect(page.get_by_test_id("step-count")).to_have_text("Câu 4/4")
    assert drawn_prompts(page) == drawn
    while page.get_by_role("button", name="Câu trước").count():
        page.get_by_role("button", name="Câu trước").click()
    assert page.locator("fieldset").locator("label").all_inner_texts() == choices
    answer_quiz(page)
    expect(page.get_by_test_id("verdict")).to_have_text(re.compile("Đạt!"))
    [sent] = server.api("GET", "/me/export", server.token("hung@example.vn")).json()["attempts"]
    asked = {"q" + re.search(r"Câu hỏi (\d)", legend).group(1) for legend in drawn}
    assert set(sent["answers"]) == asked and len(asked) == 4


def test_the_interface_switches_to_english_and_stays_readable_at_360_px(context, server):
    page = context.new_page()
    page.goto("/")
    page.get_by_role("button", name="Switch to English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Learn one new digital skill each year")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("link", name="QR payment basics").first.click()
    page.get_by_role("link", name="Start").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Scanning")
    # Nothing wider than the phone's screen: no sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert float(page.evaluate("getComputedStyle(document.querySelector('.prose p')).fontSize").rstrip("px")) >= 18


def test_lesson_text_can_never_become_markup_or_script(context, server):
    # Content is checked before it is loaded; the reader is safe even if something slipped through.
    hostile = (
        '<img src=x onerror="window.pwned = 1"> [tap](javascript:window.pwned=2) '
        "[data](data:text/html,hi) **bold** [next](lesson:check)"
    )

    def tampered(route):
        body = route.fetch().json()
        body["lessons"][0]["body"] = hostile
        route.fulfill(json=body)

    context.route("**/api/v1/modules/qr-basics?lang=vi", tampered)
    page = context.new_page()
    page.goto("/m/qr-basics/l/scan")
    prose = page.locator(".prose")
    expect(prose).to_contain_text('<img src=x onerror="window.pwned = 1">')
    expect(prose.locator("img")).to_have_count(0)
    expect(prose.locator("strong")).to_have_text("bold")
    assert prose.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))") == ["/m/qr-basics/l/check"]
    assert page.evaluate("window.pwned") is None
