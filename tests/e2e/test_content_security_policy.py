"""The app runs under a strict Content-Security-Policy: its own scripts work, injected ones do not."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.conftest import phone_context


def test_script_injected_into_the_page_does_not_run_and_the_app_still_does(browser, server):
    context = phone_context(browser, server)
    try:
        page = context.new_page()
        page.goto("/")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        ran = page.evaluate("""() => {
            const s = document.createElement('script');
            s.textContent = 'window.__injected = true';
            document.body.appendChild(s);
            return window.__injected === true;
        }""")
        assert not ran
        page.wait_for_function("window.__cspViolations.length > 0")
        assert page.evaluate("window.__cspViolations")[0].startswith("script-src")
        # Nothing may frame the app (clickjacking).
        policy = page.request.get("/").headers["content-security-policy"]
        assert "frame-ancestors 'none'" in policy
        expect(page.get_by_role("link", name="Thanh toán QR cơ bản").first).to_be_visible()
    finally:
        context.close()
