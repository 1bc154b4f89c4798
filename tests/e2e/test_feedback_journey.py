"""Citizen feedback on a phone: report with a photo and a map pin → the coordinator routes it → the
agency answers → the citizen rates. Screenshots in test-artifacts/e2e/."""

from __future__ import annotations

import io

import pytest
from PIL import Image

pytestmark = pytest.mark.django_db(transaction=True)


def _photo(tmp_path):
    path = tmp_path / "cau-gay.jpg"
    image = Image.new("RGB", (800, 600), (90, 120, 160))
    out = io.BytesIO()
    image.save(out, "JPEG")
    path.write_bytes(out.getvalue())
    return path


def _switch_user(page, login, username):
    page.context.clear_cookies()
    login(page, username)


def test_report_route_answer_rate_on_a_phone(phone_page, login, screenshot, tmp_path):
    page = phone_page
    login(page, "congdan")
    page.goto("/phan-anh/gui/")
    page.select_option("#id_category", label="Hạ tầng giao thông (đường, cầu, cống)")
    page.fill("#id_title", "Cầu tre bị gãy tay vịn")
    page.fill("#id_description", "Tay vịn cầu tre qua kênh bị gãy một đoạn dài, trẻ em đi học rất nguy hiểm.")
    page.locator("#fb-pick-map").scroll_into_view_if_needed()
    page.locator("#fb-pick-map").click()
    page.wait_for_function("document.querySelector('#id_latitude').value !== ''")
    assert "Đã chọn vị trí" in page.locator("#fb-point-status").inner_text()
    page.set_input_files("#id_photos", str(_photo(tmp_path)))
    screenshot(page, "citizen-report-form")
    page.locator("[data-testid=send-feedback]").click()
    page.wait_for_load_state()
    if page.locator("#id_confirm_not_duplicate").count():  # similar reports were suggested first
        screenshot(page, "citizen-duplicates-suggested")
        page.check("#id_confirm_not_duplicate")
        page.set_input_files("#id_photos", str(_photo(tmp_path)))
        page.locator("[data-testid=send-feedback]").click()
        page.wait_for_load_state()
    code = page.locator("[data-testid=feedback-code]").inner_text().strip()
    assert code.startswith("PA")
    screenshot(page, "citizen-tracking-code")

    _switch_user(page, login, "tiepnhan")
    page.goto("/phan-anh/dieu-phoi/")
    assert code in page.locator("[data-testid=coordinator-queue]").inner_text()
    page.goto(f"/phan-anh/can-bo/{code}/")
    assert page.locator("[data-testid=route-agency] option:checked").inner_text() == "Phòng Kinh tế - Hạ tầng"
    page.locator("[data-testid=route-form]").scroll_into_view_if_needed()
    screenshot(page, "coordinator-moderate-and-route", full_page=False)
    # A finger drag over the photo marks an area to pixelate (a face, a plate) before publishing.
    page.wait_for_function("document.querySelector('.redact-image').naturalWidth > 0")
    stage = page.locator("[data-redact] .redact-stage").first
    stage.scroll_into_view_if_needed()
    box = stage.bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.1, box["y"] + box["height"] * 0.2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.4, box["y"] + box["height"] * 0.5, steps=5)
    page.mouse.up()
    x, y, w, h = (float(v) for v in page.locator("[data-testid=redact-areas]").input_value().split(","))
    assert (x, y, w, h) == (pytest.approx(10, abs=2), pytest.approx(20, abs=2), pytest.approx(30, abs=2),
                            pytest.approx(30, abs=2))
    assert page.locator("[data-redact] input[value=areas]").is_checked()
    assert page.locator(".redact-box").count() == 1
    screenshot(page, "coordinator-redacts-an-area", full_page=False)
    page.locator("[data-testid=route-submit]").click()
    page.wait_for_load_state()
    assert "Đã chuyển phản ánh" in page.content()
    from chinhquyenso.feedback.models import FeedbackPhoto

    assert len(FeedbackPhoto.objects.get(feedback__code=code).blur_areas) == 1

    _switch_user(page, login, "ktht")
    page.goto("/phan-anh/xu-ly/")
    assert code in page.locator("[data-testid=agency-queue]").inner_text()
    screenshot(page, "agency-queue")
    page.goto(f"/phan-anh/can-bo/{code}/")
    page.locator("[data-testid=accept-submit]").click()
    page.wait_for_load_state()
    page.fill("[data-testid=answer-text]", "Đã thay tay vịn cầu bằng thép, hoàn thành chiều nay. Cảm ơn bạn.")
    page.locator("[data-testid=answer-submit]").click()
    page.wait_for_load_state()
    assert "Đã trả lời" in page.content()
    screenshot(page, "agency-answered", full_page=False)

    _switch_user(page, login, "congdan")
    page.goto(f"/phan-anh/{code}/")
    assert "Đã thay tay vịn" in page.locator("[data-testid=answer]").inner_text()
    page.check("#rating-3")
    screenshot(page, "citizen-reads-answer")
    page.locator("[data-testid=rate-form] button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("[data-testid=rating]").inner_text() == "Rất hài lòng"
    screenshot(page, "citizen-rated")

    page.context.clear_cookies()
    page.goto("/phan-anh/")
    assert code in page.locator("[data-testid=feedback-list]").inner_text()
    page.wait_for_selector(".leaflet-interactive")  # boundaries (and points) drawn without any tile server
    screenshot(page, "public-map-and-list")
