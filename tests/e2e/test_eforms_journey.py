"""E-form journey on a phone: find "đăng ký khai sinh" by typing "khai sinh", open it, fill the
e-form with one mistake, read the message, correct it, save a draft and come back to it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e


def settle(page: Page) -> None:
    """Wait until htmx has finished the request a change started (the form body is swapped)."""
    page.wait_for_function("() => !document.querySelector('.htmx-request')")


def pick_address(page: Page, field: str, codes: list[str]) -> None:
    """Province → district → commune: each choice makes the server render the next select."""
    for depth, code in enumerate(codes, start=1):
        select = page.locator(f"#f-{field}__lvl{depth}")
        expect(select).to_be_visible()
        select.select_option(code)
        settle(page)
    expect(page.locator(f"#f-{field}__lvl{len(codes)}")).to_have_value(codes[-1])


def test_citizen_finds_birth_registration_fills_it_with_one_error_corrects_it_and_saves_a_draft(
        phone_page, login, screenshot):
    page = phone_page
    login(page, "congdan")

    # Find the procedure by typing "khai sinh" in the catalogue search.
    page.goto("/thu-tuc/")
    page.locator("#id_q").fill("khai sinh")
    page.locator("#id_q").press("Enter")
    results = page.get_by_test_id("results")
    expect(results).to_contain_text("Thủ tục đăng ký khai sinh")
    screenshot(page, "search-khai-sinh")
    results.get_by_role("link", name=re.compile(r"^\s*Thủ tục đăng ký khai sinh\s*$")).first.click()
    expect(page.get_by_test_id("procedure-name")).to_have_text("Thủ tục đăng ký khai sinh")
    page.get_by_test_id("submit-online").click()
    expect(page.locator("#id_unit option:checked")).to_contain_text("Quảng Thọ")  # where to submit, first
    page.get_by_test_id("continue").click()

    # The e-form, with what the government already knows pre-filled.
    expect(page.get_by_test_id("eform-title")).to_have_text("Tờ khai đăng ký khai sinh")
    expect(page.locator("#f-cccd")).to_have_value("046186000123")
    expect(page.locator("#f-ho_ten")).to_have_value("Nguyễn Thị Lan")
    expect(page.locator("#f-noi_cu_tru__lvl3")).to_have_value("19894")
    screenshot(page, "eform-prefilled")

    # A controlling answer: htmx re-renders the form while we keep typing (eforms.js keeps the typing).
    page.get_by_label("Mẹ", exact=True).check()
    page.locator("#f-ho_ten_tre").fill("Trần Minh An")
    page.locator("#f-ngay_sinh_tre").fill("31/02/2025")  # the mistake: there is no 31 February
    page.locator("#f-gioi_tinh_tre").get_by_label("Nam").check()
    page.locator("#f-dan_toc_tre").fill("Kinh")
    page.locator("#f-quoc_tich_tre").fill("Việt Nam")
    page.locator("#f-noi_sinh").fill("Trung tâm Y tế huyện Quảng Điền")
    pick_address(page, "noi_sinh_don_vi", ["46", "477", "19867"])

    # The mother's details appear only once the citizen says the mother is known.
    expect(page.locator("#f-ho_ten_me")).to_have_count(0)
    page.locator("#f-co_thong_tin_me").get_by_label("Có").check()
    settle(page)
    page.locator("#f-ho_ten_me").fill("Nguyễn Thị Lan")
    page.locator("#f-ngay_sinh_me").fill("12/05/1986")
    page.locator("#f-cccd_me").fill("046186000123")
    page.locator("#f-dan_toc_me").fill("Kinh")
    page.locator("#f-quoc_tich_me").fill("Việt Nam")
    pick_address(page, "noi_cu_tru_me", ["46", "477", "19894"])
    page.locator("#f-co_thong_tin_cha").get_by_label("Chưa").check()
    settle(page)
    expect(page.locator("#f-ho_ten_cha")).to_have_count(0)
    page.locator("#f-hinh_thuc_nhan").get_by_label("Nhận trực tiếp tại Bộ phận Một cửa").check()
    page.locator("#f-cam_doan").check()
    page.get_by_test_id("eform-submit").click()

    # One error: summarised at the top (focused), linked to the field, and shown beside it.
    summary = page.get_by_test_id("error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(summary.locator("li")).to_have_count(1)
    expect(summary).to_contain_text("“Ngày, tháng, năm sinh của trẻ”: phải là một ngày có thật")
    expect(page.locator("#f-ngay_sinh_tre-error")).to_be_visible()
    expect(page.locator("#f-ngay_sinh_tre")).to_have_value("31/02/2025")
    expect(page.locator("#f-ho_ten_me")).to_have_value("Nguyễn Thị Lan")  # nothing else was lost
    screenshot(page, "eform-one-error")
    summary.get_by_role("link").click()
    expect(page.locator("#f-ngay_sinh_tre")).to_be_focused()

    # Correct it and save a draft.
    page.locator("#f-ngay_sinh_tre").fill("15/02/2025")
    page.get_by_test_id("eform-save-draft").click()
    expect(page.get_by_role("status").filter(has_text="Đã lưu bản nháp")).to_be_visible()
    expect(page.get_by_test_id("error-summary")).to_have_count(0)
    screenshot(page, "eform-draft-saved")

    # Coming back later resumes the draft.
    page.goto("/")
    page.go_back()
    page.reload()
    expect(page.get_by_test_id("eform-notice")).to_contain_text("Bạn đang điền tiếp bản nháp")
    expect(page.locator("#f-ngay_sinh_tre")).to_have_value("15/02/2025")
    expect(page.locator("#f-noi_sinh_don_vi__lvl3")).to_have_value("19867")
    expect(page.locator("#f-ho_ten_me")).to_have_value("Nguyễn Thị Lan")


def test_typing_while_the_server_re_renders_the_form_is_not_lost(page, login, monkeypatch):
    """A slow network: the citizen keeps typing after a controlling answer started a re-render."""
    import time

    from chinhquyenso.eforms import views

    real = views.state_from_post

    def slow(form, post):
        if post.get("_action") == "refresh":
            time.sleep(1.0)
        return real(form, post)

    monkeypatch.setattr(views, "state_from_post", slow)  # the live server runs in this process
    login(page, "congdan")
    from chinhquyenso.catalog.models import Procedure

    page.goto(f"/bieu-mau/{Procedure.objects.get(code='1.001193').pk}/")
    page.locator("#f-co_thong_tin_cha").get_by_label("Có").check()   # starts the (slow) re-render
    page.locator("#f-ho_ten_tre").fill("Gõ trong lúc chờ")             # typed while it is on its way
    page.locator("#f-gioi_tinh_tre").get_by_label("Nữ").check()        # ticked while it is on its way
    page.locator("#f-cam_doan").check()
    expect(page.locator("#f-ho_ten_cha")).to_be_visible(timeout=5000)  # the swap has happened
    settle(page)
    expect(page.locator("#f-ho_ten_tre")).to_have_value("Gõ trong lúc chờ")
    expect(page.locator("#f-gioi_tinh_tre").get_by_label("Nữ")).to_be_checked()
    expect(page.locator("#f-cam_doan")).to_be_checked()


def test_an_administrator_adds_a_field_previews_and_publishes_a_new_version(page, login, screenshot):
    login(page, "quantri")
    page.goto("/bieu-mau/quan-tri/")
    page.get_by_role("link", name="Thủ tục đăng ký khai sinh", exact=True).click()
    expect(page.get_by_test_id("builder-status")).to_contain_text("Phiên bản 1 đã xuất bản")
    page.get_by_role("button", name=re.compile("Sửa biểu mẫu")).click()
    expect(page.get_by_test_id("builder-status")).to_contain_text("bản nháp phiên bản 2")

    section = page.get_by_test_id("builder-section").filter(has_text="Người được khai sinh")
    section.get_by_label("Loại trường").select_option("select")
    section.get_by_label("Nhãn").fill("Nhóm máu của trẻ")
    section.get_by_role("button", name="Thêm trường").click()
    editor = page.get_by_test_id("field-editor")
    expect(editor).to_be_visible()
    editor.get_by_label("Các lựa chọn").fill("a | Nhóm A\nb | Nhóm B\no | Nhóm O\nab | Nhóm AB")
    editor.get_by_label("Bắt buộc").check()
    editor.get_by_test_id("field-save").click()
    expect(page.get_by_role("status").filter(has_text="Đã lưu trường")).to_be_visible()
    screenshot(page, "builder-field-added")

    page.get_by_role("link", name="Xem trước").click()
    expect(page.get_by_label("Nhóm máu của trẻ")).to_be_visible()
    page.get_by_test_id("eform-submit").click()
    expect(page.get_by_test_id("error-summary")).to_contain_text("Vui lòng chọn “Nhóm máu của trẻ”.")
    screenshot(page, "builder-preview")

    page.get_by_role("link", name="Xuất bản", exact=True).click()
    expect(page.get_by_test_id("publish-form")).to_be_visible()
    expect(page.locator("main")).to_contain_text("nhom_mau_cua_tre")
    page.get_by_label("Ghi chú thay đổi").fill("Thêm nhóm máu")
    page.get_by_label("Tôi đã xem trước").check()
    page.get_by_role("button", name="Xuất bản phiên bản 2").click()
    expect(page.get_by_test_id("builder-status")).to_contain_text("Phiên bản 2 đã xuất bản")
