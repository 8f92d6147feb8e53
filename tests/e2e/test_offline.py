"""Learning offline on a phone: the app opens with the network off, progress waits in IndexedDB and reaches
the server exactly once, whatever happens to the page in between."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.test_citizen_journey import answer_quiz, sign_up


@pytest.fixture(scope="module")
def server(module_server):
    """One server for the file: every test here reads or signs up people of its own (conftest's module_server)."""
    return module_server


SLUG = "qr-basics"


def wait_for_service_worker(page) -> None:
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.wait_for_function("navigator.serviceWorker.controller !== null")


def save_module_for_offline(page) -> None:
    page.goto(f"/m/{SLUG}")
    page.get_by_role("button", name="Lưu để học ngoại tuyến").click()
    expect(page.get_by_role("button", name=re.compile("Đã lưu trên máy"))).to_be_visible()


def server_progress(server, email: str) -> dict:
    return server.api("GET", "/me/progress", server.token(email)).json()


def server_export(server, email: str) -> dict:
    return server.api("GET", "/me/export", server.token(email)).json()


def test_a_module_finished_offline_is_counted_once_after_the_page_is_killed_and_the_network_returns(context, server):
    page = context.new_page()
    sign_up(page, "Trần Văn Minh", "minh@example.vn")
    wait_for_service_worker(page)
    save_module_for_offline(page)

    context.set_offline(True)
    page.get_by_role("link", name="Bắt đầu").click()
    page.get_by_role("button", name="Xong, bài tiếp theo").click()
    page.get_by_role("button", name="Xong, làm bài kiểm tra").click()
    answer_quiz(page)
    expect(page.get_by_text(re.compile("Bài sẽ được chấm khi có mạng"))).to_be_visible()
    expect(page.get_by_test_id("pending")).to_contain_text("3 mục đang chờ đồng bộ")
    # Nothing reached the server yet.
    assert server_progress(server, "minh@example.vn")["modules"][0]["status"] == "not_started"

    # The page is killed; the app is opened again with the network still off: shell, saved module, queue.
    page.close()
    page = context.new_page()
    page.goto("/")
    expect(page.get_by_test_id("saved")).to_contain_text("Thanh toán QR cơ bản")
    expect(page.get_by_test_id("pending")).to_contain_text("3 mục đang chờ đồng bộ")
    page.get_by_test_id("saved").get_by_role("link").click()
    page.get_by_role("link", name="Kiểm tra người nhận").click()
    expect(page.locator(".prose")).to_contain_text("người nhận")
    page.close()

    context.set_offline(False)
    page = context.new_page()
    page.goto("/progress")
    expect(page.get_by_test_id("goal")).to_have_text("1/1 kỹ năng mới")
    expect(page.get_by_test_id("pending")).to_have_count(0)

    progress = server_progress(server, "minh@example.vn")
    assert progress["goal"]["met"] is True
    assert progress["modules"][0]["status"] == "completed"
    export = server_export(server, "minh@example.vn")
    assert len(export["progress_events"]) == 2
    assert len(export["attempts"]) == 1


def test_a_sync_cut_off_after_the_server_stored_it_is_resent_and_counted_once(context, server):
    page = context.new_page()
    sign_up(page, "Lê Thu Hà", "ha@example.vn")
    wait_for_service_worker(page)
    page.goto(f"/m/{SLUG}/l/scan")
    expect(page.get_by_role("heading", level=1)).to_have_text("Quét mã")
    context.set_offline(True)
    page.get_by_role("button", name="Xong, bài tiếp theo").click()
    page.get_by_role("button", name="Xong, làm bài kiểm tra").click()
    expect(page.get_by_test_id("pending")).to_contain_text("2 mục đang chờ đồng bộ")

    # The connection drops after the server has stored the batch but before the phone hears back, as when
    # the app is killed mid-sync: the phone still holds the events and sends them again.
    cut = []

    def deliver_then_cut(route):
        route.fetch()
        cut.append(route.request.url)
        route.abort("connectionreset")

    context.route("**/api/v1/progress/events", deliver_then_cut, times=1)
    context.set_offline(False)
    # The app syncs when the network returns, is cut off, and tries again a few seconds later by itself.
    expect(page.get_by_test_id("pending")).to_have_count(0, timeout=20_000)
    assert cut, "the first sync was not cut off"

    export = server_export(server, "ha@example.vn")
    assert len(export["progress_events"]) == 2
    assert server_progress(server, "ha@example.vn")["modules"][0]["lessons_done"] == ["check", "scan"]
