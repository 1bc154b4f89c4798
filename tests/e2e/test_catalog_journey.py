"""Catalogue journeys: a citizen searches on a phone (live results as they type, filters, the procedure
page), the same search without JavaScript, and an administrator checks and imports a spreadsheet."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.e2e.helpers import PHONE

pytestmark = pytest.mark.e2e


def test_citizen_finds_a_procedure_by_typing_without_accents_on_a_phone(phone_page, demo_data, screenshot):
    page = phone_page
    page.goto("/thu-tuc/")
    page.locator("#id_q").press_sequentially("giay phep xay dung", delay=20)  # live results, no Enter
    results = page.get_by_test_id("results")
    expect(results.locator("li").first).to_contain_text("Cấp giấy phép xây dựng mới")
    expect(page).to_have_url(re.compile(r"q=giay(\+|%20)phep(\+|%20)xay(\+|%20)dung"))  # the address keeps it
    screenshot(page, "live-results")

    page.locator("details.filters summary").click()
    page.locator("#id_q").fill("")
    page.locator("#id_field").select_option("chung-thuc")
    expect(page.get_by_test_id("result-count")).to_contain_text("Tìm thấy 3 thủ tục")
    page.locator("#id_online").select_option("online")
    expect(page.get_by_test_id("result-count")).to_contain_text("Tìm thấy 1 thủ tục")
    screenshot(page, "filters")

    results.get_by_role("link").first.click()
    expect(page.get_by_test_id("procedure-code")).to_have_text("2.000815")
    expect(page.get_by_test_id("fees")).to_contain_text("2.000 đ/trang")
    expect(page.get_by_test_id("documents")).to_contain_text("Số lượng: 1")
    expect(page.get_by_test_id("processing-time")).to_contain_text("Trong ngày")
    # Nothing wider than the phone: the page reads without sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["viewport"]["width"]
    screenshot(page, "procedure-page")


def test_search_works_without_javascript(browser, live_server, demo_data, screenshot):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False, **PHONE)
    page = context.new_page()
    try:
        page.goto("/thu-tuc/")
        page.locator("#id_q").fill("dang ky ket hon")
        page.locator("#id_q").press("Enter")
        expect(page.get_by_test_id("results").locator("li").first).to_contain_text("Thủ tục đăng ký kết hôn")
        screenshot(page, "no-js-results")
    finally:
        context.close()


def test_administrator_checks_then_imports_a_spreadsheet(page, login, screenshot, tmp_path):
    from chinhquyenso.catalog import exchange

    login(page, "quantri")
    wb = load_workbook(io.BytesIO(exchange.export_xlsx_bytes()))
    wb["Thủ tục"]["D3"] = "Cấp thôn"  # one bad cell
    bad = tmp_path / "danh-muc-loi.xlsx"
    wb.save(bad)
    page.goto("/thu-tuc/quan-tri/nhap/")
    page.locator("#id_file").set_input_files(str(bad))
    page.get_by_role("button", name="Kiểm tra tệp").click()
    issues = page.get_by_test_id("import-issues")
    expect(issues).to_contain_text("Cấp thôn")
    expect(page.get_by_test_id("import-apply")).to_have_count(0)
    screenshot(page, "import-errors")

    wb["Thủ tục"]["D3"] = "Cấp xã"
    wb["Thủ tục"]["B2"] = "Thủ tục chứng thực chữ ký (đã rà soát)"
    good = tmp_path / "danh-muc.xlsx"
    wb.save(good)
    page.locator("#id_file").set_input_files(str(good))
    page.get_by_role("button", name="Kiểm tra tệp").click()
    expect(page.get_by_test_id("import-report")).to_contain_text("Sẽ tạo 0, cập nhật")
    page.get_by_test_id("import-apply").click()
    expect(page.locator("main")).to_contain_text("Đã tạo 0, cập nhật")
    screenshot(page, "import-done")
