"""Pages: who sees an invoice, paying from it, desk and refund forms, statements, reconciliation, lists."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from chinhquyenso.payments.models import InvoiceStatus, Payment, PaymentStatus
from chinhquyenso.payments.providers.vnpay import vnp_datetime
from chinhquyenso.payments.selectors import cashless_share, invoice_list_unpaid, reconciliation_daily
from chinhquyenso.payments.services import payment_record_desk, vnpay_ipn_process, vnpay_payment_start
from tests import factories
from tests.payments.conftest import ipn_params

pytestmark = pytest.mark.django_db


def test_the_payer_and_staff_of_the_unit_see_the_invoice_others_get_404(client, invoice, citizen, officer,
                                                                         make_staff):
    url = f"/thanh-toan/hoa-don/{invoice.pk}/"
    client.force_login(citizen)
    page = client.get(url)
    assert page.status_code == 200 and "50.000 đ" in page.content.decode()
    client.force_login(officer)
    assert client.get(url).status_code == 200
    client.force_login(factories.make_citizen())
    assert client.get(url).status_code == 404
    client.force_login(make_staff("reception_officer", factories.QUANG_PHU))  # a commune below: not the district's
    assert client.get(url).status_code == 404


def test_paying_by_vnpay_redirects_to_the_signed_gateway_url(client, invoice, citizen, settings):
    client.force_login(citizen)
    response = client.post(f"/thanh-toan/hoa-don/{invoice.pk}/vnpay/")
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(settings.VNPAY_PAY_URL + "?")
    assert "vnp_Amount=5000000" in location and "vnp_SecureHash=" in location
    assert "vnp_ReturnUrl=http%3A%2F%2Ftestserver%2Fthanh-toan%2Fvnpay%2Ftra-ve%2F" in location
    assert Payment.objects.get(invoice=invoice).status == PaymentStatus.PENDING


def test_a_paid_invoice_cannot_start_another_online_payment(client, invoice, citizen, officer):
    payment_record_desk(invoice=invoice, method="cash", amount=invoice.amount, actor=officer)
    client.force_login(citizen)
    response = client.post(f"/thanh-toan/hoa-don/{invoice.pk}/vnpay/", follow=True)
    assert "không còn chờ thanh toán" in response.content.decode()
    assert not Payment.objects.filter(method="vnpay").exists()


def test_vietqr_page_shows_the_qr_and_the_transfer_details(client, invoice, citizen, bank_account):
    client.force_login(citizen)
    page = client.get(f"/thanh-toan/hoa-don/{invoice.pk}/vietqr/").content.decode()
    assert 'data-testid="vietqr-image"' in page and "data:image/svg+xml;base64," in page
    assert bank_account.account_number in page and invoice.reference in page
    png = client.get(f"/thanh-toan/hoa-don/{invoice.pk}/vietqr.png")
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")


def test_vietqr_without_a_bank_account_explains_it(client, invoice, citizen):
    client.force_login(citizen)
    response = client.get(f"/thanh-toan/hoa-don/{invoice.pk}/vietqr/", follow=True)
    assert "chưa khai báo tài khoản" in response.content.decode()


def test_desk_form_errors_are_shown_beside_the_field(client, invoice, officer):
    client.force_login(officer)
    response = client.post(f"/thanh-toan/hoa-don/{invoice.pk}/thu-tai-quay/", {"method": "pos", "amount": "50000"})
    assert response.status_code == 400
    assert "số hóa đơn/chuẩn chi" in response.content.decode()
    response = client.post(f"/thanh-toan/hoa-don/{invoice.pk}/thu-tai-quay/", {"method": "cash", "amount": "50000"})
    assert response.status_code == 302
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID
    pdf = client.get(f"/thanh-toan/hoa-don/{invoice.pk}/bien-lai.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"


def test_refund_form_refuses_more_than_was_paid(client, invoice, officer):
    payment_record_desk(invoice=invoice, method="cash", amount=invoice.amount, actor=officer)
    client.force_login(officer)
    response = client.post(f"/thanh-toan/hoa-don/{invoice.pk}/hoan-tien/",
                           {"amount": "60000", "method": "cash", "reason": "Thu nhầm"})
    assert response.status_code == 400 and "vượt quá" in response.content.decode()


def test_citizen_sees_no_officer_forms(client, invoice, citizen):
    client.force_login(citizen)
    page = client.get(f"/thanh-toan/hoa-don/{invoice.pk}/").content.decode()
    assert "Thu tại quầy" not in page and 'data-testid="pay-vnpay"' in page
    assert client.post(f"/thanh-toan/hoa-don/{invoice.pk}/thu-tai-quay/",
                       {"method": "cash", "amount": "50000"}).status_code == 400


def test_status_fragment_polls_until_paid(client, invoice, citizen, officer):
    client.force_login(citizen)
    open_fragment = client.get(f"/thanh-toan/hoa-don/{invoice.pk}/trang-thai/").content.decode()
    assert 'hx-trigger="every 3s"' in open_fragment
    payment_record_desk(invoice=invoice, method="cash", amount=invoice.amount, actor=officer)
    paid_fragment = client.get(f"/thanh-toan/hoa-don/{invoice.pk}/trang-thai/").content.decode()
    assert "hx-trigger" not in paid_fragment and "bien-lai.pdf" in paid_fragment


def test_statement_upload_page_imports_and_shows_the_result(client, officer, bank_account, make_invoice):
    invoice = make_invoice(amount=30_000)
    client.force_login(officer)
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = f"Ngày,Số tiền,Nội dung,Số tham chiếu\n05/01/2026,30000,CK {invoice.reference},FT1\n05/01/2026,777,lạ,FT2\n"
    response = client.post("/thanh-toan/can-bo/sao-ke/", {
        "bank_account": bank_account.pk, "file": SimpleUploadedFile("saoke.csv", data.encode(), "text/csv")})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert invoice.reference in page and "lạ" in page
    assert client.get("/thanh-toan/can-bo/sao-ke/").status_code == 200


def test_citizens_cannot_open_officer_pages(client, citizen):
    client.force_login(citizen)
    for url in ("/thanh-toan/can-bo/chua-thu/", "/thanh-toan/can-bo/sao-ke/", "/thanh-toan/can-bo/doi-soat/"):
        assert client.get(url).status_code == 403


def test_unpaid_list_is_scoped_and_bounded_in_queries(client, make_invoice, commune_desk, make_staff,
                                                     django_assert_max_num_queries):
    for _ in range(5):
        make_invoice()
    theirs = make_invoice(agency=commune_desk)
    commune_officer = make_staff("reception_officer", factories.QUANG_THO)
    rows = invoice_list_unpaid(user=commune_officer)
    assert [r.pk for r in rows] == [theirs.pk]
    district_officer = make_staff("reception_officer", factories.DISTRICT)
    with django_assert_max_num_queries(3):
        assert len(invoice_list_unpaid(user=district_officer)) == 6
    client.force_login(district_officer)
    with django_assert_max_num_queries(15):
        assert client.get("/thanh-toan/can-bo/chua-thu/").status_code == 200


def test_daily_reconciliation_lists_differences(invoice, make_invoice, citizen, officer, bank_account,
                                                django_assert_max_num_queries):
    payment, _ = vnpay_payment_start(invoice=invoice, actor=citizen, return_url="http://t/r/", ip_addr="1.1.1.1")
    vnpay_ipn_process(params=ipn_params(payment))
    desk_invoice = make_invoice(amount=20_000)
    payment_record_desk(invoice=desk_invoice, method="cash", amount=20_000, actor=officer)
    from chinhquyenso.payments.services import statement_import
    from tests.payments.test_statements import csv_bytes

    today = timezone.localdate()
    statement_import(bank_account=bank_account, content=csv_bytes([(today.strftime("%d/%m/%Y"), "12345", "??", "")]),
                     name="s.csv", actor=officer)
    with django_assert_max_num_queries(8):
        rows = {r.provider: r for r in reconciliation_daily(user=officer, day=today)}
    assert rows["vnpay"].expected_total == 50_000 and rows["vnpay"].received_total == 50_000
    assert rows["vnpay"].balanced
    assert rows["cash"].expected_total == 20_000
    assert rows["vietqr"].received_total == 12_345 and rows["vietqr"].expected_total == 0
    assert [d.kind for d in rows["vietqr"].differences] == ["unmatched"]


def test_cashless_share_per_unit(make_invoice, citizen, officer, commune_desk, make_staff):
    for method in ("cash", "pos", "cash"):
        inv = make_invoice()
        payment_record_desk(invoice=inv, method=method, amount=inv.amount, actor=officer, pos_ref="1")
    inv = make_invoice()
    payment, _ = vnpay_payment_start(invoice=inv, actor=citizen, return_url="http://t/r/", ip_addr="1.1.1.1")
    vnpay_ipn_process(params=ipn_params(payment, vnp_PayDate=vnp_datetime(timezone.now())))
    commune = make_invoice(agency=commune_desk)
    payment_record_desk(invoice=commune, method="cash", amount=commune.amount, actor=officer)
    leader = make_staff("unit_leader", factories.DISTRICT)
    today = timezone.localdate()
    rows, total = cashless_share(user=leader, date_from=today - dt.timedelta(days=1), date_to=today)
    by_unit = {r.unit_name: r for r in rows}
    district = by_unit["Huyện Quảng Điền"]
    assert (district.paid, district.cashless, district.online) == (4, 2, 1)
    assert district.cashless_percent == 50.0 and district.meets_target
    assert (total.paid, total.cashless) == (5, 2) and not total.meets_target


def test_reconciliation_page_renders(client, officer):
    client.force_login(officer)
    page = client.get("/thanh-toan/can-bo/doi-soat/").content.decode()
    assert 'data-testid="reconciliation"' in page and 'data-testid="cashless-share"' in page


def test_officer_matches_an_unmatched_line_by_typing_the_reference(client, officer, bank_account, make_invoice):
    from chinhquyenso.payments.models import StatementLine
    from chinhquyenso.payments.services import statement_import
    from tests.payments.test_statements import csv_bytes

    invoice = make_invoice(amount=40_000)
    statement = statement_import(bank_account=bank_account, content=csv_bytes([("05/01/2026", "40000", "nop phi", "")]),
                                 name="s.csv", actor=officer)
    line = StatementLine.objects.get(statement=statement)
    client.force_login(officer)
    assert client.post(f"/thanh-toan/can-bo/sao-ke/dong/{line.pk}/", {"invoice": "CQSNOTHING"}).status_code == 302
    line.refresh_from_db()
    assert line.status in ("ambiguous", "unmatched")
    client.post(f"/thanh-toan/can-bo/sao-ke/dong/{line.pk}/",
                {"invoice": invoice.reference.lower(), "note": "gọi xác nhận"})
    line.refresh_from_db()
    invoice.refresh_from_db()
    assert line.status == "manual" and invoice.status == "paid"


def test_cashless_share_is_one_query(make_invoice, officer, make_staff, django_assert_max_num_queries):
    for _ in range(3):
        inv = make_invoice()
        payment_record_desk(invoice=inv, method="cash", amount=inv.amount, actor=officer)
    leader = make_staff("unit_leader", factories.DISTRICT)
    today = timezone.localdate()
    with django_assert_max_num_queries(2):  # role scopes + the grouped aggregate
        _rows, total = cashless_share(user=leader, date_from=today, date_to=today)
    assert total.paid == 3 and total.cashless == 0
