"""Paying a fee: by card through the VNPAY simulator (phone), and by VietQR transfer matched from the bank
statement the officer imports. Screenshots in test-artifacts/e2e/."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def _demo_invoice():
    from chinhquyenso.payments.models import Invoice

    return Invoice.objects.get(idempotency_key="demo:payments:invoice:1")


def _new_invoice(amount: int):
    from chinhquyenso.accounts.models import User
    from chinhquyenso.payments.services import invoice_create
    from chinhquyenso.units.models import Agency

    desk = Agency.objects.get(identifier_code="000.09.14.H57")
    return invoice_create(subject_type="dossiers.dossier", subject_id="e2e-qr", kind="fee", amount=amount,
                          unit=desk.unit, agency=desk, payer=User.objects.get(username="congdan"),
                          description="Phí thẩm định", idempotency_key="e2e:vietqr")


def test_citizen_pays_by_card_through_the_gateway_and_downloads_the_receipt(gateway, phone_page, login, screenshot):
    page = phone_page
    login(page, "congdan")
    invoice = _demo_invoice()
    page.goto(f"/thanh-toan/hoa-don/{invoice.pk}/")
    assert "50.000 đ" in page.locator("[data-testid=invoice-amount]").inner_text()
    screenshot(page, "invoice-to-pay")
    page.locator("[data-testid=pay-vnpay]").click()
    page.wait_for_url("**/vnpay/paymentv2/vpcpay.html**")
    assert "50.000 VND" in page.locator("[data-testid=sim-amount]").inner_text()
    screenshot(page, "gateway-simulator")
    page.locator("[data-testid=sim-success]").click()
    page.wait_for_url("**/thanh-toan/vnpay/tra-ve/**")
    assert "thành công" in page.locator("[data-testid=vnpay-result]").inner_text()
    page.wait_for_selector("[data-testid=invoice-status][data-status=paid]")
    screenshot(page, "back-from-gateway-paid")
    page.locator("[data-testid=back-to-invoice]").click()
    with page.expect_download() as download_info:
        page.locator("[data-testid=receipt-download]").click()
    path = download_info.value.path()
    with open(path, "rb") as handle:
        assert handle.read(5) == b"%PDF-"
    screenshot(page, "receipt-available")


def test_citizen_transfers_by_vietqr_and_the_officer_matches_the_statement(page, login, screenshot, tmp_path):
    login(page, "congdan")
    invoice = _new_invoice(120_000)
    page.goto(f"/thanh-toan/hoa-don/{invoice.pk}/")
    page.locator("[data-testid=pay-vietqr]").click()
    page.wait_for_selector("[data-testid=vietqr-image]")
    reference = page.locator("[data-testid=vietqr-reference]").inner_text().strip()
    assert reference == invoice.reference
    screenshot(page, "vietqr-shown")

    statement = tmp_path / "sao-ke-vietinbank.csv"
    statement.write_text("Ngày giao dịch,Số tiền,Nội dung,Số tham chiếu\n"
                         f"26/11/2026,120.000,NGUYEN THI LAN chuyen tien {reference.lower()} nop phi,FT26330001\n"
                         "26/11/2026,35.000,ung ho quy,FT26330002\n", encoding="utf-8")
    page.context.clear_cookies()
    login(page, "tiepnhan")
    page.goto("/thanh-toan/can-bo/sao-ke/")
    page.set_input_files("#id_file", str(statement))
    page.locator("[data-testid=statement-submit]").click()
    page.wait_for_selector("[data-testid=matched-lines]")
    assert reference in page.locator("[data-testid=matched-lines]").inner_text()
    assert "ung ho quy" in page.locator("[data-testid=pending-lines]").inner_text()
    screenshot(page, "statement-matched")

    page.context.clear_cookies()
    login(page, "congdan")
    page.goto(f"/thanh-toan/hoa-don/{invoice.pk}/")
    assert page.locator("[data-testid=invoice-status]").get_attribute("data-status") == "paid"
    screenshot(page, "citizen-sees-paid")
