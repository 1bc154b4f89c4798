"""The one-stop journey on the demo data: a citizen on a phone submits "Đăng ký khai sinh" online with
two attachments → the commune's reception officer receives it → the specialist (tư pháp - hộ tịch)
processes it → the commune leader approves → the desk returns the result → the citizen downloads the
result and rates. Every screen is saved in test-artifacts/e2e/ (docs/dossiers.md)."""

from __future__ import annotations

import datetime as dt

import pytest

pytestmark = pytest.mark.django_db(transaction=True)

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _scan(tmp_path, name: str) -> str:
    path = tmp_path / name
    path.write_bytes(PDF + name.encode())
    return str(path)


def _htmx_change(page, locator, action) -> None:
    """Do ``action`` on a field; when the field refreshes the e-form through htmx (a condition or
    an address level), wait until the new form body is in place before typing anything else."""
    if locator.get_attribute("hx-post") is None:
        action()
        return
    with page.expect_response(lambda r: r.request.method == "POST"):
        action()
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")


def _pick_address(page, field: str, codes: list[str]) -> None:
    """The e-form's province → district → commune picker (htmx fills the next level)."""
    for level, code in enumerate(codes, start=1):
        select = page.locator(f"#f-{field}__lvl{level}")
        select.wait_for()
        _htmx_change(page, select, lambda select=select, code=code: select.select_option(code))


def _choose(page, name: str, value: str) -> None:
    radio = page.locator(f"input[name='{name}'][value='{value}']")
    _htmx_change(page, radio, radio.check)


def _fill_birth_form(page) -> None:
    born = (dt.date.today() - dt.timedelta(days=20)).strftime("%d/%m/%Y")
    _choose(page, "quan_he_voi_tre", "me")
    page.fill("#f-ho_ten_tre", "Trần Minh An")
    page.fill("#f-ngay_sinh_tre", born)
    _choose(page, "gioi_tinh_tre", "male")
    page.fill("#f-dan_toc_tre", "Kinh")
    page.fill("#f-quoc_tich_tre", "Việt Nam")
    page.fill("#f-noi_sinh", "Trung tâm Y tế huyện Quảng Điền")
    _pick_address(page, "noi_sinh_don_vi", ["46", "477", "19867"])
    _choose(page, "co_thong_tin_me", "co")
    page.fill("#f-ho_ten_me", "Nguyễn Thị Lan")
    page.fill("#f-ngay_sinh_me", "12/05/1986")
    page.fill("#f-cccd_me", "046186000123")
    page.fill("#f-dan_toc_me", "Kinh")
    page.fill("#f-quoc_tich_me", "Việt Nam")
    _pick_address(page, "noi_cu_tru_me", ["46", "477", "19894"])
    _choose(page, "co_thong_tin_cha", "chua")
    _choose(page, "hinh_thuc_nhan", "truc_tiep")
    page.locator("input[name='cam_doan']").check()


def _as(page, login, username: str) -> None:
    page.context.clear_cookies()
    login(page, username)


def _act(page, action: str) -> None:
    page.locator(f"[data-testid=action-{action}]").click()
    page.wait_for_load_state()
    assert page.locator(".alert-success").count(), page.locator("main").inner_text()[:500]


def test_birth_registration_from_submission_to_rated_result(phone_page, page, login, screenshot, tmp_path):
    citizen = phone_page
    login(citizen, "congdan")
    citizen.goto("/thu-tuc/1.001193/")
    screenshot(citizen, "citizen-procedure-page")
    citizen.locator("[data-testid=submit-online]").click()
    citizen.wait_for_load_state()

    # Where to submit comes first: the citizen's commune is proposed.
    assert "Quảng Thọ" in citizen.locator("#id_unit option:checked").inner_text()
    screenshot(citizen, "citizen-choose-unit")
    citizen.locator("[data-testid=continue]").click()
    citizen.wait_for_load_state()
    assert citizen.locator("#f-ho_ten").input_value() == "Nguyễn Thị Lan", "pre-filled from the citizen's profile"
    _fill_birth_form(citizen)
    screenshot(citizen, "citizen-eform-filled")
    citizen.locator("[data-testid=eform-submit]").click()
    citizen.wait_for_load_state()
    assert citizen.locator("[data-testid=review-heading]").count(), citizen.locator("main").inner_text()[:1500]
    screenshot(citizen, "citizen-eform-checked")
    citizen.get_by_role("link", name="Tiếp tục nộp hồ sơ").click()
    citizen.wait_for_load_state()

    # Two attachments: the signed declaration and the medical birth certificate.
    citizen.locator("[data-testid=document-1] input[type=file]").set_input_files(_scan(tmp_path, "to-khai.pdf"))
    citizen.locator("[data-testid=document-2] input[type=file]").set_input_files(_scan(tmp_path, "giay-chung-sinh.pdf"))
    screenshot(citizen, "citizen-attach-documents")
    citizen.locator("[data-testid=continue]").click()
    citizen.wait_for_load_state()

    # The e-form already said "at the desk": straight to the check-your-answers page.
    assert "Kiểm tra hồ sơ trước khi nộp" in citizen.locator("h1").inner_text()
    assert "giay-chung-sinh.pdf" in citizen.locator("[data-testid=review-documents]").inner_text()
    screenshot(citizen, "citizen-review")
    citizen.locator("[data-testid=submit-dossier]").click()
    citizen.wait_for_load_state()
    code = citizen.locator("[data-testid=dossier-code]").inner_text().strip()
    assert code.startswith("000.29.14.H57-"), code
    assert citizen.locator("[data-testid=lookup-secret]").inner_text().strip()
    screenshot(citizen, "citizen-submitted-code-and-receipt")
    receipt = citizen.context.request.get(citizen.locator("[data-testid=receipt-pdf]").get_attribute("href"))
    assert receipt.ok and receipt.headers["content-type"] == "application/pdf"
    assert receipt.body().startswith(b"%PDF")

    # The commune's one-stop desk receives it.
    officer = page
    _as(officer, login, "canbo.quangtho")
    officer.goto("/ho-so/can-bo/")
    assert code in officer.locator("[data-testid=queue]").inner_text()
    screenshot(officer, "reception-intake-queue")
    officer.get_by_role("link", name=code).click()
    officer.wait_for_load_state()
    assert "Trần Minh An" in officer.locator("main").inner_text(), "the e-form data, read-only"
    screenshot(officer, "reception-dossier-page")
    _act(officer, "receive")
    screenshot(officer, "reception-received")

    # The justice-civil status officer takes it and sends it for approval.
    _as(officer, login, "chuyenvien.quangtho")
    officer.goto("/ho-so/can-bo/cho-nhan-xu-ly/")
    assert code in officer.locator("[data-testid=queue]").inner_text()
    screenshot(officer, "specialist-queue")
    officer.get_by_role("link", name=code).click()
    officer.wait_for_load_state()
    _act(officer, "take")
    screenshot(officer, "specialist-took-dossier")
    officer.fill("#forward-note", "Hồ sơ đủ điều kiện, đề nghị đăng ký khai sinh.")
    _act(officer, "forward")
    screenshot(officer, "specialist-sent-for-approval")

    # The commune leader approves: the result document is issued.
    _as(officer, login, "lanhdao.quangtho")
    officer.goto("/ho-so/can-bo/cho-phe-duyet/")
    assert code in officer.locator("[data-testid=queue]").inner_text()
    screenshot(officer, "leader-approval-queue")
    officer.get_by_role("link", name=code).click()
    officer.wait_for_load_state()
    officer.fill("#id_approve-result_number", "25/2026/GKS")
    screenshot(officer, "leader-dossier-page")
    _act(officer, "approve")
    screenshot(officer, "leader-approved")

    # The leader's register and figures show it.
    officer.goto("/ho-so/so-theo-doi/")
    assert code in officer.locator("[data-testid=register]").inner_text()
    screenshot(officer, "leader-register")
    officer.goto("/ho-so/thong-ke/")
    assert officer.locator("[data-testid=kpi-total]").inner_text().strip() == "1"
    screenshot(officer, "leader-statistics")

    # The desk hands the paper result over.
    _as(officer, login, "canbo.quangtho")
    officer.goto("/ho-so/can-bo/cho-tra-ket-qua/")
    assert code in officer.locator("[data-testid=queue]").inner_text()
    officer.get_by_role("link", name=code).click()
    officer.wait_for_load_state()
    _act(officer, "return_result")
    assert "Đã trả kết quả" in officer.locator("[data-testid=dossier-status]").inner_text()
    screenshot(officer, "reception-result-returned")

    # The citizen follows it, downloads the electronic result and rates the service.
    citizen.goto("/ho-so/")
    assert code in citizen.locator("[data-testid=my-dossiers]").inner_text()
    screenshot(citizen, "citizen-my-dossiers")
    citizen.locator("[data-testid=my-dossiers] a").first.click()
    citizen.wait_for_load_state()
    assert "Đã trả kết quả" in citizen.locator("[data-testid=timeline]").inner_text()
    with citizen.expect_download() as download:
        citizen.locator("[data-testid=download-result]").click()
    from pathlib import Path

    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")
    citizen.locator("input[name=level][value='3']").check()
    screenshot(citizen, "citizen-result-and-rating")
    citizen.locator("[data-testid=rate-submit]").click()
    citizen.wait_for_load_state()
    assert citizen.locator("[data-testid=rating]").inner_text() == "Rất hài lòng"
    screenshot(citizen, "citizen-rated")

    # Anyone with the code and the secret can follow it, without personal data.
    secret = citizen.locator("main").inner_text().split("Mã tra cứu công khai:")[-1].split()[0]
    citizen.context.clear_cookies()
    citizen.goto(f"/ho-so/tra-cuu/?ma={code}")
    citizen.fill("#mtc", secret)
    citizen.get_by_role("button", name="Tra cứu").click()
    citizen.wait_for_load_state()
    result = citizen.locator("[data-testid=lookup-result]").inner_text()
    assert "Đã trả kết quả" in result and "Nguyễn Thị Lan" not in result
    screenshot(citizen, "public-lookup")
