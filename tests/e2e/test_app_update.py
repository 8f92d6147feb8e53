"""A deploy under an open tab: the tab is offered the new build and switches only when asked, a tab still running
the old code recovers when it opens a page whose chunk is gone, and progress queued before the update still
reaches the server once."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from pathlib import Path

from playwright.sync_api import expect

from tests.conftest import FIXTURE_CONTENT
from tests.e2e.conftest import DIST, phone_context, serve
from tests.e2e.test_citizen_journey import sign_up
from tests.e2e.test_offline import SLUG, server_export, server_progress, wait_for_service_worker

NEW_BUILD = "next-build"


def deploy_next_build(live: Path) -> None:
    """Replaces the served build with a "next" one, as a deploy does: every hashed file gets a new name (the old
    names are gone), the shell names the new files and carries a new build id, the service worker a new
    precache list."""
    staging = live.with_name(live.name + "-next")
    shutil.copytree(live, staging)
    renames = {}
    for asset in sorted((staging / "assets").iterdir()):
        new_name = re.sub(r"-([\w-]+)\.(js|css)$", r"-\1N.\2", asset.name)
        asset.rename(asset.with_name(new_name))
        renames[asset.name] = new_name
    texts = [staging / "index.html", staging / "sw.js", *(staging / "assets").iterdir()]
    for path in texts:
        if path.suffix not in {".html", ".js", ".css"}:
            continue
        text = path.read_text(encoding="utf-8")
        for old, new in renames.items():
            text = text.replace(old, new)
        if path.name == "index.html":
            text = re.sub(r'(<meta name="hocso-build" content=")[^"]*', rf"\g<1>{NEW_BUILD}", text)
        path.write_text(text, encoding="utf-8")
    revision = hashlib.md5((staging / "index.html").read_bytes()).hexdigest()
    sw = staging / "sw.js"
    sw_text, count = re.subn(
        r'"revision":"[0-9a-f]+","url":"index.html"', f'"revision":"{revision}","url":"index.html"', sw.read_text()
    )
    assert count == 1, "the service worker's precache list no longer looks as expected"
    sw.write_text(sw_text, encoding="utf-8")
    os.rename(live, live.with_name(live.name + "-old"))
    os.rename(staging, live)


def build_of(page):
    return page.locator('meta[name="hocso-build"]')


def test_a_deploy_under_an_open_tab_offers_a_reload_keeps_queued_progress_and_recovers_lost_chunks(
    browser, migrated_template, tmp_path
):
    live = tmp_path / "dist"
    shutil.copytree(DIST, live)
    with serve(migrated_template, tmp_path, FIXTURE_CONTENT, {"HOCSO_FRONTEND_DIR": str(live)}) as server:
        context = phone_context(browser, server)
        try:
            page = context.new_page()
            sign_up(page, "Phạm Thị Lan", "lan@example.vn")
            wait_for_service_worker(page)
            old_build = build_of(page).get_attribute("content")
            assert old_build and old_build != NEW_BUILD

            # A lesson done while the progress cannot be sent: it waits in the outbox.
            page.goto(f"/m/{SLUG}/l/scan")
            expect(page.get_by_role("heading", level=1)).to_have_text("Quét mã")
            context.route("**/api/v1/progress/events", lambda route: route.abort("connectionrefused"))
            page.get_by_role("button", name="Xong, bài tiếp theo").click()
            expect(page.get_by_test_id("pending")).to_contain_text("1 mục đang chờ đồng bộ")

            deploy_next_build(live)
            # The app opened in another tab: the browser finds the new worker, which waits; both tabs say so.
            other = context.new_page()
            other.goto("/")
            expect(other.get_by_role("heading", level=1)).to_have_text("Xin chào, Phạm Thị Lan")
            prompt = page.get_by_test_id("new-version")
            expect(prompt).to_contain_text("Đã có phiên bản mới", timeout=15_000)
            # On a 360 px phone with the largest text (what the Display setting applies), it fits the screen.
            other.evaluate("document.documentElement.classList.add('text-3')")
            reload_button = other.get_by_test_id("new-version").get_by_role("button", name="Tải lại")
            expect(reload_button).to_be_in_viewport()
            box = reload_button.bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= 360, box
            assert other.evaluate("document.documentElement.scrollWidth") <= 360
            # Nothing switched by itself: the open tab still runs the build it opened with.
            assert build_of(page).get_attribute("content") == old_build
            assert server_progress(server, "lan@example.vn")["modules"][0]["lessons_done"] == []

            # A keyboard user reaches "Tải lại" with Tab from the top of the page and presses Enter.
            page.locator("body").focus()
            for _ in range(15):
                page.keyboard.press("Tab")
                if page.evaluate("document.activeElement.textContent") == "Tải lại":
                    break
            else:
                raise AssertionError("Tab never reached the Reload button")
            page.keyboard.press("Enter")
            expect(build_of(page)).to_have_attribute("content", NEW_BUILD, timeout=15_000)
            expect(page.get_by_test_id("new-version")).to_have_count(0)
            expect(page.get_by_test_id("pending")).to_contain_text("1 mục đang chờ đồng bộ")

            # The tab left on the old code opens a lazily loaded page whose chunk is gone (404): one reload, then the
            # page. The route above keeps the browser's HTTP cache off, as when the old chunk was evicted from it.
            chunk_answers = []
            other.on("response", lambda r: "/assets/help-" in r.url and chunk_answers.append((r.url, r.status)))
            other.get_by_role("link", name="Trợ giúp và đường dây nóng").click()
            expect(other.get_by_role("heading", level=1)).to_have_text("Trợ giúp và đường dây nóng", timeout=15_000)
            expect(build_of(other)).to_have_attribute("content", NEW_BUILD)
            assert chunk_answers[0][1] == 404 and chunk_answers[-1][1] == 200, chunk_answers

            # The queued lesson reaches the server after the update, once.
            context.unroute("**/api/v1/progress/events")
            context.set_offline(True)  # the connection drops and comes back: the new build sends what waits
            context.set_offline(False)
            expect(page.get_by_test_id("pending")).to_have_count(0)
            assert server_progress(server, "lan@example.vn")["modules"][0]["lessons_done"] == ["scan"]
            assert len(server_export(server, "lan@example.vn")["progress_events"]) == 1
        finally:
            context.close()
        reloads_once_then_offers_a_reload(browser, server)


def reloads_once_then_offers_a_reload(browser, server) -> None:
    """A chunk that keeps failing: one reload by itself, then a message with a Reload button, never a loop."""
    context = browser.new_context(base_url=server.url, locale="vi-VN", service_workers="block")
    try:
        page = context.new_page()
        page.route("**/assets/help-*", lambda route: route.fulfill(status=404, body="Not found"))
        page.goto("/help")
        failed = page.get_by_role("alert")
        expect(failed).to_contain_text("Không mở được trang này")
        # The page showing it is the one reload: a loop would never settle on the message.
        assert page.evaluate("performance.getEntriesByType('navigation')[0].type") == "reload"
        page.unroute("**/assets/help-*")
        failed.get_by_role("button", name="Tải lại").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Trợ giúp và đường dây nóng")
    finally:
        context.close()
