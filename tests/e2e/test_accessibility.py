"""axe-core (from frontend/node_modules, never downloaded) finds nothing on every main screen, on a 360 px phone
and a 1280 px desktop, in Vietnamese and English, signed out and signed in as an agency admin."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ROOT
from tests.e2e.test_admin_and_install import sign_in
from tests.e2e.test_phone_screens import GO

AXE = ROOT / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
SLUG = "qr-basics"
SIZES = [{"width": 360, "height": 740}, {"width": 1280, "height": 800}]
SIGNED_OUT = [
    "/",
    "/learn",
    "/search?q=nguoi nhan",
    "/signin",
    "/signup",
    "/activate",
    f"/m/{SLUG}",
    f"/m/{SLUG}/l/scan",
    "/no-such-page",
    "/forgot",
    "/settings",
    "/help",
]
SIGNED_IN = [
    "/",
    "/learn",
    "/learn/e-payment",
    "/search?q=thanh toan",
    f"/m/{SLUG}",
    f"/m/{SLUG}/l/scan",
    f"/m/{SLUG}/l/check",
    f"/m/{SLUG}/quiz",
    "/progress",
    "/certificates",
    "/account",
    "/admin",
    "/admin/HNI-HK",
    "/admin/HNI/import",
    "/admin/HNI/requirements",
    "/admin/HNI/members",
    "/account/name",
    "/account/password",
    "/settings",
    "/help",
]
INSTALL_OFFER = """() => {
  const offer = new Event('beforeinstallprompt', { cancelable: true });
  offer.prompt = () => Promise.resolve();
  dispatchEvent(offer);
}"""


def violations(page) -> list[str]:
    found = page.evaluate("axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations)")
    return [f"{v['id']}: {v['help']} ({', '.join(n['target'][0] for n in v['nodes'][:3])})" for v in found]


def check_screens(page, urls: list[str], lang: str) -> list[str]:
    problems = []
    for size in SIZES:
        page.set_viewport_size(size)
        for url in urls:
            page.evaluate(GO, url)
            expect(page.locator("main h1:not([data-loading])")).to_have_count(1)
            expect(page.get_by_role("status").filter(has_text=re.compile("Đang tải|Loading"))).to_have_count(0)
            problems += [f"{lang} {size['width']} {url} {v}" for v in violations(page)]
    return problems


def quiz_states(page, lang: str) -> list[str]:
    """The quiz with a question missing, then its feedback: one question per screen on a phone, all on a desktop."""
    submit = "Nộp bài" if lang == "vi" else "Submit answers"
    wrong = "Sai" if lang == "vi" else "Wrong"
    following = "Câu tiếp" if lang == "vi" else "Next question"
    problems = []
    for size in SIZES:
        page.set_viewport_size(size)
        page.evaluate(GO, "/")
        page.evaluate(GO, f"/m/{SLUG}/quiz")
        expect(page.get_by_role("button", name=submit)).to_have_count(1 if size["width"] > 360 else 0)
        if size["width"] == 360:
            # The first question left out, the others answered on their own screens.
            step = page.get_by_test_id("step-count")
            expect(step).to_have_text(re.compile(r"^(Câu|Question) 1/\d+$"))
            total = int(step.inner_text().split("/")[1])
            for n in range(2, total + 1):
                page.get_by_role("button", name=following).click()
                expect(step).to_have_text(re.compile(f" {n}/{total}$"))
                page.get_by_role("group").get_by_label(wrong, exact=True).check()
            page.get_by_role("button", name=submit).click()
            expect(page.get_by_role("alert")).to_be_visible()
            expect(step).to_have_text(re.compile(f" 1/{total}$"))
            problems += [f"{lang} 360 quiz missing {v}" for v in violations(page)]
            page.get_by_role("group").get_by_label(wrong, exact=True).check()
            for n in range(2, total + 1):
                page.get_by_role("button", name=following).click()
                expect(step).to_have_text(re.compile(f" {n}/{total}$"))
        else:
            page.get_by_role("group").first.get_by_label(wrong, exact=True).check()
            page.get_by_role("button", name=submit).click()
            expect(page.get_by_role("alert")).to_be_visible()
            problems += [f"{lang} {size['width']} quiz missing {v}" for v in violations(page)]
            for group in page.get_by_role("group").all()[1:]:
                group.get_by_label(wrong, exact=True).check()
        page.get_by_role("button", name=submit).click()
        expect(page.get_by_test_id("verdict")).to_be_visible()
        problems += [f"{lang} {size['width']} quiz feedback {v}" for v in violations(page)]
    return problems


def learner_states(page, lang: str) -> list[str]:
    """The read-aloud controls (here: no voice, how to add one), the install offer, the reset form's second step."""
    page.evaluate(GO, f"/m/{SLUG}/l/scan")
    page.get_by_role("button", name="Nghe đọc bài này" if lang == "vi" else "Listen to this lesson").click()
    expect(page.get_by_test_id("no-voice").or_(page.get_by_test_id("listen-status"))).to_be_visible()
    problems = [f"{lang} listen {v}" for v in violations(page)]
    page.evaluate(GO, "/")
    expect(page.locator("main h1:not([data-loading])")).to_have_count(1)
    page.evaluate(INSTALL_OFFER)
    expect(page.get_by_test_id("install-hint")).to_be_visible()
    problems += [f"{lang} install hint {v}" for v in violations(page)]
    page.evaluate(GO, "/forgot")
    page.get_by_role("button", name="Đã có mã? Nhập mã" if lang == "vi" else "Already have a code? Enter it").click()
    expect(page.get_by_label("Mã nhận được" if lang == "vi" else "The code you received")).to_be_visible()
    return problems + [f"{lang} reset code {v}" for v in violations(page)]


@pytest.mark.skipif(not AXE.exists(), reason="axe-core is installed by `npm ci` in frontend/")
def test_axe_finds_no_violation_on_any_main_screen_at_both_sizes_in_both_languages(context, server):
    page = context.new_page()
    page.add_init_script(path=str(AXE))
    page.goto("/")
    problems = check_screens(page, SIGNED_OUT, "vi")
    problems += learner_states(page, "vi")
    sign_in(page, "admin.hni@example.vn")
    problems += check_screens(page, SIGNED_IN, "vi")
    problems += quiz_states(page, "vi")
    page.get_by_role("button", name="Switch to English").click()
    problems += check_screens(page, SIGNED_IN, "en")
    problems += quiz_states(page, "en")
    page.get_by_role("link", name="Account").click()
    page.get_by_role("button", name="Sign out", exact=True).click()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
    problems += check_screens(page, SIGNED_OUT, "en")
    problems += learner_states(page, "en")
    assert problems == []
