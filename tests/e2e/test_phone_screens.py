"""The real catalogue on a 360 px phone: every lesson and every quiz question's screen of every module fits the
screen in both languages, long web addresses included (the part a lesson teaches to read is at the end)."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.test_citizen_journey import sign_up

GO = "(url) => { history.pushState(null, '', url); dispatchEvent(new PopStateEvent('popstate')) }"
# How far right anything on the page reaches, and how wide the page scrolls: both within the screen (the phone's
# width, not innerWidth, which a mobile browser widens to fit a page that overflows).
WIDEST = """() => {
  const right = Math.max(...[...document.querySelectorAll('main *')].map((e) => e.getBoundingClientRect().right))
  return { scroll: document.documentElement.scrollWidth, right: Math.ceil(right) }
}"""


FORGET_DRAFTS = (
    "Object.keys(sessionStorage).filter((k) => k.startsWith('hocso.quiz.')).forEach((k) => sessionStorage.removeItem(k))"
)


def too_wide(page) -> dict | None:
    width, screen = page.evaluate(WIDEST), page.viewport_size["width"]
    return width if width["scroll"] > screen or width["right"] > screen else None


def walk(page, server, lang: str) -> tuple[int, list[str]]:
    """Opens every lesson and every quiz question (one per screen on a phone) in `lang` inside the running app;
    returns the screens seen and those too wide."""
    seen, wide = 0, []
    following = "Câu tiếp" if lang == "vi" else "Next question"
    for summary in server.api("GET", f"/modules?lang={lang}").json():
        slug = summary["slug"]
        module = server.api("GET", f"/modules/{slug}?lang={lang}").json()
        for lesson in module["lessons"]:
            url = f"/m/{slug}/l/{lesson['id']}"
            page.evaluate(GO, url)
            expect(page.get_by_role("heading", level=1)).to_have_text(lesson["title"])
            seen += 1
            if width := too_wide(page):
                wide.append(f"{lang} {url}: {width}")
        page.evaluate(FORGET_DRAFTS)  # start at the first question, wherever the other language's walk ended
        page.evaluate(GO, f"/m/{slug}/quiz")
        total = len(module["quiz"]["questions"])
        for n in range(1, total + 1):
            expect(page.get_by_test_id("step-count")).to_have_text(re.compile(f"^(Câu|Question) {n}/{total}$"))
            seen += 1
            if width := too_wide(page):
                wide.append(f"{lang} /m/{slug}/quiz question {n}: {width}")
            if n < total:
                page.get_by_role("button", name=following).click()
    return seen, wide


def show_every_question(route):
    # A quiz shows a draw from its pool; here every question of the pool is shown, so none escapes the check.
    body = route.fetch().json()
    body["quiz"]["draw"] = len(body["quiz"]["questions"])
    route.fulfill(json=body)


def test_every_lesson_and_quiz_of_every_module_fits_a_360_px_screen_in_both_languages(real_context, real_server):
    real_context.route(re.compile(r".*/api/v1/modules/[a-z0-9-]+\?lang=(vi|en)$"), show_every_question)
    page = real_context.new_page()
    sign_up(page, "Đỗ Văn Bình", "binh@example.vn")  # the quiz is shown to people signed in
    seen_vi, wide_vi = walk(page, real_server, "vi")
    page.get_by_role("button", name="Switch to English").click()
    seen_en, wide_en = walk(page, real_server, "en")
    real_context.unroute_all(behavior="ignoreErrors")  # background refreshes may still be on their way
    assert seen_vi == seen_en > 50
    assert wide_vi + wide_en == []
