"""Read-aloud: the listen button reads the lesson (and a quiz question) with speechSynthesis in Vietnamese, sentence
by sentence, with pause, resume and speed; with no Vietnamese voice it says how to add one and reads nothing.
Headless Chromium has no voices: the page's speechSynthesis is replaced by a recorder that says which voices exist."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from tests.e2e.test_admin_and_install import sign_in
from tests.e2e.test_phone_screens import GO


@pytest.fixture(scope="module")
def server(module_server):
    """One server for the file: every test here reads or signs up people of its own (conftest's module_server)."""
    return module_server


# speak() records each utterance; nothing is said until the test ends one (window.__end()).
RECORDER = """
(() => {
  const voices = %s;
  window.__utterances = [];
  window.__cancels = 0;
  const synth = window.speechSynthesis;
  synth.getVoices = () => voices;
  synth.speak = (u) => { window.__utterances.push(u); setTimeout(() => u.onstart && u.onstart(new Event('start')), 0) };
  synth.cancel = () => { window.__cancels++ };
  window.__end = () => { const u = window.__utterances.at(-1); u.onend && u.onend(new Event('end')) };
  // Phones report a sentence's start late, sometimes after it ended: replay every start now.
  window.__startLate = () => window.__utterances.forEach((u) => u.onstart && u.onstart(new Event('start')));
  window.__said = () => window.__utterances.map((u) => ({ text: u.text, lang: u.lang, rate: u.rate }));
})();
"""
VI_VOICE = [{"lang": "vi-VN", "name": "Tiếng Việt", "localService": True, "default": False, "voiceURI": "vi"}]
EN_VOICE = [{"lang": "en-US", "name": "English", "localService": True, "default": True, "voiceURI": "en"}]
LESSON_SENTENCES = ["Quét mã", "Mở ứng dụng ngân hàng và chọn quét mã QR.", "Xem thêm kiểm tra người nhận."]


def open_lesson(context, voices):
    page = context.new_page()
    page.add_init_script(RECORDER % json.dumps(voices))
    page.goto("/m/qr-basics/l/scan")
    expect(page.get_by_role("heading", level=1, name="Quét mã")).to_be_visible()
    return page


def test_the_listen_button_reads_the_lesson_in_vietnamese_sentence_by_sentence(context, server):
    page = open_lesson(context, VI_VOICE)
    page.get_by_role("button", name="Nghe đọc bài này").click()
    status = page.get_by_test_id("listen-status")
    expect(status).to_have_text("Đang đọc câu 1/3")
    expect(page.get_by_role("button", name="Tạm dừng")).to_be_focused()  # where the listen button was
    said = page.evaluate("window.__said()")
    assert said == [{"text": LESSON_SENTENCES[0], "lang": "vi-VN", "rate": 1}]
    # The sentence being read is marked on the page.
    expect(page.locator("h1.reading")).to_have_count(1)
    assert page.evaluate("CSS.highlights.get('hocso-reading').values().next().value.toString()") == "Quét mã"
    page.evaluate("window.__end()")
    expect(status).to_have_text("Đang đọc câu 2/3")
    expect(page.locator(".prose p.reading")).to_have_count(1)
    # Pause, then resume at the same sentence.
    page.get_by_role("button", name="Tạm dừng").click()
    expect(status).to_have_text("Đã tạm dừng ở câu 2/3")
    page.get_by_role("button", name="Đọc tiếp").click()
    expect(status).to_have_text("Đang đọc câu 2/3")
    # Slower: the sentence starts again at the new speed, and the speed is remembered.
    page.get_by_label("Chậm").check()
    said = page.evaluate("window.__said()")
    assert [s["text"] for s in said] == LESSON_SENTENCES[:2] + [LESSON_SENTENCES[1]] * 2
    assert said[-1]["rate"] == 0.75 and said[-1]["lang"] == "vi-VN"
    page.evaluate("window.__end()")
    page.evaluate("window.__end()")
    expect(status).to_have_text("Đã đọc xong.")
    assert page.evaluate("window.__said()")[-1]["text"] == LESSON_SENTENCES[2]  # the link's words included
    expect(page.locator(".reading")).to_have_count(0)
    # A start reported after the reading finished marks nothing.
    page.evaluate("window.__startLate()")
    expect(page.locator(".reading")).to_have_count(0)
    assert page.evaluate("CSS.highlights.has('hocso-reading')") is False
    page.reload()
    page.get_by_role("button", name="Nghe đọc bài này").click()
    expect(page.get_by_label("Chậm")).to_be_checked()
    page.wait_for_function("window.__said().length > 0")  # speaking starts once the voices have been listed
    assert page.evaluate("window.__said()")[0]["rate"] == 0.75


def test_leaving_the_lesson_stops_reading(context, server):
    page = open_lesson(context, VI_VOICE)
    page.get_by_role("button", name="Nghe đọc bài này").click()
    expect(page.get_by_test_id("listen-status")).to_have_text("Đang đọc câu 1/3")
    cancels = page.evaluate("window.__cancels")
    page.get_by_role("button", name="Xong, bài tiếp theo").click()
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Quét mã")
    assert page.evaluate("window.__cancels") > cancels


def test_with_no_vietnamese_voice_it_says_how_to_install_one_and_reads_nothing(context, server):
    page = open_lesson(context, EN_VOICE)
    page.get_by_role("button", name="Nghe đọc bài này").click()
    message = page.get_by_test_id("no-voice")
    expect(message).to_contain_text("chưa có giọng đọc tiếng Việt")
    expect(message).to_be_focused()
    expect(message).to_contain_text("Dịch vụ lời nói của Google")
    expect(message).to_contain_text("Tiếng Việt")
    assert page.evaluate("window.__said()") == []


def test_a_quiz_question_can_be_listened_to(context, server):
    page = context.new_page()
    page.add_init_script(RECORDER % json.dumps(VI_VOICE))
    sign_in(page, "staff.hk@example.vn")
    page.evaluate(GO, "/m/qr-basics/quiz")
    first = page.get_by_role("group").first
    prompt = first.locator("legend").inner_text()
    first.get_by_role("button", name="Nghe đọc câu hỏi").click()
    expect(first.get_by_test_id("listen-status")).to_contain_text("Đang đọc câu 1/")
    said = page.evaluate("window.__said()")
    assert said[0]["lang"] == "vi-VN"
    assert said[0]["text"].replace(" ", "") in prompt.replace(" ", "").replace("\n", "")
