"""The dashboard reads on a phone: full unit names, bars sorted, overdue in the table, the year kept."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from hocso.core.db import make_engine, open_session
from hocso.flows import load_tree
from tests.e2e.test_admin_and_install import complete_fixture_module, sign_in

LONG = "Ủy ban nhân dân phường Hoàn Kiếm thuộc thành phố Hà Nội (trụ sở chính)"


def test_unit_names_are_never_cut_at_360px_bars_are_sorted_and_the_year_survives_navigation(context, server):
    engine = make_engine(server.database_url)
    with open_session(engine, write=True) as session:
        load_tree(session, [{"code": "HNI-LONG", "name": LONG, "parent_code": "HNI"}])
        session.commit()
    engine.dispose()
    complete_fixture_module(server, "staff.hk@example.vn")
    page = context.new_page()
    sign_in(page, "admin.hni@example.vn")
    page.get_by_role("link", name="Cơ quan").click()
    units_chart = page.locator("figure.ranked").first.locator(".ranked-label")
    expect(units_chart.last).to_have_text("Phường Hoàn Kiếm")  # this year's 100% comes last, from the lowest up
    year = page.get_by_label("Năm", exact=True).locator("option").nth(1).get_attribute("value")
    page.get_by_label("Năm", exact=True).select_option(year)
    page.get_by_role("button", name="Xem").click()
    expect(page).to_have_url(f"{server.url}/admin?year={year}")
    labels = page.locator("figure.ranked").first.locator(".ranked-label")  # the units chart
    expect(labels.first).to_be_visible()
    texts = labels.all_inner_texts()
    assert LONG in texts
    cut = page.evaluate(
        "[...document.querySelectorAll('.ranked-label')].filter((e) => e.scrollWidth > e.clientWidth).map((e) => e.textContent)"
    )
    assert cut == []
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    expect(page.get_by_test_id("children").get_by_role("columnheader", name="Lượt quá hạn")).to_be_visible()
    expect(page.get_by_test_id("required-note")).to_contain_text("không đổi theo năm")
    # Down into a unit and back up: the year chosen stays.
    page.get_by_test_id("children").get_by_role("link", name="Phường Ba Đình").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Phường Ba Đình")
    expect(page.get_by_label("Năm", exact=True)).to_have_value(year)
    page.get_by_role("link", name="↑ Lên cấp trên").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thành phố Hà Nội")
    expect(page.get_by_label("Năm", exact=True)).to_have_value(year)


def test_lagging_units_come_lowest_first_with_a_readable_trend_at_360px(context, server):
    complete_fixture_module(server, "staff.hk@example.vn")
    page = context.new_page()
    sign_in(page, "admin.hni@example.vn")
    page.get_by_role("link", name="Cơ quan").click()
    lagging = page.get_by_test_id("lagging")
    expect(lagging.get_by_role("heading", name="Đơn vị chậm nhất")).to_be_visible()
    names = lagging.locator(".lagging-name")
    expect(names).to_have_text(["Phường Ba Đình", "Phường Hoàn Kiếm"])  # 0 % before 100 %
    expect(lagging.locator(".lagging-rate")).to_have_text(["0%", "100%"])
    month = page.evaluate(
        "new Intl.DateTimeFormat('en-CA', {timeZone: 'Asia/Ho_Chi_Minh', year: 'numeric', month: 'numeric'})"
        ".formatToParts(new Date()).filter((p) => p.type !== 'literal').map((p) => p.value)"
    )
    this_month = f"{int(month[1])}/{month[0]}"
    trend = lagging.get_by_role("img", name=re.compile("^Phường Hoàn Kiếm, 12 tháng"))
    expect(trend).to_have_attribute("aria-label", re.compile(f"{re.escape(this_month)} 100%$"))
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    # Ranked by the required rate instead: nothing is required, so neither unit has a figure.
    page.get_by_label("Xếp theo").select_option("required_rate")
    expect(lagging.locator(".lagging-rate")).to_have_text(["0%", "100%"])  # applied only with the button
    lagging.get_by_role("button", name="Xếp hạng").click()
    expect(lagging.locator(".lagging-rate")).to_have_text(["—", "—"])
    # A unit in the ranking opens its own dashboard.
    names.first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Phường Ba Đình")
