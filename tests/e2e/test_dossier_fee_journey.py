"""Issue 5's journey end to end: a citizen submits a dossier with a fee (a copy of a birth extract,
8.000 đ), pays through the VNPAY simulator from the dossier's confirmation page, sees the fee paid on the
dossier and downloads the electronic receipt. The payment reaches the dossier only through the outbox
(``payments.invoice_paid`` → the dossier service), as in production. Screenshots in test-artifacts/e2e/."""

from __future__ import annotations

import pytest

from tests.e2e.test_dossier_journey import PDF, _choose

pytestmark = pytest.mark.django_db(transaction=True)


def test_citizen_submits_a_dossier_with_a_fee_pays_online_and_gets_the_receipt(gateway, phone_page, login,
                                                                                  screenshot, tmp_path):
    from chinhquyenso.core.events import outbox_deliver_due
    from chinhquyenso.dossiers.models import Dossier

    page = phone_page
    login(page, "congdan")
    page.goto("/thu-tuc/2.000635/")
    assert "8.000" in page.locator("main").inner_text(), "the fee is shown before submitting"
    page.locator("[data-testid=submit-online]").click()
    page.wait_for_load_state()
    page.locator("[data-testid=continue]").click()  # the citizen's own commune, Quảng Thọ
    page.wait_for_load_state()
    page.locator("#f-loai_ban_sao").select_option("giay_khai_sinh")
    page.fill("#f-ho_ten_nguoi_duoc_cap", "Nguyễn Thị Lan")
    page.fill("#f-ngay_sinh_nguoi_duoc_cap", "12/05/1986")
    page.fill("#f-noi_dang_ky", "UBND xã Quảng Thọ")
    _choose(page, "quan_he", "ban_than")
    page.fill("#f-so_ban", "1")
    _choose(page, "hinh_thuc_nhan", "truc_tiep")
    page.locator("input[name='cam_doan']").check()
    page.locator("[data-testid=eform-submit]").click()
    page.wait_for_load_state()
    assert page.locator("[data-testid=review-heading]").count(), page.locator("main").inner_text()[:1500]
    page.get_by_role("link", name="Tiếp tục nộp hồ sơ").click()
    page.wait_for_load_state()
    declaration = tmp_path / "to-khai.pdf"
    declaration.write_bytes(PDF + b"to-khai")
    page.locator("[data-testid=document-1] input[type=file]").set_input_files(str(declaration))
    page.locator("[data-testid=continue]").click()
    page.wait_for_load_state()
    page.locator("[data-testid=submit-dossier]").click()
    page.wait_for_load_state()
    code = page.locator("[data-testid=dossier-code]").inner_text().strip()
    assert "8.000" in page.locator("[data-testid=fee]").inner_text()
    screenshot(page, "submitted-with-fee")

    page.locator("[data-testid=pay]").click()
    page.wait_for_load_state()
    screenshot(page, "invoice")
    page.locator("[data-testid=pay-vnpay]").click()
    page.wait_for_url("**/vnpay/paymentv2/vpcpay.html**")
    assert "8.000 VND" in page.locator("[data-testid=sim-amount]").inner_text()
    screenshot(page, "gateway")
    page.locator("[data-testid=sim-success]").click()
    page.wait_for_url("**/thanh-toan/vnpay/tra-ve/**")
    page.wait_for_selector("[data-testid=invoice-status][data-status=paid]")
    screenshot(page, "paid")

    # The worker delivers payments.invoice_paid to the dossier (here: the relay run in-process).
    while outbox_deliver_due(limit=500):  # the demo data left a backlog of its own events too
        pass
    dossier = Dossier.objects.get(code=code)
    assert dossier.fee_status == "paid"
    page.goto(f"/ho-so/{dossier.pk}/")
    assert "Đã nộp phí" in page.locator("main").inner_text()
    screenshot(page, "dossier-fee-paid")
    from chinhquyenso.payments.models import Invoice

    invoice = Invoice.objects.get(subject_type="dossiers.dossier", subject_id=str(dossier.pk))
    page.goto(f"/thanh-toan/hoa-don/{invoice.pk}/")
    with page.expect_download() as download_info:
        page.locator("[data-testid=receipt-download]").click()
    assert download_info.value.path().read_bytes().startswith(b"%PDF-")
    screenshot(page, "receipt-downloaded")
